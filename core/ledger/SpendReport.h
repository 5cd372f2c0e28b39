#pragma once

#include "common/Domain.h"

#include <QList>
#include <QString>

#include <cstdint>

namespace fairuse {

/** Calls, tokens and cost summed over LLM spend records. */
struct SpendTotals {
    int calls = 0;
    std::int64_t promptTokens = 0;
    std::int64_t completionTokens = 0;
    std::int64_t costMicroUsd = 0;

    /** Counts one more record. */
    void add(const LlmSpendRecord& record);
    bool operator==(const SpendTotals&) const = default;
};

/** Spend of one cohort: users who bring their own STT or not, on one plan. */
struct CohortSpend : SpendTotals {
    bool customStt = false;
    Plan plan = Plan::Basic;
    int users = 0; ///< distinct users with a record in this cohort
    bool operator==(const CohortSpend&) const = default;
};

/** Spend of one user. Plan and cohort are those of the user's latest record. */
struct SpenderTotal : SpendTotals {
    QString uid;
    bool customStt = false;
    Plan plan = Plan::Basic;
    bool operator==(const SpenderTotal&) const = default;
};

/** Spend of one UTC day, split by cohort. */
struct DailySpend {
    QString dayKey; ///< YYYYMMDD (UTC)
    TimePoint dayStart{};
    int calls = 0;
    std::int64_t costMicroUsd = 0;
    std::int64_t customSttCostMicroUsd = 0;
    std::int64_t platformSttCostMicroUsd = 0;
    bool operator==(const DailySpend&) const = default;
};

/** Reporting over LLM spend records (SPEC 2.4): which cohort costs what, who spends most, and the trend. */
namespace spendreport {

/** Totals per (customStt, plan) cohort that has records, custom STT first, then by plan order. */
QList<CohortSpend> totalsByCohort(const QList<LlmSpendRecord>& records);

/** The `limit` users with the highest cost, highest first; ties by uid so the order is stable. */
QList<SpenderTotal> topSpenders(const QList<LlmSpendRecord>& records, int limit);

/** One entry per UTC day from the day of `from` to the day of `to` inclusive (days without spend are zero);
 *  records outside [from's day, to's day] are ignored. Empty when to < from. At most 3660 days. */
QList<DailySpend> dailyTrend(const QList<LlmSpendRecord>& records, TimePoint from, TimePoint to);

} // namespace spendreport

} // namespace fairuse
