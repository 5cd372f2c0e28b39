#include "ErrorKindName.h"
#include "ScriptedOpenAiServer.h"

#include "classifier/ClassifierPrompt.h"
#include "common/Await.h"
#include "ledger/LlmSpendLedger.h"
#include "llm/OpenAiClassifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace fairuse;
using fairuse::services::OpenAiClassifier;
using fairuse::services::OpenAiClassifierConfig;
using fairuse::testing::ScriptedOpenAiServer;
using fairuse::testing::ScriptedResponse;

Q_DECLARE_METATYPE(fairuse::ErrorKind)

namespace {

// Looks like a real project key so that any masking keyed on the "sk-" shape is exercised too.
const QString kApiKey = QStringLiteral("sk-proj-TESTKEY0123456789abcdefSECRET");
const QByteArray kKeyBytes = kApiKey.toLatin1();

using testsupport::kindName;

TimePoint testNow() {
    return parseRfc3339(QStringLiteral("2026-11-23T12:00:00Z")).value();
}

Conversation conversation(const QString& id, const QString& title, int hoursAgo, int minutes) {
    Conversation c;
    c.id = id;
    c.title = title;
    c.overview = QStringLiteral("Overview of ") + title;
    c.category = QStringLiteral("education");
    c.source = QStringLiteral("omi");
    c.createdAt = testNow() - std::chrono::hours(hoursAgo);
    c.startedAt = c.createdAt;
    c.finishedAt = c.startedAt + std::chrono::minutes(minutes);
    return c;
}

QList<Conversation> conversations() {
    return {conversation(QStringLiteral("c1"), QStringLiteral("Chapter 1 read aloud"), 5, 95),
            conversation(QStringLiteral("c2"), QStringLiteral("Chapter 2 read aloud"), 30, 92),
            conversation(QStringLiteral("c3"), QStringLiteral("Team stand-up"), 50, 15)};
}

/** The model's answer (message content) in the strict output schema. */
QByteArray classifierContent(const QStringList& evidenceIds, double score = 0.82) {
    QJsonArray evidence;
    for (const QString& id : evidenceIds) {
        evidence.append(QJsonObject{{QStringLiteral("conversation_id"), id},
                                    {QStringLiteral("title"), QStringLiteral("paraphrased title")},
                                    {QStringLiteral("reason"), QStringLiteral("long continuous narration")}});
    }
    QJsonObject root{{QStringLiteral("misuse_score"), score},
                     {QStringLiteral("usage_type"), QStringLiteral("audiobook")},
                     {QStringLiteral("confidence"), 0.7},
                     {QStringLiteral("evidence"), evidence},
                     {QStringLiteral("reasoning"), QStringLiteral("Chapters read aloud for hours.")}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

ScriptedResponse okResponse(const QStringList& evidenceIds = {QStringLiteral("c1")},
                            const QString& model = QStringLiteral("gpt-test-1-2026-01-01")) {
    return ScriptedResponse::json(200, ScriptedOpenAiServer::chatCompletion(classifierContent(evidenceIds), model));
}

ScriptedResponse rateLimited(QList<QPair<QByteArray, QByteArray>> headers) {
    return ScriptedResponse::json(429,
                                  ScriptedOpenAiServer::apiError(QStringLiteral("requests"),
                                                                 QStringLiteral("rate_limit_exceeded"),
                                                                 QStringLiteral("Rate limit reached for requests")),
                                  std::move(headers));
}

ScriptedResponse serverError(int status = 503) {
    return ScriptedResponse::json(status, ScriptedOpenAiServer::apiError(QStringLiteral("server_error"), {},
                                                                         QStringLiteral("The server is overloaded")));
}

// Log capture for the "key never logged" test. Qt's handler is process-wide, so this is too.
QStringList g_logLines;
QtMessageHandler g_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    g_logLines.append(QString::fromUtf8(context.category ? context.category : "") + QLatin1Char(' ') + message);
    if (g_previousHandler) {
        g_previousHandler(type, context, message);
    }
}

} // namespace

class TestOpenAiClassifier : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void success();
    void evidenceNamingUnknownConversationIsDropped();
    void retryAfterSecondsIsHonoured();
    void retryAfterMsWinsOverRetryAfter();
    void retryAfterHttpDateUsesWallClock();
    void serviceUnavailableThenSuccessBacksOff();
    void repeated503GivesUpAfterMaxRetries();
    void serverWaitBeyondMaximumFailsWithoutWaiting();
    void nonRetryableFailures_data();
    void nonRetryableFailures();
    void malformedOutputEscalatesNobody_data();
    void malformedOutputEscalatesNobody();
    void requestTimeoutIsUnavailable();
    void oversizedAnswerIsRejected();
    void connectionRefusedIsRetriedThenUnavailable();
    void concurrentCallsForOneUserShareOneRequest();
    void callsForDifferentUsersRunSeparately();
    void unsafeConfigurationSendsNothing_data();
    void unsafeConfigurationSendsNothing();
    void destroyingTheClassifierFinishesRunningCalls();
    void apiKeyNeverLoggedNorInErrors();

