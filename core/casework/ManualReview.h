#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"

#include <QList>
#include <QString>

#include <optional>

/**
 * @file
 * Manual review of restricted users (SPEC 2.2: a restricted user "requires manual review for continued access"). A
 * restriction waits in the manual-review inbox from its start until a reviewer decides it, oldest first, against a
 * service level (Policy::manualReviewSla, 24 h by default). Each decision is one `manual_review` audit record whose
 * reason reads "<decision> <reason code>[: notes]", so the record names both:
 * - restore_none, restore_warning (senior reviewer): lifts the restriction to that stage, as an override would;
 * - keep (any reviewer): the restriction stays until it ends; nothing but the record is written;
 * - extend (senior reviewer): the restriction ends one restriction period later than it does now.
 */
namespace fairuse::casework {

enum class ReviewDecision { RestoreNone, RestoreWarning, KeepRestricted, Extend };
/** Wire names: restore_none, restore_warning, keep, extend. */
QString toString(ReviewDecision d);
std::optional<ReviewDecision> reviewDecisionFromString(const QString& s);

/** When the restriction in force began: its end minus the policy's restriction period. nullopt when the state is
 *  not restricted or names no end. */
std::optional<TimePoint> restrictedSince(const enforcement::Policy& policy, const FairUseState& state);

/** Where a waiting review stands against the SLA. */
struct SlaStatus {
    TimePoint dueAt{};
    bool late = false;
    std::chrono::milliseconds waited{0};
};
SlaStatus slaStatus(const enforcement::Policy& policy, TimePoint waitingSince, TimePoint now);

/** True when `records` (a user's audit records, any order) hold a manual review at or after `since`. */
bool reviewedSince(const QList<AuditRecord>& records, TimePoint since);

/** A reviewer's verdict on the classifier of one case (the case that led to the restriction, say). */
struct CaseVerdict {
    FairUseEvent event;
    ClassifierVerdict verdict = ClassifierVerdict::NotAssessed;
};

/**
 * A manual-review decision on a restricted user. With a verdict, the ChangeSet also carries the label of that case
 * (outcome: the decision's wire name) and the audit record names the case. Invalid when the user is not restricted at
 * `ctx.now` (the restriction ended or was lifted), when `reasonCode` is not one of the policy's, or when the code is
 * "other" without notes; Permission when restoring or extending without the senior role.
 */
Result<ChangeSet> buildManualReview(const enforcement::Policy& policy, const FairUseState& state,
                                    ReviewDecision decision, const QString& reasonCode, const QString& notes,
                                    const enforcement::ActionContext& ctx,
                                    const std::optional<CaseVerdict>& verdict = std::nullopt);

} // namespace fairuse::casework
