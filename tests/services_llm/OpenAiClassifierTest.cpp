// The OpenAI classifier client against a scripted OpenAI-compatible server: a successful call and the request it
// sends, answers that are refused (non-retryable statuses, malformed or oversized output), one request per user at a
// time, configurations that would leak the key, and the key kept out of logs and error messages.

#include "OpenAiClassifierTestBase.h"

#include <QLoggingCategory>

using namespace fairuse;
using namespace fairuse::testing;

namespace {

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

class OpenAiClassifierTest : public OpenAiClassifierTestBase {
    Q_OBJECT
private Q_SLOTS:
    void success();
    void evidenceNamingUnknownConversationIsDropped();
    void nonRetryableFailures_data();
    void nonRetryableFailures();
    void malformedOutputEscalatesNobody_data();
    void malformedOutputEscalatesNobody();
    void oversizedAnswerIsRejected();
    void concurrentCallsForOneUserShareOneRequest();
    void callsForDifferentUsersRunSeparately();
    void unsafeConfigurationSendsNothing_data();
    void unsafeConfigurationSendsNothing();
    void destroyingTheClassifierFinishesRunningCalls();
    void apiKeyNeverLoggedNorInErrors();
};

void OpenAiClassifierTest::success() {
    m_server->enqueue(okResponse());
    auto classifier = makeClassifier(defaultConfig());
    QVERIFY(!classifier->isHeuristic());

    const auto result = classifyUser1(*classifier);
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

void OpenAiClassifierTest::evidenceNamingUnknownConversationIsDropped() {
    m_server->enqueue(okResponse({QStringLiteral("c1"), QStringLiteral("ghost-42"), QStringLiteral("c2")}));
    auto classifier = makeClassifier(defaultConfig());
    const auto result = classifyUser1(*classifier);
    QVERIFY(result.ok());
    QCOMPARE(result->droppedEvidence, 1);
    QCOMPARE(result->evidence.size(), 2);
    for (const Evidence& e : result->evidence) {
        QVERIFY(e.conversationId != QStringLiteral("ghost-42"));
    }
}

void OpenAiClassifierTest::nonRetryableFailures_data() {
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

void OpenAiClassifierTest::nonRetryableFailures() {
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
    const auto result = classifyUser1(*classifier);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(kind));
    QVERIFY(!result.error().message.isEmpty());
    QCOMPARE(m_server->requests().size(), 1); // exactly one request: no retry
    QCOMPARE(m_server->pendingResponses(), 1);
    QVERIFY(m_waits.isEmpty());
}

void OpenAiClassifierTest::malformedOutputEscalatesNobody_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("not json") << QByteArray("The user is clearly abusing the service. Score: 0.99");
    QTest::newRow("truncated object") << classifierContent({QStringLiteral("c1")}).left(50);
    QTest::newRow("score as string") << QByteArray(R"({"misuse_score":"0.99","usage_type":"audiobook",)"
                                                   R"("confidence":0.9,"evidence":[],"reasoning":"x"})");
    QTest::newRow("missing fields") << QByteArray(R"({"misuse_score":0.99})");
    QTest::newRow("top-level array") << QByteArray("[0.99]");
    QTest::newRow("trailing junk") << QByteArray(classifierContent({}) + " and more");
}

void OpenAiClassifierTest::malformedOutputEscalatesNobody() {
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

void OpenAiClassifierTest::oversizedAnswerIsRejected() {
    // 3 MiB, over the 2 MiB envelope limit: the download is cut off rather than buffered.
    m_server->enqueue(ScriptedResponse::json(200, QByteArray(3 * 1024 * 1024, ' ')));
    m_server->enqueue(okResponse()); // a retry would wrongly succeed on this
    auto classifier = makeClassifier(defaultConfig());
    const auto result = classifyUser1(*classifier, 20000);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Invalid));
    QCOMPARE(m_server->requests().size(), 1);
}

void OpenAiClassifierTest::concurrentCallsForOneUserShareOneRequest() {
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
    const auto third = classifyUser1(*classifier);
    QVERIFY(third.ok());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(classifier->counters().callsStarted, 2);
}

void OpenAiClassifierTest::callsForDifferentUsersRunSeparately() {
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

void OpenAiClassifierTest::unsafeConfigurationSendsNothing_data() {
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

void OpenAiClassifierTest::unsafeConfigurationSendsNothing() {
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

void OpenAiClassifierTest::destroyingTheClassifierFinishesRunningCalls() {
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

void OpenAiClassifierTest::apiKeyNeverLoggedNorInErrors() {
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

QTEST_GUILESS_MAIN(OpenAiClassifierTest)
#include "OpenAiClassifierTest.moc"