    void spendSettledWithRealUsage();
    void spendReservedOnceAcrossRetries();
    void spendReleasedWhenNothingWasBilled();
    void spendSettledForBilledButRejectedAnswer();
    void spendEstimateBookedWhenTimedOutAfterSending();
    void spendLedgerRefusalSendsNothing_data();
    void spendLedgerRefusalSendsNothing();
    void userOverLlmCapIsStillClassified();

private:
    std::unique_ptr<OpenAiClassifier> makeClassifier(OpenAiClassifierConfig config = {});
    OpenAiClassifierConfig defaultConfig() const;

    std::unique_ptr<ScriptedOpenAiServer> m_server;
    QList<qint64> m_waits; ///< what the classifier asked the injected sleep hook to wait, in order
};

void TestOpenAiClassifier::init() {
    m_server = std::make_unique<ScriptedOpenAiServer>();
    QVERIFY(m_server->start());
    m_waits.clear();
}

void TestOpenAiClassifier::cleanup() {
    if (m_server) {
        QCOMPARE(m_server->unscriptedRequests(), 0);
    }
    m_server.reset();
}

OpenAiClassifierConfig TestOpenAiClassifier::defaultConfig() const {
    OpenAiClassifierConfig config;
    config.baseUrl = m_server->baseUrl();
    config.model = QStringLiteral("gpt-test-1");
    config.requestTimeoutMs = 10000;
    config.maxRetries = 3;
    config.initialBackoffMs = 500;
    config.maxBackoffMs = 8000;
    config.maxServerWaitMs = 60000;
    return config;
}

std::unique_ptr<OpenAiClassifier> TestOpenAiClassifier::makeClassifier(OpenAiClassifierConfig config) {
    auto classifier = std::make_unique<OpenAiClassifier>(std::move(config), kApiKey);
    classifier->setRandomSource([] { return 0.5; });
    // Record the wait and resume at once: the tests check what was asked, not how long it took.
    classifier->setSleepHook([this](std::chrono::milliseconds wait, std::function<void()> resume) {
        m_waits.append(wait.count());
        QTimer::singleShot(0, this, std::move(resume));
    });
    return classifier;
}

void TestOpenAiClassifier::success() {
    m_server->enqueue(okResponse());
    auto classifier = makeClassifier(defaultConfig());
    QVERIFY(!classifier->isHeuristic());

    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(result->misuseScore, 0.82);
    QCOMPARE(toString(result->usageType), QStringLiteral("audiobook"));
    QCOMPARE(result->confidence, 0.7);
    QCOMPARE(result->evidence.size(), 1);
    QCOMPARE(result->evidence.first().conversationId, QStringLiteral("c1"));
    QCOMPARE(result->droppedEvidence, 0);
    QCOMPARE(result->model, QStringLiteral("gpt-test-1-2026-01-01")); // the model that answered, not the alias
    QCOMPARE(result->promptVersion, classifier::promptVersion());
    QVERIFY(!result->heuristic);

    QCOMPARE(m_server->requests().size(), 1);
    const auto& request = m_server->requests().first();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.path, QStringLiteral("/v1/chat/completions"));
    QCOMPARE(request.header("authorization"), QByteArray("Bearer ") + kKeyBytes);
    QVERIFY(request.header("content-type").startsWith("application/json"));

    QJsonParseError parseError;
    const QJsonObject body = QJsonDocument::fromJson(request.body, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QCOMPARE(body.value(QStringLiteral("model")).toString(), QStringLiteral("gpt-test-1"));
    const QJsonObject format = body.value(QStringLiteral("response_format")).toObject();
    QCOMPARE(format.value(QStringLiteral("type")).toString(), QStringLiteral("json_schema"));
    QCOMPARE(format.value(QStringLiteral("json_schema")).toObject().value(QStringLiteral("strict")).toBool(), true);
    // The conversations went out (the model can only cite what it saw).
    QVERIFY(request.body.contains("Chapter 1 read aloud"));
    // The key travels in the header only.
    QVERIFY(!request.body.contains(kKeyBytes));
    QVERIFY(!request.path.contains(kApiKey));

    QCOMPARE(classifier->counters().requestsSent, 1);
    QCOMPARE(classifier->counters().retries, 0);
    QVERIFY(m_waits.isEmpty());
    QVERIFY(!classifier->isRunning(QStringLiteral("user-1")));
}

