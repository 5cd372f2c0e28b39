// The classifier backoff (services/enforcer/ClassifierBackoff.h): its delays, its value read strictly (junk is no
// backoff, never a crash or a wait of years), and its round trip through redis-server.
#include "RequireBackend.h"
#include "TestTime.h"

#include "common/Await.h"
#include "enforcer/ClassifierBackoff.h"
#include "redis/RedisClient.h"

#include <QTest>
#include <QUuid>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;

class ClassifierBackoffTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void delaysDoubleUpToSixHours() {
        QCOMPARE(enforcement::backoffDelayAfter(1), std::chrono::milliseconds(5min));
        QCOMPARE(enforcement::backoffDelayAfter(2), std::chrono::milliseconds(10min));
        QCOMPARE(enforcement::backoffDelayAfter(4), std::chrono::milliseconds(40min));
        QCOMPARE(enforcement::backoffDelayAfter(7), std::chrono::milliseconds(320min));
        QCOMPARE(enforcement::backoffDelayAfter(8), std::chrono::milliseconds(6h)); // 640 min, capped
        QCOMPARE(enforcement::backoffDelayAfter(1000), std::chrono::milliseconds(6h));
        QCOMPARE(enforcement::backoffDelayAfter(0), std::chrono::milliseconds(5min));
    }

    void valuesRoundTrip() {
        const enforcement::BackoffEntry e{3, fairuse::testing::at("2026-12-01T12:20:00Z")};
        QCOMPARE(enforcement::encodeBackoff(e), QByteArray("3:1796127600000"));
        const auto back = enforcement::decodeBackoff(enforcement::encodeBackoff(e));
        QVERIFY(back);
        QCOMPARE(back->failures, 3);
        QCOMPARE(back->retryAt, e.retryAt);
        QCOMPARE(ClassifierBackoff::key(QStringLiteral("u1")), QByteArray("fair_use:enforcer:classifier_backoff:u1"));
    }

    void malformedValuesAreNoBackoff_data() {
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no colon") << QByteArray("31796127600000");
        QTest::newRow("two colons") << QByteArray("3:1796127600000:1");
        QTest::newRow("no failures") << QByteArray(":1796127600000");
        QTest::newRow("no time") << QByteArray("3:");
        QTest::newRow("zero failures") << QByteArray("0:1796127600000");
        QTest::newRow("too many failures") << QByteArray("1001:1796127600000");
        QTest::newRow("negative") << QByteArray("-3:1796127600000");
        QTest::newRow("signed time") << QByteArray("3:+1796127600000");
        QTest::newRow("hex") << QByteArray("3:0x1a");
        QTest::newRow("spaces") << QByteArray(" 3:1796127600000");
        QTest::newRow("before 2000") << QByteArray("3:1000");
        QTest::newRow("after 2200") << QByteArray("3:9999999999999");
        QTest::newRow("overflow") << QByteArray("3:99999999999999999999999");
        QTest::newRow("text") << QByteArray("three:soon");
        QTest::newRow("nul") << QByteArray("3:17961276\x00"
                                           "00000",
                                           16);
    }

    void malformedValuesAreNoBackoff() {
        QFETCH(QByteArray, value);
        QVERIFY(!enforcement::decodeBackoff(value));
    }

    void failuresAreRecordedAndCleared() {
        const quint16 port = fairuse::testing::backends::redisPort();
        REQUIRE_REDIS(port);
        RedisConfig c;
        c.port = port;
        c.db = 14;
        RedisClient redis(c);
        ClassifierBackoff backoff(&redis, 20000);
        const QString uid = QStringLiteral("backoff-") + QUuid::createUuid().toString(QUuid::Id128).left(10);
        const TimePoint now = fairuse::testing::at("2026-12-01T12:00:00Z");
        QVERIFY(!backoff.read(uid).value());
        const auto first = backoff.recordFailure(uid, std::nullopt, now);
        QVERIFY(first);
        QCOMPARE(first->failures, 1);
        QCOMPARE(first->retryAt, now + 5min);
        const auto read = backoff.read(uid);
        QVERIFY(read && *read);
        QCOMPARE((*read)->retryAt, now + 5min);
        const auto second = backoff.recordFailure(uid, *read, now + 5min);
        QVERIFY(second);
        QCOMPARE(second->retryAt, now + 15min);
        const auto ttl = awaitResult(redis.command({"TTL", ClassifierBackoff::key(uid)}));
        QVERIFY(ttl && ttl->integerValue() > 86000 && ttl->integerValue() <= 86400);
        QVERIFY(backoff.clear(uid));
        QVERIFY(!backoff.read(uid).value());
        // Junk in the key (another writer, a bug) is no backoff; the next failure overwrites it.
        QVERIFY(awaitResult(redis.command({"SET", ClassifierBackoff::key(uid), "garbage"})));
        QVERIFY(!backoff.read(uid).value());
        QCOMPARE(backoff.recordFailure(uid, std::nullopt, now)->failures, 1);
        QVERIFY(backoff.clear(uid));
    }
};

QTEST_GUILESS_MAIN(ClassifierBackoffTest)
#include "ClassifierBackoffTest.moc"
