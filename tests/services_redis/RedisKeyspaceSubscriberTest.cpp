// Keyspace notifications of the bucket keys (RedisKeyspaceSubscriber): pushes decoded strictly (every malformed shape
// refused, never a crash); on a redis-server of the test's own, writes to both bucket layouts are emitted as their
// users and nothing else is, a junk push on a subscribed channel is counted and the connection kept, a connection
// killed by the server (CLIENT KILL TYPE pubsub) is reported lost and subscribed again; a server with notifications
// off gets a warning; on the Redis Cluster fixture, every master's keys are heard.

#include "RedisTestSupport.h"

#include "redis/ClusterSlots.h"
#include "redis/RedisCluster.h"
#include "redis/RedisKeyspaceSubscriber.h"
#include "redis/SpeechBuckets.h"

#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

constexpr int kDb = 3;
constexpr int kWaitMs = 20000;

RedisReply s(const char* text) {
    return RedisReply::string(text);
}

RedisReply pmessage(const char* channel, const char* event) {
    return RedisReply::array({s("pmessage"), s("__keyspace@3__:fair_use:bucket:*"), s(channel), s(event)});
}

} // namespace

class RedisKeyspaceSubscriberTest : public QObject {
    Q_OBJECT

    PrivateRedis m_server{QStringLiteral("redis-keyspace")};

    RedisConfig config() const {
        RedisConfig c = localConfig(m_server.port());
        c.db = kDb;
        return c;
    }

    /** Starts the test's own server on first use (REQUIRE_BACKEND before it). */
    bool ensureServer() { return m_server.port() != 0 || m_server.start(); }

    /** The malformed pushes and the part of the error each must name. */
    static QList<std::pair<RedisReply, QString>> malformedPushes() {
        const RedisReply pattern = s("__keyspace@3__:fair_use:bucket:*");
        const RedisReply channel = s("__keyspace@3__:fair_use:bucket:u1");
        const QString notArray = QStringLiteral("not an array");
        const QString four = QStringLiteral("four strings");
        const QString noDb = QStringLiteral("no database");
        const QString notEvent = QStringLiteral("not an event name");
        const QString confirmation = QStringLiteral("not [kind, pattern, count]");
        return {
            {RedisReply::nil(), notArray},
            {s("pmessage"), notArray},
            {RedisReply::array({}), notArray},
            {RedisReply::array({RedisReply::integer(1), pattern, channel, s("hset")}), notArray},
            {RedisReply::array({s("message"), channel, s("hset")}), QStringLiteral("unexpected kind")},
            {RedisReply::array({s("pmessage"), pattern, channel}), four},
            {RedisReply::array({s("pmessage"), pattern, channel, s("hset"), s("x")}), four},
            {RedisReply::array({s("pmessage"), pattern, channel, RedisReply::integer(7)}), four},
            {RedisReply::array({s("pmessage"), pattern, RedisReply::array({channel}), s("hset")}), four},
            {RedisReply::array({s("pmessage"), pattern, RedisReply::status("__keyspace@3__:k"), s("hset")}), four},
            {pmessage("__keyevent@3__:hset", "fair_use:bucket:u1"), QStringLiteral("not a keyspace channel")},
            {pmessage("__keyspace@__:fair_use:bucket:u1", "hset"), noDb},
            {pmessage("__keyspace@x3__:fair_use:bucket:u1", "hset"), noDb},
            {pmessage("__keyspace@-1__:fair_use:bucket:u1", "hset"), noDb},
            {pmessage("__keyspace@99999999999999999999__:k", "hset"), noDb},
            {pmessage("__keyspace@3", "hset"), noDb},
            {pmessage("__keyspace@3__:", "hset"), QStringLiteral("names no key")},
            {pmessage("__keyspace@3__:fair_use:bucket:u1", ""), notEvent},
            {pmessage("__keyspace@3__:fair_use:bucket:u1", "HSET now!"), notEvent},
            {RedisReply::array({s("psubscribe"), pattern}), confirmation},
            {RedisReply::array({s("psubscribe"), pattern, RedisReply::integer(-1)}), confirmation},
            {RedisReply::array({s("psubscribe"), pattern, s("1")}), confirmation},
        };
    }

private Q_SLOTS:
    void decodesEvents() {
        const Result<KeyspacePush> v1 = decodeKeyspacePush(pmessage("__keyspace@3__:fair_use:bucket:u1", "hincrby"));
        QVERIFY2(v1.ok(), qPrintable(v1.ok() ? QString() : v1.error().message));
        QVERIFY(v1->kind == KeyspacePush::Kind::Event);
        QCOMPARE(v1->db, 3);
        QCOMPARE(v1->key, QByteArray("fair_use:bucket:u1"));
        QCOMPARE(v1->event, QByteArray("hincrby"));
        QCOMPARE(uidOfBucketKey(v1->key), QStringLiteral("u1"));

        const Result<KeyspacePush> v2 =
            decodeKeyspacePush(pmessage("__keyspace@12__:fair_use:v2:bucket:realtime:u:2", "hset"));
        QVERIFY(v2.ok());
        QCOMPARE(v2->db, 12);
        QCOMPARE(uidOfBucketKey(v2->key), QStringLiteral("u:2"));

        const Result<KeyspacePush> confirmation =
            decodeKeyspacePush(RedisReply::array({s("psubscribe"), s("__keyspace@3__:x*"), RedisReply::integer(2)}));
        QVERIFY(confirmation.ok());
        QVERIFY(confirmation->kind == KeyspacePush::Kind::Subscribed);
        QCOMPARE(confirmation->subscriptions, std::int64_t{2});

        QVERIFY(isBucketWriteEvent("hincrby"));
        QVERIFY(isBucketWriteEvent("hset"));
        QVERIFY(!isBucketWriteEvent("expire"));
        QVERIFY(!isBucketWriteEvent("del"));
        QVERIFY(!isBucketWriteEvent("expired"));
    }