void TestOpenAiClassifier::evidenceNamingUnknownConversationIsDropped() {
    m_server->enqueue(okResponse({QStringLiteral("c1"), QStringLiteral("ghost-42"), QStringLiteral("c2")}));
    auto classifier = makeClassifier(defaultConfig());
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(result.ok());
    QCOMPARE(result->droppedEvidence, 1);
    QCOMPARE(result->evidence.size(), 2);
    for (const Evidence& e : result->evidence) {
        QVERIFY(e.conversationId != QStringLiteral("ghost-42"));
    }
}

void TestOpenAiClassifier::retryAfterSecondsIsHonoured() {
    m_server->enqueue(rateLimited({{"retry-after", "2"}}));
    m_server->enqueue(okResponse());
    auto classifier = makeClassifier(defaultConfig());
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(result.ok());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(classifier->counters().retries, 1);
    QCOMPARE(m_waits, QList<qint64>{2000});
    // The retry is the same request, key included.
    QCOMPARE(m_server->requests().at(1).body, m_server->requests().at(0).body);
    QCOMPARE(m_server->requests().at(1).header("authorization"), QByteArray("Bearer ") + kKeyBytes);
}

void TestOpenAiClassifier::retryAfterMsWinsOverRetryAfter() {
    m_server->enqueue(rateLimited({{"retry-after-ms", "350"}, {"retry-after", "1"}}));
    m_server->enqueue(okResponse());
    auto classifier = makeClassifier(defaultConfig());
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(result.ok());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_waits, QList<qint64>{350});
}

void TestOpenAiClassifier::retryAfterHttpDateUsesWallClock() {
    m_server->enqueue(rateLimited({{"retry-after", "Mon, 23 Nov 2026 12:00:07 GMT"}}));
    m_server->enqueue(okResponse());
    auto classifier = makeClassifier(defaultConfig());
    classifier->setWallClock([] { return QDateTime(QDate(2026, 11, 23), QTime(12, 0, 0), Qt::UTC); });
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(result.ok());
    QCOMPARE(m_waits, QList<qint64>{7000});
}

void TestOpenAiClassifier::serviceUnavailableThenSuccessBacksOff() {
    m_server->enqueue(serverError(503));
    m_server->enqueue(okResponse());
    auto classifier = makeClassifier(defaultConfig());
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(result.ok());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(classifier->counters().retries, 1);
    // No retry-after: the policy's jittered backoff, with the injected random source.
    services::RetryPolicy policy;
    policy.initialBackoff = std::chrono::milliseconds(500);
    policy.maxBackoff = std::chrono::milliseconds(8000);
    QCOMPARE(m_waits, QList<qint64>{policy.backoff(0, 0.5).count()});
    QVERIFY(m_waits.first() > 0);
}

void TestOpenAiClassifier::repeated503GivesUpAfterMaxRetries() {
    for (int i = 0; i < 3; ++i) {
        m_server->enqueue(serverError(i == 1 ? 502 : 503));
    }
    m_server->enqueue(okResponse()); // must not be reached
    OpenAiClassifierConfig config = defaultConfig();
    config.maxRetries = 2;
    auto classifier = makeClassifier(config);
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(m_server->pendingResponses(), 1);
    QCOMPARE(classifier->counters().retries, 2);
    QCOMPARE(m_waits.size(), 2);
    QVERIFY2(m_waits.at(1) > m_waits.at(0), "backoff grows between retries");
}

void TestOpenAiClassifier::serverWaitBeyondMaximumFailsWithoutWaiting() {
    m_server->enqueue(rateLimited({{"retry-after", "3600"}}));
    m_server->enqueue(okResponse()); // must not be reached
    auto classifier = makeClassifier(defaultConfig());
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(m_waits.isEmpty());
    m_server->requests(); // the unused scripted answer stays queued
    QCOMPARE(m_server->pendingResponses(), 1);
}

