// The console's own classifier runs are booked as LLM spend: through the scripted OpenAI-compatible server, the
// classifier settles each billed call in the booking's ledger and the record lands in the case store (the embedded
// SQLite store here), with the plan of the user's state.

#include "llm/ClassifierSpendBooking.h"
#include "ScriptedOpenAiServer.h"
#include "common/Await.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "llm/OpenAiClassifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

const QString kUid = QStringLiteral("spend-user");

TimePoint testNow() {
    return parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();
}

QList<Conversation> conversations() {
    Conversation c;
    c.id = QStringLiteral("c1");
    c.title = QStringLiteral("Chapter 1 read aloud");
    c.overview = QStringLiteral("Two hours of narration");
    c.category = QStringLiteral("education");
    c.source = QStringLiteral("omi");
    c.createdAt = testNow() - std::chrono::hours(5);
    c.startedAt = c.createdAt;
    c.finishedAt = c.startedAt + std::chrono::minutes(95);
    return {c};
}

QByteArray classifierContent() {
    const QJsonObject root{
        {QStringLiteral("misuse_score"), 0.82},
        {QStringLiteral("usage_type"), QStringLiteral("audiobook")},
        {QStringLiteral("confidence"), 0.7},
        {QStringLiteral("evidence"),
         QJsonArray{QJsonObject{{QStringLiteral("conversation_id"), QStringLiteral("c1")},
                                {QStringLiteral("title"), QStringLiteral("Chapter 1")},
                                {QStringLiteral("reason"), QStringLiteral("continuous narration")}}}},
        {QStringLiteral("reasoning"), QStringLiteral("Chapters read aloud.")}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace

class ClassifierSpendBookingTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    EmbeddedStores m_stores;
    ScriptedOpenAiServer* m_server = nullptr;

    QList<LlmSpendRecord> spend() {
        auto r = awaitResult(
            m_stores.cases->listSpend(testNow() - std::chrono::hours(1), testNow() + std::chrono::hours(1)));
        return r ? r.value() : QList<LlmSpendRecord>{};
    }

    /** A classifier on the scripted server, without retries, and the booking of its runs into the embedded store
     *  (owned by the classifier). */
    std::pair<OpenAiClassifier*, ClassifierSpendBooking*> bookedClassifier() {
        OpenAiClassifierConfig config;
        config.baseUrl = m_server->baseUrl();
        config.model = QStringLiteral("gpt-4.1-mini");
        config.maxRetries = 0;
        auto* classifier = new OpenAiClassifier(config, QStringLiteral("test-key"), this);
        auto* booking = new ClassifierSpendBooking(classifier, m_stores.cases, PriceTable::defaults(), classifier);
        return {classifier, booking};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_stores = makeEmbeddedStores(m_dir.filePath(QStringLiteral("spend.sqlite")));
        QVERIFY(awaitResult(m_stores.database->ready(), 60000).ok());
        DemoPopulation pop;
        pop.referenceTime = testNow();
        FairUseState s;
        s.uid = kUid;
        s.stage = Stage::Warning;
        s.updatedAt = testNow() - std::chrono::hours(1);
        pop.states = {s};
        DemoUser u;
        u.uid = kUid;
        u.subscription =
            Subscription{QStringLiteral("unlimited"), QStringLiteral("active"), testNow() + std::chrono::days(20)};
        u.plan = Plan::Unlimited;
        pop.users = {u};
        QVERIFY(writeToEmbedded(pop, *m_stores.database).ok());
        m_server = new ScriptedOpenAiServer(this);
        QVERIFY(m_server->start());
    }

    void classifierRunsAreBooked() {
        auto [classifier, booking] = bookedClassifier();
        QVERIFY(spend().isEmpty());

        // A good answer: booked with its usage, priced by the ledger.
        m_server->enqueue(ScriptedResponse::json(
            200, ScriptedOpenAiServer::chatCompletion(classifierContent(), QStringLiteral("gpt-4.1-mini-2025-04-14"),
                                                      QStringLiteral("stop"), 1200, 150)));
        const auto result = awaitResult(classifier->classify(kUid, conversations(), testNow()));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QTRY_COMPARE_WITH_TIMEOUT(booking->bookedCount(), 1, 30000);

        // A refused answer is an error that escalates nobody, but the provider billed it: booked too.
        m_server->enqueue(ScriptedResponse::json(
            200, ScriptedOpenAiServer::chatCompletion({}, QStringLiteral("gpt-4.1-mini"), QStringLiteral("stop"), 900,
                                                      20, QStringLiteral("I cannot help with that."))));
        const auto refused = awaitResult(classifier->classify(kUid, conversations(), testNow()));
        QVERIFY(!refused.ok());
        QTRY_COMPARE_WITH_TIMEOUT(booking->bookedCount(), 2, 30000);
        QCOMPARE(booking->failedCount(), 0);

        QList<LlmSpendRecord> records = spend();
        QCOMPARE(records.size(), 2);
        // Both calls are booked at the check's time plus their own few milliseconds: order them by call.
        std::sort(records.begin(), records.end(),
                  [](const LlmSpendRecord& a, const LlmSpendRecord& b) { return a.promptTokens > b.promptTokens; });
        const PriceTable prices = PriceTable::defaults();
        const std::int64_t expected[][2] = {{1200, 150}, {900, 20}};
        for (int i = 0; i < 2; ++i) {
            const LlmSpendRecord& r = records.at(i);
            QCOMPARE(r.uid, kUid);
            QCOMPARE(r.purpose, QStringLiteral("classifier"));
            QCOMPARE(r.model, QStringLiteral("gpt-4.1-mini"));
            QCOMPARE(r.promptTokens, expected[i][0]);
            QCOMPARE(r.completionTokens, expected[i][1]);
            QCOMPARE(r.costMicroUsd, prices.costMicroUsd(r.model, expected[i][0], expected[i][1]).value());
            QVERIFY(r.costMicroUsd > 0);
            QCOMPARE(toString(r.plan), toString(Plan::Unlimited));
            QVERIFY(r.at >= testNow());
        }
        // The ledger holds the same spend.
        const SpendStatus status = booking->ledger().status(kUid, testNow() + std::chrono::minutes(1));
        QCOMPARE(status.dailySettledMicroUsd, records.at(0).costMicroUsd + records.at(1).costMicroUsd);
        QCOMPARE(status.outstandingReservations, 0);
        QCOMPARE(m_server->unscriptedRequests(), 0);
        delete classifier; // takes the booking with it
    }

    void unbilledCallsBookNothing() {
        // A request the provider never billed (a 500 without retries) books nothing.
        auto [classifier, booking] = bookedClassifier();
        m_server->enqueue(ScriptedResponse::json(500, ScriptedOpenAiServer::apiError(QStringLiteral("server_error"),
                                                                                     QStringLiteral("internal"),
                                                                                     QStringLiteral("boom"))));
        QVERIFY(!awaitResult(classifier->classify(kUid, conversations(), testNow())).ok());
        QTest::qWait(200);
        QCOMPARE(booking->bookedCount(), 0);
        QCOMPARE(spend().size(), 2);
        delete classifier;
    }
};

QTEST_GUILESS_MAIN(ClassifierSpendBookingTest)
#include "ClassifierSpendBookingTest.moc"
