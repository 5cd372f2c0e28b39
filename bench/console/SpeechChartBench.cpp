#include "QueueBenchParts.h"

#include "SpeechChart.h"
#include "SpeechSeries.h"
#include "common/Stores.h"

#include <QDateTime>
#include <QImage>

namespace fairuse::bench {

namespace {

/** A heavy user's minutes (12 h of speech a day) over two weeks before `to`, one sample per active minute. */
QList<services::MinuteSample> heavyUserMinutes(TimePoint to) {
    const std::int64_t toMinute = std::chrono::duration_cast<std::chrono::minutes>(to.time_since_epoch()).count();
    QList<services::MinuteSample> out;
    for (std::int64_t m = toMinute - 14 * 24 * 60; m < toMinute; ++m) {
        const std::int64_t minuteOfDay = ((m % 1440) + 1440) % 1440;
        if (minuteOfDay >= 8 * 60 && minuteOfDay < 20 * 60) {
            out.append({m, 40'000 + (m * 7919) % 20'000});
        }
    }
    return out;
}

} // namespace

void benchChart(QList<TableRow>& table) {
    const TimePoint to = std::chrono::floor<std::chrono::minutes>(
        TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch())));
    const TimePoint from = to - std::chrono::hours(24 * 7);
    const QList<services::MinuteSample> minutes = heavyUserMinutes(to);
    const QSize size(1000, 320);

    QList<double> aggregate;
    QList<double> render;
    ui::SpeechChart chart;
    chart.resize(size);
    for (int run = 0; run < 5; ++run) {
        const auto fromMinute = std::chrono::duration_cast<std::chrono::minutes>(from.time_since_epoch()).count();
        const auto toMinute = std::chrono::duration_cast<std::chrono::minutes>(to.time_since_epoch()).count();
        Clock::time_point t0 = Clock::now();
        const QList<models::SpeechBucket> buckets = models::aggregateMinutes(minutes, fromMinute, toMinute, 1000);
        const QList<std::int64_t> weekly = models::rollingTotals(minutes, buckets, 7 * 24 * 60);
        aggregate.append(msSince(t0));
        if (weekly.isEmpty()) {
            aggregate.last() = -1;
        }
        t0 = Clock::now();
        chart.setData(minutes, from, to, Caps::forPlan(Plan::Basic));
        const QImage image = chart.renderImage(size);
        render.append(image.isNull() ? -1 : msSince(t0));
    }
    table.append({QStringLiteral("chart: aggregate 7 days of minutes (%1 samples) (ms)").arg(minutes.size()),
                  fmt(median(aggregate), 2),
                  {}});
    table.append({QStringLiteral("chart: build + render %1x%2 offscreen (ms, %3 points)")
                      .arg(size.width())
                      .arg(size.height())
                      .arg(chart.bucketPointCount()),
                  fmt(median(render)), QStringLiteral("< 50")});
}

} // namespace fairuse::bench
