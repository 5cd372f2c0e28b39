// The OpenAI classifier books its calls in the LLM spend ledger: settled with the answer's usage, reserved once across
// retries, released when nothing was billed, the estimate booked when a sent request timed out; a ledger refusal
// sends nothing, and a user over their own LLM cap is still classified.

#include "OpenAiClassifierTestBase.h"

#include "ledger/LlmSpendLedger.h"

#include <optional>

using namespace fairuse;
using namespace fairuse::testing;

namespace {

PriceTable testPrices() {
    PriceTable prices;
    // Prices with a dated snapshot answering for the alias: the ledger prices with the reserved (requested) model.
    const Status set = prices.setPrice(ModelPrice{QStringLiteral("gpt-test-1"), 400'000, 1'600'000});
    Q_ASSERT(set.ok());
    return prices;
}

std::int64_t expectedCost(std::int64_t prompt, std::int64_t completion) {
    return testPrices().costMicroUsd(QStringLiteral("gpt-test-1"), prompt, completion).value();
}

/** user-1's spend a minute after the call. */
SpendStatus user1AfterTheCall(const LlmSpendLedger& ledger) {
    return ledger.status(QStringLiteral("user-1"), testNow() + std::chrono::minutes(1));
}

} // namespace

class OpenAiClassifierSpendTest : public OpenAiClassifierTestBase {
    Q_OBJECT
private Q_SLOTS:
    void spendSettledWithRealUsage();
    void spendReservedOnceAcrossRetries();
    void spendReleasedWhenNothingWasBilled();
    void spendSettledForBilledButRejectedAnswer();
    void spendEstimateBookedWhenTimedOutAfterSending();
    void spendLedgerRefusalSendsNothing_data();
    void spendLedgerRefusalSendsNothing();
    void userOverLlmCapIsStillClassified();

private:
    /** A ledger of the test prices in which user-1 is on `plan` (with or without custom STT). */
    LlmSpendLedger& ledgerFor(Plan plan, bool customStt, const LedgerPolicy& policy = {}) {
        m_ledger.emplace(testPrices(), policy);
        m_ledger->setUser(QStringLiteral("user-1"), plan, customStt);
        return *m_ledger;
    }

    /** The classifier under test, booking its calls into `ledger`. */
    std::unique_ptr<OpenAiClassifier> bookingInto(LlmSpendLedger& ledger) {
        return bookingInto(ledger, defaultConfig());
    }
    std::unique_ptr<OpenAiClassifier> bookingInto(LlmSpendLedger& ledger, OpenAiClassifierConfig config) {
        auto classifier = makeClassifier(std::move(config));
        classifier->setSpendLedger(&ledger);
        return classifier;
    }

    std::optional<LlmSpendLedger> m_ledger;
};

void OpenAiClassifierSpendTest::spendSettledWithRealUsage() {
    LlmSpendLedger& ledger = ledgerFor(Plan::Unlimited, true);
    m_server->enqueue(
        ScriptedResponse::json(200, ScriptedOpenAiServer::chatCompletion(classifierContent({QStringLiteral("c1")}),
                                                                         QStringLiteral("gpt-test-1-2026-01-01"),
                                                                         QStringLiteral("stop"), 1234, 567)));
    auto classifier = bookingInto(ledger);
    QList<LlmSpendRecord> records;
    connect(classifier.get(), &OpenAiClassifier::spendRecorded, this,
            [&records](const LlmSpendRecord& r) { records.append(r); });

    const auto result = classifyUser1(*classifier);
    QVERIFY(result.ok());

    const SpendStatus status = user1AfterTheCall(ledger);
    QCOMPARE(status.outstandingReservations, 0);
    QCOMPARE(status.reservedMicroUsd, std::int64_t(0));
    QCOMPARE(status.dailySettledMicroUsd, expectedCost(1234, 567));
    QVERIFY(status.dailySettledMicroUsd > 0);

    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().uid, QStringLiteral("user-1"));
    QCOMPARE(records.first().purpose, QStringLiteral("classifier"));
    QCOMPARE(records.first().promptTokens, std::int64_t(1234));
    QCOMPARE(records.first().completionTokens, std::int64_t(567));
    QCOMPARE(records.first().costMicroUsd, expectedCost(1234, 567));
    QVERIFY(records.first().customStt);
}

void OpenAiClassifierSpendTest::spendReservedOnceAcrossRetries() {
    LlmSpendLedger& ledger = ledgerFor(Plan::Unlimited, false);
    m_server->enqueue(serverError(503));
    m_server->enqueue(rateLimited({{"retry-after", "1"}}));
    m_server->enqueue(ScriptedResponse::json(
        200, ScriptedOpenAiServer::chatCompletion(classifierContent({}), QStringLiteral("gpt-test-1"),
                                                  QStringLiteral("stop"), 800, 90)));
    auto classifier = bookingInto(ledger);
    int recorded = 0;
    connect(classifier.get(), &OpenAiClassifier::spendRecorded, this, [&recorded] { ++recorded; });

    QVERIFY(classifyUser1(*classifier).ok());
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(recorded, 1); // the failed attempts were not billed and are not booked
    const SpendStatus status = user1AfterTheCall(ledger);
    QCOMPARE(status.dailySettledMicroUsd, expectedCost(800, 90));
    QCOMPARE(status.outstandingReservations, 0);
}

void OpenAiClassifierSpendTest::spendReleasedWhenNothingWasBilled() {
    LlmSpendLedger& ledger = ledgerFor(Plan::Basic, false);
    m_server->enqueue(ScriptedResponse::json(
        401, ScriptedOpenAiServer::apiError(QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key"),
                                            QStringLiteral("bad key"))));
    auto classifier = bookingInto(ledger);
    const auto result = classifyUser1(*classifier);
    QVERIFY(!result.ok());
    const SpendStatus status = ledger.status(QStringLiteral("user-1"), testNow());
    QCOMPARE(status.outstandingReservations, 0);
    QCOMPARE(status.reservedMicroUsd, std::int64_t(0));
    QCOMPARE(status.dailySettledMicroUsd, std::int64_t(0));
    QVERIFY(status.hasCredits);
}

void OpenAiClassifierSpendTest::spendSettledForBilledButRejectedAnswer() {
    LlmSpendLedger& ledger = ledgerFor(Plan::Unlimited, false);
    // The model ran out of tokens: the answer is useless, but every one of those tokens was billed.
    m_server->enqueue(ScriptedResponse::json(
        200, ScriptedOpenAiServer::chatCompletion(classifierContent({}).left(30), QStringLiteral("gpt-test-1"),
                                                  QStringLiteral("length"), 900, 4000)));
    auto classifier = bookingInto(ledger);
    const auto result = classifyUser1(*classifier);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Invalid));
    const SpendStatus status = user1AfterTheCall(ledger);
    QCOMPARE(status.dailySettledMicroUsd, expectedCost(900, 4000));
    QCOMPARE(status.outstandingReservations, 0);
}