void TestOpenAiClassifier::nonRetryableFailures_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("extraHeaderName");
    QTest::addColumn<QByteArray>("extraHeaderValue");
    QTest::addColumn<fairuse::ErrorKind>("kind");

    const QString model = QStringLiteral("gpt-test-1");
    QTest::newRow("insufficient_quota (429)")
        << 429
        << ScriptedOpenAiServer::apiError(QStringLiteral("insufficient_quota"), QStringLiteral("insufficient_quota"),
                                          QStringLiteral("You exceeded your current quota"))
        << QByteArray("retry-after") << QByteArray("1") << ErrorKind::Quota;
    QTest::newRow("401 bad key") << 401
                                 << ScriptedOpenAiServer::apiError(QStringLiteral("invalid_request_error"),
                                                                   QStringLiteral("invalid_api_key"),
                                                                   QStringLiteral("Incorrect API key provided"))
                                 << QByteArray() << QByteArray() << ErrorKind::Permission;
    QTest::newRow("403 forbidden") << 403 << QByteArray("{}") << QByteArray() << QByteArray() << ErrorKind::Permission;
    QTest::newRow("404 unknown model") << 404
                                       << ScriptedOpenAiServer::apiError(QStringLiteral("invalid_request_error"),
                                                                         QStringLiteral("model_not_found"),
                                                                         QStringLiteral("no such model"))
                                       << QByteArray() << QByteArray() << ErrorKind::NotFound;
    QTest::newRow("400 bad request") << 400 << QByteArray("not json at all") << QByteArray() << QByteArray()
                                     << ErrorKind::Invalid;
    // A redirect would carry the Authorization header somewhere else: it is not followed.
    QTest::newRow("307 redirect not followed")
        << 307 << QByteArray() << QByteArray("location") << QByteArray("/v1/elsewhere") << ErrorKind::Internal;
    QTest::newRow("finish_reason length")
        << 200 << ScriptedOpenAiServer::chatCompletion(classifierContent({}).left(40), model, QStringLiteral("length"))
        << QByteArray() << QByteArray() << ErrorKind::Invalid;
    QTest::newRow("refusal") << 200
                             << ScriptedOpenAiServer::chatCompletion({}, model, QStringLiteral("stop"), 100, 10,
                                                                     QStringLiteral("I can't help with that."))
                             << QByteArray() << QByteArray() << ErrorKind::Invalid;
    QTest::newRow("content_filter") << 200
                                    << ScriptedOpenAiServer::chatCompletion(classifierContent({}), model,
                                                                            QStringLiteral("content_filter"))
                                    << QByteArray() << QByteArray() << ErrorKind::Invalid;
    QTest::newRow("2xx body not json") << 200 << QByteArray("<html>gateway</html>") << QByteArray() << QByteArray()
                                       << ErrorKind::Invalid;
}

void TestOpenAiClassifier::nonRetryableFailures() {
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, extraHeaderName);
    QFETCH(QByteArray, extraHeaderValue);
    QFETCH(fairuse::ErrorKind, kind);

    ScriptedResponse response = ScriptedResponse::json(status, body);
    if (!extraHeaderName.isEmpty()) {
        response.headers.append({extraHeaderName, extraHeaderValue});
    }
    m_server->enqueue(response);
    m_server->enqueue(okResponse()); // a retry would wrongly succeed on this
    auto classifier = makeClassifier(defaultConfig());
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(kind));
    QVERIFY(!result.error().message.isEmpty());
    QCOMPARE(m_server->requests().size(), 1); // exactly one request: no retry
    QCOMPARE(m_server->pendingResponses(), 1);
    QVERIFY(m_waits.isEmpty());
}

void TestOpenAiClassifier::malformedOutputEscalatesNobody_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("not json") << QByteArray("The user is clearly abusing the service. Score: 0.99");
    QTest::newRow("truncated object") << classifierContent({QStringLiteral("c1")}).left(50);
    QTest::newRow("score as string") << QByteArray(R"({"misuse_score":"0.99","usage_type":"audiobook",)"
                                                   R"("confidence":0.9,"evidence":[],"reasoning":"x"})");
    QTest::newRow("missing fields") << QByteArray(R"({"misuse_score":0.99})");
    QTest::newRow("top-level array") << QByteArray("[0.99]");
    QTest::newRow("trailing junk") << QByteArray(classifierContent({}) + " and more");
}

