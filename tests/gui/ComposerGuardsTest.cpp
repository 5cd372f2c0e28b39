// The composition root refuses a production profile before anything connects or any secret is asked for: when
// FIRESTORE_EMULATOR_HOST is set (it would silently make the session an emulator session), and when its Redis URL is
// plain redis:// without the profile's explicit opt-out.
#include "Composition.h"
#include "secrets/SessionSecretStore.h"

#include <QSignalSpy>
#include <QTest>

using namespace fairuse;

namespace {

models::ConnectionProfile production(const QString& redisUrl) {
    models::ConnectionProfile p;
    p.name = QStringLiteral("prod-eu");
    p.kind = models::ProfileKind::Production;
    p.redisUrl = redisUrl;
    p.firestoreProject = QStringLiteral("fairuse-prod");
    return p;
}

} // namespace

class ComposerGuardsTest : public QObject {
    Q_OBJECT

    /** Starts a composer and returns its failure message, waiting up to `waitMs` for one; empty when none came. */
    QString startAndFail(const models::ConnectionProfile& profile, int* prompts, int waitMs = 0) {
        console::Composer composer(profile, std::make_shared<services::SessionSecretStore>(),
                                   [prompts](models::ProfileSecret) -> std::optional<QString> {
                                       ++*prompts;
                                       return std::nullopt;
                                   });
        QSignalSpy failed(&composer, &console::Composer::failed);
        QSignalSpy ready(&composer, &console::Composer::ready);
        composer.start();
        // The guards answer synchronously, before any secret is read or any server is contacted.
        if (waitMs > 0) {
            // Timing out is fine here: a composer still connecting has not failed.
            (void)QTest::qWaitFor([&] { return !failed.isEmpty() || !ready.isEmpty(); }, waitMs);
        }
        return failed.isEmpty() ? QString() : failed.first().at(0).toString();
    }

private Q_SLOTS:
    void cleanup() { qunsetenv("FIRESTORE_EMULATOR_HOST"); }

    void emulatorVariableRefusedForProduction() {
        qputenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:8080");
        int prompts = 0;
        const QString message = startAndFail(production(QStringLiteral("rediss://redis.internal:6380/0")), &prompts);
        QVERIFY2(message.contains(QLatin1String("FIRESTORE_EMULATOR_HOST is set (to 127.0.0.1:8080)")),
                 qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("prod-eu is a production profile")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("fairuse-prod")), qPrintable(message));
        QCOMPARE(prompts, 0);
    }

    void plainRedisRefusedForProduction() {
        int prompts = 0;
        const QString message = startAndFail(production(QStringLiteral("redis://redis.internal:6379/0")), &prompts);
        QVERIFY2(message.contains(QLatin1String("redis:// without TLS")), qPrintable(message));
        QCOMPARE(prompts, 0);
    }

    void plainRedisWithTheOptOutGetsPastTheGuard() {
        models::ConnectionProfile p = production(QStringLiteral("redis://127.0.0.1:1/0"));
        p.allowPlaintextRedis = true;
        int prompts = 0;
        // Past the guards the composer goes on to its secrets; whatever it reports next is not the TLS refusal.
        const QString message = startAndFail(p, &prompts, 3000);
        QVERIFY2(!message.contains(QLatin1String("without TLS")), qPrintable(message));
    }

    void emulatorProfileKeepsTheVariable() {
        qputenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:1");
        models::ConnectionProfile p = models::ProfileSettings::builtIns().at(1);
        QVERIFY(p.kind == models::ProfileKind::Emulator);
        p.redisUrl = QStringLiteral("redis://127.0.0.1:1/0");
        int prompts = 0;
        const QString message = startAndFail(p, &prompts, 1000);
        QVERIFY2(!message.contains(QLatin1String("FIRESTORE_EMULATOR_HOST is set")), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(ComposerGuardsTest)
#include "ComposerGuardsTest.moc"
