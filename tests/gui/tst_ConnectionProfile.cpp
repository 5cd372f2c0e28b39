// Connection profiles over QSettings: built-in defaults, overrides, custom profiles, no secrets in the file.

#include "ConnectionProfile.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse::models;

class tst_ConnectionProfile : public QObject {
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
            p.reviewerEmail = QStringLiteral("sam@fairuse.example");
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
        QCOMPARE(profiles.profile(QStringLiteral("staging")).reviewerEmail, QStringLiteral("sam@fairuse.example"));
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
        QVERIFY(!text.contains("apikey"));
        QVERIFY(!text.contains("secret"));
    }
};

QTEST_GUILESS_MAIN(tst_ConnectionProfile)
#include "tst_ConnectionProfile.moc"
