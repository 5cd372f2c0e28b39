// The OpenAI classifier's retries against a scripted server: the server's retry-after (seconds, milliseconds, an HTTP
// date), jittered backoff on 5xx, giving up after the configured retries or when the server asks for too long a
// wait, a timed-out request, and a refused connection.

#include "OpenAiClassifierTestBase.h"

#include "llm/RetryPolicy.h"

#include <QTcpServer>

using namespace fairuse;
using namespace fairuse::testing;

class OpenAiClassifierRetryTest : public OpenAiClassifierTestBase {
    Q_OBJECT

    /** The classifier under test, on a server that answers with `refusal` and then with a good answer. */
    std::unique_ptr<OpenAiClassifier> answeringAfter(const ScriptedResponse& refusal) {
        m_server->enqueue(refusal);
        m_server->enqueue(okResponse());
        return makeClassifier(defaultConfig());
    }
private Q_SLOTS:
    void retryAfterSecondsIsHonoured();
    void retryAfterMsWinsOverRetryAfter();
    void retryAfterHttpDateUsesWallClock();
    void serviceUnavailableThenSuccessBacksOff();
    void repeated503GivesUpAfterMaxRetries();
    void serverWaitBeyondMaximumFailsWithoutWaiting();
    void requestTimeoutIsUnavailable();
    void connectionRefusedIsRetriedThenUnavailable();
};

void OpenAiClassifierRetryTest::retryAfterSecondsIsHonoured() {
    auto classifier = answeringAfter(rateLimited({{"retry-after", "2"}}));
    const auto result = classifyUser1(*classifier);
    QVERIFY(result.ok());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(classifier->counters().retries, 1);
    QCOMPARE(m_waits, QList<qint64>{2000});
    // The retry is the same request, key included.
    QCOMPARE(m_server->requests().at(1).body, m_server->requests().at(0).body);
    QCOMPARE(m_server->requests().at(1).header("authorization"), QByteArray("Bearer ") + kKeyBytes);
}

void OpenAiClassifierRetryTest::retryAfterMsWinsOverRetryAfter() {
    auto classifier = answeringAfter(rateLimited({{"retry-after-ms", "350"}, {"retry-after", "1"}}));
    const auto result = classifyUser1(*classifier);
    QVERIFY(result.ok());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_waits, QList<qint64>{350});
}

void OpenAiClassifierRetryTest::retryAfterHttpDateUsesWallClock() {
    auto classifier = answeringAfter(rateLimited({{"retry-after", "Mon, 23 Nov 2026 12:00:07 GMT"}}));
    classifier->setWallClock([] { return QDateTime(QDate(2026, 11, 23), QTime(12, 0, 0), Qt::UTC); });
    const auto result = classifyUser1(*classifier);
    QVERIFY(result.ok());
    QCOMPARE(m_waits, QList<qint64>{7000});
}

void OpenAiClassifierRetryTest::serviceUnavailableThenSuccessBacksOff() {
    auto classifier = answeringAfter(serverError(503));
    const auto result = classifyUser1(*classifier);
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

void OpenAiClassifierRetryTest::repeated503GivesUpAfterMaxRetries() {
    for (int i = 0; i < 3; ++i) {
        m_server->enqueue(serverError(i == 1 ? 502 : 503));
    }
    m_server->enqueue(okResponse()); // must not be reached
    OpenAiClassifierConfig config = defaultConfig();
    config.maxRetries = 2;
    auto classifier = makeClassifier(config);
    const auto result = classifyUser1(*classifier);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(m_server->pendingResponses(), 1);
    QCOMPARE(classifier->counters().retries, 2);
    QCOMPARE(m_waits.size(), 2);
    QVERIFY2(m_waits.at(1) > m_waits.at(0), "backoff grows between retries");
}

void OpenAiClassifierRetryTest::serverWaitBeyondMaximumFailsWithoutWaiting() {
    m_server->enqueue(rateLimited({{"retry-after", "3600"}}));
    m_server->enqueue(okResponse()); // must not be reached
    auto classifier = makeClassifier(defaultConfig());
    const auto result = classifyUser1(*classifier);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(m_waits.isEmpty());
    m_server->requests(); // the unused scripted answer stays queued
    QCOMPARE(m_server->pendingResponses(), 1);
}

void OpenAiClassifierRetryTest::requestTimeoutIsUnavailable() {
    ScriptedResponse slow = okResponse();
    slow.delayMs = 30000; // far beyond the deadline; the test never waits for it
    m_server->enqueue(slow);
    OpenAiClassifierConfig config = defaultConfig();
    config.requestTimeoutMs = 200;
    auto classifier = makeClassifier(config);
    const auto result = classifyUser1(*classifier, 20000);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(classifier->counters().timeouts, 1);
    QCOMPARE(m_server->requests().size(), 1); // a timed-out attempt is not retried
    QVERIFY(m_waits.isEmpty());
}

void OpenAiClassifierRetryTest::connectionRefusedIsRetriedThenUnavailable() {
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
    const auto result = classifyUser1(*classifier);
    QVERIFY(!result.ok());
    QCOMPARE(kindName(result.error().kind), kindName(ErrorKind::Unavailable));
    QCOMPARE(classifier->counters().requestsSent, 3);
    QCOMPARE(m_waits.size(), 2);
}

QTEST_GUILESS_MAIN(OpenAiClassifierRetryTest)
#include "OpenAiClassifierRetryTest.moc"
