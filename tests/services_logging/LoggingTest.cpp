#include "logging/Logging.h"
#include "RedactionCases.h"
#include "TestFiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace fairuse;
using namespace fairuse::services;

namespace {

const char* const kChildVariable = "FAIRUSE_LOGGING_TEST_CHILD";

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/** Child mode: logs one secret with stderr enabled, so the parent can check what reaches stderr. */
int runChild() {
    const QString dir = QString::fromLocal8Bit(qgetenv(kChildVariable));
    if (!installLogging(dir, true).ok()) {
        return 2;
    }
    qCWarning(lcApp).noquote() << "child uses Authorization: Bearer child-secret-0123456789";
    flushLogging();
    return 0;
}

} // namespace

class LoggingTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { uninstallLogging(); }

    void redaction_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");

        // The table lives in RedactionCases.cpp: moc mis-parses raw string literals that contain backslashes.
        for (const RedactionCase& c : redactionCases()) {
            QTest::newRow(c.name) << QString::fromUtf8(c.input) << QString::fromUtf8(c.expected);
        }
    }

    void redaction() {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(redactSecrets(input), expected);
    }

    void pipelineRedactsEveryMessageInTheFile() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Status s = installLogging(dir.path(), false);
        QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().message));
        QCOMPARE(logFilePath(), QDir(dir.path()).filePath(QStringLiteral("fairuse.log")));

        const QStringList secrets{
            QStringLiteral("bearer-secret-0123456789"),
            QStringLiteral("sk-proj-ABCDEFGHIJKLMNOP0123"),
            QStringLiteral("redis-pass-42"),
            QStringLiteral("ya29.oauth-access"),
            QStringLiteral("refresh-1234-abcd"),
            QStringLiteral("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            QStringLiteral("AIzaSyQueryKey123"),
            QStringLiteral("basic-creds-9876"),
        };
        qCInfo(lcLlm) << "calling with Authorization: Bearer" << secrets[0];
        qCInfo(lcLlm).noquote() << "key" << secrets[1];
        qCWarning(lcRedis) << "cannot connect to" << QByteArray("redis://default:redis-pass-42@10.0.0.5:6379");
        qCInfo(lcFirestore) << "token response" << QStringLiteral("{\"access_token\": \"ya29.oauth-access\"}");
        qCDebug(lcFirestore).noquote() << "{\"refresh_token\":\"refresh-1234-abcd\",\"expires_in\":3600}";
        qCCritical(lcStore).noquote() << "loaded -----BEGIN PRIVATE KEY-----\n"
                                      << secrets[5] << "\n-----END PRIVATE KEY-----";
        qCInfo(lcApp).noquote() << "GET https://firestore.googleapis.com/v1/x?key=AIzaSyQueryKey123&pageSize=5";
        qCInfo(lcUi).noquote() << "Authorization=Basic basic-creds-9876";
        qInfo().noquote() << "plain qInfo with redis://:redis-pass-42@h"; // the default category is routed too
        qCInfo(lcApp).noquote() << "near miss: Bearer authentication is required";
        flushLogging();

        const QByteArray log = readAll(logFilePath());
        QVERIFY(!log.isEmpty());
        for (const QString& secret : secrets) {
            QVERIFY2(!log.contains(secret.toUtf8()), qPrintable(secret));
        }
        QVERIFY(log.count("[redacted]") >= 8);
        for (const char* category : {"[fairuse.llm]", "[fairuse.redis]", "[fairuse.firestore]", "[fairuse.store]",
                                     "[fairuse.app]", "[fairuse.ui]", "[default]"}) {
            QVERIFY2(log.contains(category), category);
        }
        QVERIFY(log.contains("warning [fairuse.redis] cannot connect to \"redis://default:[redacted]@10.0.0.5:6379\""));
        QVERIFY(log.contains("error [fairuse.store]"));
        QVERIFY(log.contains("near miss: Bearer authentication is required"));
        // UTC timestamps with milliseconds at the start of each line.
        const QByteArray firstLine = log.left(log.indexOf('\n'));
        QVERIFY2(QRegularExpression(
                     QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z info  \\[fairuse\\.llm\\] "))
                     .match(QString::fromUtf8(firstLine))
                     .hasMatch(),
                 firstLine.constData());
    }

    void rotation() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LoggingOptions options;
        options.logDir = dir.path();
        options.toStderr = false;
        options.maxFileBytes = 4096;
        options.maxFiles = 3;
        QVERIFY(installLogging(options).ok());
        const QString filler(100, QLatin1Char('x'));
        for (int i = 0; i < 300; ++i) { // ~40 KB, ten times what three files hold
            qCInfo(lcApp).noquote() << "line" << i << filler;
        }
        flushLogging();
        const QStringList files = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
        QCOMPARE(files, (QStringList{QStringLiteral("fairuse.1.log"), QStringLiteral("fairuse.2.log"),
                                     QStringLiteral("fairuse.log")}));
        for (const QString& f : files) {
            QVERIFY2(QFileInfo(dir.filePath(f)).size() <= 4096, qPrintable(f));
        }
        // The newest line is in the current file; the oldest lines were rotated away.
        const QByteArray current = readAll(dir.filePath(QStringLiteral("fairuse.log")));
        QVERIFY(current.contains("line 299 "));
        for (const QString& f : files) {
            QVERIFY(!readAll(dir.filePath(f)).contains("line 0 "));
        }
    }

    void reinstallSwitchesFiles() {
        QTemporaryDir a;
        QTemporaryDir b;
        QVERIFY(installLogging(a.path(), false).ok());
        qCInfo(lcApp) << "to-a";
        QVERIFY(installLogging(b.path(), false).ok());
        qCInfo(lcApp) << "to-b";
        flushLogging();
        const QByteArray inA = readAll(QDir(a.path()).filePath(QStringLiteral("fairuse.log")));
        const QByteArray inB = readAll(QDir(b.path()).filePath(QStringLiteral("fairuse.log")));
        QVERIFY(inA.contains("to-a") && !inA.contains("to-b"));
        QVERIFY(inB.contains("to-b") && !inB.contains("to-a"));
    }

    void uninstallStopsWritingTheFile() {
        QTemporaryDir dir;
        QVERIFY(installLogging(dir.path(), false).ok());
        qCInfo(lcApp) << "before";
        const QString path = logFilePath();
        uninstallLogging();
        QVERIFY(logFilePath().isEmpty());
        qCInfo(lcApp) << "after";
        const QByteArray log = readAll(path);
        QVERIFY(log.contains("before"));
        QVERIFY(!log.contains("after"));
    }

    void invalidLogDir() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("a-file"));
        QVERIFY(testing::writeFile(file));
        const Status s = installLogging(file + QStringLiteral("/logs"), false);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().kind, ErrorKind::Invalid);
        QVERIFY(!installLogging(QString(), false).ok());
        QVERIFY(logFilePath().isEmpty());
    }

    void stderrIsRedactedToo() {
        QTemporaryDir dir;
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kChildVariable), dir.path());
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(30'000));
        QCOMPARE(child.exitCode(), 0);
        const QByteArray err = child.readAllStandardError();
        QVERIFY2(err.contains("warning [fairuse.app] child uses Authorization: [redacted]"), err.constData());
        QVERIFY(!err.contains("child-secret"));
        QVERIFY(!readAll(QDir(dir.path()).filePath(QStringLiteral("fairuse.log"))).contains("child-secret"));
    }
};

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(kChildVariable)) {
        return runChild();
    }
    LoggingTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "LoggingTest.moc"
