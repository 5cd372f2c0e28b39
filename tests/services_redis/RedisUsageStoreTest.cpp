// RedisUsageStore against a real redis-server: the backend's keys, junk handling, exact window totals.
#include "RedisTestSupport.h"

#include "metering/Metering.h"
#include "redis/RedisUsageStore.h"

#include <QRandomGenerator>

#include <map>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

/** 2026-03-20T10:15:00Z plus an offset, a fixed "now" so the tests do not depend on the clock. */
TimePoint at(std::int64_t offsetMs = 0) {
    return fromUnixMs(1'774'001'700'000LL + offsetMs);
}

} // namespace

class RedisUsageStoreTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        const quint16 port = fixturePort(QStringLiteral("redis"));
        REQUIRE_REDIS(port);
        m_client = new RedisClient(localConfig(port), this);
        m_store = new RedisUsageStore(m_client, this);
    }

    void keyNamesAreTheBackendsOwn() {
        const TimePoint day = fromUnixMs(1'774'001'700'000LL); // 2026-03-20
        QCOMPARE(RedisUsageStore::bucketKey(QStringLiteral("u1")), QByteArray("fair_use:bucket:u1"));
        QCOMPARE(RedisUsageStore::speechKey(QStringLiteral("u1")), QByteArray("fair_use:speech:u1"));
        QCOMPARE(RedisUsageStore::v2SpeechKey(SpeechSource::SyncFresh, QStringLiteral("u1")),
                 QByteArray("fair_use:v2:speech:sync_fresh:u1"));
        QCOMPARE(RedisUsageStore::v2BucketKey(SpeechSource::Realtime, QStringLiteral("u1")),
                 QByteArray("fair_use:v2:bucket:realtime:u1"));
        QCOMPARE(RedisUsageStore::stageKey(QStringLiteral("u1")), QByteArray("fair_use:stage:u1"));
        QCOMPARE(RedisUsageStore::classifierLockKey(QStringLiteral("u1")), QByteArray("fair_use:classifier_lock:u1"));
        QCOMPARE(RedisUsageStore::sttBudgetKey(QStringLiteral("u1"), day),
                 QByteArray("fair_use:dg_budget:u1:20260320"));
    }

    void recordWritesTheBackendLayout() {
        const QString uid = uniqueUid(QStringLiteral("layout"));
        const TimePoint t = at(12'345);
        const std::int64_t minute = unixMinute(t);
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, t, 1500, SpeechSource::Realtime)).ok());
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, t, 500, SpeechSource::Realtime)).ok());
        const QByteArray field = QByteArray::number(minute);
        QCOMPARE(run(*m_client, {"HGET", RedisUsageStore::bucketKey(uid), field})->text(), QByteArray("2000"));
        QCOMPARE(run(*m_client, {"ZSCORE", RedisUsageStore::speechKey(uid), field})->text(),
                 QByteArray::number(minute * 60));
        for (const QByteArray& key : {RedisUsageStore::bucketKey(uid), RedisUsageStore::speechKey(uid)}) {
            const std::int64_t ttl = run(*m_client, {"TTL", key})->integerValue();
            QVERIFY(ttl > 7 * 24 * 3600 && ttl <= 8 * 24 * 3600);
        }

        m_store->setWriteLayout(RedisUsageStore::WriteLayout::V2);
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, t, 700, SpeechSource::SyncFresh)).ok());
        m_store->setWriteLayout(RedisUsageStore::WriteLayout::Legacy);
        QCOMPARE(run(*m_client, {"HGET", RedisUsageStore::v2BucketKey(SpeechSource::SyncFresh, uid), field})->text(),
                 QByteArray("700"));
        QCOMPARE(run(*m_client, {"ZSCORE", RedisUsageStore::v2SpeechKey(SpeechSource::SyncFresh, uid), field})->text(),
                 QByteArray::number(minute * 60));
    }

    void rejectsBadInput_data() {
        QTest::addColumn<QString>("uid");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("negative ms") << QStringLiteral("u") << qint64(-1);
        QTest::newRow("absurd ms") << QStringLiteral("u") << qint64(24LL * 3600 * 1000);
        QTest::newRow("empty uid") << QString() << qint64(10);
        QTest::newRow("uid with space") << QStringLiteral("a b") << qint64(10);
        QTest::newRow("uid with newline") << QStringLiteral("a\nb") << qint64(10);
    }

    void rejectsBadInput() {
        QFETCH(QString, uid);
        QFETCH(qint64, ms);
        const Result<bool> r = waitForRedis(m_store->recordSpeech(uid, at(), ms, SpeechSource::Realtime));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
    }

    void junkValuesAreSkippedAndCounted_data() {
        // Each row adds junk next to one good 1,000 ms bucket; the good bucket must still count.
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("skipped");
        QTest::newRow("clean") << QStringLiteral("clean") << 0;
        QTest::newRow("non-integer value") << QStringLiteral("text") << 1;
        QTest::newRow("fractional value") << QStringLiteral("fraction") << 1;
        QTest::newRow("negative value") << QStringLiteral("negative") << 1;
        QTest::newRow("empty value") << QStringLiteral("empty") << 1;
        QTest::newRow("member without hash field") << QStringLiteral("orphan") << 1;
        QTest::newRow("non-numeric member") << QStringLiteral("member") << 1;
        QTest::newRow("two kinds at once") << QStringLiteral("two") << 2;
        QTest::newRow("hash of the wrong type") << QStringLiteral("wrongtype") << 1;
        QTest::newRow("more than an hour in a minute") << QStringLiteral("overfull") << 1;
        // Summed, two of these would overflow int64; each is junk on its own.
        QTest::newRow("int64 max values") << QStringLiteral("int64max") << 2;
        QTest::newRow("junk outside the week is not read") << QStringLiteral("old") << 0;
    }

    void junkValuesAreSkippedAndCounted() {
        QFETCH(QString, kind);
        QFETCH(int, skipped);
        const QString uid = uniqueUid(QStringLiteral("junk"));
        const TimePoint now = at();
        const std::int64_t good = unixMinute(now) - 10;
        const std::int64_t bad = unixMinute(now) - 20;
        const QByteArray z = RedisUsageStore::speechKey(uid);
        const QByteArray h = RedisUsageStore::bucketKey(uid);
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, fromUnixMinute(good), 1000, SpeechSource::Realtime)).ok());
        auto junk = [&](const QByteArray& member, std::int64_t minute, const QByteArray& value) {
            QVERIFY(run(*m_client, {"ZADD", z, QByteArray::number(minute * 60), member}).ok());
            if (!value.isNull()) {
                QVERIFY(run(*m_client, {"HSET", h, member, value}).ok());
            }
        };
        const QByteArray badField = QByteArray::number(bad);
        if (kind == QLatin1String("text")) {
            junk(badField, bad, "lots");
        } else if (kind == QLatin1String("fraction")) {
            junk(badField, bad, "12.5");
        } else if (kind == QLatin1String("negative")) {
            junk(badField, bad, "-400");
        } else if (kind == QLatin1String("empty")) {
            junk(badField, bad, "");
        } else if (kind == QLatin1String("orphan")) {
            junk(badField, bad, QByteArray());
        } else if (kind == QLatin1String("member")) {
            junk("minute-abc", bad, "300");
        } else if (kind == QLatin1String("two")) {
            junk(badField, bad, "x");
            junk(QByteArray::number(bad - 1), bad - 1, QByteArray());
        } else if (kind == QLatin1String("overfull")) {
            junk(badField, bad, "3600001");
        } else if (kind == QLatin1String("int64max")) {
            junk(badField, bad, "9223372036854775807");
            junk(QByteArray::number(bad - 1), bad - 1, "9223372036854775807");
        } else if (kind == QLatin1String("old")) {
            junk(QByteArray::number(bad - 8 * 24 * 60), bad - 8 * 24 * 60, "garbage");
        } else if (kind == QLatin1String("wrongtype")) {
            // The v2 realtime hash is a string by mistake: that layout is skipped once, the rest still counts.
            const QByteArray vz = RedisUsageStore::v2SpeechKey(SpeechSource::Realtime, uid);
            const QByteArray vh = RedisUsageStore::v2BucketKey(SpeechSource::Realtime, uid);
            QVERIFY(run(*m_client, {"ZADD", vz, QByteArray::number(bad * 60), badField}).ok());
            QVERIFY(run(*m_client, {"SET", vh, "not a hash"}).ok());
        }
        const Result<SpeechReading> r = waitForRedis(m_store->readSpeech(uid, now));
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->skippedValues, skipped);
        QCOMPARE(r->totals, (SpeechTotals{1000, 1000, 1000}));
    }

    void totalsEqualSumWindowsOnRandomHistories_data() {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed : {1u, 2u, 3u, 42u, 2026u}) {
            QTest::addRow("seed %u", seed) << seed;
        }
    }

    void totalsEqualSumWindowsOnRandomHistories() {
        QFETCH(quint32, seed);
        QRandomGenerator rng(seed);
        const QString uid = uniqueUid(QStringLiteral("random"));
        const TimePoint now = at(static_cast<std::int64_t>(rng.bounded(60'000)));
        const std::int64_t nowMinute = unixMinute(now);
        std::map<std::int64_t, std::int64_t> enforced;
        QList<QFuture<Result<bool>>> writes;
        const SpeechSource sources[] = {SpeechSource::Realtime, SpeechSource::SyncFresh, SpeechSource::SyncBackfill,
                                        SpeechSource::CustomStt};
        // Dense near the window edges, sparse elsewhere; 9 days back so some buckets fall out of every window.
        for (int i = 0; i < 400; ++i) {
            std::int64_t minute = 0;
            switch (rng.bounded(4)) {
            case 0:
                minute = nowMinute - static_cast<std::int64_t>(rng.bounded(9 * 24 * 60));
                break;
            case 1:
                minute = nowMinute - 24 * 60 + static_cast<std::int64_t>(rng.bounded(5)) - 2;
                break;
            case 2:
                minute = nowMinute - 72 * 60 + static_cast<std::int64_t>(rng.bounded(5)) - 2;
                break;
            default:
                minute = nowMinute - 168 * 60 + static_cast<std::int64_t>(rng.bounded(5)) - 2;
                break;
            }
            const std::int64_t ms = static_cast<std::int64_t>(rng.bounded(60'001));
            const bool v2 = rng.bounded(2) == 1;
            const SpeechSource source = sources[rng.bounded(4)];
            m_store->setWriteLayout(v2 ? RedisUsageStore::WriteLayout::V2 : RedisUsageStore::WriteLayout::Legacy);
            writes.append(
                m_store->recordSpeech(uid, fromUnixMinute(minute) + Milliseconds(rng.bounded(60'000)), ms, source));
            if (!v2 || source == SpeechSource::Realtime || source == SpeechSource::SyncFresh) {
                enforced[minute] += ms;
            }
        }
        m_store->setWriteLayout(RedisUsageStore::WriteLayout::Legacy);
        for (const auto& w : writes) {
            QVERIFY(waitForRedis(w).ok());
        }
        // Also read exactly on a whole minute and on the window edges, where the backend's rule matters.
        const QList<TimePoint> nows{now, fromUnixMinute(nowMinute), fromUnixMinute(nowMinute) + Milliseconds(999),
                                    fromUnixMinute(nowMinute) + Milliseconds(1000), now + std::chrono::hours(30)};
        for (const TimePoint n : nows) {
            const Result<SpeechReading> r = waitForRedis(m_store->readSpeech(uid, n));
            QVERIFY(r.ok());
            QCOMPARE(r->skippedValues, 0);
            QCOMPARE(r->totals, metering::sumWindows(enforced, n));
        }
        QVERIFY(metering::sumWindows(enforced, now).weeklyMs > 0); // the history was not empty
    }

    void readMinutesMergesLayoutsInOrder() {
        const QString uid = uniqueUid(QStringLiteral("minutes"));
        const std::int64_t m0 = unixMinute(at());
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, fromUnixMinute(m0 + 2), 300, SpeechSource::Realtime)).ok());
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, fromUnixMinute(m0), 100, SpeechSource::Realtime)).ok());
        m_store->setWriteLayout(RedisUsageStore::WriteLayout::V2);
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, fromUnixMinute(m0), 50, SpeechSource::Realtime)).ok());
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, fromUnixMinute(m0 + 1), 70, SpeechSource::SyncFresh)).ok());
        QVERIFY(
            waitForRedis(m_store->recordSpeech(uid, fromUnixMinute(m0 + 1), 9999, SpeechSource::SyncBackfill)).ok());
        m_store->setWriteLayout(RedisUsageStore::WriteLayout::Legacy);
        const Result<QList<MinuteSample>> r =
            waitForRedis(m_store->readMinutes(uid, fromUnixMinute(m0), fromUnixMinute(m0 + 2)));
        QVERIFY(r.ok());
        QCOMPARE(r->size(), 2); // [from, to): minute m0 + 2 is excluded
        QCOMPARE(r->at(0).unixMinute, m0);
        QCOMPARE(r->at(0).speechMs, 150);
        QCOMPARE(r->at(1).unixMinute, m0 + 1);
        QCOMPARE(r->at(1).speechMs, 70); // backfill is metered, never enforced
    }

    void v2KeysAddToOldKeysAndOnlyEnforcedSourcesCount() {
        const QString uid = uniqueUid(QStringLiteral("v2"));
        const TimePoint now = at();
        QVERIFY(
            waitForRedis(m_store->recordSpeech(uid, now - std::chrono::hours(2), 1000, SpeechSource::Realtime)).ok());
        m_store->setWriteLayout(RedisUsageStore::WriteLayout::V2);
        QVERIFY(
            waitForRedis(m_store->recordSpeech(uid, now - std::chrono::hours(2), 200, SpeechSource::Realtime)).ok());
        QVERIFY(
            waitForRedis(m_store->recordSpeech(uid, now - std::chrono::hours(30), 30, SpeechSource::SyncFresh)).ok());
        QVERIFY(waitForRedis(m_store->recordSpeech(uid, now - std::chrono::hours(1), 4000, SpeechSource::SyncBackfill))
                    .ok());
        QVERIFY(
            waitForRedis(m_store->recordSpeech(uid, now - std::chrono::hours(1), 5000, SpeechSource::CustomStt)).ok());
        m_store->setWriteLayout(RedisUsageStore::WriteLayout::Legacy);
        const Result<SpeechReading> r = waitForRedis(m_store->readSpeech(uid, now));
        QVERIFY(r.ok());
        QCOMPARE(r->totals, (SpeechTotals{1200, 1230, 1230}));
    }

    void stageCacheInvalidation() {
        const QString uid = uniqueUid(QStringLiteral("stage"));
        QVERIFY(waitForRedis(m_store->writeStageCache(uid, Stage::Throttle)).ok());
        QCOMPARE(waitForRedis(m_store->readStageCache(uid)).value(), QStringLiteral("throttle"));
        const std::int64_t ttl = run(*m_client, {"TTL", RedisUsageStore::stageKey(uid)})->integerValue();
        QVERIFY(ttl > 0 && ttl <= 60);
        QCOMPARE(waitForRedis(m_store->invalidateStageCache(uid)).value(), true);
        QCOMPARE(waitForRedis(m_store->readStageCache(uid)).value(), QString());
        QCOMPARE(waitForRedis(m_store->invalidateStageCache(uid)).value(), false); // nothing left to drop
    }

    void classifierLockIsCompareAndDelete() {
        const QString uid = uniqueUid(QStringLiteral("lock"));
        const QByteArray key = RedisUsageStore::classifierLockKey(uid);
        QCOMPARE(waitForRedis(m_store->acquireClassifierLock(uid, "worker-a", std::chrono::seconds(300))).value(),
                 true);
        QCOMPARE(waitForRedis(m_store->acquireClassifierLock(uid, "worker-b", std::chrono::seconds(300))).value(),
                 false);
        const std::int64_t pttl = run(*m_client, {"PTTL", key})->integerValue();
        QVERIFY(pttl > 0 && pttl <= 300'000);
        // B must not delete A's lock.
        QCOMPARE(waitForRedis(m_store->releaseClassifierLock(uid, "worker-b")).value(), false);
        QCOMPARE(run(*m_client, {"GET", key})->text(), QByteArray("worker-a"));
        QCOMPARE(waitForRedis(m_store->releaseClassifierLock(uid, "worker-a")).value(), true);
        QVERIFY(run(*m_client, {"GET", key})->isNil());
        QCOMPARE(waitForRedis(m_store->releaseClassifierLock(uid, "worker-a")).value(), false);
        QCOMPARE(waitForRedis(m_store->acquireClassifierLock(uid, "worker-b", std::chrono::seconds(300))).value(),
                 true);
        const Result<bool> empty =
            waitForRedis(m_store->acquireClassifierLock(uid, QByteArray(), std::chrono::seconds(1)));
        QCOMPARE(empty.error().kind, ErrorKind::Invalid);
    }

    void sttBudgetKeyPerUtcDay() {
        const QString uid = uniqueUid(QStringLiteral("budget"));
        const TimePoint day = fromUnixMs(1'774'051'199'000LL); // 2026-03-20T23:59:59Z
        const TimePoint nextDay = day + std::chrono::seconds(1);
        QCOMPARE(waitForRedis(m_store->readSttBudgetUsedMs(uid, day)).value(), 0);
        QCOMPARE(waitForRedis(m_store->addSttBudgetUsage(uid, day, 1000)).value(), 1000);
        QCOMPARE(waitForRedis(m_store->addSttBudgetUsage(uid, day - std::chrono::hours(23), 500)).value(), 1500);
        QCOMPARE(waitForRedis(m_store->readSttBudgetUsedMs(uid, day)).value(), 1500);
        QCOMPARE(waitForRedis(m_store->readSttBudgetUsedMs(uid, nextDay)).value(), 0); // resets at UTC midnight
        const QByteArray key = RedisUsageStore::sttBudgetKey(uid, day);
        QCOMPARE(run(*m_client, {"GET", "fair_use:dg_budget:" + uid.toUtf8() + ":20260320"})->text(),
                 QByteArray("1500"));
        QVERIFY(run(*m_client, {"PTTL", key})->integerValue() != -1); // it expires
        QVERIFY(run(*m_client, {"SET", key, "a lot"}).ok());
        const Result<std::int64_t> junk = waitForRedis(m_store->readSttBudgetUsedMs(uid, day));
        QVERIFY(!junk.ok());
        QCOMPARE(junk.error().kind, ErrorKind::Invalid);
    }

    void serverDownIsUnavailable() {
        PrivateRedis server(QStringLiteral("redis-store-down"));
        QVERIFY2(server.start(), qPrintable(server.log));
        RedisConfig c = localConfig(server.port());
        c.autoReconnect = false;
        RedisClient client(c);
        RedisUsageStore store(&client);
        QVERIFY(waitForRedis(store.recordSpeech(QStringLiteral("u"), at(), 10, SpeechSource::Realtime)).ok());
        server.stop();
        const Result<SpeechReading> r = waitForRedis(store.readSpeech(QStringLiteral("u"), at()));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
    }

    void storeDestroyedWithAReadInFlight() {
        // A view closed while its read is in flight: the caller's future ends with Unavailable, nothing crashes (a
        // then(store, ...) continuation trips Qt 6.4's assert on a dead context).
        auto* store = new RedisUsageStore(m_client);
        const Async<SpeechReading> reading = store->readSpeech(uniqueUid(QStringLiteral("gone")), at());
        const Async<bool> recording =
            store->recordSpeech(uniqueUid(QStringLiteral("gone")), at(), 10, SpeechSource::Realtime);
        delete store;
        const Result<SpeechReading> r = waitForRedis(reading);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        const Result<bool> w = waitForRedis(recording);
        QVERIFY(!w.ok());
        QCOMPARE(w.error().kind, ErrorKind::Unavailable);
    }

    void readsAndWritesOnARedisCluster() {
        // A one-node Redis Cluster owning every slot still refuses any script, transaction or command whose keys
        // hash to different slots (CROSSSLOT), as the backend's untagged keys of one user do: every command the
        // store sends must touch one key.
        PrivateRedis server(QStringLiteral("redis-store-cluster"));
        const QString nodesFile = stateDir() + QStringLiteral("/redis-store-cluster-nodes.conf");
        QFile::remove(nodesFile);
        QVERIFY2(server.start(0, {QStringLiteral("--cluster-enabled"), QStringLiteral("yes"),
                                  QStringLiteral("--cluster-config-file"), nodesFile}),
                 qPrintable(server.log));
        RedisClient client(localConfig(server.port()));
        const Result<RedisReply> slots = run(client, {"CLUSTER", "ADDSLOTSRANGE", "0", "16383"});
        QVERIFY(slots.ok());
        QVERIFY2(slots->isStatus(), slots->text().constData());
        QTRY_VERIFY_WITH_TIMEOUT(run(client, {"CLUSTER", "INFO"})->text().contains("cluster_state:ok"), 10000);

        const QString uid = QStringLiteral("cluster-user");
        // The premise: the two keys of a layout are on different slots.
        QVERIFY(run(client, {"CLUSTER", "KEYSLOT", RedisUsageStore::speechKey(uid)})->integerValue() !=
                run(client, {"CLUSTER", "KEYSLOT", RedisUsageStore::bucketKey(uid)})->integerValue());

        RedisUsageStore store(&client);
        const TimePoint now = at();
        const std::int64_t minute = unixMinute(now) - 30;
        // The read first, on keys written one command each as the backend writes them.
        const QByteArray field = QByteArray::number(minute);
        QVERIFY(run(client, {"HSET", RedisUsageStore::bucketKey(uid), field, "1000"})->isInteger());
        QVERIFY(run(client, {"ZADD", RedisUsageStore::speechKey(uid), QByteArray::number(minute * 60), field})
                    ->isInteger());
        Result<SpeechReading> r = waitForRedis(store.readSpeech(uid, now));
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->totals, (SpeechTotals{1000, 1000, 1000}));

        // Then the write.
        store.setWriteLayout(RedisUsageStore::WriteLayout::V2);
        const Result<bool> recorded =
            waitForRedis(store.recordSpeech(uid, fromUnixMinute(minute - 30), 2500, SpeechSource::SyncFresh));
        QVERIFY2(recorded.ok(), recorded.ok() ? "" : qPrintable(recorded.error().message));
        r = waitForRedis(store.readSpeech(uid, now));
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->skippedValues, 0);
        QCOMPARE(r->totals, (SpeechTotals{3500, 3500, 3500}));
        const Result<QList<MinuteSample>> minutes =
            waitForRedis(store.readMinutes(uid, now - std::chrono::hours(2), now));
        QVERIFY2(minutes.ok(), minutes.ok() ? "" : qPrintable(minutes.error().message));
        QCOMPARE(minutes->size(), 2);
        QCOMPARE(minutes->at(0).unixMinute, minute - 30);
        QCOMPARE(minutes->at(1).speechMs, 1000);
        server.stop();
        QFile::remove(nodesFile);
    }

private:
    RedisClient* m_client = nullptr;
    RedisUsageStore* m_store = nullptr;
};

QTEST_GUILESS_MAIN(RedisUsageStoreTest)
#include "RedisUsageStoreTest.moc"