void TestOpenAiClassifier::malformedOutputEscalatesNobody() {
    QFETCH(QByteArray, content);
    m_server->enqueue(ScriptedResponse::json(200, ScriptedOpenAiServer::chatCompletion(content)));
    auto classifier = makeClassifier(defaultConfig());
    const auto future = classifier->classify(QStringLiteral("user-1"), conversations(), testNow());
    const auto result = services::awaitResult(future);
    // No result at all: an error cannot be mistaken for a score by a caller.
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Invalid));
    QCOMPARE(future.resultCount(), 1);
    QCOMPARE(m_server->requests().size(), 1);
}

void TestOpenAiClassifier::requestTimeoutIsUnavailable() {
    ScriptedResponse slow = okResponse();
    slow.delayMs = 30000; // far beyond the deadline; the test never waits for it
    m_server->enqueue(slow);
    OpenAiClassifierConfig config = defaultConfig();
    config.requestTimeoutMs = 200;
    auto classifier = makeClassifier(config);
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()), 20000);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(classifier->counters().timeouts, 1);
    QCOMPARE(m_server->requests().size(), 1); // a timed-out attempt is not retried
    QVERIFY(m_waits.isEmpty());
}

void TestOpenAiClassifier::oversizedAnswerIsRejected() {
    // 3 MiB, over the 2 MiB envelope limit: the download is cut off rather than buffered.
    m_server->enqueue(ScriptedResponse::json(200, QByteArray(3 * 1024 * 1024, ' ')));
    m_server->enqueue(okResponse()); // a retry would wrongly succeed on this
    auto classifier = makeClassifier(defaultConfig());
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()), 20000);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Invalid));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestOpenAiClassifier::connectionRefusedIsRetriedThenUnavailable() {
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    OpenAiClassifierConfig config = defaultConfig();
    config.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(closedPort));
    config.maxRetries = 2;
    auto classifier = makeClassifier(config);
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(classifier->counters().requestsSent, 3);
    QCOMPARE(m_waits.size(), 2);
}

void TestOpenAiClassifier::concurrentCallsForOneUserShareOneRequest() {
    ScriptedResponse slowOk = okResponse();
    slowOk.delayMs = 100; // long enough for the second call to arrive while the first runs
    m_server->enqueue(slowOk);
    auto classifier = makeClassifier(defaultConfig());
    const auto first = classifier->classify(QStringLiteral("user-1"), conversations(), testNow());
    QVERIFY(classifier->isRunning(QStringLiteral("user-1")));
    const auto second = classifier->classify(QStringLiteral("user-1"), conversations().mid(0, 1), testNow());
    QCOMPARE(classifier->counters().deduplicated, 1);

    const auto a = services::awaitResult(first);
    const auto b = services::awaitResult(second);
    QVERIFY(a.ok());
    QVERIFY(b.ok());
    QCOMPARE(a->misuseScore, b->misuseScore);
    QCOMPARE(a->evidence, b->evidence);
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(!classifier->isRunning(QStringLiteral("user-1")));

    // Once finished, the next call for the user asks again.
    m_server->enqueue(okResponse());
    const auto third =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(third.ok());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(classifier->counters().callsStarted, 2);
}

void TestOpenAiClassifier::callsForDifferentUsersRunSeparately() {
    ScriptedResponse slowOk = okResponse();
    slowOk.delayMs = 50;
    m_server->enqueue(slowOk);
    m_server->enqueue(okResponse());
    auto classifier = makeClassifier(defaultConfig());
    const auto first = classifier->classify(QStringLiteral("user-1"), conversations(), testNow());
    const auto second = classifier->classify(QStringLiteral("user-2"), conversations(), testNow());
    QVERIFY(services::awaitResult(first).ok());
    QVERIFY(services::awaitResult(second).ok());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(classifier->counters().deduplicated, 0);
}

