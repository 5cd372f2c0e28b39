#include "metering/RollingMeter.h"
#include "MeteringTestSupport.h"

#include <QTest>

#include <map>
#include <optional>
#include <random>

using namespace fairuse;
using namespace fairuse::metering;
using fairuse::metering::testing::kBaseMinute;

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kDayMinutes = 1'440;
constexpr std::int64_t kWeekMinutes = 7 * kDayMinutes;

TimePoint atMinute(std::int64_t minute, std::int64_t extraMs = 0) {
    return fromUnixMinute(minute) + Milliseconds{extraMs};
}

/**
 * The reference the meter must equal: the accepted records in a plain minute -> ms map, summed by sumWindows()
 * (the backend's rule), with the meter's documented contract for what is accepted written out independently.
 */
class Oracle {
public:
    /** Whether the meter must accept the record (ok status); applies it if it counts. */
    bool record(TimePoint at, std::int64_t speechMs) {
        if (speechMs < 0 || speechMs > kMaxSpeechMsPerMinute) {
            return false;
        }
        const std::int64_t minute = unixMinute(at);
        if (m_clock && minute < unixMinute(*m_clock) - kWeekMinutes) {
            return true; // documented: older than the retained week, ignored
        }
        const auto it = m_buckets.find(minute);
        const std::int64_t existing = it == m_buckets.end() ? 0 : it->second;
        if (existing + speechMs > kMaxSpeechMsPerMinute) {
            return false;
        }
        if (speechMs > 0) {
            m_buckets[minute] = existing + speechMs;
        }
        see(at);
        return true;
    }

    /** The expected totals: at now, or at the latest time seen if now is earlier (documented). */
    SpeechTotals totals(TimePoint now) {
        see(now);
        return sumWindows(m_buckets, *m_clock);
    }

    /** Drops what Redis would have expired; sums are unaffected since it is out of every window. */
    void prune() {
        if (m_clock) {
            m_buckets.erase(m_buckets.begin(), m_buckets.lower_bound(unixMinute(*m_clock) - 8 * kDayMinutes));
        }
    }

    const std::map<std::int64_t, std::int64_t>& buckets() const { return m_buckets; }

private:
    void see(TimePoint t) {
        if (!m_clock || t > *m_clock) {
            m_clock = t;
        }
    }

    std::map<std::int64_t, std::int64_t> m_buckets;
    std::optional<TimePoint> m_clock;
};

enum class Profile { Light, Heavy, Bursty, LongHeavy };