    void refusesMalformedPushes_data() {
        QTest::addColumn<int>("index");
        const auto pushes = malformedPushes();
        for (int i = 0; i < pushes.size(); ++i) {
            QTest::addRow("%d: %s", i, qPrintable(pushes.at(i).second)) << i;
        }
    }

    void refusesMalformedPushes() {
        QFETCH(int, index);
        const auto [push, why] = malformedPushes().at(index);
        const Result<KeyspacePush> decoded = decodeKeyspacePush(push);
        QVERIFY(!decoded.ok());
        QVERIFY(decoded.error().kind == ErrorKind::Invalid);
        QVERIFY2(decoded.error().message.contains(why), qPrintable(decoded.error().message));
    }

    void hearsBucketWritesOnOneServer() {
        REQUIRE_BACKEND(backends::kRedisServer, backends::redisServerInstalled(), backends::kRedisHow);
        QVERIFY2(ensureServer(), qPrintable(m_server.log));
        RedisClient admin(config());
        QVERIFY(run(admin, {"CONFIG", "SET", "notify-keyspace-events", "KA"}).ok());
        RedisKeyspaceSubscriber subscriber;
        QStringList heard;
        connect(&subscriber, &RedisKeyspaceSubscriber::bucketWritten, this,
                [&heard](const QString& uid) { heard.append(uid); });
        QSignalSpy subscribed(&subscriber, &RedisKeyspaceSubscriber::subscribed);
        subscriber.setNodes({config()});
        QVERIFY(subscribed.wait(kWaitMs));
        QCOMPARE(subscribed.first().first().toString(), QStringLiteral("127.0.0.1:%1").arg(m_server.port()));

        RedisConfig otherDb = config();
        otherDb.db = kDb + 1;
        RedisClient other(otherDb);
        QVERIFY(run(admin, {"HINCRBY", "fair_use:bucket:u1", "29000000", "1000"}).ok());
        QVERIFY(run(admin, {"EXPIRE", "fair_use:bucket:u1", "691200"}).ok());                // not a write of speech
        QVERIFY(run(admin, {"ZADD", "fair_use:speech:u1", "1", "29000000"}).ok());           // not a bucket key
        QVERIFY(run(other, {"HINCRBY", "fair_use:bucket:elsewhere", "29000000", "1"}).ok()); // another database
        QVERIFY(run(admin, {"HINCRBY", "fair_use:v2:bucket:realtime:u2", "29000000", "500"}).ok());
        QVERIFY(run(admin, {"HINCRBY", "fair_use:v2:bucket:bogus:u3", "29000000", "500"}).ok()); // no user in it
        QVERIFY(run(admin, {"HSET", "fair_use:v2:bucket:sync_fresh:u4", "29000000", "500"}).ok());
        QVERIFY(run(admin, {"DEL", "fair_use:bucket:u1"}).ok());
        // A junk push on a subscribed channel: counted, logged, the connection kept.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not a keyspace notification")));
        QVERIFY(run(admin, {"PUBLISH", "__keyspace@3__:fair_use:bucket:x", "NOT AN EVENT!"}).ok());
        QVERIFY(run(admin, {"HINCRBY", "fair_use:bucket:last", "29000000", "1"}).ok());
        // One connection delivers in order: once "last" is heard, everything before it was.
        QTRY_VERIFY_WITH_TIMEOUT(heard.contains(QStringLiteral("last")), kWaitMs);
        QCOMPARE(heard, (QStringList{QStringLiteral("u1"), QStringLiteral("u2"), QStringLiteral("u4"),
                                     QStringLiteral("last")}));
        QCOMPARE(subscriber.malformed(), std::int64_t{1});
        // hincrby, expire, hincrby (u2), hincrby (bogus), hset, del, hincrby (last): everything well-formed counts.
        QCOMPARE(subscriber.notifications(), std::int64_t{7});
        QCOMPARE(subscriber.reconnects(), std::int64_t{0});
        QVERIFY(run(admin, {"CONFIG", "SET", "notify-keyspace-events", ""}).ok());
    }

