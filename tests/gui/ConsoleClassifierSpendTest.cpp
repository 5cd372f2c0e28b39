// The emulator console books its own classifier runs as LLM spend: composed against the Firestore and Auth emulators
// (shipped rules) with the classifier pointed at the scripted OpenAI-compatible server, a reviewer's classifier run
// leaves a spend record (purpose classifier, the answer's usage, priced) in Firestore's llm_spend.

#include "AuthEmulator.h"
#include "BackendFixtures.h"
#include "Composition.h"
#include "EmulatorConsoleSupport.h"
#include "EmulatorSupport.h"
#include "ScriptedOpenAiServer.h"
#include "common/Await.h"
#include "firestore/FirestoreCaseStore.h"
#include "ledger/PriceTable.h"
#include "secrets/SessionSecretStore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::emulatorconsole;

namespace {

constexpr int kRedisDb = 7;

QByteArray verdict() {
    const QJsonObject root{{QStringLiteral("misuse_score"), 0.2},
                           {QStringLiteral("usage_type"), QStringLiteral("none")},
                           {QStringLiteral("confidence"), 0.8},
                           {QStringLiteral("evidence"), QJsonArray{}},
                           {QStringLiteral("reasoning"), QStringLiteral("Meetings.")}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace

class ConsoleClassifierSpendTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classifierRunIsBookedInFirestore() {
        const quint16 redisPort = backends::redisPort();
        QVERIFY2(redisPort != 0, "the redis fixture did not run");
        const QString host = backends::emulatorHost();
        QVERIFY2(!host.isEmpty(), "the Firestore emulator fixture did not run");
        const QString project = backends::freshProject(QStringLiteral("console-spend"));
        QVERIFY(testing::loadShippedRules(host, project));
        REQUIRE_AUTH_EMULATOR();
        const testing::AuthEmulator auth;
        const QString email = testing::AuthEmulator::uniqueEmail(QStringLiteral("console-spend"));
        auto account = auth.passwordReviewer(email, QStringLiteral("spend-pw"), QStringLiteral("reviewer"));
        QVERIFY2(account.ok(), account.ok() ? "" : qPrintable(account.error().message));

        testing::ScriptedOpenAiServer llm;
        QVERIFY(llm.start());
        llm.enqueue(testing::ScriptedResponse::json(
            200, testing::ScriptedOpenAiServer::chatCompletion(verdict(), QStringLiteral("gpt-4.1-mini"),
                                                               QStringLiteral("stop"), 1300, 120)));

        models::ConnectionProfile profile = models::ProfileSettings::builtIns().at(1);
        QVERIFY(profile.kind == models::ProfileKind::Emulator);
        pointAtFixtures(profile, redisPort, kRedisDb, project, host, auth);
        profile.llmBaseUrl = llm.baseUrl().toString();
        profile.llmModel = QStringLiteral("gpt-4.1-mini");
        console::Composer composer(profile, std::make_shared<SessionSecretStore>(),
                                   [](models::ProfileSecret secret) -> std::optional<QString> {
                                       if (secret == models::ProfileSecret::LlmApiKey) {
                                           return QStringLiteral("test-llm-key");
                                       }
                                       return std::nullopt;
                                   });
        composer.setPinnedNow(reference());
        connect(&composer, &console::Composer::signInRequired, this, [&](const console::SignInRequest& request) {
            auto tokens = get(request.client->signInWithPassword(email, QStringLiteral("spend-pw")));
            QVERIFY2(tokens.ok(), tokens.ok() ? "" : qPrintable(tokens.error().message));
            composer.continueSignIn(*tokens);
        });
        const QString failure = startAndWait(composer);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        std::unique_ptr<console::Connection> connection = composer.take();
        QVERIFY(!connection->backend.classifier->isHeuristic());

        // The reviewer re-runs the classifier on a user (what "Re-run classifier" does in the user view).
        Conversation c;
        c.id = QStringLiteral("c1");
        c.title = QStringLiteral("Weekly planning");
        c.createdAt = reference() - std::chrono::hours(3);
        c.startedAt = c.createdAt;
        c.finishedAt = c.startedAt + std::chrono::minutes(55);
        const QString uid = QStringLiteral("spend-subject");
        const auto result = get(connection->backend.classifier->classify(uid, {c}, reference()));
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));

        FirestoreConfig config;
        config.projectId = project;
        config.emulatorHost = host;
        FirestoreCaseStore owner(std::make_shared<FirestoreClient>(config, StaticToken::emulatorOwner()));
        QList<LlmSpendRecord> spend;
        QVERIFY(QTest::qWaitFor(
            [&] {
                auto r = get(owner.listSpend(reference() - std::chrono::hours(1), reference() + std::chrono::hours(1)));
                spend = r ? r.value() : QList<LlmSpendRecord>{};
                return !spend.isEmpty();
            },
            30000));
        QCOMPARE(spend.size(), 1);
        const LlmSpendRecord& r = spend.first();
        QCOMPARE(r.uid, uid);
        QCOMPARE(r.purpose, QStringLiteral("classifier"));
        QCOMPARE(r.model, QStringLiteral("gpt-4.1-mini"));
        QCOMPARE(r.promptTokens, std::int64_t(1300));
        QCOMPARE(r.completionTokens, std::int64_t(120));
        QCOMPARE(r.costMicroUsd, PriceTable::defaults().costMicroUsd(r.model, 1300, 120).value());
        QCOMPARE(llm.unscriptedRequests(), 0);
    }
};

QTEST_GUILESS_MAIN(ConsoleClassifierSpendTest)
#include "ConsoleClassifierSpendTest.moc"
