#pragma once

#include "common/Domain.h"
#include "common/Time.h"

#include <QList>
#include <QString>

#include <optional>

/**
 * @file
 * What the case page (ui/UserView) shows, as plain values and HTML built from the user's documents: the vertical
 * timeline of cases, decisions, notes, appeals and claims; the summary of one case; a conversation in full. Pure
 * functions of their arguments, so the page and its tests read the same text.
 */
namespace fairuse::models {

/** One entry of the timeline. */
struct TimelineEntry {
    enum class Kind { Case, Decision, Note, Appeal, Claim };
    TimePoint at{};
    Kind kind = Kind::Case;
    QString caseRef; ///< the case it belongs to; empty for user-level entries
    QString title;   ///< one line: what happened, by whom
    QString detail;  ///< the full text (reasons, notes, appeal messages), never cut
};

/**
 * The user's history, newest first (ties: the order the documents were given). Cases from `events` (opened, with
 * trigger, totals at the hit, stage change and score), reviewer actions from `audit` (decisions, notes, claims; the
 * reviewer and the reason in full), appeals from `appeals` (received, and decided). A case's admin notes appear on
 * the case only when the audit trail has none of its notes (records older than the trail); an appeal decision is
 * taken from the appeal itself, not repeated from its audit record.
 */
QList<TimelineEntry> buildTimeline(const QList<FairUseEvent>& events, const QList<Appeal>& appeals,
                                   const QList<AuditRecord>& audit);

/** The timeline as HTML for a QTextBrowser: one block per entry, date and kind first, text wrapped, nothing cut. */
QString timelineHtml(const QList<TimelineEntry>& entries);

/** Label of an entry kind ("Case", "Decision", "Note", "Appeal", "Claim"). */
QString timelineKindLabel(TimelineEntry::Kind kind);

/** One case in two lines for the case strip: "Open case FU-… opened …, trigger …" and the totals at the hit against
 *  the thresholds, the stage change, the policy and, when resolved, by whom. */
QString caseSummary(const FairUseEvent& event);

/** A conversation in full (title, time, duration, category, source, overview) as HTML, with the classifier's reason
 *  when it cites the conversation (`citedReason` non-empty). */
QString conversationHtml(const Conversation& conversation, const QString& citedReason);

/** Share of a cap used, in percent (0 when the cap is 0). Over 100 when the cap is passed. */
int capSharePercent(std::int64_t usedMs, std::int64_t capMs);

} // namespace fairuse::models
