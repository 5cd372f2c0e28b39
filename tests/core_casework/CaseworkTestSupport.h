#pragma once
// What the core casework tests share: three reviewers (two plain, one senior) and the context an action is built in.

#include "common/Domain.h"
#include "enforcement/ReviewerActions.h"

namespace fairuse::testing {

inline Reviewer ana() {
    return Reviewer{QStringLiteral("ana@example.com"), Role::Reviewer, QStringLiteral("ana")};
}
inline Reviewer ben() {
    return Reviewer{QStringLiteral("ben@example.com"), Role::Reviewer, QStringLiteral("ben")};
}
inline Reviewer sam() {
    return Reviewer{QStringLiteral("sam@example.com"), Role::SeniorReviewer, QStringLiteral("sam")};
}

/** `r` acting at `now`, as client "test". */
inline enforcement::ActionContext actingAs(const Reviewer& r, TimePoint now) {
    enforcement::ActionContext ctx;
    ctx.reviewer = r;
    ctx.now = now;
    ctx.clientVersion = QStringLiteral("test");
    return ctx;
}

} // namespace fairuse::testing
