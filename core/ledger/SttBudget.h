#pragma once

#include "common/Time.h"

#include <cstdint>

namespace fairuse {

/** Default daily speech-to-text budget of a restricted user: 30 min of audio (backend FAIR_USE_RESTRICT_DAILY_DG_MS).
 */
inline constexpr std::int64_t kDefaultSttDailyBudgetMs = 1'800'000;

/** Where a restricted user's daily STT budget stands at one moment (the backend's budget bar). */
struct SttBudgetStatus {
    std::int64_t limitMs = 0;     ///< daily budget
    std::int64_t usedMs = 0;      ///< audio forwarded to STT so far on this UTC day (junk values read as 0)
    std::int64_t remainingMs = 0; ///< max(0, limit - used)
    bool exhausted = false;       ///< remainingMs <= 0: no more audio is forwarded today
    TimePoint resetsAt{};         ///< next UTC midnight, when the day's counter starts again
    bool operator==(const SttBudgetStatus&) const = default;
};

/**
 * Daily speech-to-text budget for restricted users (SPEC 2.2). The counter is per UTC day
 * (`fair_use:dg_budget:{uid}:{YYYYMMDD}`, see budgetDayKey()); the caller reads the day's used milliseconds and
 * passes them in together with the time, so this class is pure.
 */
class SttBudget {
public:
    /** A negative limit is treated as 0 (nothing may be forwarded) rather than as "unlimited". */
    explicit SttBudget(std::int64_t dailyLimitMs = kDefaultSttDailyBudgetMs);

    std::int64_t dailyLimitMs() const { return m_dailyLimitMs; }

    /** Status for the UTC day containing `now`. A negative `usedMs` (junk in the store) counts as 0. */
    SttBudgetStatus status(std::int64_t usedMs, TimePoint now) const;

    /**
     * Whether a chunk of `chunkMs` of audio may still be forwarded when `usedMs` were used today. The budget is
     * never overshot: the chunk must fit in what remains, and nothing is forwarded once the budget is exhausted
     * (not even an empty chunk). A negative chunk is rejected (false): it would otherwise refund budget.
     */
    bool allowForward(std::int64_t usedMs, std::int64_t chunkMs) const;

    /** New day total after forwarding a chunk. Negative chunks are ignored (the backend's rule); saturates. */
    static std::int64_t addUsage(std::int64_t usedMs, std::int64_t chunkMs);

    /** UTC day key (YYYYMMDD) of the counter that applies at `now`. */
    static QString budgetDayKey(TimePoint now);

private:
    std::int64_t m_dailyLimitMs;
};

} // namespace fairuse
