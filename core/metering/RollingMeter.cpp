#include "metering/RollingMeter.h"

#include <algorithm>

namespace fairuse::metering {

namespace {

constexpr std::int64_t kDailyMinutes = std::chrono::minutes{kDailyWindow}.count();
constexpr std::int64_t kThreeDayMinutes = std::chrono::minutes{kThreeDayWindow}.count();
constexpr std::int64_t kWeeklyMinutes = std::chrono::minutes{kWeeklyWindow}.count();

// The ring must hold the weekly window plus its aligned edge bucket, or exactness breaks at the week's edge.
static_assert(RollingMeter::kRingMinutes > kWeeklyMinutes);
// A full minute must fit in a uint16 bucket, a full hour in a uint32 partial sum.
static_assert(kMaxSpeechMsPerMinute <= 0xFFFF);
static_assert(kMaxSpeechMsPerMinute * 60 <= 0xFFFF'FFFF);

constexpr std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

constexpr std::size_t floorMod(std::int64_t a, std::int64_t b) {
    const std::int64_t r = a % b;
    return static_cast<std::size_t>(r < 0 ? r + b : r);
}

// Because kRingMinutes is whole hours, minute m's hour slot is its minute slot / 60, and an hour's 60 minutes are
// contiguous in the minute ring.
constexpr std::size_t minuteSlot(std::int64_t minute) {
    return floorMod(minute, RollingMeter::kRingMinutes);
}

constexpr std::size_t hourSlot(std::int64_t hour) {
    return floorMod(hour, RollingMeter::kRingHours);
}

} // namespace

std::uint16_t RollingMeter::bucketValue(std::int64_t minute) const {
    return m_minutes.empty() ? std::uint16_t{0} : m_minutes[minuteSlot(minute)];
}

std::int64_t RollingMeter::rangeSum(std::int64_t first, std::int64_t last) const {
    // Walk slots instead of taking a modulo per minute: most calls cover a handful of minutes.
    const auto sumMinutes = [this](std::int64_t from, std::int64_t count) {
        std::int64_t sum = 0;
        std::size_t slot = minuteSlot(from);
        for (std::int64_t i = 0; i < count; ++i) {
            sum += m_minutes[slot];
            if (++slot == m_minutes.size()) {
                slot = 0;
            }
        }
        return sum;
    };
    const std::int64_t count = last - first + 1;
    const std::int64_t head = static_cast<std::int64_t>((60 - floorMod(first, 60)) % 60);
    if (count < head + 60) {
        return sumMinutes(first, count); // no whole hour inside
    }
    const std::int64_t hours = (count - head) / 60;
    std::int64_t sum = sumMinutes(first, head);
    std::size_t slot = hourSlot(floorDiv(first + head, 60));
    for (std::int64_t i = 0; i < hours; ++i) {
        sum += m_hours[slot];
        if (++slot == m_hours.size()) {
            slot = 0;
        }
    }
    const std::int64_t tailFirst = first + head + hours * 60;
    return sum + sumMinutes(tailFirst, last - tailFirst + 1);
}

void RollingMeter::clearHour(std::int64_t hour) {
    const std::size_t slot = hourSlot(hour);
    m_hours[slot] = 0;
    const auto firstMinute = m_minutes.begin() + static_cast<std::ptrdiff_t>(slot * 60);
    std::fill(firstMinute, firstMinute + 60, std::uint16_t{0});
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
    if (!m_minutes.empty() && newMinute > m_clockMinute) {
        if (newMinute - m_clockMinute >= kRingMinutes) {
            // Everything retained is older than a week at the new clock: start afresh instead of walking the gap.
            std::fill(m_minutes.begin(), m_minutes.end(), std::uint16_t{0});
            std::fill(m_hours.begin(), m_hours.end(), std::uint32_t{0});
            m_dailySum = m_threeDaySum = m_weeklySum = 0;
        } else {
            // Subtract what leaves each core range before any slot is recycled. Minutes after the old clock hold
            // nothing yet, so the leaving range stops there.
            const auto leave = [&](std::int64_t& sum, std::int64_t windowMinutes) {
                const std::int64_t first = m_clockMinute - windowMinutes + 1;
                const std::int64_t last = std::min(newMinute - windowMinutes, m_clockMinute);
                if (first <= last) {
                    sum -= rangeSum(first, last);
                }
            };
            leave(m_dailySum, kDailyMinutes);
            leave(m_threeDaySum, kThreeDayMinutes);
            leave(m_weeklySum, kWeeklyMinutes);
            // Hours the clock enters are after it, so their slots only hold data from more than a week ago.
            for (std::int64_t h = floorDiv(m_clockMinute, 60) + 1; h <= floorDiv(newMinute, 60); ++h) {
                clearHour(h);
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
    // Minutes after the clock are cleared when the clock enters their hour, so they start at zero.
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
    if (m_minutes.empty()) {
        m_minutes.assign(static_cast<std::size_t>(kRingMinutes), std::uint16_t{0});
        m_hours.assign(static_cast<std::size_t>(kRingHours), std::uint32_t{0});
    }
    m_minutes[minuteSlot(minute)] = static_cast<std::uint16_t>(existing + speechMs);
    m_hours[hourSlot(floorDiv(minute, 60))] += static_cast<std::uint32_t>(speechMs);
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
    return sizeof(*this) + m_minutes.capacity() * sizeof(std::uint16_t) + m_hours.capacity() * sizeof(std::uint32_t);
}

std::optional<TimePoint> RollingMeter::clock() const {
    if (!m_started) {
        return std::nullopt;
    }
    return m_clock;
}

} // namespace fairuse::metering
