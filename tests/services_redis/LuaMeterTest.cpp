// LuaMeter against a real redis-server: exact equality with the brute-force window sums, memory, script cache.
#include "RedisTestSupport.h"

#include "metering/Metering.h"
#include "redis/LuaMeter.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <map>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

template <typename T>
Result<T> get(const Async<T>& f) {
    return awaitResult(f, 120000);
}

const TimePoint kStart = fromUnixMs(1'774'001'700'000LL); // 2026-03-20T10:15:00Z

} // namespace

class LuaMeterTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        const quint16 port = fixturePort(QStringLiteral("redis"));
        QVERIFY2(port != 0, "the redis fixture did not run");
        RedisConfig c = localConfig(port);
        c.commandTimeoutMs = 60000;
        m_client = new RedisClient(c, this);
        m_meter = new LuaMeter(m_client, this);
    }

    void keysShareOneHashTag() {
        QCOMPARE(LuaMeter::ringKey(QStringLiteral("u42")), QByteArray("fu2:{u42}:ring"));
        QCOMPARE(LuaMeter::metaKey(QStringLiteral("u42")), QByteArray("fu2:{u42}:meta"));
    }

    void equalsBruteForceOnRandomHistories_data() {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed : {7u, 8u, 9u, 1234u, 99991u}) {
            QTest::addRow("seed %u", seed) << seed;
        }
    }

    void equalsBruteForceOnRandomHistories() {
        QFETCH(quint32, seed);
        QRandomGenerator rng(seed);
        const QString uid = uniqueUid(QStringLiteral("meter"));
        std::map<std::int64_t, std::int64_t> buckets;
        TimePoint now = kStart + Milliseconds(rng.bounded(60'000));
        QList<TimePoint> times;
        QList<QFuture<Result<MeterReading>>> calls;
        QList<SpeechTotals> expected;
        for (int i = 0; i < 1500; ++i) {
            // Mostly live sessions (seconds to minutes apart), sometimes hours or days of silence, sometimes exactly
            // on a minute boundary, where the backend's window holds one bucket more.
            const quint32 kind = rng.bounded(100);
            if (kind < 70) {
                now += Milliseconds(rng.bounded(5 * 60'000));
            } else if (kind < 85) {
                now += std::chrono::minutes(rng.bounded(24 * 60));
            } else if (kind < 90) {
                now += std::chrono::hours(rng.bounded(9 * 24));
            } else if (kind < 97) {
                now = fromUnixMinute(unixMinute(now) + 1 + rng.bounded(3));
            } else {
                // Land right on a window edge of an earlier call.
                now += std::chrono::hours(24) -
                       (now - times.value(rng.bounded(static_cast<quint32>(times.size() + 1)), now)) %
                           std::chrono::hours(24);
            }
            const std::int64_t ms = rng.bounded(10) == 0 ? 0 : static_cast<std::int64_t>(rng.bounded(3001));
            buckets[unixMinute(now)] += ms;
            times.append(now);
            calls.append(m_meter->recordAndCheck(uid, ms, now));
            expected.append(metering::sumWindows(buckets, now));
        }
        for (qsizetype i = 0; i < calls.size(); ++i) {
            const Result<MeterReading> r = get(calls[i]);
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
            if (r->totals != expected[i]) {
                qWarning() << "call" << i << "at" << formatRfc3339(times[i]) << "got" << r->totals.dailyMs
                           << r->totals.threeDayMs << r->totals.weeklyMs << "want" << expected[i].dailyMs
                           << expected[i].threeDayMs << expected[i].weeklyMs;
            }
            QCOMPARE(r->totals, expected[i]);
            QCOMPARE(r->at, times[i]);
            QCOMPARE(r->clippedMs, 0);
        }
        QVERIFY(expected.last().weeklyMs > 0 || expected[expected.size() / 2].weeklyMs > 0);
    }

    void heavyUserFitsIn40KB() {
        // 12 h of speech a day for 7 days: every minute of 12 h fully spoken.
        const QString uid = uniqueUid(QStringLiteral("heavy"));
        std::map<std::int64_t, std::int64_t> buckets;
        QList<QFuture<Result<MeterReading>>> calls;
        TimePoint last{};
        for (int day = 0; day < 7; ++day) {
            for (int minute = 0; minute < 12 * 60; ++minute) {
                last = kStart + std::chrono::hours(24 * day) + std::chrono::minutes(minute) + Milliseconds(500);
                buckets[unixMinute(last)] += 60'000;
                calls.append(m_meter->recordAndCheck(uid, 60'000, last));
            }
        }
        for (const auto& c : calls) {
            QVERIFY(get(c).ok());
        }
        const Result<MeterReading> final = get(calls.last());
        QCOMPARE(final->totals, metering::sumWindows(buckets, last));
        QCOMPARE(final->totals.weeklyMs, 7LL * 12 * 3600 * 1000);
        const std::int64_t ring = run(*m_client, {"MEMORY", "USAGE", LuaMeter::ringKey(uid)})->integerValue();
        const std::int64_t meta = run(*m_client, {"MEMORY", "USAGE", LuaMeter::metaKey(uid)})->integerValue();
        qInfo("MEMORY USAGE for a 12 h/day, 7-day user: ring %lld + meta %lld = %lld bytes",
              static_cast<long long>(ring), static_cast<long long>(meta), static_cast<long long>(ring + meta));
        QVERIFY(ring > 0 && meta > 0);
        QVERIFY(ring + meta <= 40 * 1024);
    }

    void usesServerTimeWhenNoneIsGiven() {
        const QString uid = uniqueUid(QStringLiteral("servertime"));
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 1234));
        QVERIFY(r.ok());
        QCOMPARE(r->totals, (SpeechTotals{1234, 1234, 1234}));
        // Redis TIME and this machine's clock are the same clock here; allow a generous margin (not a timing test).
        const std::int64_t local = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(std::llabs(toUnixMs(r->at) - local) < 3'600'000);
    }

    void reloadsScriptAfterNoscript() {
        const QString uid = uniqueUid(QStringLiteral("noscript"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 10, kStart)).ok());
        QVERIFY(run(*m_client, {"SCRIPT", "FLUSH"}).ok());
        QCOMPARE(run(*m_client, {"SCRIPT", "EXISTS", LuaMeter::scriptSha1()})->elements().first().integerValue(), 0);
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 20, kStart + std::chrono::seconds(5)));
        QVERIFY(r.ok());
        QCOMPARE(r->totals.dailyMs, 30);
        // EVAL cached it under the SHA the client computed, so the next EVALSHA hits.
        QCOMPARE(run(*m_client, {"SCRIPT", "EXISTS", LuaMeter::scriptSha1()})->elements().first().integerValue(), 1);
    }

    void fullMinuteCounterClipsAndSaysSo() {
        const QString uid = uniqueUid(QStringLiteral("clip"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 60'000, kStart)).ok());
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 60'000, kStart + Milliseconds(10)));
        QVERIFY(r.ok());
        QCOMPARE(r->totals.dailyMs, 65'535);
        QCOMPARE(r->clippedMs, 120'000 - 65'535);
        // The sums stay consistent with what is stored: the minute leaves the window whole.
        const Result<MeterReading> later = get(m_meter->recordAndCheck(uid, 0, kStart + std::chrono::hours(25)));
        QCOMPARE(later->totals, (SpeechTotals{0, 65'535, 65'535}));
    }

    void clockSteppingBackIsNoTimePassing() {
        const QString uid = uniqueUid(QStringLiteral("back"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 100, kStart)).ok());
        QVERIFY(get(m_meter->recordAndCheck(uid, 100, kStart + std::chrono::hours(23))).ok());
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 5, kStart - std::chrono::hours(1)));
        QVERIFY(r.ok());
        QCOMPARE(r->at, kStart + std::chrono::hours(23));
        QCOMPARE(r->totals, (SpeechTotals{205, 205, 205}));
    }

    void silenceLongerThanTheRingStartsClean() {
        const QString uid = uniqueUid(QStringLiteral("gap"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 500, kStart)).ok());
        const TimePoint later = kStart + std::chrono::hours(24 * 10) + std::chrono::minutes(7);
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 40, later));
        QCOMPARE(r->totals, (SpeechTotals{40, 40, 40}));
        // The old minute's slot was reused cleanly: exactly one ring length later lands on the same slot.
        const TimePoint sameSlot = fromUnixMinute(unixMinute(later) + LuaMeter::kRingMinutes);
        const Result<MeterReading> r2 = get(m_meter->recordAndCheck(uid, 7, sameSlot));
        QCOMPARE(r2->totals, (SpeechTotals{7, 7, 7}));
        const std::int64_t pttl = run(*m_client, {"PTTL", LuaMeter::ringKey(uid)})->integerValue();
        QVERIFY(pttl > 7LL * 24 * 3600 * 1000 && pttl <= 8LL * 24 * 3600 * 1000);
    }

    void rejectsBadInput_data() {
        QTest::addColumn<QString>("uid");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("negative") << QStringLiteral("u") << qint64(-5);
        QTest::newRow("absurd") << QStringLiteral("u") << qint64(3'600'000);
        QTest::newRow("brace in uid") << QStringLiteral("a}b") << qint64(5);
        QTest::newRow("empty uid") << QString() << qint64(5);
    }

    void rejectsBadInput() {
        QFETCH(QString, uid);
        QFETCH(qint64, ms);
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, ms, kStart));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
    }

    void corruptMetaIsRebuilt() {
        const QString uid = uniqueUid(QStringLiteral("corrupt"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 100, kStart)).ok());
        QVERIFY(run(*m_client, {"HDEL", LuaMeter::metaKey(uid), "s2"}).ok());
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 10, kStart + std::chrono::seconds(1)));
        QVERIFY(r.ok());
        QCOMPARE(r->totals, (SpeechTotals{10, 10, 10})); // starts over rather than returning wrong sums
    }

private:
    RedisClient* m_client = nullptr;
    LuaMeter* m_meter = nullptr;
};

QTEST_GUILESS_MAIN(LuaMeterTest)
#include "LuaMeterTest.moc"
