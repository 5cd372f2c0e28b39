// fairuse-enforcer's command line, without backends: bad usage is refused with exit code 2 and a message naming what
// is wrong (before anything connects), and the user of a bucket key name in both layouts of SPEC 4.1.
#include "enforcer/SpeechUserScan.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse::services;

class EnforcerCommandLineTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    /** Writes `name` in the test's folder with `permissions`; returns its path. */
    QString write(const QString& name, const QByteArray& content,
                  QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner) {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size()) {
            qFatal("cannot write %s", qPrintable(path));
        }
        f.close();
        f.setPermissions(permissions);
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

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
        const auto listen = [&base](const char* value) {
            return base + QStringList{QStringLiteral("--interval"), QStringLiteral("60"), QStringLiteral("--listen"),
                                      QString::fromLatin1(value)};
        };
        QTest::newRow("listen without port") << listen("127.0.0.1") << QStringLiteral("no port");
        QTest::newRow("listen with empty port") << listen("127.0.0.1:") << QStringLiteral("no port");
        QTest::newRow("listen port not a number")
            << listen("127.0.0.1:http") << QStringLiteral("a number from 0 to 65535");
        QTest::newRow("listen port negative") << listen("127.0.0.1:-1") << QStringLiteral("a number from 0 to 65535");
        QTest::newRow("listen port out of range")
            << listen("127.0.0.1:65536") << QStringLiteral("a number from 0 to 65535");
        QTest::newRow("listen host not an address")
            << listen("metrics.internal:9464") << QStringLiteral("IP address or localhost");
        QTest::newRow("listen IPv6 without brackets") << listen("::1:9464") << QStringLiteral("brackets");
        QTest::newRow("listen with once")
            << base + QStringList{QStringLiteral("--once"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")}
            << QStringLiteral("--once");

        // --config FILE: read strictly, secrets refused, the command line over the file.
        const auto config = [this](const char* name, const QByteArray& json) {
            return QStringList{QStringLiteral("--config"), write(QString::fromLatin1(name), json)};
        };
        // The backends' settings plus `extra`, as a file's text.
        const auto with = [](const QJsonObject& extra) {
            QJsonObject o{{QStringLiteral("redis"), QStringLiteral("redis://127.0.0.1:1")},
                          {QStringLiteral("firestore"), QStringLiteral("demo-enforcer")},
                          {QStringLiteral("identity"), QStringLiteral("enforcer@fairuse.example")}};
            for (auto it = extra.begin(); it != extra.end(); ++it) {
                o.insert(it.key(), it.value());
            }
            return QJsonDocument(o).toJson();
        };
        QTest::newRow("config missing") << QStringList{QStringLiteral("--config"),
                                                       m_dir.filePath(QStringLiteral("none"))}
                                        << QStringLiteral("cannot read");
        QTest::newRow("config not JSON") << config("broken.json",
                                                   "{\n  \"redis\": \"redis://127.0.0.1:1\"\n  \"shadow\"")
                                         << QStringLiteral("not JSON at line 3");
        QTest::newRow("config not an object") << config("array.json", "[1, 2]") << QStringLiteral("one JSON object");
        QTest::newRow("config unknown key")
            << config("unknown.json", with({{QStringLiteral("colour"), QStringLiteral("blue")}}))
            << QStringLiteral("unknown key \"colour\"");
        QTest::newRow("config interval as text")
            << config("type.json", with({{QStringLiteral("interval_seconds"), QStringLiteral("60")}}))
            << QStringLiteral("\"interval_seconds\" must be a whole number, not a string");
        QTest::newRow("config interval fraction")
            << config("fraction.json", with({{QStringLiteral("interval_seconds"), 1.5}}))
            << QStringLiteral("\"interval_seconds\" must be a whole number");
        QTest::newRow("config shadow as text")
            << config("flag.json", with({{QStringLiteral("shadow"), QStringLiteral("yes")}}))
            << QStringLiteral("\"shadow\" must be true or false");
        QTest::newRow("config redis password")
            << config("password.json", with({{QStringLiteral("redis_password"), QStringLiteral("hunter2")}}))
            << QStringLiteral("\"redis_password\" looks like a secret");
        QTest::newRow("config api key") << config("apikey.json",
                                                  with({{QStringLiteral("llm_api_key"), QStringLiteral("sk-x")}}))
                                        << QStringLiteral("\"llm_api_key\" looks like a secret");
        QTest::newRow("config password in the redis URL")
            << config("url.json", with({{QStringLiteral("redis"), QStringLiteral("redis://:hunter2@127.0.0.1:1")}}))
            << QStringLiteral("FAIRUSE_REDIS_PASSWORD");
        const QString readable =
            write(QStringLiteral("readable.key"), "sk-x\n",
                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        QTest::newRow("config world-readable key file")
            << config("readable.json", with({{QStringLiteral("llm_api_key_file"), readable}}))
            << QStringLiteral("readable by every user");
        QTest::newRow("config missing key file")
            << config("nokey.json", with({{QStringLiteral("llm_api_key_file"), QStringLiteral("absent.key")}}))
            << QStringLiteral("not a file");
        const QString empty = write(QStringLiteral("empty.key"), "\n");
        QTest::newRow("config empty key file")
            << config("emptykey.json", with({{QStringLiteral("llm_api_key_file"), empty}}))
            << QStringLiteral("is empty");
        QTest::newRow("config values checked like flags")
            << config("zero.json", with({{QStringLiteral("interval_seconds"), 0}})) << QStringLiteral("--interval");
        QTest::newRow("config paths beside the config")
            << config("policy.json", with({{QStringLiteral("policy"), QStringLiteral("no-policy.json")}}))
            << QStringLiteral("cannot read %1").arg(m_dir.filePath(QStringLiteral("no-policy.json")));
        // The file's bad interval is overridden by the command line's, so the next problem (--listen) is reported.
        QTest::newRow("command line over config")
            << config("override.json", with({{QStringLiteral("interval_seconds"), 0}})) +
                   QStringList{QStringLiteral("--interval"), QStringLiteral("5"), QStringLiteral("--listen"),
                               QStringLiteral("nowhere")}
            << QStringLiteral("--listen \"nowhere\"");
        // The shipped example reads up to its key file, which only systemd provides.
        QTest::newRow("the example config")
            << QStringList{QStringLiteral("--config"), qEnvironmentVariable("FAIRUSE_SOURCE_DIR") +
                                                           QStringLiteral("/packaging/systemd/enforcer.example.json")}
            << QStringLiteral("/run/credentials/fairuse-enforcer.service/llm-api-key is not a file");
        // The LLM-spend caps: whole micro-USD, not negative, a daily cap not over its monthly one.
        QTest::newRow("config cap negative")
            << config("capnegative.json", with({{QStringLiteral("llm_cap_basic_daily_micro_usd"), -1}}))
            << QStringLiteral("\"llm_cap_basic_daily_micro_usd\" must be a whole number of micro-USD from 0 to");
        QTest::newRow("config cap fraction")
            << config("capfraction.json", with({{QStringLiteral("llm_cap_unlimited_monthly_micro_usd"), 2.5}}))
            << QStringLiteral("\"llm_cap_unlimited_monthly_micro_usd\" must be a whole number");
        QTest::newRow("config cap in dollars as text")
            << config("captext.json", with({{QStringLiteral("llm_cap_basic_monthly_micro_usd"), QStringLiteral("$5")}}))
            << QStringLiteral("\"llm_cap_basic_monthly_micro_usd\" must be a whole number of micro-USD from 0 to "
                              "1000000000000 (1000000 is $1), not a string");
        QTest::newRow("config cap too high")
            << config("caphigh.json", with({{QStringLiteral("llm_cap_unlimited_daily_micro_usd"), 1e13}}))
            << QStringLiteral("\"llm_cap_unlimited_daily_micro_usd\" must be a whole number");
        QTest::newRow("config cap misspelt")
            << config("capname.json", with({{QStringLiteral("llm_cap_paid_daily_micro_usd"), 1}}))
            << QStringLiteral("unknown key \"llm_cap_paid_daily_micro_usd\"");
        QTest::newRow("config daily cap over monthly")
            << config("caporder.json", with({{QStringLiteral("llm_cap_basic_daily_micro_usd"), 6'000'000}}))
            << QStringLiteral("the basic plan's daily LLM cap (--llm-cap-basic-daily or llm_cap_basic_daily_micro_usd: "
                              "6000000 micro-USD) exceeds its monthly cap");
        QTest::newRow("cap not a number")
            << base + QStringList{QStringLiteral("--once"), QStringLiteral("--llm-cap-unlimited-daily"),
                                  QStringLiteral("2usd")}
            << QStringLiteral("--llm-cap-unlimited-daily must be a whole number of micro-USD");
        QTest::newRow("cap negative") << base + QStringList{QStringLiteral("--once"),
                                                            QStringLiteral("--llm-cap-basic-monthly"),
                                                            QStringLiteral("-5")}
                                      << QStringLiteral("--llm-cap-basic-monthly must be a whole number of micro-USD");
        QTest::newRow("instance name with a slash")
            << base + QStringList{QStringLiteral("--once"), QStringLiteral("--instance-name"), QStringLiteral("a/b")}
            << QStringLiteral("--instance-name");
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
        QVERIFY(!err.contains(QLatin1String("sk-x")));
        QVERIFY(!err.contains(QLatin1String("hunter2")));
    }

    void listenBeyondLoopbackIsWarned() {
        // Accepted, since a proxy or a scraper on another host may need it, but said: the endpoint has no
        // authentication. The service then runs (against backends that are not there) until terminated.
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), QStringLiteral("127.0.0.1:1"));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
                {QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:1"), QStringLiteral("--firestore"),
                 QStringLiteral("demo-enforcer"), QStringLiteral("--identity"),
                 QStringLiteral("enforcer@fairuse.example"), QStringLiteral("--interval"), QStringLiteral("60"),
                 QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0"), QStringLiteral("--log-dir"),
                 m_dir.filePath(QStringLiteral("logs"))});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QByteArray out;
        while (!out.contains("\"listening\"") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += p.readAllStandardError();
            out += p.readAllStandardOutput();
        }
        p.waitForReadyRead(1000);
        err += p.readAllStandardError();
        p.kill(); // its pass against absent backends is of no interest here
        QVERIFY(p.waitForFinished(30000));
        QVERIFY2(out.contains("\"listening\":\"0.0.0.0:"), out.constData());
        QVERIFY2(err.contains("no authentication"), err.constData());
    }

    void help() {
        QProcess p;
        p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        for (const char* option : {"--once",
                                   "--interval",
                                   "--now",
                                   "--shadow",
                                   "--identity",
                                   "--llm-base-url",
                                   "GOOGLE_APPLICATION_CREDENTIALS",
                                   "FAIRUSE_LLM_API_KEY",
                                   "--listen",
                                   "/metrics",
                                   "/healthz",
                                   "--config",
                                   "llm_api_key_file",
                                   "interval_seconds",
                                   "--instance-name",
                                   "--no-notifications",
                                   "no_notifications",
                                   "notify-keyspace-events",
                                   "fair_use:enforcer:evaluated:",
                                   "--llm-cap-basic-daily",
                                   "--llm-cap-unlimited-monthly",
                                   "llm_cap_basic_daily_micro_usd",
                                   "llm_cap_unlimited_monthly_micro_usd",
                                   "basic 500000 and 5000000, unlimited 2000000 and 20000000"}) {
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
