// `fairuse usage` as a user runs it: the built executable against the fixture's redis-server.
#include "RedisTestSupport.h"

#include "metering/Metering.h"
#include "redis/RedisUsageStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTcpServer>

#include <map>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliRun runCli(const QStringList& args, const QString& password = QString()) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("FAIRUSE_REDIS_PASSWORD"));
    if (!password.isNull()) {
        env.insert(QStringLiteral("FAIRUSE_REDIS_PASSWORD"), password);
    }
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("FAIRUSE_CLI"), QStringList{QStringLiteral("usage")} + args);
    CliRun r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

const QString kNow = QStringLiteral("2026-03-20T10:15:30Z");

} // namespace

class UsageCommandTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_CLI")), "FAIRUSE_CLI does not name the built fairuse");
        m_port = fixturePort(QStringLiteral("redis"));
        m_authPort = fixturePort(QStringLiteral("redis-auth"));
        REQUIRE_REDIS(m_port);
        REQUIRE_REDIS(m_authPort);
    }

    void printsTotalsCapsAndSkippedValues_data() {
        QTest::addColumn<QString>("plan");
        QTest::addColumn<QStringList>("capsHit");
        QTest::newRow("basic") << QStringLiteral("basic") << QStringList{QStringLiteral("daily")};
        QTest::newRow("unlimited") << QStringLiteral("unlimited") << QStringList{};
    }

    void printsTotalsCapsAndSkippedValues() {
        QFETCH(QString, plan);
        QFETCH(QStringList, capsHit);
        const TimePoint now = parseRfc3339(kNow).value();
        RedisClient client(localConfig(m_port));
        RedisUsageStore store(&client);
        const QString uid = uniqueUid(QStringLiteral("cli"));
        std::map<std::int64_t, std::int64_t> buckets;
        // 3 h in the last day (over the basic 2 h cap, under the unlimited 4 h), 1 h two days ago.
        QList<QFuture<Result<bool>>> writes;
        for (int m = 1; m <= 180; ++m) {
            const TimePoint t = now - std::chrono::minutes(m);
            writes.append(store.recordSpeech(uid, t, 60'000, SpeechSource::Realtime));
            buckets[unixMinute(t)] += 60'000;
        }
        for (int m = 0; m < 60; ++m) {
            const TimePoint t = now - std::chrono::hours(48) - std::chrono::minutes(m);
            writes.append(store.recordSpeech(uid, t, 60'000, SpeechSource::Realtime));
            buckets[unixMinute(t)] += 60'000;
        }
        for (const auto& w : writes) {
            QVERIFY(awaitResult(w).ok());
        }
        // Two junk values the command must skip and report.
        QVERIFY(run(client, {"HSET", RedisUsageStore::bucketKey(uid), "29000000", "x"}).ok());
        QVERIFY(run(client, {"ZADD", RedisUsageStore::speechKey(uid), QByteArray::number((unixMinute(now) - 5) * 60),
                             "not-a-minute"})
                    .ok());
        QVERIFY(run(client, {"ZADD", RedisUsageStore::speechKey(uid), QByteArray::number((unixMinute(now) - 7) * 60),
                             "29000000"})
                    .ok());

        const CliRun r = runCli({QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1").arg(m_port),
                                 QStringLiteral("--uid"), uid, QStringLiteral("--now"), kNow, QStringLiteral("--plan"),
                                 plan, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonParseError error{};
        const QJsonObject o = QJsonDocument::fromJson(r.out, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, r.out.constData());
        const SpeechTotals expected = metering::sumWindows(buckets, now);
        QCOMPARE(o.value(QStringLiteral("uid")).toString(), uid);
        QCOMPARE(o.value(QStringLiteral("daily_ms")).toInteger(), expected.dailyMs);
        QCOMPARE(o.value(QStringLiteral("three_day_ms")).toInteger(), expected.threeDayMs);
        QCOMPARE(o.value(QStringLiteral("weekly_ms")).toInteger(), expected.weeklyMs);
        QCOMPARE(o.value(QStringLiteral("skipped_values")).toInt(), 2);
        QStringList hit;
        for (const QJsonValue& v : o.value(QStringLiteral("caps_hit")).toArray()) {
            hit << v.toString();
        }
        QCOMPARE(hit, capsHit);
        QCOMPARE(o.keys().size(), 6);
    }

    void passwordFromEnvironment() {
        const QStringList args{QStringLiteral("--redis"), QStringLiteral("redis://alice@127.0.0.1:%1").arg(m_authPort),
                               QStringLiteral("--uid"), QStringLiteral("someone"), QStringLiteral("--json")};
        const CliRun good = runCli(args, kAlicePassword);
        QVERIFY2(good.exitCode == 0, good.err.constData());
        QVERIFY(!good.err.contains(kAlicePassword.toUtf8()));

        const CliRun wrong = runCli(args, QStringLiteral("not-the-password"));
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY(wrong.out.isEmpty());
        QVERIFY(wrong.err.contains("refused the credentials"));
        QVERIFY(!wrong.err.contains("not-the-password"));

        const CliRun none = runCli(args);
        QCOMPARE(none.exitCode, 1); // NOAUTH: the server refuses to answer without a password
    }

    void redisDownIsExitCodeOne() {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 closed = probe.serverPort();
        probe.close();
        const CliRun r = runCli({QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1").arg(closed),
                                 QStringLiteral("--uid"), QStringLiteral("u"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains("could not connect to Redis"), r.err.constData());
    }

    void badArgumentsAreExitCodeTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no redis") << QStringList{QStringLiteral("--uid"), QStringLiteral("u")};
        QTest::newRow("no uid") << QStringList{QStringLiteral("--redis"), QStringLiteral("redis://h")};
        QTest::newRow("bad url") << QStringList{QStringLiteral("--redis"), QStringLiteral("http://h"),
                                                QStringLiteral("--uid"), QStringLiteral("u")};
        QTest::newRow("bad now") << QStringList{QStringLiteral("--redis"), QStringLiteral("redis://h"),
                                                QStringLiteral("--uid"),   QStringLiteral("u"),
                                                QStringLiteral("--now"),   QStringLiteral("yesterday")};
        QTest::newRow("bad plan") << QStringList{QStringLiteral("--redis"), QStringLiteral("redis://h"),
                                                 QStringLiteral("--uid"),   QStringLiteral("u"),
                                                 QStringLiteral("--plan"),  QStringLiteral("gold")};
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")};
        QTest::newRow("missing value") << QStringList{QStringLiteral("--redis")};
    }

    void badArgumentsAreExitCodeTwo() {
        QFETCH(QStringList, args);
        const CliRun r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY(!r.err.isEmpty());
    }

    void plainRedisToAnotherMachineNeedsTheOptOut() {
        const CliRun refused = runCli({QStringLiteral("--redis"), QStringLiteral("redis://redis.internal:6379/0"),
                                       QStringLiteral("--uid"), QStringLiteral("u")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY(refused.out.isEmpty());
        QVERIFY2(refused.err.contains("clear text") && refused.err.contains("--allow-plaintext-redis"),
                 refused.err.constData());

        // With the opt-out the command goes on and connects (0.0.0.0 is not loopback, yet reaches no server here).
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 closed = probe.serverPort();
        probe.close();
        const CliRun allowed =
            runCli({QStringLiteral("--redis"), QStringLiteral("redis://0.0.0.0:%1/0").arg(closed),
                    QStringLiteral("--uid"), QStringLiteral("u"), QStringLiteral("--allow-plaintext-redis")});
        QCOMPARE(allowed.exitCode, 1);
        QVERIFY2(allowed.err.contains("could not connect to Redis"), allowed.err.constData());
    }

    void helpDocumentsThePasswordVariable() {
        const CliRun r = runCli({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("FAIRUSE_REDIS_PASSWORD"));
    }

private:
    quint16 m_port = 0;
    quint16 m_authPort = 0;
};

QTEST_GUILESS_MAIN(UsageCommandTest)
#include "UsageCommandTest.moc"
