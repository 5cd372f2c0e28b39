#include "secrets/KeychainSecretStore.h"
#include "BackendFixtures.h"
#include "ErrorKindName.h"
#include "RequireBackend.h"
#include "common/Await.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace fairuse;
using namespace fairuse::services;

namespace {

constexpr int kTimeoutMs = 20'000;

/** Environment variable that turns this executable into the no-bus child of withoutSessionBusFailsCleanly(). */
const char* const kChildVariable = "FAIRUSE_SECRETS_TEST_CHILD";

/** A service name per process: ctest runs tests in parallel in one keyring, and real "fairuse" entries of the
 *  person running the tests must never be touched. */
QString testService() {
    return QStringLiteral("fairuse-test-%1").arg(QCoreApplication::applicationPid());
}

using testsupport::kindName;

template <typename T>
QString describe(const Result<T>& r) {
    return r.ok() ? QStringLiteral("ok") : kindName(r.error().kind) + QLatin1Char(' ') + r.error().message;
}

/** The child: writes and reads with no session bus, and prints one line per call for the parent to check. */
int runChild() {
    KeychainSecretStore store(QString::fromLocal8Bit(qgetenv("FAIRUSE_SECRETS_TEST_SERVICE")));
    const QString secret = QString::fromLocal8Bit(qgetenv("FAIRUSE_SECRETS_TEST_SECRET"));
    const Result<bool> written = awaitResult(store.write(QStringLiteral("no-bus-key"), secret), kTimeoutMs);
    std::printf("write %s\n", qPrintable(describe(written)));
    const Result<QString> read = awaitResult(store.read(QStringLiteral("no-bus-key")), kTimeoutMs);
    std::printf("read %s\n", qPrintable(read.ok() ? QStringLiteral("ok ") + *read : describe(read)));
    const Result<bool> removed = awaitResult(store.remove(QStringLiteral("no-bus-key")), kTimeoutMs);
    std::printf("remove %s\n", qPrintable(describe(removed)));
    std::fflush(stdout);
    return 0;
}

} // namespace

class KeychainSecretStoreTest : public QObject {
    Q_OBJECT

private:
    KeychainSecretStore m_store{testService()};

private Q_SLOTS:
    void cleanupTestCase() {
        if (fairuse::testing::backends::keychainAvailable()) {
            for (const char* key : {"api-key", "unicode", "other", "overwritten"}) {
                (void)awaitResult(m_store.remove(QString::fromLatin1(key)), kTimeoutMs);
            }
        }
    }

    void emptyKeyIsInvalid() {
        // Refused before any keychain is asked, so this holds with or without a session.
        QCOMPARE(awaitResult(m_store.read(QString()), kTimeoutMs).error().kind, ErrorKind::Invalid);
        QCOMPARE(awaitResult(m_store.write(QString(), QStringLiteral("x")), kTimeoutMs).error().kind,
                 ErrorKind::Invalid);
        QCOMPARE(awaitResult(m_store.remove(QString()), kTimeoutMs).error().kind, ErrorKind::Invalid);
    }

