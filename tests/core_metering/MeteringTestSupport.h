#pragma once

#include "metering/Metering.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QTest>

#include <array>
#include <cstdint>

namespace fairuse {

/** Readable QCOMPARE failures for totals (found by argument-dependent lookup). */
inline char* toString(const SpeechTotals& t) {
    return qstrdup(QStringLiteral("{daily %1, 3day %2, weekly %3}")
                       .arg(t.dailyMs)
                       .arg(t.threeDayMs)
                       .arg(t.weeklyMs)
                       .toUtf8()
                       .constData());
}

} // namespace fairuse

Q_DECLARE_METATYPE(fairuse::SpeechTotals)
Q_DECLARE_METATYPE(fairuse::Caps)

namespace fairuse::metering::testing {

/** A reference minute (2026-02-03T21:20Z); all edge cases are offsets from it. */
inline constexpr std::int64_t kBaseMinute = 29'500'000;

/** One bucket at `bucketMinuteOffset` from kBaseMinute, checked at kBaseMinute + `nowOffsetMs`. */
struct WindowEdgeCase {
    QString name;
    std::int64_t nowOffsetMs = 0;
    std::int64_t bucketMinuteOffset = 0;
    bool inDaily = false;
    bool inThreeDay = false;
    bool inWeekly = false;
};

/**
 * The SPEC 2.1 / 4.1 edges, written from the backend's rule (ZRANGEBYSCORE(nowSeconds - window, nowSeconds) on
 * score minute*60, nowSeconds = int(time.time())), for each window. The windows are nested, so a bucket on the
 * edge of one window is well inside the longer ones and outside the shorter ones.
 */
inline QList<WindowEdgeCase> windowEdgeCases() {
    struct Window {
        QString name;
        std::int64_t minutes;
    };
    const std::array<Window, 3> windows{
        {{QStringLiteral("daily"), 1440}, {QStringLiteral("3day"), 4320}, {QStringLiteral("weekly"), 10080}}};
    QList<WindowEdgeCase> cases;
    for (std::size_t w = 0; w < windows.size(); ++w) {
        // edgeIn: whether the bucket is inside window w itself; longer windows always hold it, shorter never.
        const auto add = [&](const QString& what, std::int64_t nowOffsetMs, std::int64_t bucketOffset, bool edgeIn) {
            WindowEdgeCase c{QString(windows[w].name + QStringLiteral(": ") + what), nowOffsetMs, bucketOffset};
            const std::array<bool*, 3> flags{&c.inDaily, &c.inThreeDay, &c.inWeekly};
            for (std::size_t other = 0; other < windows.size(); ++other) {
                *flags[other] = other > w || (other == w && edgeIn);
            }
            cases.append(c);
        };
        const std::int64_t len = windows[w].minutes;
        add(QStringLiteral("bucket start == now - window, now on the minute"), 0, -len, true);
        add(QStringLiteral("one minute earlier, now on the minute"), 0, -len - 1, false);
        add(QStringLiteral("bucket start == now - window - 30 s"), 30'000, -len, false);
        add(QStringLiteral("first bucket after the edge, now mid-minute"), 30'000, -len + 1, true);
        add(QStringLiteral("now 999 ms past the minute (backend truncates to seconds)"), 999, -len, true);
        add(QStringLiteral("now 1 s past the minute"), 1'000, -len, false);
        add(QStringLiteral("now 59.999 s past the minute"), 59'999, -len, false);
    }
    cases.append({QStringLiteral("current minute, now on its start"), 0, 0, true, true, true});
    cases.append({QStringLiteral("current minute, now at its end"), 59'999, 0, true, true, true});
    cases.append({QStringLiteral("previous minute"), 0, -1, true, true, true});
    return cases;
}

} // namespace fairuse::metering::testing
