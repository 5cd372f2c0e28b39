// RedisClient against real redis-server instances: commands, pipelining, AUTH, SELECT, failures and reconnects.
#include "RedisTestSupport.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

/** Waits until the future is finished, running the event loop (no timing is asserted). */
template <typename T>
T awaitValue(const QFuture<T>& f) {
    if (!await(f, 60000)) {
        qFatal("future did not finish");
    }
    return f.result();
}

bool waitForState(RedisClient& client, RedisClient::State wanted, int timeoutMs = 30000) {
    QSignalSpy spy(&client, &RedisClient::connectionStateChanged);
    QDeadlineTimer deadline(timeoutMs);
    while (client.state() != wanted && !deadline.hasExpired()) {
        spy.wait(200);
    }
    return client.state() == wanted;
}

} // namespace

class RedisClientTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        m_port = fixturePort(QStringLiteral("redis"));
        m_authPort = fixturePort(QStringLiteral("redis-auth"));
        REQUIRE_REDIS(m_port);
        REQUIRE_REDIS(m_authPort);
    }

    void commandsAndReplyTypes() {
        RedisClient client(localConfig(m_port));
        const QByteArray key = uniqueUid(QStringLiteral("k")).toUtf8();
        Result<RedisReply> r = run(client, {"SET", key, QByteArray("bin\0ary\r\n", 9)});
        QVERIFY(r.ok());
        QVERIFY(r->isStatus());
        QCOMPARE(r->text(), QByteArray("OK"));
        r = run(client, {"GET", key});
        QVERIFY(r->isString());
        QCOMPARE(r->text(), QByteArray("bin\0ary\r\n", 9)); // binary-safe both ways
        r = run(client, {"INCRBY", key + ":n", "41"});
        QVERIFY(r->isInteger());
        QCOMPARE(r->integerValue(), 41);
        r = run(client, {"GET", key + ":missing"});
        QVERIFY(r->isNil());
        QVERIFY(run(client, {"RPUSH", key + ":l", "a", "b"}).ok());
        r = run(client, {"LRANGE", key + ":l", "0", "-1"});
        QVERIFY(r->isArray());
        QCOMPARE(r->elements().size(), 2);
        QCOMPARE(r->elements()[1].text(), QByteArray("b"));
        // A Redis error is a delivered reply, not a transport failure.
        r = run(client, {"INCR", key + ":l"});
        QVERIFY(r.ok());
        QVERIFY(r->isError());
        QCOMPARE(r->errorCode(), QByteArray("WRONGTYPE"));
        r = run(client, {"NOSUCHCOMMAND"});
        QVERIFY(r.ok());
        QVERIFY(r->isError());
        QVERIFY(run(client, {"DEL", key, key + ":n", key + ":l"}).ok());
    }

    void emptyCommandIsInvalid() {
        RedisClient client(localConfig(m_port));
        const Result<RedisReply> r = run(client, {});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
    }

    void manyCommandsInFlightKeepOrder() {
        RedisClient client(localConfig(m_port));
        const QByteArray key = uniqueUid(QStringLiteral("order")).toUtf8();
        // Fire 500 commands without waiting: replies must come back matched to their own command.
        QList<QFuture<Result<RedisReply>>> futures;
        for (int i = 1; i <= 500; ++i) {
            futures.append(client.command({"INCRBY", key, "1"}));
        }
        for (int i = 0; i < futures.size(); ++i) {
            const Result<RedisReply> r = awaitValue(futures[i]);
            QVERIFY(r.ok());
            QCOMPARE(r->integerValue(), i + 1);
        }
        QVERIFY(run(client, {"DEL", key}).ok());
    }

    void pipelineReturnsRepliesInOrder() {
        RedisClient client(localConfig(m_port));
        const QByteArray key = uniqueUid(QStringLiteral("pipe")).toUtf8();
        QList<QList<QByteArray>> cmds{{"SET", key, "7"}, {"INCR", key}, {"HGET", key, "f"}, {"GET", key}, {"DEL", key}};
        const Result<QList<RedisReply>> r = awaitValue(client.pipeline(cmds));
        QVERIFY(r.ok());
        QCOMPARE(r->size(), 5);
        QVERIFY(r->at(0).isStatus());
        QCOMPARE(r->at(1).integerValue(), 8);
        QCOMPARE(r->at(2).errorCode(), QByteArray("WRONGTYPE"));
        QCOMPARE(r->at(3).text(), QByteArray("8"));
        QCOMPARE(r->at(4).integerValue(), 1);
        const Result<QList<RedisReply>> empty = awaitValue(client.pipeline({}));
        QVERIFY(empty.ok());
        QVERIFY(empty->isEmpty());
    }

    void selectsDatabase() {
        RedisConfig c3 = localConfig(m_port);
        c3.db = 3;
        RedisClient db3(c3);
        RedisClient db0(localConfig(m_port));
        const QByteArray key = uniqueUid(QStringLiteral("db")).toUtf8();
        QVERIFY(run(db3, {"SET", key, "three"}).ok());
        QVERIFY(run(db0, {"GET", key})->isNil());
        QCOMPARE(run(db3, {"GET", key})->text(), QByteArray("three"));
        QVERIFY(run(db3, {"DEL", key}).ok());

        RedisConfig bad = localConfig(m_port);
        bad.db = 9999; // beyond the server's 16 databases
        RedisClient outOfRange(bad);
        const Result<RedisReply> r = run(outOfRange, {"PING"});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
    }

    void authWithPassword() {
        const Result<RedisConfig> c =
            RedisConfig::fromUrl(QStringLiteral("redis://:%1@127.0.0.1:%2").arg(kAdminPassword).arg(m_authPort));
        QVERIFY(c.ok());
        RedisClient client(*c);
        const Result<RedisReply> r = run(client, {"PING"});
        QVERIFY(r.ok());
        QCOMPARE(r->text(), QByteArray("PONG"));
        QVERIFY(!client.describe().contains(kAdminPassword));
    }

    void authWithAclUser() {
        const Result<RedisConfig> c =
            RedisConfig::fromUrl(QStringLiteral("redis://alice:%1@127.0.0.1:%2/2").arg(kAlicePassword).arg(m_authPort));
        QVERIFY(c.ok());
        RedisClient client(*c);
        const Result<RedisReply> who = run(client, {"ACL", "WHOAMI"});
        QVERIFY(who.ok());
        QCOMPARE(who->text(), QByteArray("alice"));
        const Result<RedisReply> db = run(client, {"CLIENT", "INFO"});
        QVERIFY(db->text().contains(" db=2 "));
    }

    void limitedAclUserGetsNopermReplies() {
        const Result<RedisConfig> c =
            RedisConfig::fromUrl(QStringLiteral("redis://reader:fixture-reader-pw@127.0.0.1:%1").arg(m_authPort));
        RedisClient client(*c);
        QVERIFY(run(client, {"GET", "anything"})->isNil());
        const Result<RedisReply> r = run(client, {"SET", "anything", "1"});
        QVERIFY(r.ok());
        QCOMPARE(r->errorCode(), QByteArray("NOPERM"));
    }

    void wrongCredentialsArePermissionErrors_data() {
        QTest::addColumn<QString>("url");
        QTest::newRow("wrong password") << QStringLiteral("redis://:nope@127.0.0.1:%1");
        QTest::newRow("wrong acl password") << QStringLiteral("redis://alice:nope@127.0.0.1:%1");
        QTest::newRow("unknown user") << QStringLiteral("redis://mallory:nope@127.0.0.1:%1");
        QTest::newRow("no password at all") << QStringLiteral("redis://127.0.0.1:%1");
    }

    void wrongCredentialsArePermissionErrors() {
        QFETCH(QString, url);
        const Result<RedisConfig> c = RedisConfig::fromUrl(url.arg(m_authPort));
        QVERIFY(c.ok());
        RedisClient client(*c);
        const Result<RedisReply> r = run(client, {"SET", "x", "1"});
        if (c->password.isEmpty()) {
            // Without AUTH the server answers each command with NOAUTH: a reply, and nothing was written.
            QVERIFY(r.ok());
            QCOMPARE(r->errorCode(), QByteArray("NOAUTH"));
            return;
        }
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Permission);
        QVERIFY(!r.error().message.contains(QLatin1String("nope")));
        // Credentials that failed are not retried in a loop.
        QCOMPARE(client.state(), RedisClient::State::Disconnected);
    }

    void refusedConnectionIsUnavailable() {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 closedPort = probe.serverPort();
        probe.close(); // nothing listens there now
        RedisConfig c = localConfig(closedPort);
        c.autoReconnect = false;
        RedisClient client(c);
        const Result<RedisReply> r = run(client, {"PING"});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        QCOMPARE(client.state(), RedisClient::State::Disconnected);
    }

    void silentServerTimesOut() {
        // Accepts the connection and never answers.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QList<QTcpSocket*> accepted;
        connect(&silent, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket* s = silent.nextPendingConnection()) {
                accepted.append(s);
            }
        });
        RedisConfig c = localConfig(silent.serverPort());
        c.commandTimeoutMs = 300;
        c.autoReconnect = false;
        RedisClient client(c);
        QFuture<Result<RedisReply>> first = client.command({"PING"});
        QFuture<Result<RedisReply>> second = client.command({"PING"});
        const Result<RedisReply> r1 = awaitValue(first);
        const Result<RedisReply> r2 = awaitValue(second);
        QVERIFY(!r1.ok());
        QCOMPARE(r1.error().kind, ErrorKind::Unavailable);
        QVERIFY(r1.error().message.contains(QLatin1String("did not answer")));
        QVERIFY(!r2.ok());
        QCOMPARE(r2.error().kind, ErrorKind::Unavailable);
        qDeleteAll(accepted);
    }

    void tlsHandshakeToSilentServerHitsConnectTimeout() {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        RedisConfig c = localConfig(silent.serverPort());
        c.tls = true;
        c.connectTimeoutMs = 300;
        c.autoReconnect = false;
        RedisClient client(c);
        const Result<RedisReply> r = run(client, {"PING"});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        QVERIFY(r.error().message.contains(QLatin1String("within 300 ms")));
    }

    void inFlightCommandsFailWhenServerDies() {
        PrivateRedis server(QStringLiteral("redis-dies"));
        QVERIFY2(server.start(), qPrintable(server.log));
        RedisConfig c = localConfig(server.port());
        c.autoReconnect = false;
        RedisClient client(c);
        QVERIFY(run(client, {"PING"}).ok());
        // BLPOP with no timeout stays in flight until the server goes away.
        QFuture<Result<RedisReply>> blocked = client.command({"BLPOP", "never-filled", "0"});
        QFuture<Result<QList<RedisReply>>> pipelined = client.pipeline({{"BLPOP", "never-filled", "0"}, {"PING"}});
        QTest::qWait(50); // let them reach the server; the result does not depend on this delay
        QVERIFY(!blocked.isFinished());
        QVERIFY2(server.kill(), qPrintable(server.log));
        const Result<RedisReply> r = awaitValue(blocked);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        const Result<QList<RedisReply>> p = awaitValue(pipelined);
        QVERIFY(!p.ok());
        QCOMPARE(p.error().kind, ErrorKind::Unavailable);
        QCOMPARE(client.state(), RedisClient::State::Disconnected);
    }

    void reconnectsAfterServerRestart() {
        PrivateRedis server(QStringLiteral("redis-restart"));
        QVERIFY2(server.start(), qPrintable(server.log));
        const quint16 port = server.port();
        RedisConfig c = localConfig(port);
        c.reconnectInitialMs = 50;
        c.reconnectMaxMs = 400;
        RedisClient client(c);
        QSignalSpy states(&client, &RedisClient::connectionStateChanged);
        QVERIFY(run(client, {"SET", "before", "1"}).ok());
        QCOMPARE(client.state(), RedisClient::State::Connected);

        QFuture<Result<RedisReply>> inFlight = client.command({"BLPOP", "never-filled", "0"});
        QTest::qWait(50);
        QVERIFY2(server.kill(), qPrintable(server.log));
        const Result<RedisReply> lost = awaitValue(inFlight);
        QVERIFY(!lost.ok());
        QCOMPARE(lost.error().kind, ErrorKind::Unavailable);

        // While the server is down the client keeps trying (with backoff) without being asked.
        QVERIFY(waitForState(client, RedisClient::State::Disconnected));
        QVERIFY2(server.start(port), qPrintable(server.log));
        QVERIFY(waitForState(client, RedisClient::State::Connected));
        const Result<RedisReply> after = run(client, {"SET", "after", "2"});
        QVERIFY(after.ok());
        QCOMPARE(after->text(), QByteArray("OK"));
        // The states went Connected -> Disconnected -> ... -> Connected, and were announced.
        bool sawDisconnected = false;
        for (const QList<QVariant>& s : states) {
            if (s.first().value<RedisClient::State>() == RedisClient::State::Disconnected) {
                sawDisconnected = true;
            }
        }
        QVERIFY(sawDisconnected);
        QCOMPARE(states.last().first().value<RedisClient::State>(), RedisClient::State::Connected);
    }

    void disconnectFailsPendingCommands() {
        RedisClient client(localConfig(m_port));
        QVERIFY(run(client, {"PING"}).ok());
        QFuture<Result<RedisReply>> blocked = client.command({"BLPOP", uniqueUid(QStringLiteral("l")).toUtf8(), "0"});
        client.disconnectFromServer();
        const Result<RedisReply> r = awaitValue(blocked);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        // A later command connects again.
        QVERIFY(run(client, {"PING"}).ok());
    }

    void tlsWithSelfSignedCertificate() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        if (const QString failure = makeTestCertificate(cert, key); !failure.isEmpty()) {
            REQUIRE_BACKEND(QStringLiteral("openssl"), false,
                            QStringLiteral("openssl could not make a test certificate: ") + failure);
        }
        PrivateRedis server(QStringLiteral("redis-tls"));
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 tlsPort = probe.serverPort();
        probe.close();
        // The plain port comes from the script; TLS listens on its own port.
        if (!server.start(0, {QStringLiteral("--tls-port"), QString::number(tlsPort), QStringLiteral("--tls-cert-file"),
                              cert, QStringLiteral("--tls-key-file"), key, QStringLiteral("--tls-ca-cert-file"), cert,
                              QStringLiteral("--tls-auth-clients"), QStringLiteral("no")})) {
            REQUIRE_BACKEND(QStringLiteral("redis-server with TLS"), false, server.log);
        }
        QFile certFile(cert);
        QVERIFY(certFile.open(QIODevice::ReadOnly));
        const QList<QSslCertificate> ca = QSslCertificate::fromData(certFile.readAll());
        QVERIFY(!ca.isEmpty());

        Result<RedisConfig> c = RedisConfig::fromUrl(QStringLiteral("rediss://127.0.0.1:%1/1").arg(tlsPort));
        QVERIFY(c.ok());
        c->caCertificates = ca;
        c->autoReconnect = false;
        RedisClient client(*c);
        const Result<RedisReply> r = run(client, {"SET", "tls-key", "over tls"});
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(run(client, {"GET", "tls-key"})->text(), QByteArray("over tls"));

        // Without trusting the self-signed CA the handshake fails: Unavailable, with the TLS reason.
        c->caCertificates.clear();
        RedisClient untrusting(*c);
        const Result<RedisReply> refused = run(untrusting, {"PING"});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Unavailable);
    }

private:
    quint16 m_port = 0;
    quint16 m_authPort = 0;
};

QTEST_GUILESS_MAIN(RedisClientTest)
#include "RedisClientTest.moc"