void TestOpenAiClassifier::unsafeConfigurationSendsNothing_data() {
    QTest::addColumn<QString>("baseUrl");
    QTest::addColumn<QString>("key");
    QTest::addColumn<fairuse::ErrorKind>("kind");
    // %1 is replaced by the scripted server's port.
    QTest::newRow("key in query") << QStringLiteral("http://127.0.0.1:%1/v1?key=") + kApiKey << kApiKey
                                  << ErrorKind::Invalid;
    QTest::newRow("user info") << QStringLiteral("http://user:pw@127.0.0.1:%1/v1") << kApiKey << ErrorKind::Invalid;
    QTest::newRow("not http") << QStringLiteral("ftp://127.0.0.1:%1/v1") << kApiKey << ErrorKind::Invalid;
    QTest::newRow("no host") << QStringLiteral("http:///v1") << kApiKey << ErrorKind::Invalid;
    QTest::newRow("plain http off this machine")
        << QStringLiteral("http://api.example.invalid/v1") << kApiKey << ErrorKind::Invalid;
    QTest::newRow("empty key") << QStringLiteral("http://127.0.0.1:%1/v1") << QString() << ErrorKind::Permission;
    QTest::newRow("key with newline (header injection)")
        << QStringLiteral("http://127.0.0.1:%1/v1") << QStringLiteral("sk-abc\r\nX-Evil: 1") << ErrorKind::Permission;
    QTest::newRow("key with non-ascii") << QStringLiteral("http://127.0.0.1:%1/v1") << QStringLiteral("sk-ключ")
                                        << ErrorKind::Permission;
}

void TestOpenAiClassifier::unsafeConfigurationSendsNothing() {
    QFETCH(QString, baseUrl);
    QFETCH(QString, key);
    QFETCH(fairuse::ErrorKind, kind);
    OpenAiClassifierConfig config = defaultConfig();
    config.baseUrl = QUrl(baseUrl.contains(QStringLiteral("%1")) ? baseUrl.arg(m_server->port()) : baseUrl);
    OpenAiClassifier classifier(config, key);
    const auto result =
        services::awaitResult(classifier.classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(kind));
    QVERIFY(!result.error().message.contains(kApiKey));
    QCOMPARE(m_server->requests().size(), 0);
    QCOMPARE(classifier.counters().requestsSent, 0);
    QVERIFY(!classifier.describe().contains(kApiKey));
}

void TestOpenAiClassifier::destroyingTheClassifierFinishesRunningCalls() {
    ScriptedResponse slow = okResponse();
    slow.delayMs = 30000;
    m_server->enqueue(slow);
    auto classifier = makeClassifier(defaultConfig());
    const auto future = classifier->classify(QStringLiteral("user-1"), conversations(), testNow());
    // Let the request reach the server before pulling the plug.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests().size(), 1, 10000);
    classifier.reset();
    QVERIFY(future.isFinished());
    QCOMPARE(future.resultCount(), 1);
    QVERIFY(!future.result().ok());
    QCOMPARE(kindName(future.result().error().kind), kindName(ErrorKind::Unavailable));
}

void TestOpenAiClassifier::apiKeyNeverLoggedNorInErrors() {
    // Every category on, so a debug line carrying the key anywhere in the client (ours or Qt's network stack) is
    // caught. qt.httpserver is the fake server's side: it logs whole requests, headers included, which a real
    // provider would see anyway.
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true\nqt.httpserver*=false"));
    g_logLines.clear();
    g_previousHandler = qInstallMessageHandler(captureMessage);

    // A provider that echoes the key back in its error message, as OpenAI does for a wrong key.
    const QByteArray echoingError =
        ScriptedOpenAiServer::apiError(QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key"),
                                       QStringLiteral("Incorrect API key provided: ") + kApiKey);
    m_server->enqueue(rateLimited({{"retry-after-ms", "5"}}));
    m_server->enqueue(okResponse({QStringLiteral("c1"), QStringLiteral("ghost")}));
    m_server->enqueue(ScriptedResponse::json(401, echoingError));
    m_server->enqueue(ScriptedResponse::json(503, echoingError));
    m_server->enqueue(ScriptedResponse::json(200, ScriptedOpenAiServer::chatCompletion(kKeyBytes)));

    OpenAiClassifierConfig config = defaultConfig();
    config.maxRetries = 0;
    QStringList errorMessages;
    {
        auto classifier = makeClassifier(config);
        OpenAiClassifierConfig retrying = defaultConfig();
        auto retryingClassifier = makeClassifier(retrying);
        QVERIFY(
            services::awaitResult(retryingClassifier->classify(QStringLiteral("u1"), conversations(), testNow())).ok());
        for (int i = 0; i < 3; ++i) {
            const auto result = services::awaitResult(
                classifier->classify(QStringLiteral("u%1").arg(i + 2), conversations(), testNow()));
            QVERIFY(!result.ok());
            errorMessages.append(result.error().message);
        }
        errorMessages.append(classifier->describe());
    }

    qInstallMessageHandler(g_previousHandler);
    g_previousHandler = nullptr;
    QLoggingCategory::setFilterRules(QString());

    QCOMPARE(m_server->requests().size(), 5);
    QVERIFY2(g_logLines.size() > 3, "the classifier logged its calls, retries and failures");
    for (const QString& line : std::as_const(g_logLines)) {
        QVERIFY2(!line.contains(kApiKey), qPrintable(line));
        QVERIFY2(!line.contains(QStringLiteral("TESTKEY0123456789")), qPrintable(line));
    }
    for (const QString& message : std::as_const(errorMessages)) {
        QVERIFY2(!message.contains(QStringLiteral("TESTKEY0123456789")), qPrintable(message));
    }
}

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

} // namespace

