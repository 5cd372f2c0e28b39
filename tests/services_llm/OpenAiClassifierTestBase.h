#pragma once
// What the OpenAI classifier tests share: a scripted OpenAI-compatible server started for every test function (and
// checked to have been asked nothing unscripted), the classifier under test with a fixed random source and a sleep
// hook that records each wait and resumes at once, three conversations and the model's answers.

#include "ErrorKindName.h"
#include "ScriptedOpenAiServer.h"

#include "classifier/ClassifierPrompt.h"
#include "common/Await.h"
#include "llm/OpenAiClassifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimer>

#include <memory>

Q_DECLARE_METATYPE(fairuse::ErrorKind)

namespace fairuse::testing {

using services::OpenAiClassifier;
using services::OpenAiClassifierConfig;
using testsupport::kindName;

// Looks like a real project key so that any masking keyed on the "sk-" shape is exercised too.
inline const QString kApiKey = QStringLiteral("sk-proj-TESTKEY0123456789abcdefSECRET");
inline const QByteArray kKeyBytes = kApiKey.toLatin1();

inline TimePoint testNow() {
    return parseRfc3339(QStringLiteral("2026-11-23T12:00:00Z")).value();
}

inline Conversation conversation(const QString& id, const QString& title, int hoursAgo, int minutes) {
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

inline QList<Conversation> conversations() {
    return {conversation(QStringLiteral("c1"), QStringLiteral("Chapter 1 read aloud"), 5, 95),
            conversation(QStringLiteral("c2"), QStringLiteral("Chapter 2 read aloud"), 30, 92),
            conversation(QStringLiteral("c3"), QStringLiteral("Team stand-up"), 50, 15)};
}

/** The model's answer (message content) in the strict output schema. */
inline QByteArray classifierContent(const QStringList& evidenceIds, double score = 0.82) {
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

inline ScriptedResponse okResponse(const QStringList& evidenceIds = {QStringLiteral("c1")},
                                   const QString& model = QStringLiteral("gpt-test-1-2026-01-01")) {
    return ScriptedResponse::json(200, ScriptedOpenAiServer::chatCompletion(classifierContent(evidenceIds), model));
}

inline ScriptedResponse rateLimited(QList<QPair<QByteArray, QByteArray>> headers) {
    return ScriptedResponse::json(429,
                                  ScriptedOpenAiServer::apiError(QStringLiteral("requests"),
                                                                 QStringLiteral("rate_limit_exceeded"),
                                                                 QStringLiteral("Rate limit reached for requests")),
                                  std::move(headers));
}

inline ScriptedResponse serverError(int status = 503) {
    return ScriptedResponse::json(status, ScriptedOpenAiServer::apiError(QStringLiteral("server_error"), {},
                                                                         QStringLiteral("The server is overloaded")));
}

/** The base of the OpenAI classifier test classes: its init() and cleanup() run around every test function. */
class OpenAiClassifierTestBase : public QObject {
    Q_OBJECT

protected:
    std::unique_ptr<ScriptedOpenAiServer> m_server;
    QList<qint64> m_waits; ///< what the classifier asked the injected sleep hook to wait, in order

    services::OpenAiClassifierConfig defaultConfig() const {
        services::OpenAiClassifierConfig config;
        config.baseUrl = m_server->baseUrl();
        config.model = QStringLiteral("gpt-test-1");
        config.requestTimeoutMs = 10000;
        config.maxRetries = 3;
        config.initialBackoffMs = 500;
        config.maxBackoffMs = 8000;
        config.maxServerWaitMs = 60000;
        return config;
    }

    std::unique_ptr<services::OpenAiClassifier> makeClassifier(services::OpenAiClassifierConfig config) {
        auto classifier = std::make_unique<services::OpenAiClassifier>(std::move(config), kApiKey);
        classifier->setRandomSource([] { return 0.5; });
        // Record the wait and resume at once: the tests check what was asked, not how long it took.
        classifier->setSleepHook([this](std::chrono::milliseconds wait, std::function<void()> resume) {
            m_waits.append(wait.count());
            QTimer::singleShot(0, this, std::move(resume));
        });
        return classifier;
    }

    /** Classifies user-1 on conversations() and waits for the answer. */
    static auto classifyUser1(services::OpenAiClassifier& classifier, int timeoutMs = 30000) {
        return services::awaitResult(classifier.classify(QStringLiteral("user-1"), conversations(), testNow()),
                                     timeoutMs);
    }

private Q_SLOTS:
    void init() {
        m_server = std::make_unique<ScriptedOpenAiServer>();
        QVERIFY(m_server->start());
        m_waits.clear();
    }

    void cleanup() {
        if (m_server) {
            QCOMPARE(m_server->unscriptedRequests(), 0);
        }
        m_server.reset();
    }
};

} // namespace fairuse::testing
