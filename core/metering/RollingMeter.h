#pragma once

#include "metering/Metering.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace fairuse::metering {

/**
 * Incremental speech meter for one user and one source: record-and-check in O(1) amortised, bounded memory.
 *
 * Layout (two levels): a ring of kRingMinutes per-minute uint16 buckets (a minute holds at most 60,000 ms, which
 * fits) and a ring of kRingHours per-hour uint32 partial sums over the same minutes, plus one running sum per window
 * over the window's "core" range [C - windowMinutes + 1, C], where C is the minute of the meter's clock. The clock is
 * the latest time passed to record() or totals(). About 21 KB once the first record arrives, whatever the usage.
 *
 * Why it is exact (equal to sumWindows() over the same accepted records at the same now):
 *   - every accepted record is added to its minute bucket, its hour's partial sum and, if that minute lies in a
 *     window's core range, to that window's running sum; so each running sum always equals the sum of the minute
 *     buckets of its core range, and each hour sum the sum of its 60 minute buckets;
 *   - when the clock moves from minute C to C' > C, the minutes [C - windowMinutes + 1, C' - windowMinutes] leave
 *     each window's core range; their sum (read as whole hours from the hour ring plus at most 59 minutes at each
 *     end) is subtracted while they are still in the ring, which holds more than a week. Minutes after C hold no
 *     data yet (a record after the clock first moves the clock), so nothing enters and those leaving minutes are
 *     clamped to C;
 *   - slots are recycled a whole hour at a time, when the clock first enters that hour: every minute of it is then
 *     after C, so only data older than the ring (more than a week old) is dropped;
 *   - the backend's window also contains the bucket C - windowMinutes when now falls on a whole minute (see
 *     Metering.h); totals() adds that one bucket from the ring, which holds it since kRingMinutes > 7 days + 1 min;
 *   - a gap of kRingMinutes or more leaves no retained bucket inside any window, so the meter just clears.
 * Cost per call: O(1) plus O(hours the clock advanced), bounded by about 170 hour reads and one ring clear; over a
 * user's life this is O(1) per call and per elapsed minute.
 *
 * Edge cases (documented behaviour, covered by tests):
 *   - records older than the weekly window at the clock (their minute is before C - 7 days) are ignored: they can
 *     never count again, as the clock never goes back;
 *   - time going backwards: totals(now) with now before the clock returns the totals at the clock (time never goes
 *     back; the meter cannot recover the older view). Exactness with sumWindows therefore holds when every now is
 *     at or after every earlier record time and now. Out-of-order records within the retained week are exact;
 *   - a record that would make its minute exceed kMaxSpeechMsPerMinute is rejected (Invalid) and changes nothing,
 *     as are values failing validateSpeechMs(). Rejecting rather than saturating keeps the meter exactly equal to
 *     the brute-force sum of the records it accepted, and tells the caller.
 */
class RollingMeter {
public:
    /** Hours kept: one week plus the hour holding the extra edge bucket of an aligned now. */
    static constexpr std::int64_t kRingHours = 7 * 24 + 1;
    /** Minute buckets kept; whole hours, so an hour's minutes are contiguous in the ring. */
    static constexpr std::int64_t kRingMinutes = kRingHours * 60;

    RollingMeter() = default;

    /**
     * Adds speech at time `at`. Out-of-order records within the retained week are allowed; older ones are ignored
     * (returns ok, nothing counted). A record after the clock advances the clock to `at`.
     */
    Status record(TimePoint at, std::int64_t speechMs);

    /** Totals over the three windows at `now`. Advances the clock; a now before the clock is treated as the clock. */
    SpeechTotals totals(TimePoint now);

    /** record() then totals(at). An invalid record is not counted; the totals are still returned. */
    SpeechTotals recordAndCheck(TimePoint at, std::int64_t speechMs);

    /** Heap plus object bytes actually used (the rings are allocated on the first record). */
    std::size_t memoryBytes() const;

    /** The meter's clock: the latest time seen by record() or totals(); nullopt before the first call. */
    std::optional<TimePoint> clock() const;

private:
    void advanceTo(TimePoint t);
    std::uint16_t bucketValue(std::int64_t minute) const;
    /** Sum of the minute buckets [first, last], whole hours read from the hour ring. */
    std::int64_t rangeSum(std::int64_t first, std::int64_t last) const;
    void clearHour(std::int64_t hour);

    std::vector<std::uint16_t> m_minutes; ///< minute m lives at m mod kRingMinutes; empty until the first record
    std::vector<std::uint32_t> m_hours;   ///< hour h (minute / 60) lives at h mod kRingHours
    bool m_started = false;
    TimePoint m_clock{};
    std::int64_t m_clockMinute = 0;
    std::int64_t m_dailySum = 0; ///< sum of buckets [C - 1440 + 1, C]
    std::int64_t m_threeDaySum = 0;
    std::int64_t m_weeklySum = 0;
};

} // namespace fairuse::metering
