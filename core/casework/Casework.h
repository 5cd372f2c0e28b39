#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/ReviewerActions.h"

#include <QList>
#include <QString>

#include <chrono>
#include <optional>

/**
 * @file
 * A team's casework on one user beyond claims: pinned notes, escalation to a senior and snooze.
 *
 * - A pinned note (users/{uid}/fair_use_notes/{id}) is written with its `pin_note` record, whose reason is the note's
 *   text; the store names the note after that record. It shows in every later case of the user until it is unpinned
 *   (`unpin_note`, reason "note <id> unpinned[: why]"): by its author, or by a senior reviewer for anyone's.
 * - Escalation and snooze live in the user's casework document (fair_use_casework/{uid}). Escalating the open case
 *   (`escalate`, reason = the required note) puts it in the seniors' Escalated view; `de_escalate` withdraws it (the
 *   reviewer who escalated, or a senior). Snoozing (`snooze`) hides the case from the queue until a date or until the
 *   user's next cap hit; it then comes back marked "returned from snooze" until someone acts; `unsnooze` ends it
 *   early. A decision on the case (resolve, override, manual review, appeal decision) clears both in its own commit.
 *
 * Roles: every action is a reviewer's (enforcement::roleNeeded); unpinning someone else's note and withdrawing
 * someone else's escalation need a senior reviewer.
 */
namespace fairuse::casework {

/** The longest note a reviewer may pin (the rules refuse longer ones). */
inline constexpr qsizetype kMaxNoteChars = 2000;
/** The furthest a snooze may reach (the rules allow a day more, for clock skew). */
inline constexpr std::chrono::days kMaxSnooze{30};

/** Where a user's snooze stands at a given time. */
enum class SnoozeState {
    None,     ///< not snoozed
    Snoozed,  ///< hidden from the queue until its date or the user's next cap hit
    Returned, ///< the date passed or the user hit a cap since: shown again, marked "returned from snooze"
};

SnoozeState snoozeState(const std::optional<Casework>& casework, const FairUseState& state, TimePoint now);

/** "escalated by ana@example.com at 2026-03-20 14:05: <note>" (UTC), for markers and tool tips. */
QString describeEscalation(const Casework& casework);
/** "snoozed until 2026-03-22 09:00 by ..." or "snoozed until the next cap hit by ...". */
QString describeSnooze(const Casework& casework);

/** Pinned notes of `notes`, newest first. */
QList<UserNote> pinnedNotes(const QList<UserNote>& notes);

/** Pin a note on the user (text required, at most kMaxNoteChars); it names the case of the context, if any. */
Result<ChangeSet> buildPinNote(const FairUseState& state, const QString& text, const enforcement::ActionContext& ctx);

/** Unpin a pinned note: its author, or a senior reviewer (Permission otherwise). Conflict when already unpinned;
 *  Invalid when it is another user's note. The reason is optional. */
Result<ChangeSet> buildUnpinNote(const FairUseState& state, const UserNote& note, const QString& reason,
                                 const enforcement::ActionContext& ctx);

/** Escalate the open case to a senior with a note (required). Invalid when the case is resolved or another user's;
 *  Conflict when the user's case is already escalated. A snooze stays as it is. */
Result<ChangeSet> buildEscalate(const FairUseState& state, const std::optional<Casework>& current,
                                const FairUseEvent& openCase, const QString& note,
                                const enforcement::ActionContext& ctx);

/** Withdraw an escalation: the reviewer who escalated, or a senior. Invalid when nothing is escalated. */
Result<ChangeSet> buildDeEscalate(const FairUseState& state, const std::optional<Casework>& current,
                                  const QString& reason, const enforcement::ActionContext& ctx);

/** Snooze the open case until `until` (after now, at most kMaxSnooze ahead) or, with nullopt, until the user's next
 *  cap hit. Conflict while a snooze still hides the case (one that returned may be snoozed again). */
Result<ChangeSet> buildSnooze(const FairUseState& state, const std::optional<Casework>& current,
                              const FairUseEvent& openCase, std::optional<TimePoint> until,
                              const enforcement::ActionContext& ctx);

/** End a snooze (hiding or returned). Invalid when the case is not snoozed. */
Result<ChangeSet> buildUnsnooze(const FairUseState& state, const std::optional<Casework>& current,
                                const enforcement::ActionContext& ctx);

/** True for the decisions that close the casework on the case: resolve, override, manual review, appeal decision. */
bool closesCasework(AuditAction action);

/** A decision clears the user's escalation and snooze: adds the deletion of `current` to `decision` when the decision
 *  closes casework (closesCasework) and there is something to clear. */
void closeOnDecision(ChangeSet& decision, const std::optional<Casework>& current);

} // namespace fairuse::casework
