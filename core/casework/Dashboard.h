#pragma once

#include "common/Domain.h"
#include "common/Time.h"

#include <QList>
#include <QString>

#include <chrono>
#include <optional>

/**
 * @file
 * The team dashboard (issue 11): figures over a period [from, to) computed from the audit trail, the cases and the
 * appeals. Pure functions: the caller passes the period and reads the store; nothing here reads a clock.
 *
 * Days are UTC days. A decision is an audit record `resolve`, `override_stage`, `decide_appeal` or `manual_review`.
 */
namespace fairuse::casework {

/** How long a case may stay open before it breaches the service level. */
inline constexpr std::chrono::hours kDefaultCaseSla{24};

/** What the dashboard is computed from. Records and cases outside the period may be included: they are filtered
 *  (a case opened before the period counts in its queue; a claim before the period starts a timing that ends in it). */
struct DashboardInput {
    QList<AuditRecord> audit; ///< any order
    QList<FairUseEvent> cases;
    QList<Appeal> appeals; ///< duplicates (same uid and id) count once
};

/** Decisions of one reviewer, one count per day of DashboardFigures::days. */
struct ReviewerDecisions {
    QString reviewer; ///< e-mail as recorded
    QList<int> perDay;
    int total = 0;
    bool operator==(const ReviewerDecisions&) const = default;
};

/** The queue at the end of one day (or at the period's end, for its last day). */
struct QueuePoint {
    TimePoint dayStart{};
    TimePoint at{};               ///< the instant measured
    int openCases = 0;            ///< created at or before `at` and not resolved by then
    Milliseconds oldestOpenAge{}; ///< age of the oldest of them at `at`; zero when none is open
    bool operator==(const QueuePoint&) const = default;
};

/** Resolved cases of one classifier usage type and how many of them were false positives. */
struct UsageOverturn {
    UsageType usageType = UsageType::Unknown;
    int resolved = 0;
    int falsePositives = 0;
    /** falsePositives / resolved, 0 when none was resolved. */
    double rate() const { return resolved > 0 ? static_cast<double>(falsePositives) / resolved : 0.0; }
    bool operator==(const UsageOverturn&) const = default;
};

/** Everything the dashboard shows. */
struct DashboardFigures {
    TimePoint from{};
    TimePoint to{};
    QList<TimePoint> days;              ///< start of each UTC day that overlaps [from, to)
    QList<ReviewerDecisions> decisions; ///< reviewers with a decision in the period, by e-mail
    int totalDecisions = 0;
    std::optional<Milliseconds> medianClaimToDecision; ///< nullopt when no decision in the period followed a claim
    int claimToDecisionSamples = 0;
    QList<QueuePoint> queue; ///< one per day
    Milliseconds sla{};
    int slaBreaches = 0;   ///< cases whose SLA ran out inside the period while they were open
    int appealsUpheld = 0; ///< appeals decided inside the period
    int appealsOverturned = 0;
    QList<UsageOverturn> overturnByUsage; ///< usage types with a case resolved in the period, in UsageType order
};

/** The audit actions computeDashboard() reads: the decisions and the claim records (claim, take over, release). A
 *  reader may ask the store for these only. */
QList<AuditAction> dashboardActions();

/** True for the actions that decide a case: resolve, override_stage, decide_appeal. */
bool isDecision(AuditAction action);

/** Median of `samples` (any order); the mean of the two middle values, rounded down, for an even count. */
std::optional<Milliseconds> median(QList<Milliseconds> samples);

/**
 * Time from claim to decision, one sample per decision in [from, to) that its decider had claimed: from the
 * decider's latest claim (`claim` or `take_over_claim`) on that user to the decision. The claim must still be the
 * decider's: a release by the decider, or a claim or take-over by another reviewer on the same user, ends it.
 * Each claim times one decision at most.
 */
QList<Milliseconds> claimToDecisionTimes(const QList<AuditRecord>& audit, TimePoint from, TimePoint to);

/**
 * Cases whose SLA runs out inside [from, to) while they are open: created at c, not resolved by c + sla, and
 * c + sla in [from, to). Each breach is counted in exactly one period. A case marked resolved without a time
 * is taken as never breaching.
 */
int slaBreaches(const QList<FairUseEvent>& cases, TimePoint from, TimePoint to, Milliseconds sla);

/** Computes every figure for [from, to). Empty figures (no days) when to <= from. */
DashboardFigures computeDashboard(const DashboardInput& input, TimePoint from, TimePoint to,
                                  Milliseconds sla = kDefaultCaseSla);

} // namespace fairuse::casework