void OpenAiClassifierSpendTest::spendEstimateBookedWhenTimedOutAfterSending() {
    LlmSpendLedger& ledger = ledgerFor(Plan::Unlimited, false);
    ScriptedResponse slow = okResponse();
    slow.delayMs = 30000;
    m_server->enqueue(slow);
    OpenAiClassifierConfig config = defaultConfig();
    config.requestTimeoutMs = 300;
    auto classifier = bookingInto(ledger, config);
    QList<LlmSpendRecord> records;
    connect(classifier.get(), &OpenAiClassifier::spendRecorded, this,
            [&records](const LlmSpendRecord& r) { records.append(r); });
    const auto result = classifyUser1(*classifier, 20000);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(m_server->requests().size(), 1); // the server did get the request
    QCOMPARE(records.size(), 1);
    // The reservation's estimate: request bytes / 3 prompt tokens and the configured completion tokens.
    const std::int64_t promptEstimate = (m_server->requests().first().body.size() + 2) / 3;
    QCOMPARE(records.first().promptTokens, promptEstimate);
    QCOMPARE(records.first().completionTokens, config.estimatedCompletionTokens);
    const SpendStatus status = user1AfterTheCall(ledger);
    QCOMPARE(status.dailySettledMicroUsd, expectedCost(promptEstimate, config.estimatedCompletionTokens));
    QCOMPARE(status.outstandingReservations, 0);
}

void OpenAiClassifierSpendTest::spendLedgerRefusalSendsNothing_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("tinyCaps");
    QTest::addColumn<fairuse::ErrorKind>("kind");
    QTest::newRow("model without a price") << QStringLiteral("gpt-unpriced") << false << ErrorKind::NotFound;
}

void OpenAiClassifierSpendTest::spendLedgerRefusalSendsNothing() {
    QFETCH(QString, model);
    QFETCH(bool, tinyCaps);
    QFETCH(fairuse::ErrorKind, kind);
    LedgerPolicy policy;
    if (tinyCaps) {
        policy.basic = SpendCaps{10, 100}; // micro-USD: no classifier call fits
    }
    LlmSpendLedger& ledger = ledgerFor(Plan::Basic, true, policy);
    m_server->enqueue(okResponse()); // must not be consumed
    OpenAiClassifierConfig config = defaultConfig();
    config.model = model;
    auto classifier = bookingInto(ledger, config);
    const auto result = classifyUser1(*classifier);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(kind));
    QCOMPARE(m_server->requests().size(), 0);
    QCOMPARE(m_server->pendingResponses(), 1);
    QVERIFY(!classifier->isRunning(QStringLiteral("user-1")));
    QCOMPARE(ledger.status(QStringLiteral("user-1"), testNow()).outstandingReservations, 0);
}

void OpenAiClassifierSpendTest::userOverLlmCapIsStillClassified() {
    // A user who spent their own LLM budget must not be shielded from enforcement: the classifier call goes out
    // and its spend is recorded against them.
    LedgerPolicy policy;
    policy.basic = SpendCaps{10, 100}; // micro-USD: no call fits the user's caps
    LlmSpendLedger& ledger = ledgerFor(Plan::Basic, true, policy);
    QVERIFY(!ledger.reserve(QStringLiteral("user-1"), QStringLiteral("gpt-test-1"), 1000, 100, testNow()).ok());
    m_server->enqueue(okResponse());
    auto classifier = bookingInto(ledger);
    const auto result = classifyUser1(*classifier);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(m_server->requests().size(), 1);
    const SpendStatus status = user1AfterTheCall(ledger);
    QVERIFY(status.dailySettledMicroUsd > 0);
    QCOMPARE(status.outstandingReservations, 0);
}

QTEST_GUILESS_MAIN(OpenAiClassifierSpendTest)
#include "OpenAiClassifierSpendTest.moc"
