#include "ledger/SpendReport.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>
#include <utility>

namespace fairuse {

void SpendTotals::add(const LlmSpendRecord& record) {
    ++calls;
    promptTokens += record.promptTokens;
    completionTokens += record.completionTokens;
    costMicroUsd += record.costMicroUsd;
}

namespace spendreport {

namespace {
constexpr int kMaxTrendDays = 3660;
}

QList<CohortSpend> totalsByCohort(const QList<LlmSpendRecord>& records) {
    // Key orders custom STT first (the cohort the report exists for), then plans in enum order.
    std::map<std::pair<int, int>, CohortSpend> cohorts;
    std::map<std::pair<int, int>, QSet<QString>> users;
    for (const LlmSpendRecord& r : records) {
        const std::pair<int, int> key{r.customStt ? 0 : 1, static_cast<int>(r.plan)};
        CohortSpend& c = cohorts[key];
        c.customStt = r.customStt;
        c.plan = r.plan;
        c.add(r);
        users[key].insert(r.uid);
    }
    QList<CohortSpend> out;
    for (auto& [key, c] : cohorts) {
        c.users = static_cast<int>(users[key].size());
        out.append(c);
    }
    return out;
}

QList<SpenderTotal> topSpenders(const QList<LlmSpendRecord>& records, int limit) {
    if (limit <= 0) {
        return {};
    }
    QHash<QString, SpenderTotal> totals;
    QHash<QString, TimePoint> latest;
    for (const LlmSpendRecord& r : records) {
        SpenderTotal& t = totals[r.uid];
        t.uid = r.uid;
        t.add(r);
        const auto seen = latest.constFind(r.uid);
        if (seen == latest.cend() || r.at >= *seen) {
            latest.insert(r.uid, r.at);
            t.customStt = r.customStt;
            t.plan = r.plan;
        }
    }
    QList<SpenderTotal> out = totals.values();
    std::sort(out.begin(), out.end(), [](const SpenderTotal& a, const SpenderTotal& b) {
        return a.costMicroUsd != b.costMicroUsd ? a.costMicroUsd > b.costMicroUsd : a.uid < b.uid;
    });
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

QList<DailySpend> dailyTrend(const QList<LlmSpendRecord>& records, TimePoint from, TimePoint to) {
    if (to < from) {
        return {};
    }
    const auto firstDay = std::chrono::floor<std::chrono::days>(from);
    const auto lastDay = std::chrono::floor<std::chrono::days>(to);
    const auto dayCount = (lastDay - firstDay).count() + 1;
    if (dayCount > kMaxTrendDays) {
        return {};
    }
    QList<DailySpend> out;
    out.reserve(static_cast<qsizetype>(dayCount));
    for (auto day = firstDay; day <= lastDay; day += std::chrono::days{1}) {
        DailySpend d;
        d.dayStart = TimePoint{day};
        d.dayKey = utcDayKey(d.dayStart);
        out.append(d);
    }
    for (const LlmSpendRecord& r : records) {
        const auto day = std::chrono::floor<std::chrono::days>(r.at);
        if (day < firstDay || day > lastDay) {
            continue;
        }
        DailySpend& d = out[static_cast<qsizetype>((day - firstDay).count())];
        ++d.calls;
        d.costMicroUsd += r.costMicroUsd;
        (r.customStt ? d.customSttCostMicroUsd : d.platformSttCostMicroUsd) += r.costMicroUsd;
    }
    return out;
}

} // namespace spendreport

} // namespace fairuse
