// Connection profiles over QSettings: built-in defaults, overrides, custom profiles, no secrets in the file.

#include "ConnectionProfile.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse::models;

class ConnectionProfileTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void builtInsHaveDefaults() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("p.ini")), QSettings::IniFormat);
        ProfileSettings profiles(&settings);
        QCOMPARE(profiles.names(),
                 QStringList({QStringLiteral("demo"), QStringLiteral("emulator"), QStringLiteral("production")}));
        QVERIFY(profiles.profile(QStringLiteral("demo")).kind == ProfileKind::Demo);
        QVERIFY(profiles.profile(QStringLiteral("emulator")).kind == ProfileKind::Emulator);
        QVERIFY(!profiles.profile(QStringLiteral("emulator")).firestoreEmulatorHost.isEmpty());
        QVERIFY(profiles.profile(QStringLiteral("production")).kind == ProfileKind::Production);
        QCOMPARE(profiles.lastProfile(), QStringLiteral("demo"));
    }

    void savedValuesOverrideAndPersist() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("p.ini"));
        {
            QSettings settings(file, QSettings::IniFormat);
            ProfileSettings profiles(&settings);
            ConnectionProfile p = profiles.profile(QStringLiteral("staging"));
            QVERIFY(p.kind == ProfileKind::Production); // unknown names are new production profiles
            p.redisUrl = QStringLiteral("rediss://redis.staging:6380/1");
            p.firestoreProject = QStringLiteral("fairuse-staging");
            p.firebaseApiKey = QStringLiteral("AIza-staging-web-key");
            p.signInProvider = QStringLiteral("oidc.acme");
            p.passwordSignIn = false;
            profiles.save(p);
            ConnectionProfile e = profiles.profile(QStringLiteral("emulator"));
            e.firestoreProject = QStringLiteral("other-project");
            profiles.save(e);
            profiles.setLastProfile(QStringLiteral("staging"));
        }
        QSettings settings(file, QSettings::IniFormat);
        ProfileSettings profiles(&settings);
        QVERIFY(profiles.names().contains(QStringLiteral("staging")));
        QCOMPARE(profiles.profile(QStringLiteral("staging")).redisUrl, QStringLiteral("rediss://redis.staging:6380/1"));
        QCOMPARE(profiles.profile(QStringLiteral("staging")).firebaseApiKey, QStringLiteral("AIza-staging-web-key"));
        QCOMPARE(profiles.profile(QStringLiteral("staging")).signInProvider, QStringLiteral("oidc.acme"));
        QVERIFY(!profiles.profile(QStringLiteral("staging")).passwordSignIn);
        QVERIFY(profiles.profile(QStringLiteral("emulator")).passwordSignIn);
        QCOMPARE(profiles.profile(QStringLiteral("emulator")).firestoreProject, QStringLiteral("other-project"));
        QCOMPARE(profiles.lastProfile(), QStringLiteral("staging"));
        profiles.remove(QStringLiteral("emulator"));
        QCOMPARE(profiles.profile(QStringLiteral("emulator")).firestoreProject,
                 ProfileSettings::builtIns().at(1).firestoreProject);
    }

    void secretKeysAreNamespacedAndNeverInSettings() {
        QCOMPARE(secretKey(QStringLiteral("prod"), ProfileSecret::LlmApiKey), QStringLiteral("prod/llm-api-key"));
        QVERIFY(secretKey(QStringLiteral("a"), ProfileSecret::RedisPassword) !=
                secretKey(QStringLiteral("b"), ProfileSecret::RedisPassword));
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("p.ini"));
        {
            QSettings settings(file, QSettings::IniFormat);
            ProfileSettings profiles(&settings);
            profiles.save(profiles.profile(QStringLiteral("production")));
        }
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll().toLower();
        QVERIFY(!text.contains("password"));
        QVERIFY(!text.contains("llmapikey"));
        QVERIFY(!text.contains("secret"));
        QVERIFY(!text.contains("idtoken"));
        QVERIFY(!text.contains("refresh"));
        // The one key in it is the Firebase Web API key, a public project identifier that grants nothing.
        QVERIFY(text.contains("firebaseapikey"));
    }

    void allowPlaintextRedisPersistsAndDefaultsOff() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("p.ini"));
        {
            QSettings settings(file, QSettings::IniFormat);
            ProfileSettings profiles(&settings);
            QVERIFY(!profiles.profile(QStringLiteral("production")).allowPlaintextRedis);
            ConnectionProfile p = profiles.profile(QStringLiteral("tunnel"));
            QVERIFY(!p.allowPlaintextRedis);
            p.allowPlaintextRedis = true;
            profiles.save(p);
        }
        QSettings settings(file, QSettings::IniFormat);
        ProfileSettings profiles(&settings);
        QVERIFY(profiles.profile(QStringLiteral("tunnel")).allowPlaintextRedis);
        QVERIFY(!profiles.profile(QStringLiteral("production")).allowPlaintextRedis);
    }

    void rerunByServicePersistsAndDefaultsOff() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("p.ini"));
        {
            QSettings settings(file, QSettings::IniFormat);
            ProfileSettings profiles(&settings);
            for (const ConnectionProfile& p : ProfileSettings::builtIns()) {
                QVERIFY(!p.rerunByService); // the desktop path stays the default
            }
            ConnectionProfile p = profiles.profile(QStringLiteral("keyless"));
            QVERIFY(!p.rerunByService);
            p.rerunByService = true;
            profiles.save(p);
        }
        QSettings settings(file, QSettings::IniFormat);
        ProfileSettings profiles(&settings);
        QVERIFY(profiles.profile(QStringLiteral("keyless")).rerunByService);
        QVERIFY(!profiles.profile(QStringLiteral("production")).rerunByService);
    }

    void checkedBeforeConnecting_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("redisUrl");
        QTest::addColumn<bool>("allowPlaintext");
        QTest::addColumn<QString>("emulatorVariable");
        QTest::addColumn<QString>("refusal"); // empty: allowed
        const int production = static_cast<int>(ProfileKind::Production);
        const int emulator = static_cast<int>(ProfileKind::Emulator);
        const QString tls = QStringLiteral("rediss://redis.internal:6380/0");
        const QString plain = QStringLiteral("redis://redis.internal:6379/0");
        QTest::newRow("production over TLS") << production << tls << false << QString() << QString();
        QTest::newRow("production over plain redis")
            << production << plain << false << QString() << QStringLiteral("uses redis:// without TLS");
        QTest::newRow("production, plain redis on loopback")
            << production << QStringLiteral("redis://127.0.0.1:6379") << false << QString()
            << QStringLiteral("uses redis:// without TLS");
        QTest::newRow("production, plain redis allowed") << production << plain << true << QString() << QString();
        QTest::newRow("production with FIRESTORE_EMULATOR_HOST")
            << production << tls << false << QStringLiteral("127.0.0.1:8080")
            << QStringLiteral("FIRESTORE_EMULATOR_HOST is set (to 127.0.0.1:8080) and profile prod-eu is a "
                              "production profile");
        QTest::newRow("production with FIRESTORE_EMULATOR_HOST and plain redis allowed")
            << production << plain << true << QStringLiteral("localhost:8080")
            << QStringLiteral("FIRESTORE_EMULATOR_HOST is set");
        QTest::newRow("production with a blank FIRESTORE_EMULATOR_HOST")
            << production << tls << false << QStringLiteral("  ") << QString();
        QTest::newRow("emulator over plain redis") << emulator << plain << false << QString() << QString();
        QTest::newRow("emulator with FIRESTORE_EMULATOR_HOST")
            << emulator << QStringLiteral("redis://127.0.0.1:6379/0") << false << QStringLiteral("127.0.0.1:8080")
            << QString();
        QTest::newRow("demo with FIRESTORE_EMULATOR_HOST") << static_cast<int>(ProfileKind::Demo) << QString() << false
                                                           << QStringLiteral("127.0.0.1:8080") << QString();
    }

    void checkedBeforeConnecting() {
        QFETCH(int, kind);
        QFETCH(QString, redisUrl);
        QFETCH(bool, allowPlaintext);
        QFETCH(QString, emulatorVariable);
        QFETCH(QString, refusal);
        ConnectionProfile p;
        p.name = QStringLiteral("prod-eu");
        p.kind = static_cast<ProfileKind>(kind);
        p.redisUrl = redisUrl;
        p.allowPlaintextRedis = allowPlaintext;
        p.firestoreProject = QStringLiteral("fairuse-prod");
        const fairuse::Status s = checkBeforeConnect(p, emulatorVariable);
        QCOMPARE(s.ok(), refusal.isEmpty());
        if (!s.ok()) {
            QVERIFY2(s.error().message.contains(refusal), qPrintable(s.error().message));
            QCOMPARE(s.error().kind, fairuse::ErrorKind::Permission);
        }
    }
};

QTEST_GUILESS_MAIN(ConnectionProfileTest)
#include "ConnectionProfileTest.moc"