    void writeReadOverwriteDelete() {
        REQUIRE_KEYCHAIN();
        const QString key = QStringLiteral("api-key");
        const Result<bool> w = awaitResult(m_store.write(key, QStringLiteral("sk-first-secret")), kTimeoutMs);
        QVERIFY2(w.ok(), qPrintable(describe(w)));
        Result<QString> r = awaitResult(m_store.read(key), kTimeoutMs);
        QVERIFY2(r.ok(), qPrintable(describe(r)));
        QCOMPARE(*r, QStringLiteral("sk-first-secret"));

        QVERIFY(awaitResult(m_store.write(key, QStringLiteral("sk-second-secret")), kTimeoutMs).ok());
        r = awaitResult(m_store.read(key), kTimeoutMs);
        QVERIFY(r.ok());
        QCOMPARE(*r, QStringLiteral("sk-second-secret"));

        const Result<bool> d = awaitResult(m_store.remove(key), kTimeoutMs);
        QVERIFY2(d.ok(), qPrintable(describe(d)));
        r = awaitResult(m_store.read(key), kTimeoutMs);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::NotFound);
    }

    void readMissingIsNotFound() {
        REQUIRE_KEYCHAIN();
        const Result<QString> r = awaitResult(m_store.read(QStringLiteral("never-written")), kTimeoutMs);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::NotFound);
        QVERIFY(r.error().message.contains(QStringLiteral("never-written")));
    }

    void removeMissingSucceeds() {
        REQUIRE_KEYCHAIN();
        const Result<bool> d = awaitResult(m_store.remove(QStringLiteral("never-written")), kTimeoutMs);
        QVERIFY2(d.ok(), qPrintable(describe(d)));
    }

    void keysAndServicesAreSeparate() {
        REQUIRE_KEYCHAIN();
        QVERIFY(awaitResult(m_store.write(QStringLiteral("other"), QStringLiteral("one")), kTimeoutMs).ok());
        QVERIFY(awaitResult(m_store.write(QStringLiteral("overwritten"), QStringLiteral("two")), kTimeoutMs).ok());
        QCOMPARE(*awaitResult(m_store.read(QStringLiteral("other")), kTimeoutMs), QStringLiteral("one"));
        KeychainSecretStore elsewhere(testService() + QStringLiteral("-elsewhere"));
        QCOMPARE(awaitResult(elsewhere.read(QStringLiteral("other")), kTimeoutMs).error().kind, ErrorKind::NotFound);
    }

    void unicodeAndLongSecretsRoundTrip() {
        REQUIRE_KEYCHAIN();
        const QString secret = QString::fromUtf8("pässwörd 🔑 ") + QString(4000, QLatin1Char('x'));
        QVERIFY(awaitResult(m_store.write(QStringLiteral("unicode"), secret), kTimeoutMs).ok());
        const Result<QString> r = awaitResult(m_store.read(QStringLiteral("unicode")), kTimeoutMs);
        QVERIFY(r.ok());
        QCOMPARE(*r, secret);
    }

    void storedInTheSecretService() {
        // Independent evidence that the secret went to the Secret Service (not a file): libsecret's own tool finds
        // it under QtKeychain's attributes (server = service, user = key).
        REQUIRE_KEYCHAIN();
        const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
        REQUIRE_BACKEND(QStringLiteral("secret-tool"), !secretTool.isEmpty(),
                        QStringLiteral("install libsecret-tools (scripts/setup)"));
        const QString secret = QStringLiteral("visible-to-secret-tool-%1").arg(QCoreApplication::applicationPid());
        QVERIFY(awaitResult(m_store.write(QStringLiteral("api-key"), secret), kTimeoutMs).ok());
        QProcess lookup;
        lookup.start(secretTool, {QStringLiteral("lookup"), QStringLiteral("server"), testService(),
                                  QStringLiteral("user"), QStringLiteral("api-key")});
        QVERIFY(lookup.waitForFinished(kTimeoutMs));
        QCOMPARE(QString::fromUtf8(lookup.readAllStandardOutput()).trimmed(), secret);
        QVERIFY(awaitResult(m_store.remove(QStringLiteral("api-key")), kTimeoutMs).ok());
    }

    void withoutSessionBusFailsCleanly() {
        // A child process of this test with no D-Bus session at all (no address, no runtime dir with a bus socket,
        // no display to autolaunch one) and a private HOME: every call must fail with Unavailable, and no file
        // anywhere in its HOME may contain the secret (QtKeychain's plain-text fallback must be off).
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString secret = QStringLiteral("plain-text-must-not-happen-%1").arg(QCoreApplication::applicationPid());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name :
             {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "FAIRUSE_TEST_SESSION", "GNOME_KEYRING_CONTROL",
              "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION"}) {
            env.remove(QString::fromLatin1(name));
        }
        const QString runtime = home.filePath(QStringLiteral("run"));
        QVERIFY(QDir().mkpath(runtime));
        QFile::setPermissions(runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QString::fromLatin1(kChildVariable), QStringLiteral("1"));
        env.insert(QStringLiteral("FAIRUSE_SECRETS_TEST_SERVICE"), testService());
        env.insert(QStringLiteral("FAIRUSE_SECRETS_TEST_SECRET"), secret);

        QProcess child;
        child.setProcessEnvironment(env);
        child.setWorkingDirectory(home.path());
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(3 * kTimeoutMs + 5000));
        const QString out = QString::fromLocal8Bit(child.readAllStandardOutput());
        const QString err = QString::fromLocal8Bit(child.readAllStandardError());
        QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, qPrintable(err));

        const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].startsWith(QStringLiteral("write Unavailable ")), qPrintable(lines[0]));
        QVERIFY2(lines[1].startsWith(QStringLiteral("read Unavailable ")), qPrintable(lines[1]));
        QVERIFY2(lines[2].startsWith(QStringLiteral("remove Unavailable ")), qPrintable(lines[2]));
        QVERIFY2(lines[0].contains(QStringLiteral("keychain")), qPrintable(lines[0]));
        QVERIFY(!out.contains(secret));

        QDirIterator it(home.path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(secret.toUtf8()), qPrintable(f.fileName()));
        }
    }
};

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(kChildVariable)) {
        return runChild();
    }
    KeychainSecretStoreTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "KeychainSecretStoreTest.moc"
