#include "enforcement/ActionSupport.h"

namespace fairuse::enforcement {

Status checkIdentity(const FairUseState& state, const ActionContext& ctx) {
    // The audit trail must name a person: an action without the credential's identity is refused rather than
    // recorded under a placeholder (the backend's hard-coded "admin" is what SPEC 5 forbids).
    if (ctx.reviewer.email.trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("the reviewer's identity is missing; sign in with a named credential"));
    }
    if (state.uid.isEmpty()) {
        return Error::invalid(QStringLiteral("the user id is missing"));
    }
    return {};
}

Status requireRole(const ActionContext& ctx, Role needed, const QString& what) {
    if (static_cast<int>(ctx.reviewer.role) < static_cast<int>(needed)) {
        return Error::permission(QStringLiteral("%1 needs the %2 role; %3 has the %4 role")
                                     .arg(what, toString(needed), ctx.reviewer.email, toString(ctx.reviewer.role)));
    }
    return {};
}

Status requireText(const QString& text, const QString& what) {
    if (text.trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("%1 is required").arg(what));
    }
    return {};
}

Status checkEventOfUser(const FairUseState& state, const FairUseEvent& event) {
    if (event.id.isEmpty()) {
        return Error::invalid(QStringLiteral("the case has no id"));
    }
    if (!event.uid.isEmpty() && event.uid != state.uid) {
        return Error::invalid(
            QStringLiteral("case %1 belongs to user %2, not %3").arg(event.caseRef, event.uid, state.uid));
    }
    return {};
}

AuditRecord actorRecord(const ActionContext& ctx, AuditAction action, const QString& reason) {
    AuditRecord a;
    a.at = ctx.now;
    a.reviewer = ctx.reviewer.email;
    a.reviewerUid = ctx.reviewer.uid;
    a.role = ctx.reviewer.role;
    a.action = action;
    a.caseRef = ctx.caseRef;
    a.eventId = ctx.eventId;
    a.reason = reason.trimmed();
    a.clientVersion = ctx.clientVersion;
    return a;
}

ChangeSet baseChangeSet(const FairUseState& state, const ActionContext& ctx, AuditAction action,
                        const QString& reason) {
    ChangeSet cs;
    cs.uid = state.uid;
    cs.expectedStateVersion = state.version;
    cs.checkStateVersion = true;
    cs.previousState = state;
    cs.idempotencyKey = ctx.idempotencyKey;
    cs.audit = actorRecord(ctx, action, reason);
    cs.audit.uid = state.uid;
    cs.audit.stageBefore = state.stage;
    cs.audit.stageAfter = state.stage;
    return cs;
}

} // namespace fairuse::enforcement
