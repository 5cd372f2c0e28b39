#include "ledger/SttBudget.h"

#include <algorithm>
#include <limits>

namespace fairuse {

SttBudget::SttBudget(std::int64_t dailyLimitMs)
    : m_dailyLimitMs(std::max<std::int64_t>(0, dailyLimitMs)) {}

SttBudgetStatus SttBudget::status(std::int64_t usedMs, TimePoint now) const {
    SttBudgetStatus s;
    s.limitMs = m_dailyLimitMs;
    s.usedMs = std::max<std::int64_t>(0, usedMs);
    s.remainingMs = std::max<std::int64_t>(0, m_dailyLimitMs - s.usedMs);
    s.exhausted = s.remainingMs <= 0;
    s.resetsAt = nextUtcMidnight(now);
    return s;
}

bool SttBudget::allowForward(std::int64_t usedMs, std::int64_t chunkMs) const {
    if (chunkMs < 0) {
        return false;
    }
    const std::int64_t used = std::max<std::int64_t>(0, usedMs);
    const std::int64_t remaining = m_dailyLimitMs - used; // no overflow: both are in [0, INT64_MAX]
    return remaining > 0 && chunkMs <= remaining;
}

std::int64_t SttBudget::addUsage(std::int64_t usedMs, std::int64_t chunkMs) {
    const std::int64_t used = std::max<std::int64_t>(0, usedMs);
    if (chunkMs <= 0) {
        return used;
    }
    if (used > std::numeric_limits<std::int64_t>::max() - chunkMs) {
        return std::numeric_limits<std::int64_t>::max();
    }
    return used + chunkMs;
}

QString SttBudget::budgetDayKey(TimePoint now) {
    return utcDayKey(now);
}

} // namespace fairuse
