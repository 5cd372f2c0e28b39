// fairuse-enforcer's command line, without backends: bad usage is refused with exit code 2 and a message naming what
// is wrong (before anything connects), and the user of a bucket key name in both layouts of SPEC 4.1.
#include "enforcer/SpeechUserScan.h"

#include <QProcess>
#include <QTest>

using namespace fairuse::services;

class EnforcerCommandLineTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void refusesBadUsage_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList base{QStringLiteral("--redis"),     QStringLiteral("redis://127.0.0.1:1"),
                               QStringLiteral("--firestore"), QStringLiteral("demo-enforcer"),
                               QStringLiteral("--identity"),  QStringLiteral("enforcer@fairuse.example")};
        QTest::newRow("key on the command line")
            << base + QStringList{QStringLiteral("--once"), QStringLiteral("--llm-api-key"), QStringLiteral("sk-x")}
            << QStringLiteral("FAIRUSE_LLM_API_KEY");
        QTest::newRow("once and interval")
            << base + QStringList{QStringLiteral("--once"), QStringLiteral("--interval"), QStringLiteral("5")}
            << QStringLiteral("exclude each other");
        QTest::newRow("a pinned clock in loop mode")
            << base + QStringList{QStringLiteral("--now"), QStringLiteral("2026-12-01T12:00:00Z")}
            << QStringLiteral("--now");
        QTest::newRow("bad time") << base + QStringList{QStringLiteral("--once"), QStringLiteral("--now"),
                                                        QStringLiteral("yesterday")}
                                  << QStringLiteral("--now");
        QTest::newRow("interval out of range")
            << base + QStringList{QStringLiteral("--interval"), QStringLiteral("0")} << QStringLiteral("--interval");
        QTest::newRow("model without base URL")
            << base + QStringList{QStringLiteral("--once"), QStringLiteral("--llm-model"), QStringLiteral("m")}
            << QStringLiteral("go together");
        QTest::newRow("credentials in the LLM URL")
            << base + QStringList{QStringLiteral("--once"), QStringLiteral("--llm-base-url"),
                                  QStringLiteral("https://user:pw@llm.example/v1"), QStringLiteral("--llm-model"),
                                  QStringLiteral("m")}
            << QStringLiteral("without credentials");
        QTest::newRow("no identity on the emulator")
            << QStringList{QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:1"),
                           QStringLiteral("--firestore"), QStringLiteral("demo-enforcer"), QStringLiteral("--once")}
            << QStringLiteral("--identity");
        QTest::newRow("identity that is no e-mail")
            << QStringList{QStringLiteral("--redis"),     QStringLiteral("redis://127.0.0.1:1"),
                           QStringLiteral("--firestore"), QStringLiteral("demo-enforcer"),
                           QStringLiteral("--identity"),  QStringLiteral("admin"),
                           QStringLiteral("--once")}
            << QStringLiteral("e-mail");
        QTest::newRow("no project") << QStringList{QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:1"),
                                                   QStringLiteral("--once")}
                                    << QStringLiteral("--firestore");
        QTest::newRow("plain redis to another machine")
            << QStringList{QStringLiteral("--redis"),     QStringLiteral("redis://redis.internal:6379"),
                           QStringLiteral("--firestore"), QStringLiteral("demo-enforcer"),
                           QStringLiteral("--identity"),  QStringLiteral("enforcer@fairuse.example"),
                           QStringLiteral("--once")}
            << QStringLiteral("rediss://");
    }
    void refusesBadUsage() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), QStringLiteral("127.0.0.1:1"));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"), args);
        QVERIFY(p.waitForFinished(30000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(err.contains(message), qPrintable(err));
        QVERIFY(!err.contains(QLatin1String("sk-x")) || message != QLatin1String("FAIRUSE_LLM_API_KEY"));
    }

    void help() {
        QProcess p;
        p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        for (const char* option : {"--once", "--interval", "--now", "--shadow", "--identity", "--llm-base-url",
                                   "GOOGLE_APPLICATION_CREDENTIALS", "FAIRUSE_LLM_API_KEY"}) {
            QVERIFY2(out.contains(QLatin1String(option)), option);
        }
    }

    void uidOfBucketKey_data() {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QString>("uid");
        QTest::newRow("legacy") << QByteArray("fair_use:bucket:u1") << QStringLiteral("u1");
        QTest::newRow("v2 realtime") << QByteArray("fair_use:v2:bucket:realtime:u1") << QStringLiteral("u1");
        QTest::newRow("v2 sync_fresh") << QByteArray("fair_use:v2:bucket:sync_fresh:u1") << QStringLiteral("u1");
        QTest::newRow("v2 custom_stt") << QByteArray("fair_use:v2:bucket:custom_stt:u1") << QStringLiteral("u1");
        QTest::newRow("uid with a colon") << QByteArray("fair_use:v2:bucket:realtime:a:b") << QStringLiteral("a:b");
        QTest::newRow("unknown source") << QByteArray("fair_use:v2:bucket:tape:u1") << QString();
        QTest::newRow("no uid") << QByteArray("fair_use:bucket:") << QString();
        QTest::newRow("v2 without uid") << QByteArray("fair_use:v2:bucket:realtime:") << QString();
        QTest::newRow("speech key") << QByteArray("fair_use:speech:u1") << QString();
        QTest::newRow("stage key") << QByteArray("fair_use:stage:u1") << QString();
    }
    void uidOfBucketKey() {
        QFETCH(QByteArray, key);
        QFETCH(QString, uid);
        QCOMPARE(fairuse::services::uidOfBucketKey(key), uid);
    }
};

QTEST_GUILESS_MAIN(EnforcerCommandLineTest)
#include "EnforcerCommandLineTest.moc"
