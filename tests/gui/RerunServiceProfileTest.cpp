// A profile that sends re-runs to the enforcement service (ConnectionProfile::rerunByService), composed by the
// console's composition root against the fixtures (redis, the Firestore emulator with the shipped rules, the Auth
// emulator): its classifier is the enforcement service, no LLM key is read from the keychain nor asked for although
// the profile names an LLM endpoint, and a re-run request written through the store by the signed-in reviewer gets
// the service's answer. The same profile without the option reads the key (the control).
#include "AuthEmulator.h"
#include "EmulatorConsoleSupport.h"
#include "EmulatorSupport.h"
#include "RequireBackend.h"

#include "classifier/HeuristicClassifier.h"
#include "enforcement/ReviewerActions.h"
#include "firestore/ClassifierRunDocument.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "secrets/SessionSecretStore.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::emulatorconsole;

namespace {

constexpr int kRedisDb = 7;

/** The keychain, recording which keys were read. */
class RecordingSecrets : public SecretStore {
public:
    Async<QString> read(const QString& key) override {
        reads.append(key);
        return m_inner.read(key);
    }
    Async<bool> write(const QString& key, const QString& secret) override { return m_inner.write(key, secret); }
    Async<bool> remove(const QString& key) override { return m_inner.remove(key); }
    QStringList reads;

private:
    SessionSecretStore m_inner;
};

} // namespace

class RerunServiceProfileTest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;
    QString m_project;
    std::shared_ptr<FirestoreClient> m_owner;

    struct Composed {
        std::unique_ptr<console::Connection> connection;
        std::shared_ptr<RecordingSecrets> secrets;
        QList<models::ProfileSecret> asked;
        QString failure;
    };

    /** The emulator profile naming an LLM endpoint, with a key in the keychain, composed for a Google reviewer. */
    void compose(bool rerunByService, Composed& out) {
        const testing::AuthEmulator auth;
        const QString email = testing::AuthEmulator::uniqueEmail(QStringLiteral("rerun-profile"));
        auto account = auth.googleReviewer(email, QStringLiteral("reviewer"));
        QVERIFY2(account.ok(), account.ok() ? "" : qPrintable(account.error().message));
        models::ConnectionProfile profile = models::ProfileSettings::builtIns().at(1);
        pointAtFixtures(profile, m_redisPort, kRedisDb, m_project, m_host, auth);
        profile.llmBaseUrl = QStringLiteral("http://127.0.0.1:9/v1");
        profile.llmModel = QStringLiteral("gpt-test");
        profile.rerunByService = rerunByService;
        out.secrets = std::make_shared<RecordingSecrets>();
        QVERIFY(get(out.secrets->write(models::secretKey(profile.name, models::ProfileSecret::LlmApiKey),
                                       QStringLiteral("sk-test")))
                    .ok());
        console::Composer composer(profile, out.secrets, [&out](models::ProfileSecret s) -> std::optional<QString> {
            out.asked.append(s);
            return std::nullopt;
        });
        composer.setPinnedNow(reference());
        connect(&composer, &console::Composer::signInRequired, this, [&](const console::SignInRequest& request) {
            auto tokens = get(request.client->signInWithIdp(
                testing::AuthEmulator::fakeGoogleCredential(QStringLiteral("google-") + email, email, true)));
            QVERIFY2(tokens.ok(), tokens.ok() ? "" : qPrintable(tokens.error().message));
            composer.continueSignIn(*tokens);
        });
        out.failure = startAndWait(composer);
        if (out.failure.isEmpty()) {
            out.connection = composer.take();
        }
    }

private Q_SLOTS:
    void initTestCase() {
        m_redisPort = backends::redisPort();
        REQUIRE_REDIS(m_redisPort);
        m_host = backends::emulatorHost();
        REQUIRE_FIRESTORE_EMULATOR(m_host);
        REQUIRE_AUTH_EMULATOR();
        m_project = backends::freshProject(QStringLiteral("rerun-profile"));
        QVERIFY(testing::loadShippedRules(m_host, m_project));
        m_owner = std::make_shared<FirestoreClient>(firestoreConfig(m_project, m_host), StaticToken::emulatorOwner());
        FairUseState state;
        state.uid = QStringLiteral("u1");
        state.stage = Stage::Warning;
        state.updatedAt = reference() - std::chrono::hours(2);
        VERIFY_OK(
            get(m_owner->commit({FirestoreWrite::set(FirestoreCaseStore::statePath(state.uid), encodeState(state))})));
    }

    void theServiceAnswersAndNoKeyIsRead() {
        Composed c;
        compose(true, c);
        QVERIFY2(c.failure.isEmpty(), qPrintable(c.failure));
        const models::Backend& b = c.connection->backend;
        QCOMPARE(b.classifier->describe(), QStringLiteral("enforcement service"));
        const QString keyName = models::secretKey(QStringLiteral("emulator"), models::ProfileSecret::LlmApiKey);
        QVERIFY2(!c.secrets->reads.contains(keyName), qPrintable(c.secrets->reads.join(QLatin1Char(','))));
        QVERIFY(!c.asked.contains(models::ProfileSecret::LlmApiKey));

        // The dialog's commit as this reviewer, then the service's answer (server credentials), then the re-run.
        const auto state = get(b.cases->getState(QStringLiteral("u1")));
        VERIFY_OK(state);
        enforcement::ActionContext ctx;
        ctx.reviewer = b.reviewer;
        ctx.now = reference();
        ctx.clientVersion = QStringLiteral("RerunServiceProfileTest");
        const auto change = enforcement::buildRerunClassifier(*state, QString(), ctx);
        VERIFY_OK(change);
        const auto applied = get(b.cases->apply(*change));
        VERIFY_OK(applied);
        ClassifierRun run;
        run.uid = QStringLiteral("u1");
        run.requestedBy = b.reviewer.email;
        run.requestedSequence = applied->audit.sequence;
        run.finishedAt = reference();
        run.ok = true;
        run.classifier = classifier::classifyHeuristically({}, reference());
        VERIFY_OK(get(m_owner->commit(
            {FirestoreWrite::set(classifierRunPath(FirestoreCaseStore::auditRecordId(applied->audit.sequence)),
                                 encodeClassifierRun(run))})));
        const auto got = get(b.classifier->classify(QStringLiteral("u1"), {}, reference()));
        VERIFY_OK(got);
        QCOMPARE(got->reasoning, run.classifier->reasoning);
        QVERIFY(b.classifier->isHeuristic());
    }

    void withoutTheOptionTheKeyIsRead() {
        Composed c;
        compose(false, c);
        QVERIFY2(c.failure.isEmpty(), qPrintable(c.failure));
        QCOMPARE(c.connection->backend.classifier->describe().contains(QStringLiteral("enforcement service")), false);
        QVERIFY2(
            c.secrets->reads.contains(models::secretKey(QStringLiteral("emulator"), models::ProfileSecret::LlmApiKey)),
            qPrintable(c.secrets->reads.join(QLatin1Char(','))));
    }
};

QTEST_GUILESS_MAIN(RerunServiceProfileTest)
#include "RerunServiceProfileTest.moc"
