#pragma once

#include "common/Stores.h"

#include <QList>

#include <cstdint>

/**
 * @file
 * Aggregation of minute buckets for the speech chart: a week has 10,080 minutes, far more points than a chart is
 * wide, so minutes are summed into buckets whose width is picked from a ladder of round sizes (1, 5, 15, 30 min,
 * 1, 2, 3, 6, 12 h, 1 day, ...) so that the bucket count stays at or below the chart's pixel width.
 */
namespace fairuse::models {

/** Speech summed over [startMinute, startMinute + widthMinutes). */
struct SpeechBucket {
    std::int64_t startMinute = 0;
    std::int64_t widthMinutes = 1;
    std::int64_t speechMs = 0;
};

/** Smallest round bucket width (minutes) that covers `spanMinutes` in at most `maxPoints` buckets. */
std::int64_t bucketMinutesFor(std::int64_t spanMinutes, int maxPoints);

/**
 * Sums the samples in [fromMinute, toMinute) into buckets of bucketMinutesFor(span, maxPoints) minutes, aligned to
 * multiples of the width (so the first bucket may start before fromMinute; samples before fromMinute are not
 * counted). Every bucket of the range is present, empty ones with 0; samples need not be sorted. The sum over the
 * buckets equals the sum of the samples in range, and there are at most maxPoints + 1 buckets.
 */
QList<SpeechBucket> aggregateMinutes(const QList<services::MinuteSample>& samples, std::int64_t fromMinute,
                                     std::int64_t toMinute, int maxPoints);

/**
 * For each bucket, the trailing-window total at the bucket's end: the sum of samples with minute in
 * [end - windowMinutes, end). Uses all samples given (pass minutes from before the visible range so the first
 * points see a full window).
 */
QList<std::int64_t> rollingTotals(const QList<services::MinuteSample>& samples, const QList<SpeechBucket>& buckets,
                                  std::int64_t windowMinutes);

} // namespace fairuse::models
