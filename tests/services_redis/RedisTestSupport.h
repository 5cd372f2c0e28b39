#pragma once

// Helpers shared by the Redis tests: the fixture's ports, private throw-away servers, and awaiting futures.
#include "RequireBackend.h"
#include "common/Await.h"
#include "common/Promise.h"
#include "redis/RedisClient.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTest>
#include <QUuid>

namespace fairuse::testing {

using backends::stateDir;

inline QString fixtureScript() {
    return qEnvironmentVariable("FAIRUSE_SOURCE_DIR") + QStringLiteral("/tests/fixtures/redis/redis-fixture.sh");
}

/** Port of a fixture instance ("redis" or "redis-auth"), 0 when the fixture did not run (REQUIRE_REDIS). */
inline quint16 fixturePort(const QString& name) {
    return backends::redisPort(name);
}

/** Passwords of the fixture's AUTH instance (test-only secrets, set in tests/services_redis/CMakeLists.txt). */
inline const QString kAdminPassword = backends::kRedisAuthPassword;
inline const QString kAlicePassword = QStringLiteral("fixture-alice-pw");

/** A unique user id per test so tests sharing the fixture server never see each other's keys. */
inline QString uniqueUid(const QString& prefix) {
    return prefix + QLatin1Char('-') + QUuid::createUuid().toString(QUuid::Id128).left(12);
}

/** A redis-server of the test's own (for tests that kill or reconfigure it), stopped on destruction. */
class PrivateRedis {
public:
    explicit PrivateRedis(QString name)
        : m_name(std::move(name)) {}
    ~PrivateRedis() { stop(); }
    PrivateRedis(const PrivateRedis&) = delete;
    PrivateRedis& operator=(const PrivateRedis&) = delete;

    /** Starts on `port` (0: a free one). Returns false with the script's output in `log`. */
    bool start(quint16 port = 0, const QStringList& extraArgs = {}) {
        QStringList args{fixtureScript(), QStringLiteral("start"), stateDir(), m_name,
                         port == 0 ? QStringLiteral("auto") : QString::number(port)};
        if (!extraArgs.isEmpty()) {
            args << QStringLiteral("--") << extraArgs;
        }
        if (!run(args)) {
            return false;
        }
        m_port = fixturePort(m_name);
        m_running = m_port != 0;
        return m_running;
    }
    /** SIGKILL: a crash, no goodbye to the clients. */
    bool kill() {
        m_running = false;
        return run({fixtureScript(), QStringLiteral("kill"), stateDir(), m_name});
    }
    void stop() {
        if (m_port != 0) {
            run({fixtureScript(), QStringLiteral("stop"), stateDir(), m_name});
            m_port = 0;
            m_running = false;
        }
    }
    quint16 port() const { return m_port; }
    QString log;

private:
    bool run(const QStringList& args) {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("bash"), args);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
            log = QStringLiteral("fixture script timed out");
            return false;
        }
        log = QString::fromUtf8(p.readAll());
        return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    QString m_name;
    quint16 m_port = 0;
    bool m_running = false;
};

/** Waits for a call to redis-server, as long as a loaded machine may need. */
template <typename T>
Result<T> waitForRedis(const services::Async<T>& f, int timeoutMs = 60000) {
    return services::awaitResult(f, timeoutMs);
}

/** Makes a self-signed certificate for 127.0.0.1 and its key (PEM) with openssl: empty, or openssl's output when it
 *  failed. */
inline QString makeTestCertificate(const QString& certPath, const QString& keyPath) {
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"), QStringLiteral("1"),
                   QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1"), QStringLiteral("-keyout"), keyPath,
                   QStringLiteral("-out"), certPath});
    const bool made =
        openssl.waitForFinished(60000) && openssl.exitStatus() == QProcess::NormalExit && openssl.exitCode() == 0;
    const QString output = QString::fromUtf8(openssl.readAll());
    return made ? QString() : (output.isEmpty() ? QStringLiteral("openssl did not finish") : output);
}
inline services::RedisConfig localConfig(quint16 port) {
    services::RedisConfig c;
    c.host = QStringLiteral("127.0.0.1");
    c.port = port;
    c.connectTimeoutMs = 5000;
    c.commandTimeoutMs = 10000;
    return c;
}

/** Runs a command and returns its reply; fails the test (QVERIFY-style) through the returned Result otherwise. */
inline Result<services::RedisReply> run(services::RedisClient& client, QList<QByteArray> argv) {
    return services::awaitResult(client.command(std::move(argv)), 20000);
}

} // namespace fairuse::testing
