#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"

#include <QList>

#include <chrono>
#include <cstdint>
#include <map>

/**
 * @file
 * Speech metering (SPEC 2.1, 4.1): the backend's brute-force window sums, cap checks, and the incremental
 * RollingMeter (declared in metering/RollingMeter.h, included at the end of this header).
 *
 * Window rule, exactly as the backend evaluates it: a check at `now` runs
 * `ZRANGEBYSCORE(nowSeconds - windowSeconds, nowSeconds)` on bucket scores `minute * 60`, where
 * `nowSeconds = int(time.time())` (whole seconds, truncated). So a minute bucket belongs to a window when its start
 * is at or after `nowSeconds - window` and not after `nowSeconds`. In minutes, with M = unixMinute(now):
 *   - if now is on a whole minute (nowSeconds % 60 == 0) the window holds the window-length + 1 buckets
 *     [M - windowMinutes, M] (both edges are inclusive in ZRANGEBYSCORE);
 *   - otherwise it holds the window-length buckets [M - windowMinutes + 1, M].
 */
namespace fairuse::metering {

inline constexpr std::chrono::hours kDailyWindow{24}, kThreeDayWindow{72}, kWeeklyWindow{168};

/** A record lands in one minute bucket, and one source cannot speak for more than the whole minute. */
inline constexpr std::int64_t kMaxSpeechMsPerMinute = 60'000;

/**
 * Rejects negative or absurd speech values. A record is attributed to the single minute bucket of its timestamp
 * (the backend's HINCRBY), so one record above kMaxSpeechMsPerMinute cannot be real speech; this also covers the
 * "more than an hour in one record" case. Zero is valid (a no-op).
 */
Status validateSpeechMs(std::int64_t speechMs);

/**
 * The first minute bucket (inclusive) of a window ending at `now`, following the backend's rule above.
 * The last bucket is always unixMinute(now).
 */
std::int64_t windowFirstMinute(TimePoint now, std::chrono::minutes window);

/**
 * The backend's brute-force rule: a minute bucket belongs to a window when its start (minute*60 s) is at or after
 * now (truncated to whole seconds) minus the window length, and not after now. Buckets are unix minute -> ms.
 * Bucket values are taken as they are (this is also the reference for data read from Redis); negative values
 * count as they are too, so callers that read junk must clean it first.
 */
SpeechTotals sumWindows(const std::map<std::int64_t, std::int64_t>& minuteBuckets, TimePoint now);

/** Caps hit, strictly greater than the cap (equal is not a hit), in order daily, 3day, weekly. */
QList<CapWindow> capsHit(const SpeechTotals& totals, const Caps& caps);

} // namespace fairuse::metering

// RollingMeter.h includes this header for the constants; including it here lets callers use one header for all.
#include "metering/RollingMeter.h"
