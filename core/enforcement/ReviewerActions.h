#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/Policy.h"

#include <QString>

/**
 * @file
 * Builders for what each reviewer action changes (SPEC 2.5). Each returns a ChangeSet that a store applies in one
 * atomic commit, or an Error: Permission (role missing, the message names the role needed), Invalid (a reason code
 * that is not the policy's, a missing note, mismatched ids, no reviewer identity), Conflict (the case is already
 * resolved, the user is already (un)exempt). Every ChangeSet carries the audit record (reviewer e-mail and role from
 * the credential in use, action, uid, case, stage before and after, reason, client version, time) and the expected
 * versions of the documents it was computed from, so a store refuses it if another reviewer changed them first.
 *
 * Decisions (resolve, override, reset, exempt, un-exempt) take a reason code from the policy's list and optional
 * notes; the audit reason reads "<code>[: notes]" (enforcement/DecisionReason.h).
 *
 * Roles: reviewer: resolve, add note, re-run the classifier (and set warning, see applyOverride); senior reviewer:
 * also override any stage, lift restrictions (including a false-positive resolution of a restricted user), exempt
 * and un-exempt; admin: everything, including reset.
 */
namespace fairuse::enforcement {

/**
 * The role table: the least role that may take `action` on a user whose stage goes from `before` to `after`.
 * Reviewer: resolve, add a note, re-run the classifier, set warning on a user at none or warning. Senior reviewer:
 * every other override, lifting a restriction (a resolve that lowers a restricted user), exempt and un-exempt.
 * Admin: reset. Enforce is the enforcement service's (Role::Service), which no reviewer has. The builders below check
 * their actions against it.
 */
Role roleNeeded(AuditAction action, Stage before, Stage after);

/** Who acts, when, from which client, under which idempotency key. */
struct ActionContext {
    Reviewer reviewer;
    TimePoint now{};
    QString clientVersion;
    QString idempotencyKey;
    /** The case the action was taken from, for user-level actions started in a case view; may be empty. */
    QString caseRef;
    QString eventId;
};

/**
 * Resolve a case. confirmed: the stage stays. false_positive: the stage goes down one step (a false positive was
 * counted as a violation; undoing exactly that one step is the conservative correction) and, when `exempt` is set,
 * the user is exempted too (senior reviewer); lowering a restricted user lifts a restriction, so it needs a senior
 * reviewer. no_action: nothing but the resolution. The notes are optional and also appended to the case's notes.
 * With a verdict, the ChangeSet carries the label of the case's classifier result (outcome: the resolution). An
 * already resolved case is a Conflict.
 */
Result<ChangeSet> buildResolve(const Policy& policy, const FairUseState& state, const FairUseEvent& event,
                               Outcome outcome, const QString& reasonCode, const QString& notes, bool exempt,
                               const ActionContext& ctx, std::optional<ClassifierVerdict> verdict = std::nullopt);

/** Set the stage (see applyOverride for roles and timers). */
Result<ChangeSet> buildOverrideStage(const Policy& policy, const FairUseState& state, Stage target,
                                     const QString& reasonCode, const QString& notes, const ActionContext& ctx);

/** Admin only: stage none, counters and timers cleared, resetBy/resetAt recorded. */
Result<ChangeSet> buildReset(const Policy& policy, const FairUseState& state, const QString& reasonCode,
                             const QString& notes, const ActionContext& ctx);

/** Senior reviewer: exempt (or un-exempt) the user. Setting the current value is a Conflict. */
Result<ChangeSet> buildExempt(const Policy& policy, const FairUseState& state, bool exempt, const QString& reasonCode,
                              const QString& notes, const ActionContext& ctx);

/** Add a note to a case (appended to its admin notes); note required. */
Result<ChangeSet> buildAddNote(const FairUseState& state, const FairUseEvent& event, const QString& note,
                               const ActionContext& ctx);

/** Add a note about a user, outside any case (audit record only); note required. */
Result<ChangeSet> buildAddUserNote(const FairUseState& state, const QString& note, const ActionContext& ctx);

/**
 * Record a request to re-run the classifier (audit record only; the service that runs it reads the request).
 * The reason is optional.
 */
Result<ChangeSet> buildRerunClassifier(const FairUseState& state, const QString& reason, const ActionContext& ctx);

} // namespace fairuse::enforcement
