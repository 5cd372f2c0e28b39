#include "metering/RollingMeter.h"

#include <algorithm>

namespace fairuse::metering {

namespace {

constexpr std::int64_t kDailyMinutes = std::chrono::minutes{kDailyWindow}.count();
constexpr std::int64_t kThreeDayMinutes = std::chrono::minutes{kThreeDayWindow}.count();
constexpr std::int64_t kWeeklyMinutes = std::chrono::minutes{kWeeklyWindow}.count();

// The ring must hold the weekly window plus its aligned edge bucket, or exactness breaks at the week's edge.
static_assert(RollingMeter::kRingMinutes > kWeeklyMinutes);
// A full minute must fit in a uint16 bucket.
static_assert(kMaxSpeechMsPerMinute <= 0xFFFF);

constexpr std::size_t slotOf(std::int64_t minute) {
    const std::int64_t r = minute % RollingMeter::kRingMinutes;
    return static_cast<std::size_t>(r < 0 ? r + RollingMeter::kRingMinutes : r);
}

} // namespace

std::uint16_t& RollingMeter::bucket(std::int64_t minute) {
    return m_ring[slotOf(minute)];
}

std::uint16_t RollingMeter::bucketValue(std::int64_t minute) const {
    return m_ring.empty() ? std::uint16_t{0} : m_ring[slotOf(minute)];
}

void RollingMeter::advanceTo(TimePoint t) {
    if (!m_started) {
        m_started = true;
        m_clock = t;
        m_clockMinute = unixMinute(t);
        return;
    }
    if (t <= m_clock) {
        return;
    }
    const std::int64_t newMinute = unixMinute(t);
    if (!m_ring.empty() && newMinute > m_clockMinute) {
        if (newMinute - m_clockMinute >= kRingMinutes) {
            // Everything retained is older than a week at the new clock: start afresh instead of walking the gap.
            std::fill(m_ring.begin(), m_ring.end(), std::uint16_t{0});
            m_dailySum = m_threeDaySum = m_weeklySum = 0;
        } else {
            for (std::int64_t m = m_clockMinute + 1; m <= newMinute; ++m) {
                m_dailySum -= bucketValue(m - kDailyMinutes);
                m_threeDaySum -= bucketValue(m - kThreeDayMinutes);
                m_weeklySum -= bucketValue(m - kWeeklyMinutes);
                // The slot still holds minute m - kRingMinutes, long out of every window; minute m starts empty.
                bucket(m) = 0;
            }
        }
    }
    m_clock = t;
    m_clockMinute = newMinute;
}

Status RollingMeter::record(TimePoint at, std::int64_t speechMs) {
    if (Status valid = validateSpeechMs(speechMs); !valid) {
        return valid;
    }
    const std::int64_t minute = unixMinute(at);
    if (m_started && minute < m_clockMinute - kWeeklyMinutes) {
        return {}; // older than any window can reach from now on: documented as ignored
    }
    // Minutes after the clock are cleared when the clock moves there, so they start at zero.
    const std::int64_t existing = (m_started && minute <= m_clockMinute) ? bucketValue(minute) : 0;
    if (existing + speechMs > kMaxSpeechMsPerMinute) {
        return Error::invalid(QStringLiteral("minute %1 would hold %2 ms of speech, more than the %3 ms it can hold")
                                  .arg(minute)
                                  .arg(existing + speechMs)
                                  .arg(kMaxSpeechMsPerMinute));
    }
    advanceTo(at);
    if (speechMs == 0) {
        return {};
    }
    if (m_ring.empty()) {
        m_ring.assign(static_cast<std::size_t>(kRingMinutes), std::uint16_t{0});
    }
    bucket(minute) = static_cast<std::uint16_t>(existing + speechMs);
    // The running sums cover [C - window + 1, C]; the aligned edge bucket C - window is added in totals().
    if (minute > m_clockMinute - kDailyMinutes) {
        m_dailySum += speechMs;
    }
    if (minute > m_clockMinute - kThreeDayMinutes) {
        m_threeDaySum += speechMs;
    }
    if (minute > m_clockMinute - kWeeklyMinutes) {
        m_weeklySum += speechMs;
    }
    return {};
}

SpeechTotals RollingMeter::totals(TimePoint now) {
    advanceTo(now);
    SpeechTotals result{m_dailySum, m_threeDaySum, m_weeklySum};
    // When the clock is on a whole minute the backend's window holds one more bucket at its start.
    if (windowFirstMinute(m_clock, kDailyWindow) == m_clockMinute - kDailyMinutes) {
        result.dailyMs += bucketValue(m_clockMinute - kDailyMinutes);
        result.threeDayMs += bucketValue(m_clockMinute - kThreeDayMinutes);
        result.weeklyMs += bucketValue(m_clockMinute - kWeeklyMinutes);
    }
    return result;
}

SpeechTotals RollingMeter::recordAndCheck(TimePoint at, std::int64_t speechMs) {
    (void)record(at, speechMs);
    return totals(at);
}

std::size_t RollingMeter::memoryBytes() const {
    return sizeof(*this) + m_ring.capacity() * sizeof(std::uint16_t);
}

std::optional<TimePoint> RollingMeter::clock() const {
    if (!m_started) {
        return std::nullopt;
    }
    return m_clock;
}

} // namespace fairuse::metering