void TestOpenAiClassifier::spendSettledWithRealUsage() {
    LlmSpendLedger ledger(testPrices());
    ledger.setUser(QStringLiteral("user-1"), Plan::Unlimited, true);
    m_server->enqueue(
        ScriptedResponse::json(200, ScriptedOpenAiServer::chatCompletion(classifierContent({QStringLiteral("c1")}),
                                                                         QStringLiteral("gpt-test-1-2026-01-01"),
                                                                         QStringLiteral("stop"), 1234, 567)));
    auto classifier = makeClassifier(defaultConfig());
    classifier->setSpendLedger(&ledger);
    QList<LlmSpendRecord> records;
    connect(classifier.get(), &OpenAiClassifier::spendRecorded, this,
            [&records](const LlmSpendRecord& r) { records.append(r); });

    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(result.ok());

    const SpendStatus status = ledger.status(QStringLiteral("user-1"), testNow() + std::chrono::minutes(1));
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

void TestOpenAiClassifier::spendReservedOnceAcrossRetries() {
    LlmSpendLedger ledger(testPrices());
    ledger.setUser(QStringLiteral("user-1"), Plan::Unlimited, false);
    m_server->enqueue(serverError(503));
    m_server->enqueue(rateLimited({{"retry-after", "1"}}));
    m_server->enqueue(ScriptedResponse::json(
        200, ScriptedOpenAiServer::chatCompletion(classifierContent({}), QStringLiteral("gpt-test-1"),
                                                  QStringLiteral("stop"), 800, 90)));
    auto classifier = makeClassifier(defaultConfig());
    classifier->setSpendLedger(&ledger);
    int recorded = 0;
    connect(classifier.get(), &OpenAiClassifier::spendRecorded, this, [&recorded] { ++recorded; });

    QVERIFY(services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow())).ok());
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(recorded, 1); // the failed attempts were not billed and are not booked
    const SpendStatus status = ledger.status(QStringLiteral("user-1"), testNow() + std::chrono::minutes(1));
    QCOMPARE(status.dailySettledMicroUsd, expectedCost(800, 90));
    QCOMPARE(status.outstandingReservations, 0);
}

void TestOpenAiClassifier::spendReleasedWhenNothingWasBilled() {
    LlmSpendLedger ledger(testPrices());
    ledger.setUser(QStringLiteral("user-1"), Plan::Basic, false);
    m_server->enqueue(ScriptedResponse::json(
        401, ScriptedOpenAiServer::apiError(QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key"),
                                            QStringLiteral("bad key"))));
    auto classifier = makeClassifier(defaultConfig());
    classifier->setSpendLedger(&ledger);
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(!result.ok());
    const SpendStatus status = ledger.status(QStringLiteral("user-1"), testNow());
    QCOMPARE(status.outstandingReservations, 0);
    QCOMPARE(status.reservedMicroUsd, std::int64_t(0));
    QCOMPARE(status.dailySettledMicroUsd, std::int64_t(0));
    QVERIFY(status.hasCredits);
}

void TestOpenAiClassifier::spendSettledForBilledButRejectedAnswer() {
    LlmSpendLedger ledger(testPrices());
    ledger.setUser(QStringLiteral("user-1"), Plan::Unlimited, false);
    // The model ran out of tokens: the answer is useless, but every one of those tokens was billed.
    m_server->enqueue(ScriptedResponse::json(
        200, ScriptedOpenAiServer::chatCompletion(classifierContent({}).left(30), QStringLiteral("gpt-test-1"),
                                                  QStringLiteral("length"), 900, 4000)));
    auto classifier = makeClassifier(defaultConfig());
    classifier->setSpendLedger(&ledger);
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Invalid));
    const SpendStatus status = ledger.status(QStringLiteral("user-1"), testNow() + std::chrono::minutes(1));
    QCOMPARE(status.dailySettledMicroUsd, expectedCost(900, 4000));
    QCOMPARE(status.outstandingReservations, 0);
}

