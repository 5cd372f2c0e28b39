#include "metering/Metering.h"
#include "MeteringTestSupport.h"

#include <QTest>

#include <limits>
#include <map>

using namespace fairuse;
using namespace fairuse::metering;
using fairuse::metering::testing::kBaseMinute;

namespace {

constexpr std::int64_t kHourMs = 3'600'000;

TimePoint atMinute(std::int64_t minute, std::int64_t extraMs = 0) {
    return fromUnixMinute(minute) + Milliseconds{extraMs};
}

QStringList names(const QList<CapWindow>& windows) {
    QStringList out;
    for (CapWindow w : windows) {
        out.append(toString(w));
    }
    return out;
}

} // namespace

class MeteringTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validateSpeechMs_data() {
        QTest::addColumn<qint64>("speechMs");
        QTest::addColumn<bool>("valid");
        QTest::newRow("zero") << qint64(0) << true;
        QTest::newRow("one ms") << qint64(1) << true;
        QTest::newRow("a whole minute") << qint64(60'000) << true;
        QTest::newRow("more than a minute") << qint64(60'001) << false;
        QTest::newRow("more than an hour") << qint64(kHourMs + 1) << false;
        QTest::newRow("negative") << qint64(-1) << false;
        QTest::newRow("int64 min") << qint64(std::numeric_limits<std::int64_t>::min()) << false;
        QTest::newRow("int64 max") << qint64(std::numeric_limits<std::int64_t>::max()) << false;
    }
    void validateSpeechMs() {
        QFETCH(qint64, speechMs);
        QFETCH(bool, valid);
        const Status status = fairuse::metering::validateSpeechMs(speechMs);
        QCOMPARE(status.ok(), valid);
        if (!valid) {
            QCOMPARE(status.error().kind, ErrorKind::Invalid);
            QVERIFY(!status.error().message.isEmpty());
        }
    }

    void windowLengths() {
        QCOMPARE(std::chrono::minutes{kDailyWindow}.count(), 1440);
        QCOMPARE(std::chrono::minutes{kThreeDayWindow}.count(), 3 * 1440);
        QCOMPARE(std::chrono::minutes{kWeeklyWindow}.count(), 7 * 1440);
    }

    void sumWindowsEdges_data() {
        QTest::addColumn<qint64>("nowOffsetMs");
        QTest::addColumn<qint64>("bucketOffset");
        QTest::addColumn<bool>("inDaily");
        QTest::addColumn<bool>("inThreeDay");
        QTest::addColumn<bool>("inWeekly");
        for (const auto& c : testing::windowEdgeCases()) {
            QTest::newRow(qPrintable(c.name))
                << qint64(c.nowOffsetMs) << qint64(c.bucketMinuteOffset) << c.inDaily << c.inThreeDay << c.inWeekly;
        }
        QTest::newRow("next minute is after now") << qint64(59'999) << qint64(1) << false << false << false;
    }
    void sumWindowsEdges() {
        QFETCH(qint64, nowOffsetMs);
        QFETCH(qint64, bucketOffset);
        QFETCH(bool, inDaily);
        QFETCH(bool, inThreeDay);
        QFETCH(bool, inWeekly);
        const std::int64_t speechMs = 1'234;
        const std::map<std::int64_t, std::int64_t> buckets{{kBaseMinute + bucketOffset, speechMs}};
        const SpeechTotals totals = sumWindows(buckets, atMinute(kBaseMinute, nowOffsetMs));
        QCOMPARE(totals.dailyMs, inDaily ? speechMs : 0);
        QCOMPARE(totals.threeDayMs, inThreeDay ? speechMs : 0);
        QCOMPARE(totals.weeklyMs, inWeekly ? speechMs : 0);
    }

    void windowFirstMinute_data() {
        QTest::addColumn<qint64>("nowOffsetMs");
        QTest::addColumn<qint64>("firstDailyOffset");
        QTest::newRow("on the minute: 1441 buckets") << qint64(0) << qint64(-1440);
        QTest::newRow("mid-minute: 1440 buckets") << qint64(30'000) << qint64(-1439);
        QTest::newRow("sub-second past the minute counts as on it") << qint64(500) << qint64(-1440);
        QTest::newRow("one ms before the minute") << qint64(-1) << qint64(-1440);
    }
    void windowFirstMinute() {
        QFETCH(qint64, nowOffsetMs);
        QFETCH(qint64, firstDailyOffset);
        QCOMPARE(fairuse::metering::windowFirstMinute(atMinute(kBaseMinute, nowOffsetMs), kDailyWindow),
                 kBaseMinute + firstDailyOffset);
    }

    void sumWindowsAddsEveryBucketOnce() {
        // One bucket in each band: today, two days ago, five days ago, and eight days ago (out of every window).
        const std::map<std::int64_t, std::int64_t> buckets{
            {kBaseMinute - 10, 100},          {kBaseMinute - 11, 200},          {kBaseMinute - 2 * 1440, 4'000},
            {kBaseMinute - 5 * 1440, 50'000}, {kBaseMinute - 8 * 1440, 60'000}, {kBaseMinute + 5, 7}};
        const SpeechTotals totals = sumWindows(buckets, atMinute(kBaseMinute, 30'000));
        QCOMPARE(totals, (SpeechTotals{300, 4'300, 54'300}));
    }

    void sumWindowsEmptyAndBeforeEpoch() {
        QCOMPARE(sumWindows({}, atMinute(kBaseMinute)), SpeechTotals{});
        // Minutes before 1970 are negative keys; floor division must keep the edges right there too.
        const std::map<std::int64_t, std::int64_t> buckets{{-1440, 5}, {-1441, 7}};
        QCOMPARE(sumWindows(buckets, atMinute(0)), (SpeechTotals{5, 12, 12}));
        QCOMPARE(sumWindows(buckets, atMinute(0, 1'000)), (SpeechTotals{0, 12, 12}));
    }

    void capsHit_data() {
        const Caps defaults;
        QTest::addColumn<SpeechTotals>("totals");
        QTest::addColumn<Caps>("caps");
        QTest::addColumn<QList<CapWindow>>("expected");

        const std::int64_t d = 2 * kHourMs, t = 8 * kHourMs, w = 10 * kHourMs;
        QTest::newRow("nothing") << SpeechTotals{} << defaults << QList<CapWindow>{};
        QTest::newRow("daily == cap") << SpeechTotals{d, d, d} << defaults << QList<CapWindow>{};
        QTest::newRow("daily cap + 1") << SpeechTotals{d + 1, d + 1, d + 1} << defaults
                                       << QList<CapWindow>{CapWindow::Daily};
        QTest::newRow("3day == cap") << SpeechTotals{0, t, t} << defaults << QList<CapWindow>{};
        QTest::newRow("3day cap + 1") << SpeechTotals{0, t + 1, t + 1} << defaults
                                      << QList<CapWindow>{CapWindow::ThreeDay};
        QTest::newRow("weekly == cap") << SpeechTotals{0, 0, w} << defaults << QList<CapWindow>{};
        QTest::newRow("weekly cap + 1") << SpeechTotals{0, 0, w + 1} << defaults << QList<CapWindow>{CapWindow::Weekly};
        QTest::newRow("all three, in order")
            << SpeechTotals{d + 1, t + 1, w + 1} << defaults
            << QList<CapWindow>{CapWindow::Daily, CapWindow::ThreeDay, CapWindow::Weekly};
        QTest::newRow("daily and weekly")
            << SpeechTotals{d + 1, t, w + 1} << defaults << QList<CapWindow>{CapWindow::Daily, CapWindow::Weekly};

        const Caps unlimited = Caps::forPlan(Plan::Unlimited);
        QTest::newRow("unlimited: 4 h daily is not a hit")
            << SpeechTotals{4 * kHourMs, 4 * kHourMs, 4 * kHourMs} << unlimited << QList<CapWindow>{};
        QTest::newRow("unlimited: 4 h + 1 ms daily") << SpeechTotals{4 * kHourMs + 1, 4 * kHourMs + 1, 4 * kHourMs + 1}
                                                     << unlimited << QList<CapWindow>{CapWindow::Daily};
        QTest::newRow("unlimited: 16 h + 1 ms 3day") << SpeechTotals{0, 16 * kHourMs + 1, 16 * kHourMs + 1} << unlimited
                                                     << QList<CapWindow>{CapWindow::ThreeDay};
        QTest::newRow("unlimited: 20 h weekly") << SpeechTotals{0, 0, 20 * kHourMs} << unlimited << QList<CapWindow>{};
        QTest::newRow("unlimited: 20 h + 1 ms weekly")
            << SpeechTotals{0, 0, 20 * kHourMs + 1} << unlimited << QList<CapWindow>{CapWindow::Weekly};
        QTest::newRow("basic plan uses the defaults")
            << SpeechTotals{d + 1, 0, 0} << Caps::forPlan(Plan::Basic) << QList<CapWindow>{CapWindow::Daily};
        QTest::newRow("zero caps: any speech is a hit")
            << SpeechTotals{1, 0, 1} << Caps{0, 0, 0} << QList<CapWindow>{CapWindow::Daily, CapWindow::Weekly};
    }
    void capsHit() {
        QFETCH(SpeechTotals, totals);
        QFETCH(Caps, caps);
        QFETCH(QList<CapWindow>, expected);
        // Compared as names: fairuse::toString(CapWindow) returns QString, which QTest's printer cannot take.
        QCOMPARE(names(fairuse::metering::capsHit(totals, caps)), names(expected));
    }
};

QTEST_GUILESS_MAIN(MeteringTest)
#include "MeteringTest.moc"