/** Runs one random history against meter and oracle; returns the number of checks compared, or -1 on mismatch. */
int runHistory(std::mt19937& rng, Profile profile, std::int64_t startMinute, QString& failure) {
    RollingMeter meter;
    Oracle oracle;
    auto uniform = [&rng](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>{lo, hi}(rng);
    };
    auto chance = [&](int percent) { return uniform(1, 100) <= percent; };

    std::int64_t nowMs = (startMinute + uniform(-kWeekMinutes, kWeekMinutes)) * kMinuteMs + uniform(0, kMinuteMs - 1);
    const int steps = profile == Profile::LongHeavy ? 40'000 : static_cast<int>(uniform(50, 600));
    int checks = 0;
    for (int step = 0; step < steps; ++step) {
        // How far time moves between events.
        switch (profile) {
        case Profile::Light:
            nowMs += chance(90) ? uniform(0, 30 * kMinuteMs) : uniform(0, 2 * kDayMinutes * kMinuteMs);
            break;
        case Profile::Heavy:
        case Profile::LongHeavy:
            nowMs += chance(98) ? uniform(0, 90'000) : uniform(0, 12 * 60 * kMinuteMs);
            break;
        case Profile::Bursty:
            nowMs += chance(85)   ? uniform(0, 120'000)
                     : chance(80) ? uniform(0, kDayMinutes * kMinuteMs)
                                  : uniform(kWeekMinutes - 2, kWeekMinutes + 200) * kMinuteMs; // around a week
            break;
        }
        // The edges matter most on whole minutes and just after them.
        if (chance(20)) {
            nowMs = nowMs - (nowMs % kMinuteMs + kMinuteMs) % kMinuteMs + (chance(50) ? 0 : uniform(0, 1'999));
        }
        const TimePoint now = fromUnixMs(nowMs);
        const std::int64_t speechMs = chance(3)    ? uniform(-1'000, 70'000) // some invalid
                                      : chance(50) ? uniform(0, 60'000)
                                                   : uniform(0, 15'000);
        const int action = static_cast<int>(uniform(0, 99));
        SpeechTotals got;
        SpeechTotals want;
        bool compare = false;
        if (action < 40) {
            const bool accepted = meter.record(now, speechMs).ok();
            if (accepted != oracle.record(now, speechMs)) {
                failure = QStringLiteral("record(%1, %2) status differs").arg(formatRfc3339(now)).arg(speechMs);
                return -1;
            }
        } else if (action < 55) {
            // Out of order: anywhere in the last 8 days, so some fall outside the retained week.
            const TimePoint at = now - Milliseconds{uniform(0, 8 * kDayMinutes * kMinuteMs)};
            const bool accepted = meter.record(at, speechMs).ok();
            if (accepted != oracle.record(at, speechMs)) {
                failure = QStringLiteral("late record(%1, %2) status differs").arg(formatRfc3339(at)).arg(speechMs);
                return -1;
            }
        } else if (action < 75) {
            got = meter.recordAndCheck(now, speechMs);
            (void)oracle.record(now, speechMs);
            want = oracle.totals(now);
            compare = true;
        } else if (action < 97 || profile == Profile::LongHeavy) {
            // Long histories hold thousands of buckets; checking every step would make the reference the bottleneck.
            if (profile == Profile::LongHeavy && !chance(5)) {
                continue;
            }
            got = meter.totals(now);
            want = oracle.totals(now);
            compare = true;
        } else {
            // Time going backwards: documented to answer for the latest time seen.
            const TimePoint earlier = now - Milliseconds{uniform(1, 3 * kDayMinutes * kMinuteMs)};
            got = meter.totals(earlier);
            want = oracle.totals(earlier);
            compare = true;
        }
        if (compare) {
            ++checks;
            if (got != want) {
                failure = QStringLiteral("step %1 at %2: meter %3, reference %4")
                              .arg(step)
                              .arg(formatRfc3339(now))
                              .arg(QString::fromUtf8(QScopedArrayPointer<char>(toString(got)).data()))
                              .arg(QString::fromUtf8(QScopedArrayPointer<char>(toString(want)).data()));
                return -1;
            }
        }
        if (step % 1'000 == 0) {
            oracle.prune();
        }
    }
    return checks;
}

/** A heavy user: 12 h of speech a day (08:00-20:00, every minute full), one record and check per minute. */
void speakHeavily(RollingMeter& meter, std::int64_t firstDayMinute, int days) {
    for (int day = 0; day < days; ++day) {
        const std::int64_t start = firstDayMinute + day * kDayMinutes + 8 * 60;
        for (std::int64_t m = start; m < start + 12 * 60; ++m) {
            (void)meter.recordAndCheck(atMinute(m, 59'000), kMaxSpeechMsPerMinute);
        }
    }
}

} // namespace

class RollingMeterTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void windowEdges_data() {
        QTest::addColumn<bool>("checkFirst");
        QTest::addColumn<qint64>("nowOffsetMs");
        QTest::addColumn<qint64>("bucketOffset");
        QTest::addColumn<bool>("inDaily");
        QTest::addColumn<bool>("inThreeDay");
        QTest::addColumn<bool>("inWeekly");
        for (const bool checkFirst : {false, true}) {
            for (const auto& c : testing::windowEdgeCases()) {
                const QString name = QString(c.name + (checkFirst ? QStringLiteral(" (late record)")
                                                                  : QStringLiteral(" (record, then clock moves)")));
                QTest::newRow(qPrintable(name)) << checkFirst << qint64(c.nowOffsetMs) << qint64(c.bucketMinuteOffset)
                                                << c.inDaily << c.inThreeDay << c.inWeekly;
            }
        }
    }
    void windowEdges() {
        QFETCH(bool, checkFirst);
        QFETCH(qint64, nowOffsetMs);
        QFETCH(qint64, bucketOffset);
        QFETCH(bool, inDaily);
        QFETCH(bool, inThreeDay);
        QFETCH(bool, inWeekly);
        const TimePoint now = atMinute(kBaseMinute, nowOffsetMs);
        const TimePoint recordAt = std::min(now, atMinute(kBaseMinute + bucketOffset, 10'000));
        const std::int64_t speechMs = 4'321;
        RollingMeter meter;
        if (checkFirst) {
            QCOMPARE(meter.totals(now), SpeechTotals{});
        }
        QVERIFY(meter.record(recordAt, speechMs).ok());
        const SpeechTotals expected{inDaily ? speechMs : 0, inThreeDay ? speechMs : 0, inWeekly ? speechMs : 0};
        QCOMPARE(meter.totals(now), expected);
        // Asking again at the same time changes nothing.
        QCOMPARE(meter.totals(now), expected);
    }

    void edgeBucketLeavesOneMinuteLater_data() {
        QTest::addColumn<qint64>("windowMinutes");
        QTest::newRow("daily") << qint64(kDayMinutes);
        QTest::newRow("3day") << qint64(3 * kDayMinutes);
        QTest::newRow("weekly") << qint64(kWeekMinutes);
    }
    void edgeBucketLeavesOneMinuteLater() {
        QFETCH(qint64, windowMinutes);
        RollingMeter meter;
        QVERIFY(meter.record(atMinute(kBaseMinute), 1'000).ok());
        const auto inWindow = [&](TimePoint now) {
            const SpeechTotals t = meter.totals(now);
            return windowMinutes == kDayMinutes       ? t.dailyMs
                   : windowMinutes == 3 * kDayMinutes ? t.threeDayMs
                                                      : t.weeklyMs;
        };
        QCOMPARE(inWindow(atMinute(kBaseMinute + windowMinutes - 1, 30'000)), 1'000);
        QCOMPARE(inWindow(atMinute(kBaseMinute + windowMinutes)), 1'000);      // start == now - window
        QCOMPARE(inWindow(atMinute(kBaseMinute + windowMinutes, 999)), 1'000); // same whole second
        QCOMPARE(inWindow(atMinute(kBaseMinute + windowMinutes, 1'000)), 0);   // one second later
        QCOMPARE(inWindow(atMinute(kBaseMinute + windowMinutes + 1)), 0);      // next whole minute
    }

    void capBoundaries_data() {
        QTest::addColumn<qint64>("firstMinuteAgo");
        QTest::addColumn<int>("fullMinutes");
        QTest::addColumn<bool>("plusOneMs");
        QTest::addColumn<QStringList>("expected");
        const Caps caps;
        const auto full = [](std::int64_t capMs) { return static_cast<int>(capMs / kMaxSpeechMsPerMinute); };
        // Speech placed so only the window under test can reach its cap.
        QTest::newRow("daily == 2 h") << qint64(200) << full(caps.dailyMs) << false << QStringList{};
        QTest::newRow("daily 2 h + 1 ms")
            << qint64(200) << full(caps.dailyMs) << true << QStringList{toString(CapWindow::Daily)};
        QTest::newRow("3day == 8 h") << qint64(2 * kDayMinutes + 600) << full(caps.threeDayMs) << false
                                     << QStringList{};
        QTest::newRow("3day 8 h + 1 ms") << qint64(2 * kDayMinutes + 600) << full(caps.threeDayMs) << true
                                         << QStringList{toString(CapWindow::ThreeDay)};
        QTest::newRow("weekly == 10 h") << qint64(5 * kDayMinutes) << full(caps.weeklyMs) << false << QStringList{};
        QTest::newRow("weekly 10 h + 1 ms")
            << qint64(5 * kDayMinutes) << full(caps.weeklyMs) << true << QStringList{toString(CapWindow::Weekly)};
    }
    void capBoundaries() {
        QFETCH(qint64, firstMinuteAgo);
        QFETCH(int, fullMinutes);
        QFETCH(bool, plusOneMs);
        QFETCH(QStringList, expected);
        RollingMeter meter;
        const std::int64_t first = kBaseMinute - firstMinuteAgo;
        for (int i = 0; i < fullMinutes; ++i) {
            QVERIFY(meter.record(atMinute(first + i, 5'000), kMaxSpeechMsPerMinute).ok());
        }
        if (plusOneMs) {
            QVERIFY(meter.record(atMinute(first + fullMinutes, 5'000), 1).ok());
        }
        QStringList hit;
        for (CapWindow w : capsHit(meter.totals(atMinute(kBaseMinute, 30'000)), Caps{})) {
            hit.append(toString(w));
        }
        QCOMPARE(hit, expected);
    }

    void multipleRecordsPerMinute() {
        RollingMeter meter;
        const std::int64_t minute = kBaseMinute;
        QVERIFY(meter.record(atMinute(minute, 1'000), 20'000).ok());
        QVERIFY(meter.record(atMinute(minute, 30'000), 30'000).ok());
        QVERIFY(meter.record(atMinute(minute, 59'999), 10'000).ok());
        QCOMPARE(meter.totals(atMinute(minute, 59'999)), (SpeechTotals{60'000, 60'000, 60'000}));

        // The minute is full: one more ms is rejected and changes nothing.
        const Status over = meter.record(atMinute(minute, 59'999), 1);
        QVERIFY(!over.ok());
        QCOMPARE(over.error().kind, ErrorKind::Invalid);
        QCOMPARE(meter.totals(atMinute(minute, 59'999)), (SpeechTotals{60'000, 60'000, 60'000}));

        // The next minute is a fresh bucket; a late record into the full minute is still rejected.
        QVERIFY(meter.record(atMinute(minute + 1), 60'000).ok());
        QVERIFY(!meter.record(atMinute(minute, 10), 5).ok());
        QVERIFY(meter.record(atMinute(minute - 1), 7).ok());
        QCOMPARE(meter.totals(atMinute(minute + 1, 1)), (SpeechTotals{120'007, 120'007, 120'007}));
    }

    void invalidValuesAreRejected_data() {
        QTest::addColumn<qint64>("speechMs");
        QTest::newRow("negative") << qint64(-1);
        QTest::newRow("more than a minute") << qint64(60'001);
        QTest::newRow("more than an hour") << qint64(3'600'001);
        QTest::newRow("int64 min") << qint64(std::numeric_limits<std::int64_t>::min());
        QTest::newRow("int64 max") << qint64(std::numeric_limits<std::int64_t>::max());
    }
    void invalidValuesAreRejected() {
        QFETCH(qint64, speechMs);
        RollingMeter meter;
        const TimePoint now = atMinute(kBaseMinute);
        QVERIFY(meter.record(now - std::chrono::hours{23}, 50'000).ok());
        QCOMPARE(meter.totals(now), (SpeechTotals{50'000, 50'000, 50'000}));

        // A rejected record two hours later must not move the clock either, or the daily total would lose the
        // record from 23 h ago.
        const Status status = meter.record(now + std::chrono::hours{2}, speechMs);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().kind, ErrorKind::Invalid);
        QCOMPARE(meter.clock(), std::optional<TimePoint>{now});
        QCOMPARE(meter.totals(now), (SpeechTotals{50'000, 50'000, 50'000}));
        // recordAndCheck does not count it either.
        QCOMPARE(meter.recordAndCheck(now, speechMs), (SpeechTotals{50'000, 50'000, 50'000}));
    }

    void timeGoingBackwards() {
        RollingMeter meter;
        const TimePoint t0 = atMinute(kBaseMinute, 30'000);
        QVERIFY(meter.record(t0, 40'000).ok());
        const TimePoint later = t0 + std::chrono::hours{30};
        QCOMPARE(meter.totals(later), (SpeechTotals{0, 40'000, 40'000}));

        // Documented: a now before the clock answers for the clock, never for the older view.
        QCOMPARE(meter.totals(t0 + std::chrono::hours{1}), (SpeechTotals{0, 40'000, 40'000}));
        QCOMPARE(meter.clock(), std::optional<TimePoint>{later});

        // A late record between t0 and the clock still counts where it belongs.
        QVERIFY(meter.record(later - std::chrono::hours{1}, 1'000).ok());
        QCOMPARE(meter.totals(later), (SpeechTotals{1'000, 41'000, 41'000}));
    }

    void oldRecordsAreIgnored() {
        RollingMeter meter;
        const TimePoint now = atMinute(kBaseMinute);
        QCOMPARE(meter.totals(now), SpeechTotals{});
        // The aligned weekly edge bucket still counts; one minute before it is older than the week and ignored.
        QVERIFY(meter.record(atMinute(kBaseMinute - kWeekMinutes, 59'000), 300).ok());
        QVERIFY(meter.record(atMinute(kBaseMinute - kWeekMinutes - 1, 59'000), 20).ok());
        QCOMPARE(meter.totals(now), (SpeechTotals{0, 0, 300}));
        QCOMPARE(meter.totals(now + Milliseconds{1'000}), SpeechTotals{});
        // Even a full-minute value is not checked against an ignored minute.
        QVERIFY(meter.record(atMinute(kBaseMinute - 9 * kDayMinutes), 60'000).ok());
        QCOMPARE(meter.totals(now + Milliseconds{1'000}), SpeechTotals{});
    }

    void longGaps_data() {
        QTest::addColumn<qint64>("gapMinutes");
        QTest::addColumn<qint64>("extraMs");
        for (const std::int64_t gap :
             {kDayMinutes, kWeekMinutes - 1, kWeekMinutes, kWeekMinutes + 1, RollingMeter::kRingMinutes - 1,
              RollingMeter::kRingMinutes, RollingMeter::kRingMinutes + 1, 30 * kDayMinutes, 3'000 * kDayMinutes}) {
            for (const std::int64_t extraMs : {std::int64_t{0}, std::int64_t{30'000}}) {
                QTest::newRow(qPrintable(QStringLiteral("%1 min idle, +%2 ms").arg(gap).arg(extraMs)))
                    << qint64(gap) << qint64(extraMs);
            }
        }
    }
    void longGaps() {
        QFETCH(qint64, gapMinutes);
        QFETCH(qint64, extraMs);
        RollingMeter meter;
        Oracle oracle;
        // A busy week: every minute of the last 3 days and some before, ending at kBaseMinute.
        for (std::int64_t m = kBaseMinute - kWeekMinutes; m <= kBaseMinute; ++m) {
            const std::int64_t speechMs = (m % 7 == 0 || m > kBaseMinute - 3 * kDayMinutes) ? 1'000 + m % 5'000 : 0;
            QVERIFY(meter.record(atMinute(m, 30'000), speechMs).ok());
            QVERIFY(oracle.record(atMinute(m, 30'000), speechMs));
        }
        const TimePoint after = atMinute(kBaseMinute + gapMinutes, extraMs);
        QCOMPARE(meter.totals(after), oracle.totals(after));
        if (gapMinutes > kWeekMinutes) {
            QCOMPARE(meter.totals(after), SpeechTotals{});
        }
        // Speech after the idle period counts cleanly, with nothing left over from before it.
        QVERIFY(meter.record(after, 12'345).ok());
        QVERIFY(oracle.record(after, 12'345));
        const TimePoint check = after + std::chrono::minutes{5};
        QCOMPARE(meter.totals(check), oracle.totals(check));
        const TimePoint nextDay = after + std::chrono::hours{25};
        QCOMPARE(meter.totals(nextDay), oracle.totals(nextDay));
    }

    void recordAndCheckMatchesRecordThenTotals() {
        RollingMeter a;
        RollingMeter b;
        for (std::int64_t m = 0; m < 3 * kDayMinutes; m += 7) {
            const TimePoint at = atMinute(kBaseMinute + m, (m * 1'013) % kMinuteMs);
            const std::int64_t speechMs = (m * 37) % 60'001;
            QVERIFY(b.record(at, speechMs).ok());
            QCOMPARE(a.recordAndCheck(at, speechMs), b.totals(at));
        }
    }

    void randomHistoriesMatchBruteForce_data() {
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<int>("profile");
        QTest::addColumn<int>("histories");
        QTest::addColumn<qint64>("startMinute");
        const QList<QPair<QString, Profile>> profiles{{QStringLiteral("light"), Profile::Light},
                                                      {QStringLiteral("heavy"), Profile::Heavy},
                                                      {QStringLiteral("bursty"), Profile::Bursty},
                                                      {QStringLiteral("long heavy"), Profile::LongHeavy}};
        for (const quint32 seed : {1u, 42u, 2026u, 0xC0FFEEu}) {
            for (const auto& [name, profile] : profiles) {
                QTest::newRow(qPrintable(QStringLiteral("seed %1, %2").arg(seed).arg(name)))
                    << seed << static_cast<int>(profile) << (profile == Profile::LongHeavy ? 1 : 300)
                    << qint64(kBaseMinute);
            }
        }
        // Around 1970 minutes and hours go negative: the ring's floor division and modulo must hold there too.
        QTest::newRow("seed 5, bursty, across the epoch")
            << 5u << static_cast<int>(Profile::Bursty) << 300 << qint64(0);
        QTest::newRow("seed 6, heavy, across the epoch")
            << 6u << static_cast<int>(Profile::Heavy) << 300 << qint64(-30);
    }
    void randomHistoriesMatchBruteForce() {
        QFETCH(quint32, seed);
        QFETCH(int, profile);
        QFETCH(int, histories);
        QFETCH(qint64, startMinute);
        std::mt19937 rng(seed);
        int totalChecks = 0;
        for (int h = 0; h < histories; ++h) {
            QString failure;
            const int checks = runHistory(rng, static_cast<Profile>(profile), startMinute, failure);
            if (checks < 0) {
                QFAIL(qPrintable(QStringLiteral("history %1: %2").arg(h).arg(failure)));
            }
            totalChecks += checks;
        }
        // Guards against a generator that stops checking: each history compares totals many times.
        QVERIFY2(totalChecks > histories * 10, qPrintable(QString::number(totalChecks)));
    }

    void memoryIsBoundedForAHeavyUser() {
        RollingMeter meter;
        const std::size_t idle = meter.memoryBytes();
        QVERIFY(idle >= sizeof(RollingMeter));
        QVERIFY2(idle < 1'024, "an idle meter allocates nothing");

        speakHeavily(meter, kBaseMinute, 7);
        const std::size_t afterWeek = meter.memoryBytes();
        QVERIFY2(afterWeek < 40'000, qPrintable(QStringLiteral("%1 bytes").arg(afterWeek)));
        // 12 h a day for the week is in the meter, so the memory figure belongs to a real heavy user.
        QCOMPARE(meter.totals(atMinute(kBaseMinute + 6 * kDayMinutes + 20 * 60)).weeklyMs,
                 7 * 12 * 60 * kMaxSpeechMsPerMinute);

        speakHeavily(meter, kBaseMinute + 7 * kDayMinutes, 21);
        QCOMPARE(meter.memoryBytes(), afterWeek);
    }
};

QTEST_GUILESS_MAIN(RollingMeterTest)
#include "RollingMeterTest.moc"
