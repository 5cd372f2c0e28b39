#pragma once
// Where the shared CTest fixtures of the real backends run, for tests outside their own folders:
// the `redis` / `redis_auth` fixtures (tests/services_redis), `firestore_emulator` (tests/services_firestore) and
// `auth_emulator` (tests/services_auth) write their addresses into FAIRUSE_TEST_STATE_DIR.

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QString>
#include <QTcpServer>

namespace fairuse::testing::backends {

inline QString stateDir() {
    return qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR", QDir::tempPath() + QStringLiteral("/fairuse-test-state"));
}

inline QString readStateFile(const QString& name) {
    QFile f(stateDir() + QLatin1Char('/') + name);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(f.readAll()).trimmed();
}

/** Port of a redis fixture instance ("redis" or "redis-auth"); 0 when the fixture did not run. */
inline quint16 redisPort(const QString& instance = QStringLiteral("redis")) {
    return static_cast<quint16>(readStateFile(instance + QStringLiteral(".port")).toUInt());
}

/** Ports of the redis_cluster fixture's six nodes (3 masters, 3 replicas); empty when the fixture did not run. */
inline QList<quint16> redisClusterPorts(const QString& name = QStringLiteral("redis-cluster")) {
    QList<quint16> ports;
    for (const QString& line : readStateFile(name + QStringLiteral(".ports")).split(QLatin1Char('\n'))) {
        if (const uint port = line.trimmed().toUInt(); port > 0 && port < 65536) {
            ports.append(static_cast<quint16>(port));
        }
    }
    return ports;
}

/** Password of the redis-auth fixture's default user (a test-only secret, set in tests/services_redis). */
inline const QString kRedisAuthPassword = QStringLiteral("fixture-admin-pw");

/** host:port of the fixture's Firestore emulator, else FIRESTORE_EMULATOR_HOST; empty when neither exists
 *  (REQUIRE_FIRESTORE_EMULATOR, RequireBackend.h). */
inline QString emulatorHost() {
    const QString host = readStateFile(QStringLiteral("firestore.host"));
    return host.isEmpty() ? qEnvironmentVariable("FIRESTORE_EMULATOR_HOST").trimmed() : host;
}

/** host:port of the fixture's Firebase Auth emulator (`auth_emulator`, tests/fixtures/auth), else
 *  FIREBASE_AUTH_EMULATOR_HOST; empty when neither exists (REQUIRE_BACKEND). Its
 *  project is demo-fairuse: the tokens it mints carry aud = demo-fairuse. */
inline QString authEmulatorHost() {
    const QString host = readStateFile(QStringLiteral("auth.host"));
    return host.isEmpty() ? qEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST").trimmed() : host;
}

/** True under CI=true or FAIRUSE_REQUIRE_BACKENDS=1: a backend that is not there is a failure, not a skip. */
inline bool backendsRequired() {
    return qEnvironmentVariable("CI") == QLatin1String("true") ||
           qEnvironmentVariable("FAIRUSE_REQUIRE_BACKENDS") == QLatin1String("1");
}

/** redis-server on PATH, for tests that start a private one. */
inline bool redisServerInstalled() {
    return !QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty();
}

/** An unlocked Secret Service: the D-Bus session and keyring of scripts/with-test-session. */
inline bool keychainAvailable() {
    return !qEnvironmentVariableIsEmpty("FAIRUSE_TEST_SESSION");
}

/** The backends by name, and how to get each, for REQUIRE_BACKEND's message. */
inline const QString kRedisServer = QStringLiteral("redis-server");
inline const QString kRedisHow =
    QStringLiteral("install redis-server (scripts/setup); the redis CTest fixtures start it on a free port");
inline const QString kFirestoreEmulator = QStringLiteral("the Firestore emulator");
inline const QString kFirestoreHow = QStringLiteral("install the Google Cloud SDK cloud-firestore-emulator component "
                                                    "(scripts/setup); the firestore_emulator CTest fixture starts it");
inline const QString kAuthEmulator = QStringLiteral("the Firebase Auth emulator");
inline const QString kAuthHow = QStringLiteral("firebase-tools in tools/firebase (scripts/setup); the auth_emulator "
                                               "CTest fixture starts it");
inline const QString kKeychain = QStringLiteral("an unlocked Secret Service (keychain)");
inline const QString kKeychainHow =
    QStringLiteral("run through scripts/with-test-session (scripts/test does), e.g. scripts/with-test-session "
                   "ctest --test-dir <build> -R <test>");

/** A valid Google Cloud project id nobody else uses: the emulator keeps each project's data apart. */
inline QString freshProject(const QString& prefix) {
    return QStringLiteral("%1-%2-%3")
        .arg(prefix.toLower())
        .arg(QCoreApplication::applicationPid())
        .arg(QRandomGenerator::global()->bounded(1u << 24));
}

/** A loopback port on which nothing listens (bound, then released). */
inline quint16 closedPort() {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        return 1;
    }
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace fairuse::testing::backends
