#pragma once

#include "common/Result.h"

#include <QString>

#include <chrono>
#include <cstdint>

namespace fairuse {

/** All times in the core: UTC, millisecond precision, passed in by the caller (the core never reads a clock). */
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Milliseconds = std::chrono::milliseconds;

/** Unix minute of a time point (seconds // 60), the backend's bucket key. */
constexpr std::int64_t unixMinute(TimePoint t) {
    return std::chrono::floor<std::chrono::minutes>(t).time_since_epoch().count();
}

constexpr TimePoint fromUnixMinute(std::int64_t minute) {
    return TimePoint{std::chrono::minutes{minute}};
}

constexpr TimePoint fromUnixMs(std::int64_t ms) {
    return TimePoint{Milliseconds{ms}};
}

constexpr std::int64_t toUnixMs(TimePoint t) {
    return t.time_since_epoch().count();
}

/** Parses RFC 3339 ("2026-03-20T10:15:00Z", "...T10:15:00.123456+02:00"); fractions beyond ms are truncated. */
Result<TimePoint> parseRfc3339(const QString& text);

/** Formats as RFC 3339 UTC with millisecond precision: "2026-03-20T10:15:00.000Z". */
QString formatRfc3339(TimePoint t);

/** UTC calendar day as YYYYMMDD, as used by the backend's STT budget keys. */
QString utcDayKey(TimePoint t);

/** Start of the next UTC day after t. */
TimePoint nextUtcMidnight(TimePoint t);

} // namespace fairuse
