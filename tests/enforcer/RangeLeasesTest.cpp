// The range leases several fairuse-enforcer instances share the users by (services/enforcer/RangeLeases.h), on one
// redis-server and on a Redis Cluster of 3 masters: one holder at a time, done once per check interval, renewed only
// by its holder, taken over once a holder stops renewing, handed back on a stop; the ranges and epochs are what the
// scheme says. The scripts go by EVALSHA and survive a lost script cache; the evaluation markers are claimed in the
// pipeline of the user's speech reads.
#include "RequireBackend.h"
#include "TestTime.h"

#include "common/Await.h"
#include "enforcer/EvaluationMarkers.h"
#include "enforcer/RangeLeases.h"
#include "redis/ClusterSlots.h"
#include "redis/RedisClient.h"
#include "redis/RedisCluster.h"
#include "redis/RedisUsageStore.h"

#include <QRandomGenerator>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <memory>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;

namespace {

constexpr int kRedisDb = 14;

/** An epoch of its own per run, so reruns on the shared fixture never meet each other's leases. */
TimePoint freshEpoch() {
    return TimePoint(std::chrono::milliseconds(QRandomGenerator::global()->bounded(1, 1 << 30) * 300'000LL));
}

} // namespace

class RangeLeasesTest : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisClient> m_server;
    std::unique_ptr<RedisClusterClient> m_cluster;

    RedisCommands* backend() {
        QFETCH_GLOBAL(bool, cluster);
        return cluster ? static_cast<RedisCommands*>(m_cluster.get()) : m_server.get();
    }

private Q_SLOTS:
    void initTestCase_data() {
        QTest::addColumn<bool>("cluster");
        QTest::newRow("server") << false;
        QTest::newRow("cluster") << true;
    }

    void initTestCase() {
        const quint16 port = fairuse::testing::backends::redisPort();
        REQUIRE_REDIS(port);
        const QList<quint16> cluster = fairuse::testing::backends::redisClusterPorts();
        REQUIRE_REDIS(cluster.value(0));
        RedisConfig one;
        one.port = port;
        one.db = kRedisDb;
        m_server = std::make_unique<RedisClient>(one);
        RedisConfig seed;
        seed.port = cluster.first();
        m_cluster = std::make_unique<RedisClusterClient>(seed);
    }

    void rangesAndEpochs() {
        QCOMPARE(RangeLeases::rangeOf(QStringLiteral("u000")), keySlot("u000") * RangeLeases::kRanges / 16384);
        QList<int> counts(RangeLeases::kRanges, 0);
        for (int i = 0; i < 6400; ++i) {
            const int r = RangeLeases::rangeOf(QStringLiteral("user-%1").arg(i));
            QVERIFY(r >= 0 && r < RangeLeases::kRanges);
            ++counts[r];
        }
        // The users spread over every range, none far from the mean of 100.
        QVERIFY(*std::min_element(counts.cbegin(), counts.cend()) > 50);
        QVERIFY(*std::max_element(counts.cbegin(), counts.cend()) < 150);
        const TimePoint t = fairuse::testing::at("2026-12-01T12:07:31Z");
        QCOMPARE(RangeLeases::epochOf(t, 300s), fairuse::testing::at("2026-12-01T12:05:00Z"));
        QCOMPARE(RangeLeases::epochOf(fairuse::testing::at("2026-12-01T12:05:00Z"), 300s),
                 fairuse::testing::at("2026-12-01T12:05:00Z"));
        QCOMPARE(RangeLeases::epochOf(TimePoint(-1ms), 1s), TimePoint(-1000ms)); // floors before 1970 too
        QCOMPARE(RangeLeases::key(TimePoint(600000ms), 7), QByteArray("fair_use:enforcer:range:600000:7"));
        QCOMPARE(RangeLeases::key(TimePoint(600000ms), RangeLeases::kSweep),
                 QByteArray("fair_use:enforcer:range:600000:sweep"));
    }

    void oneHolderAtATimeAndDoneOnce() {
        const TimePoint epoch = freshEpoch();
        RangeLeases a(backend(), epoch, "instance-a", 30s, 600s, 20000);
        RangeLeases b(backend(), epoch, "instance-b", 30s, 600s, 20000);
        for (int range = 0; range < RangeLeases::kRanges; ++range) {
            QCOMPARE(a.claim(range).value(), RangeLeases::Claim::Taken);
            QCOMPARE(b.claim(range).value(), RangeLeases::Claim::Held);
            QCOMPARE(a.claim(range).value(), RangeLeases::Claim::Taken); // its holder may claim again
            QVERIFY(!b.renew(range).value());                            // only the holder renews
            QVERIFY(!b.finish(range).value());                           // or finishes
            QVERIFY(a.renew(range).value());
            QVERIFY(a.finish(range).value());
            QCOMPARE(b.claim(range).value(), RangeLeases::Claim::Done);
            QCOMPARE(a.claim(range).value(), RangeLeases::Claim::Done);
            QVERIFY(!a.renew(range).value()); // a done range is nobody's lease
        }
        // The sweep is a lease like the others; another epoch is another set of leases.
        QCOMPARE(b.claim(RangeLeases::kSweep).value(), RangeLeases::Claim::Taken);
        QCOMPARE(a.claim(RangeLeases::kSweep).value(), RangeLeases::Claim::Held);
        RangeLeases next(backend(), epoch + 300s, "instance-a", 30s, 600s, 20000);
        QCOMPARE(next.claim(0).value(), RangeLeases::Claim::Taken);
    }

    void aDeadHoldersLeaseIsTakenOver() {
        const TimePoint epoch = freshEpoch();
        RangeLeases dead(backend(), epoch, "instance-dead", 300ms, 600s, 20000);
        RangeLeases live(backend(), epoch, "instance-live", 30s, 600s, 20000);
        QCOMPARE(dead.claim(5).value(), RangeLeases::Claim::Taken);
        QCOMPARE(live.claim(5).value(), RangeLeases::Claim::Held);
        QThread::msleep(450); // the dead instance renews no more
        QCOMPARE(live.claim(5).value(), RangeLeases::Claim::Taken);
        QVERIFY(!dead.renew(5).value()); // come back to life, it learns it lost the range
        QVERIFY(!dead.finish(5).value());
        QVERIFY(live.finish(5).value());
    }

    void aStoppedHolderHandsTheRangeBack() {
        const TimePoint epoch = freshEpoch();
        RangeLeases a(backend(), epoch, "instance-a", 30s, 600s, 20000);
        RangeLeases b(backend(), epoch, "instance-b", 30s, 600s, 20000);
        QCOMPARE(a.claim(9).value(), RangeLeases::Claim::Taken);
        QVERIFY(!b.release(9).value()); // not b's to give
        QVERIFY(a.release(9).value());
        QCOMPARE(b.claim(9).value(), RangeLeases::Claim::Taken);
    }

    void aServerThatLostItsScriptsRunsThemAgain() {
        // The scripts go as EVALSHA (40 bytes, not the script); a server that lost its script cache (SCRIPT FLUSH,
        // a restart, a failover) answers NOSCRIPT, and the script is sent whole once and cached again.
        RedisCommands* redis = backend();
        const Result<QStringList> nodes = awaitResult(redis->keyNodes(), 20000);
        QVERIFY(nodes.ok());
        for (const QString& node : *nodes) {
            const Result<RedisReply> flushed = awaitResult(redis->commandAt(node, {"SCRIPT", "FLUSH"}), 20000);
            QVERIFY(flushed.ok() && !flushed->isError());
        }
        const TimePoint epoch = freshEpoch();
        RangeLeases a(redis, epoch, "instance-a", 30s, 600s, 20000);
        RangeLeases b(redis, epoch, "instance-b", 30s, 600s, 20000);
        QCOMPARE(a.claim(3).value(), RangeLeases::Claim::Taken);
        QCOMPARE(b.claim(3).value(), RangeLeases::Claim::Held);
        QVERIFY(a.finish(3).value());
        QCOMPARE(b.claim(3).value(), RangeLeases::Claim::Done);
        QFETCH_GLOBAL(bool, cluster);
        if (cluster) {
            return;
        }
        // On one server: the connection's last command was an EVALSHA (CLIENT LIST shows it, as cmd=evalsha).
        const Result<RedisReply> id = awaitResult(m_server->command({"CLIENT", "ID"}), 20000);
        QVERIFY(id.ok() && id->isInteger());
        QCOMPARE(a.claim(4).value(), RangeLeases::Claim::Taken);
        RedisConfig other;
        other.port = fairuse::testing::backends::redisPort();
        RedisClient observer(other);
        const Result<RedisReply> list =
            awaitResult(observer.command({"CLIENT", "LIST", "ID", QByteArray::number(id->integerValue())}), 20000);
        QVERIFY(list.ok());
        QVERIFY2(list->text().contains(" cmd=evalsha "), list->text().constData());
    }

    void markersAreClaimedInTheReadsPipeline() {
        // EnforcerPass claims a user's evaluation marker in the pipeline that reads the user's speech: the reading is
        // readSpeech's, the claim answers as claim() would, and a server without the script (NOSCRIPT in the
        // pipeline) is asked again on its own. On the cluster the marker and the speech keys sit on other masters.
        RedisCommands* redis = backend();
        const Result<QStringList> nodes = awaitResult(redis->keyNodes(), 20000);
        QVERIFY(nodes.ok());
        for (const QString& node : *nodes) {
            QVERIFY(awaitResult(redis->commandAt(node, {"SCRIPT", "FLUSH"}), 20000).ok());
        }
        RedisUsageStore usage(redis);
        usage.setWriteLayout(RedisUsageStore::WriteLayout::Legacy);
        const QString uid = QStringLiteral("marker-%1").arg(QRandomGenerator::global()->bounded(1 << 30));
        const TimePoint now = fairuse::testing::at("2026-12-01T12:00:00Z");
        QVERIFY(awaitResult(usage.recordSpeech(uid, now - 30min, 40'000, SpeechSource::Realtime), 20000).ok());
        QVERIFY(awaitResult(usage.recordSpeech(uid, now - 30h, 25'000, SpeechSource::Realtime), 20000).ok());
        const Result<SpeechReading> plain = awaitResult(usage.readSpeech(uid, now), 20000);
        QVERIFY(plain.ok());
        QCOMPARE(plain->totals.dailyMs, 40'000);
        QCOMPARE(plain->totals.threeDayMs, 65'000);

        const TimePoint epoch = freshEpoch();
        EvaluationMarkers a(redis, epoch, "instance-a", 30s, 600s, 20000);
        EvaluationMarkers b(redis, epoch, "instance-b", 30s, 600s, 20000);
        const auto claimWithRead = [&](EvaluationMarkers& m) -> Result<EvaluationMarkers::Claim> {
            const Result<RedisUsageStore::SpeechReadingAfter> r =
                awaitResult(usage.readSpeechAfter(m.claimCommand(uid), uid, now), 20000);
            if (!r) {
                return r.error();
            }
            if (r->reading.totals != plain->totals) {
                return Error::internal(QStringLiteral("the pipelined reading differs from readSpeech"));
            }
            return m.claimFrom(r->first, uid);
        };
        QVERIFY(claimWithRead(a).value() == EvaluationMarkers::Claim::Taken); // after NOSCRIPT, by claim()
        QVERIFY(claimWithRead(b).value() == EvaluationMarkers::Claim::Held);
        QVERIFY(claimWithRead(a).value() == EvaluationMarkers::Claim::Taken); // its holder may claim again
        QVERIFY(a.finish(uid).ok());
        QVERIFY(claimWithRead(b).value() == EvaluationMarkers::Claim::Done);
        QVERIFY(b.claim(uid).value() == EvaluationMarkers::Claim::Done);

        // An error reply to the command sent first (INCR of the sorted set: WRONGTYPE) comes back as it is; the
        // reading is unaffected.
        const Result<RedisUsageStore::SpeechReadingAfter> wrong =
            awaitResult(usage.readSpeechAfter({"INCR", RedisUsageStore::speechKey(uid)}, uid, now), 20000);
        QVERIFY(wrong.ok());
        QVERIFY(wrong->first.isError());
        QVERIFY(wrong->reading.totals == plain->totals);
        const Result<EvaluationMarkers::Claim> junk = a.claimFrom(wrong->first, uid);
        QVERIFY(!junk);
    }

    void aGoneServerIsAnError() {
        QFETCH_GLOBAL(bool, cluster);
        if (cluster) {
            return; // one server is enough to show it
        }
        RedisConfig nowhere;
        nowhere.port = 1; // nothing listens there
        nowhere.autoReconnect = false;
        nowhere.connectTimeoutMs = 1000;
        RedisClient gone(nowhere);
        RangeLeases leases(&gone, freshEpoch(), "instance", 30s, 600s, 5000);
        const Result<RangeLeases::Claim> claim = leases.claim(0);
        QVERIFY(!claim);
        QCOMPARE(claim.error().kind, ErrorKind::Unavailable);
    }
};

QTEST_GUILESS_MAIN(RangeLeasesTest)
#include "RangeLeasesTest.moc"
