#pragma once

#include "common/Result.h"

#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QString>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include <csignal>
#include <memory>

#include <signal.h>
#include <unistd.h>

namespace fairuse::bench {

/** Process groups of the running emulators, for the signal handler. */
extern volatile pid_t g_emulatorGroup;
extern volatile pid_t g_authGroup;

/** Stops the running emulators' process groups, then dies of `sig`: install for SIGINT and SIGTERM. */
void killGroupOnSignal(int sig);

/** The Firestore emulator program: `given`, else $FIRESTORE_EMULATOR_BIN, else the Google Cloud SDK locations
 *  tests/fixtures/firestore/emulator.sh searches; empty when none is found. */
QString findEmulator(const QString& given);

/** The Firestore emulator in its own process group (it forks a JVM), on a free loopback port; the whole group is
 *  stopped when this object dies. */
class FirestoreEmulatorProcess {
public:
    bool start(const QString& program, QString* error) {
        for (int attempt = 1; attempt <= 3; ++attempt) {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0)) {
                continue;
            }
            const quint16 port = probe.serverPort();
            probe.close();
            m_process = std::make_unique<QProcess>();
            m_process->setProgram(program);
            m_process->setArguments(
                {QStringLiteral("start"), QStringLiteral("--host=127.0.0.1"), QStringLiteral("--port=%1").arg(port)});
            m_process->setStandardOutputFile(m_logDir.filePath(QStringLiteral("emulator.log")));
            m_process->setProcessChannelMode(QProcess::MergedChannels);
            m_process->setChildProcessModifier([] { ::setsid(); });
            m_process->start();
            if (!m_process->waitForStarted(10000)) {
                *error = QStringLiteral("could not start %1: %2").arg(program, m_process->errorString());
                return false;
            }
            m_group = static_cast<pid_t>(m_process->processId());
            g_emulatorGroup = m_group;
            m_host = QStringLiteral("127.0.0.1:%1").arg(port);
            QNetworkAccessManager nam;
            for (int i = 0; i < 600 && m_process->state() == QProcess::Running; ++i) {
                QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://%1/").arg(m_host))));
                QEventLoop loop;
                QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
                loop.exec();
                const bool up = reply->error() == QNetworkReply::NoError;
                reply->deleteLater();
                if (up) {
                    return true;
                }
                QThread::msleep(100);
            }
            stop();
        }
        *error = QStringLiteral("the emulator did not answer; its log is %1")
                     .arg(m_logDir.filePath(QStringLiteral("emulator.log")));
        m_logDir.setAutoRemove(false);
        return false;
    }
    void stop() {
        if (m_group > 0) {
            ::kill(-m_group, SIGTERM);
            if (m_process && !m_process->waitForFinished(5000)) {
                ::kill(-m_group, SIGKILL);
                m_process->waitForFinished(3000);
            }
            // The JVM may outlive the wrapper script briefly; the group dies with it.
            for (int i = 0; i < 50 && ::kill(-m_group, 0) == 0; ++i) {
                QThread::msleep(100);
            }
            if (::kill(-m_group, 0) == 0) {
                ::kill(-m_group, SIGKILL);
            }
            m_group = 0;
            g_emulatorGroup = 0;
        }
        m_process.reset();
    }
    ~FirestoreEmulatorProcess() { stop(); }
    QString host() const { return m_host; }
    pid_t group() const { return m_group; }

private:
    QTemporaryDir m_logDir;
    std::unique_ptr<QProcess> m_process;
    pid_t m_group = 0;
    QString m_host;
};

/** The Firebase Auth emulator of the CTest fixture (tests/fixtures/auth/auth-emulator.sh), started into a state folder
 *  of its own and stopped (its whole process group) when this object dies; or one that already runs. */
class AuthEmulatorProcess {
public:
    bool start(QString* error) {
        if (!m_state.isValid()) {
            *error = QStringLiteral("cannot create a temporary folder for the Auth emulator");
            return false;
        }
        const int code = script(QStringLiteral("start"), 300'000);
        m_host = readState(QStringLiteral("auth.host"));
        const pid_t group = static_cast<pid_t>(readState(QStringLiteral("auth.pgid")).toInt());
        m_started = group > 0;
        g_authGroup = group;
        if (code != 0 || m_host.isEmpty()) {
            *error = QStringLiteral("the Firebase Auth emulator did not start (%1); it comes with firebase-tools in "
                                    "tools/firebase, installed by scripts/setup, or pass --auth-emulator HOST:PORT")
                         .arg(code != 0 ? QStringLiteral("exit code %1").arg(code) : QStringLiteral("not installed"));
            return false;
        }
        return true;
    }
    void reuse(const QString& host) { m_host = host; }
    void stop() {
        if (m_started) {
            script(QStringLiteral("stop"), 60'000);
            m_started = false;
            g_authGroup = 0;
        }
    }
    ~AuthEmulatorProcess() { stop(); }
    QString host() const { return m_host; }

private:
    int script(const QString& action, int timeoutMs) {
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.setStandardOutputFile(QProcess::nullDevice());
        p.start(QStringLiteral("bash"),
                {QStringLiteral(FAIRUSE_SOURCE_DIR "/tests/fixtures/auth/auth-emulator.sh"), action, m_state.path()});
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished(5000);
            return -1;
        }
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }
    QString readState(const QString& name) const {
        QFile f(m_state.filePath(name));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed() : QString();
    }

    QTemporaryDir m_state;
    QString m_host;
    bool m_started = false;
};

/** Loads packaging/firestore/firestore.rules for `project` (PUT /emulator/v1/projects/P:securityRules). */
Status loadShippedRules(const QString& host, const QString& project);

} // namespace fairuse::bench