void TestOpenAiClassifier::spendEstimateBookedWhenTimedOutAfterSending() {
    LlmSpendLedger ledger(testPrices());
    ledger.setUser(QStringLiteral("user-1"), Plan::Unlimited, false);
    ScriptedResponse slow = okResponse();
    slow.delayMs = 30000;
    m_server->enqueue(slow);
    OpenAiClassifierConfig config = defaultConfig();
    config.requestTimeoutMs = 300;
    auto classifier = makeClassifier(config);
    classifier->setSpendLedger(&ledger);
    QList<LlmSpendRecord> records;
    connect(classifier.get(), &OpenAiClassifier::spendRecorded, this,
            [&records](const LlmSpendRecord& r) { records.append(r); });
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()), 20000);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(m_server->requests().size(), 1); // the server did get the request
    QCOMPARE(records.size(), 1);
    // The reservation's estimate: request bytes / 3 prompt tokens and the configured completion tokens.
    const std::int64_t promptEstimate = (m_server->requests().first().body.size() + 2) / 3;
    QCOMPARE(records.first().promptTokens, promptEstimate);
    QCOMPARE(records.first().completionTokens, config.estimatedCompletionTokens);
    const SpendStatus status = ledger.status(QStringLiteral("user-1"), testNow() + std::chrono::minutes(1));
    QCOMPARE(status.dailySettledMicroUsd, expectedCost(promptEstimate, config.estimatedCompletionTokens));
    QCOMPARE(status.outstandingReservations, 0);
}

void TestOpenAiClassifier::spendLedgerRefusalSendsNothing_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("tinyCaps");
    QTest::addColumn<fairuse::ErrorKind>("kind");
    QTest::newRow("model without a price") << QStringLiteral("gpt-unpriced") << false << ErrorKind::NotFound;
}

void TestOpenAiClassifier::spendLedgerRefusalSendsNothing() {
    QFETCH(QString, model);
    QFETCH(bool, tinyCaps);
    QFETCH(fairuse::ErrorKind, kind);
    LedgerPolicy policy;
    if (tinyCaps) {
        policy.basic = SpendCaps{10, 100}; // micro-USD: no classifier call fits
    }
    LlmSpendLedger ledger(testPrices(), policy);
    ledger.setUser(QStringLiteral("user-1"), Plan::Basic, true);
    m_server->enqueue(okResponse()); // must not be consumed
    OpenAiClassifierConfig config = defaultConfig();
    config.model = model;
    auto classifier = makeClassifier(config);
    classifier->setSpendLedger(&ledger);
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(kind));
    QCOMPARE(m_server->requests().size(), 0);
    QCOMPARE(m_server->pendingResponses(), 1);
    QVERIFY(!classifier->isRunning(QStringLiteral("user-1")));
    QCOMPARE(ledger.status(QStringLiteral("user-1"), testNow()).outstandingReservations, 0);
}

void TestOpenAiClassifier::userOverLlmCapIsStillClassified() {
    // A user who spent their own LLM budget must not be shielded from enforcement: the classifier call goes out
    // and its spend is recorded against them.
    LedgerPolicy policy;
    policy.basic = SpendCaps{10, 100}; // micro-USD: no call fits the user's caps
    LlmSpendLedger ledger(testPrices(), policy);
    ledger.setUser(QStringLiteral("user-1"), Plan::Basic, true);
    QVERIFY(!ledger.reserve(QStringLiteral("user-1"), QStringLiteral("gpt-test-1"), 1000, 100, testNow()).ok());
    m_server->enqueue(okResponse());
    auto classifier = makeClassifier(defaultConfig());
    classifier->setSpendLedger(&ledger);
    const auto result =
        services::awaitResult(classifier->classify(QStringLiteral("user-1"), conversations(), testNow()));
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(m_server->requests().size(), 1);
    const SpendStatus status = ledger.status(QStringLiteral("user-1"), testNow() + std::chrono::minutes(1));
    QVERIFY(status.dailySettledMicroUsd > 0);
    QCOMPARE(status.outstandingReservations, 0);
}

QTEST_GUILESS_MAIN(TestOpenAiClassifier)
#include "OpenAiClassifierTest.moc"