    void resubscribesAfterTheConnectionIsKilled() {
        REQUIRE_BACKEND(backends::kRedisServer, backends::redisServerInstalled(), backends::kRedisHow);
        QVERIFY2(ensureServer(), qPrintable(m_server.log));
        RedisClient admin(config());
        QVERIFY(run(admin, {"CONFIG", "SET", "notify-keyspace-events", "Kh"}).ok());
        RedisKeyspaceSubscriber::Options options;
        options.reconnectInitialMs = 50;
        RedisKeyspaceSubscriber subscriber(options);
        QStringList heard;
        connect(&subscriber, &RedisKeyspaceSubscriber::bucketWritten, this,
                [&heard](const QString& uid) { heard.append(uid); });
        QSignalSpy subscribed(&subscriber, &RedisKeyspaceSubscriber::subscribed);
        QSignalSpy lost(&subscriber, &RedisKeyspaceSubscriber::notificationsLost);
        subscriber.setNodes({config()});
        QVERIFY(subscribed.wait(kWaitMs));

        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("lost the connection to Redis")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("bucket-key notifications from .* lost")));
        const Result<RedisReply> killed = run(admin, {"CLIENT", "KILL", "TYPE", "pubsub"});
        QVERIFY(killed.ok() && killed->integerValue() == 1);
        QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 2, kWaitMs);
        QCOMPARE(subscriber.reconnects(), std::int64_t{1});
        QCOMPARE(subscriber.losses(), std::int64_t{1});
        QVERIFY(run(admin, {"HINCRBY", "fair_use:bucket:after", "29000000", "1"}).ok());
        QTRY_VERIFY_WITH_TIMEOUT(heard == QStringList{QStringLiteral("after")}, kWaitMs);
        QVERIFY(run(admin, {"CONFIG", "SET", "notify-keyspace-events", ""}).ok());
    }

    void warnsWhenNotificationsAreOff() {
        REQUIRE_BACKEND(backends::kRedisServer, backends::redisServerInstalled(), backends::kRedisHow);
        QVERIFY2(ensureServer(), qPrintable(m_server.log));
        RedisClient admin(config());
        QVERIFY(run(admin, {"CONFIG", "SET", "notify-keyspace-events", "Kg"}).ok()); // no hash events
        RedisKeyspaceSubscriber subscriber;
        QSignalSpy subscribed(&subscriber, &RedisKeyspaceSubscriber::subscribed);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("keyspace notifications for hash keys are off.*scan "
                                                               "alone will find users")));
        subscriber.setNodes({config()});
        QVERIFY(subscribed.wait(kWaitMs));
        QCOMPARE(subscriber.subscribedNodes(), QStringList{QStringLiteral("127.0.0.1:%1").arg(m_server.port())});
        QVERIFY(run(admin, {"CONFIG", "SET", "notify-keyspace-events", ""}).ok());
    }

    void hearsEveryMasterOfTheCluster() {
        const QList<quint16> ports = backends::redisClusterPorts();
        REQUIRE_REDIS(ports.value(0));
        RedisConfig seed = localConfig(ports.first());
        RedisClusterClient cluster(seed);
        QVERIFY(waitForRedis(cluster.refresh()).ok());
        const QList<ClusterNode> masters = cluster.masters();
        QCOMPARE(masters.size(), 3);
        for (const quint16 port : ports) { // replicas too: one may be promoted meanwhile
            RedisClient node(localConfig(port));
            QVERIFY(run(node, {"CONFIG", "SET", "notify-keyspace-events", "Kh"}).ok());
        }
        QList<RedisConfig> nodes;
        for (const ClusterNode& m : masters) {
            RedisConfig c = seed;
            c.host = m.host;
            c.port = m.port;
            nodes.append(c);
        }
        RedisKeyspaceSubscriber subscriber;
        QSet<QString> heard;
        connect(&subscriber, &RedisKeyspaceSubscriber::bucketWritten, this,
                [&heard](const QString& uid) { heard.insert(uid); });
        QSignalSpy subscribed(&subscriber, &RedisKeyspaceSubscriber::subscribed);
        subscriber.setNodes(nodes);
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 3, kWaitMs);

        // One user per master at least: uids whose slots each master serves.
        const QString prefix = uniqueUid(QStringLiteral("ks"));
        QSet<QString> written;
        QSet<QString> mastersHit;
        for (int i = 0; mastersHit.size() < 3 && i < 1000; ++i) {
            const QString uid = QStringLiteral("%1-%2").arg(prefix).arg(i);
            const QByteArray key = "fair_use:v2:bucket:realtime:" + uid.toUtf8();
            const std::optional<ClusterNode> master = cluster.masterOf(keySlot(key));
            QVERIFY(master.has_value());
            if (mastersHit.contains(master->address())) {
                continue;
            }
            mastersHit.insert(master->address());
            QVERIFY(waitForRedis(cluster.command({"HINCRBY", key, "29000000", "1"})).ok());
            written.insert(uid);
        }
        QCOMPARE(mastersHit.size(), 3);
        QTRY_COMPARE_WITH_TIMEOUT(heard, written, kWaitMs);
        for (const quint16 port : ports) {
            RedisClient node(localConfig(port));
            QVERIFY(run(node, {"CONFIG", "SET", "notify-keyspace-events", ""}).ok());
        }
        for (const QString& uid : written) {
            QVERIFY(waitForRedis(cluster.command({"DEL", "fair_use:v2:bucket:realtime:" + uid.toUtf8()})).ok());
        }
    }

    void cleanupTestCase() { m_server.stop(); }
};

QTEST_GUILESS_MAIN(RedisKeyspaceSubscriberTest)
#include "RedisKeyspaceSubscriberTest.moc"
