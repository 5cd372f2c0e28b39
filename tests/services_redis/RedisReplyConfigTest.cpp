// Parsers of services/redis without a server: Redis URLs and strict integers in replies.
#include "redis/RedisClient.h"
#include "redis/RedisConfig.h"
#include "redis/RedisReply.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::services;

class RedisReplyConfigTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesUrls_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("db");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("tls");

        QTest::newRow("plain") << "redis://localhost" << true << "localhost" << 6379 << 0 << ""
                               << "" << false;
        QTest::newRow("port and db") << "redis://10.1.2.3:6380/4" << true << "10.1.2.3" << 6380 << 4 << ""
                                     << "" << false;
        QTest::newRow("password only") << "redis://:s3cret@host:1234" << true << "host" << 1234 << 0 << ""
                                       << "s3cret" << false;
        QTest::newRow("acl user") << "redis://alice:pw@host/2" << true << "host" << 6379 << 2 << "alice"
                                  << "pw" << false;
        QTest::newRow("tls") << "rediss://h.example:6390" << true << "h.example" << 6390 << 0 << ""
                             << "" << true;
        QTest::newRow("percent-encoded password") << "redis://:p%40ss%3Aword@h" << true << "h" << 6379 << 0 << ""
                                                  << "p@ss:word" << false;
        QTest::newRow("ipv6") << "redis://[::1]:7000/1" << true << "::1" << 7000 << 1 << ""
                              << "" << false;
        QTest::newRow("trailing slash") << "redis://h/" << true << "h" << 6379 << 0 << ""
                                        << "" << false;
        QTest::newRow("wrong scheme") << "http://h" << false << "" << 0 << 0 << ""
                                      << "" << false;
        QTest::newRow("no scheme") << "localhost:6379" << false << "" << 0 << 0 << ""
                                   << "" << false;
        QTest::newRow("no host") << "redis://" << false << "" << 0 << 0 << ""
                                 << "" << false;
        QTest::newRow("db not a number") << "redis://h/zero" << false << "" << 0 << 0 << ""
                                         << "" << false;
        QTest::newRow("negative db") << "redis://h/-1" << false << "" << 0 << 0 << ""
                                     << "" << false;
        QTest::newRow("db with path") << "redis://h/1/2" << false << "" << 0 << 0 << ""
                                      << "" << false;
        QTest::newRow("empty") << "" << false << "" << 0 << 0 << ""
                               << "" << false;
        QTest::newRow("junk") << "redis://:pw@h:notaport" << false << "" << 0 << 0 << ""
                              << "" << false;
    }

    void parsesUrls() {
        QFETCH(QString, url);
        QFETCH(bool, ok);
        const Result<RedisConfig> c = RedisConfig::fromUrl(url);
        QCOMPARE(c.ok(), ok);
        if (!ok) {
            QCOMPARE(c.error().kind, ErrorKind::Invalid);
            // An error message must never repeat a password.
            QVERIFY(!c.error().message.contains(QLatin1String("pw")));
            return;
        }
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(int, db);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(bool, tls);
        QCOMPARE(c->host, host);
        QCOMPARE(int(c->port), port);
        QCOMPARE(c->db, db);
        QCOMPARE(c->user, user);
        QCOMPARE(c->password, password);
        QCOMPARE(c->tls, tls);
    }

    void redactsPassword() {
        const Result<RedisConfig> c = RedisConfig::fromUrl(QStringLiteral("rediss://alice:topsecret@h:7/3"));
        QVERIFY(c.ok());
        const QString shown = c->redactedUrl();
        QVERIFY(!shown.contains(QLatin1String("topsecret")));
        QCOMPARE(shown, QStringLiteral("rediss://alice:***@h:7/3"));
        const Result<RedisConfig> plain = RedisConfig::fromUrl(QStringLiteral("redis://h"));
        QCOMPARE(plain->redactedUrl(), QStringLiteral("redis://h:6379/0"));
    }

    void strictIntegers_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<qint64>("value");
        QTest::newRow("zero") << QByteArray("0") << true << qint64(0);
        QTest::newRow("positive") << QByteArray("60000") << true << qint64(60000);
        QTest::newRow("negative") << QByteArray("-5") << true << qint64(-5);
        QTest::newRow("max") << QByteArray("9223372036854775807") << true << std::numeric_limits<qint64>::max();
        QTest::newRow("min") << QByteArray("-9223372036854775808") << true << std::numeric_limits<qint64>::min();
        QTest::newRow("overflow") << QByteArray("9223372036854775808") << false << qint64(0);
        QTest::newRow("underflow") << QByteArray("-9223372036854775809") << false << qint64(0);
        QTest::newRow("empty") << QByteArray("") << false << qint64(0);
        QTest::newRow("minus alone") << QByteArray("-") << false << qint64(0);
        QTest::newRow("plus") << QByteArray("+5") << false << qint64(0);
        QTest::newRow("fraction") << QByteArray("1.5") << false << qint64(0);
        QTest::newRow("space") << QByteArray(" 7") << false << qint64(0);
        QTest::newRow("suffix") << QByteArray("12abc") << false << qint64(0);
        QTest::newRow("hex") << QByteArray("0x10") << false << qint64(0);
        QTest::newRow("nul inside") << QByteArray("1\0002", 3) << false << qint64(0);
    }

    void strictIntegers() {
        QFETCH(QByteArray, text);
        QFETCH(bool, ok);
        QFETCH(qint64, value);
        const std::optional<std::int64_t> v = parseStrictInt64(text);
        QCOMPARE(v.has_value(), ok);
        if (ok) {
            QCOMPARE(qint64(*v), value);
        }
        QCOMPARE(RedisReply::string(text).toInteger(), v);
        QVERIFY(!RedisReply::error(text).toInteger().has_value());
    }

    void backoffDoublesCapsAndJitters_data() {
        QTest::addColumn<int>("attempt");
        QTest::addColumn<double>("jitter");
        QTest::addColumn<int>("expected");
        // initial 100 ms, cap 5000 ms
        QTest::newRow("first, no jitter") << 0 << 1.0 << 100;
        QTest::newRow("first, most jitter") << 0 << 0.0 << 50;
        QTest::newRow("third doubles twice") << 2 << 1.0 << 400;
        QTest::newRow("capped") << 6 << 1.0 << 5000;
        QTest::newRow("capped, half") << 40 << 0.0 << 2500;
        QTest::newRow("huge attempt does not overflow") << 1000000 << 1.0 << 5000;
        QTest::newRow("jitter out of range is clamped") << 1 << 7.0 << 200;
    }

    void backoffDoublesCapsAndJitters() {
        QFETCH(int, attempt);
        QFETCH(double, jitter);
        QFETCH(int, expected);
        QCOMPARE(RedisClient::backoffDelayMs(attempt, 100, 5000, jitter), expected);
    }

    void replyHelpers() {
        QCOMPARE(RedisReply::integer(42).toInteger(), std::optional<std::int64_t>(42));
        QVERIFY(!RedisReply::nil().toInteger().has_value());
        QCOMPARE(RedisReply::error("WRONGPASS invalid username-password pair").errorCode(), QByteArray("WRONGPASS"));
        QCOMPARE(RedisReply::error("NOSCRIPT").errorCode(), QByteArray("NOSCRIPT"));
        QVERIFY(RedisReply::string("x").errorCode().isEmpty());
    }

    void errorRepliesMapToKinds_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("kind");
        const auto permission = static_cast<int>(ErrorKind::Permission);
        QTest::newRow("ACL command") << QByteArray("NOPERM this user has no permissions to run the 'hincrby' command")
                                     << permission;
        QTest::newRow("ACL key") << QByteArray("NOPERM this user has no permissions to access one of the keys used "
                                               "as arguments")
                                 << permission;
        QTest::newRow("ACL inside a script")
            << QByteArray("ERR The user executing the script can't run this command or subcommand script: 5fa8, on "
                          "@user_script:1.")
            << permission;
        QTest::newRow("no auth") << QByteArray("NOAUTH Authentication required.") << permission;
        QTest::newRow("wrong password") << QByteArray("WRONGPASS invalid username-password pair or user is disabled.")
                                        << permission;
        QTest::newRow("wrong type") << QByteArray("WRONGTYPE Operation against a key holding the wrong kind of value")
                                    << static_cast<int>(ErrorKind::Invalid);
        QTest::newRow("out of memory") << QByteArray("OOM command not allowed when used memory > 'maxmemory'.")
                                       << static_cast<int>(ErrorKind::Internal);
        QTest::newRow("plain ERR") << QByteArray("ERR unknown command 'FOO'") << static_cast<int>(ErrorKind::Internal);
        QTest::newRow("NOPERM as a word later")
            << QByteArray("ERR value is NOPERM") << static_cast<int>(ErrorKind::Internal);
    }

    void errorRepliesMapToKinds() {
        QFETCH(QByteArray, text);
        QFETCH(int, kind);
        const RedisReply reply = RedisReply::error(text);
        QCOMPARE(static_cast<int>(RedisClient::replyErrorKind(reply)), kind);

        RedisConfig config;
        config.host = QStringLiteral("redis.internal");
        config.user = QStringLiteral("fairuse-reviewer");
        config.password = QStringLiteral("hunter2-secret");
        config.tls = true;
        RedisClient client(config);
        const Error e = client.replyError(reply, QStringLiteral("read fair_use:bucket:u1"));
        QCOMPARE(static_cast<int>(e.kind), kind);
        QVERIFY2(e.message.startsWith(QLatin1String("Redis at rediss://fairuse-reviewer:***@redis.internal:6379/0 "
                                                    "refused to read fair_use:bucket:u1")),
                 qPrintable(e.message));
        QVERIFY(e.message.contains(QString::fromUtf8(text)));
        QVERIFY(!e.message.contains(QLatin1String("hunter2")));
        if (text.startsWith("NOPERM")) {
            QVERIFY2(e.message.contains(QLatin1String("\"fairuse-reviewer\"")), qPrintable(e.message));
        }
    }

    void loopbackHosts_data() {
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("loopback");
        QTest::newRow("127.0.0.1") << "127.0.0.1" << true;
        QTest::newRow("127.1.2.3") << "127.1.2.3" << true;
        QTest::newRow("localhost") << "localhost" << true;
        QTest::newRow("LOCALHOST") << "LOCALHOST" << true;
        QTest::newRow("::1") << "::1" << true;
        QTest::newRow("[::1]") << "[::1]" << true;
        QTest::newRow("0.0.0.0") << "0.0.0.0" << false;
        QTest::newRow("10.0.0.5") << "10.0.0.5" << false;
        QTest::newRow("localhost.evil.example") << "localhost.evil.example" << false;
        QTest::newRow("redis.internal") << "redis.internal" << false;
        QTest::newRow("empty") << "" << false;
    }

    void loopbackHosts() {
        QFETCH(QString, host);
        QFETCH(bool, loopback);
        RedisConfig c;
        c.host = host;
        QCOMPARE(c.isLoopback(), loopback);
    }
};

QTEST_GUILESS_MAIN(RedisReplyConfigTest)
#include "RedisReplyConfigTest.moc"
