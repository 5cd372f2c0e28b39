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
 * Layout: a ring of kRingMinutes per-minute uint16 buckets (a minute holds at most 60,000 ms, which fits), plus one
 * running sum per window over the window's "core" range [C - windowMinutes + 1, C], where C is the minute of the
 * meter's clock. The clock is the latest time passed to record() or totals().
 *
 * Why it is exact (equal to sumWindows() over the same accepted records at the same now):
 *   - every accepted record is added to its minute bucket and, if that minute lies in a window's core range,
 *     to that window's running sum, so each sum always equals the sum of the ring buckets of its core range;
 *   - when the clock moves from minute C to C' > C, for each minute m in (C, C'] the bucket m - windowMinutes
 *     leaves each window's core range and is subtracted (it is still in the ring, which holds more than a week);
 *     minutes after C hold no data yet (a record after the clock first moves the clock), so nothing enters;
 *   - the backend's window also contains the bucket C - windowMinutes when now falls on a whole minute (see
 *     Metering.h); totals() adds that one bucket from the ring, which holds it since kRingMinutes > 7 days.
 *   - a gap of kRingMinutes or more leaves no retained bucket inside any window, so the meter resets in O(ring).
 * Per call the work is O(minutes the clock advanced), bounded by kRingMinutes; over a user's life this is O(1) per
 * elapsed minute plus O(1) per call.
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
    /** Buckets kept: one week plus the extra edge bucket of an aligned now, rounded up for the ring. */
    static constexpr std::int64_t kRingMinutes = 10'080 + 64;

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

    /** Heap plus object bytes actually used (the ring is allocated on the first record). */
    std::size_t memoryBytes() const;

    /** The meter's clock: the latest time seen by record() or totals(); nullopt before the first call. */
    std::optional<TimePoint> clock() const;

private:
    void advanceTo(TimePoint t);
    std::uint16_t& bucket(std::int64_t minute);
    std::uint16_t bucketValue(std::int64_t minute) const;

    std::vector<std::uint16_t> m_ring; ///< minute m lives at m mod kRingMinutes; empty until the first record
    bool m_started = false;
    TimePoint m_clock{};
    std::int64_t m_clockMinute = 0;
    std::int64_t m_dailySum = 0; ///< sum of buckets [C - 1440 + 1, C]
    std::int64_t m_threeDaySum = 0;
    std::int64_t m_weeklySum = 0;
};

} // namespace fairuse::metering
