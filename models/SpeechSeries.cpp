#include "SpeechSeries.h"

#include <algorithm>
#include <array>
#include <vector>

namespace fairuse::models {

std::int64_t bucketMinutesFor(std::int64_t spanMinutes, int maxPoints) {
    // Reserve one point for the partial bucket alignment can add at the start.
    const std::int64_t points = std::max(1, maxPoints - 1);
    if (spanMinutes <= 0) {
        return 1;
    }
    static constexpr std::array<std::int64_t, 16> kLadder{1,   2,   5,   10,   15,   30,   60,    120,
                                                          180, 360, 720, 1440, 2880, 4320, 10080, 20160};
    for (const std::int64_t width : kLadder) {
        if ((spanMinutes + width - 1) / width <= points) {
            return width;
        }
    }
    // Longer than the ladder covers: whole days.
    const std::int64_t days = (spanMinutes + points * 1440 - 1) / (points * 1440);
    return days * 1440;
}

namespace {
std::int64_t floorTo(std::int64_t value, std::int64_t width) {
    std::int64_t q = value / width;
    if (value % width != 0 && value < 0) {
        --q;
    }
    return q * width;
}
} // namespace

QList<SpeechBucket> aggregateMinutes(const QList<services::MinuteSample>& samples, std::int64_t fromMinute,
                                     std::int64_t toMinute, int maxPoints) {
    QList<SpeechBucket> buckets;
    if (toMinute <= fromMinute) {
        return buckets;
    }
    const std::int64_t width = bucketMinutesFor(toMinute - fromMinute, maxPoints);
    const std::int64_t first = floorTo(fromMinute, width);
    const std::int64_t count = (toMinute - first + width - 1) / width;
    buckets.reserve(count);
    for (std::int64_t i = 0; i < count; ++i) {
        buckets.append(SpeechBucket{first + i * width, width, 0});
    }
    for (const services::MinuteSample& s : samples) {
        if (s.unixMinute < fromMinute || s.unixMinute >= toMinute) {
            continue;
        }
        buckets[(s.unixMinute - first) / width].speechMs += s.speechMs;
    }
    return buckets;
}

QList<std::int64_t> rollingTotals(const QList<services::MinuteSample>& samples, const QList<SpeechBucket>& buckets,
                                  std::int64_t windowMinutes) {
    std::vector<services::MinuteSample> sorted(samples.begin(), samples.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.unixMinute < b.unixMinute; });
    // prefix[i] = sum of the first i samples, so a window sum is two binary searches.
    std::vector<std::int64_t> prefix(sorted.size() + 1, 0);
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        prefix[i + 1] = prefix[i] + sorted[i].speechMs;
    }
    auto countBelow = [&sorted](std::int64_t minute) {
        return static_cast<std::size_t>(
            std::lower_bound(sorted.begin(), sorted.end(), minute,
                             [](const services::MinuteSample& s, std::int64_t m) { return s.unixMinute < m; }) -
            sorted.begin());
    };
    QList<std::int64_t> totals;
    totals.reserve(buckets.size());
    for (const SpeechBucket& b : buckets) {
        const std::int64_t end = b.startMinute + b.widthMinutes;
        totals.append(prefix[countBelow(end)] - prefix[countBelow(end - windowMinutes)]);
    }
    return totals;
}

} // namespace fairuse::models
