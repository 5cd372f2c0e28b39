#pragma once

#include "common/Stores.h"
#include "llm/RetryPolicy.h"

#include "ledger/LlmSpendLedger.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace fairuse::services {

/** Settings of the OpenAI-compatible classifier. The API key is not among them: it comes from the keychain. */
struct OpenAiClassifierConfig {
    /** Base URL of the API, without a trailing "/chat/completions". Must not carry user info or a query: a
     *  credential never goes into a URL (SPEC 5). */
    QUrl baseUrl{QStringLiteral("https://api.openai.com/v1")};
    QString model = QStringLiteral("gpt-4.1-mini");
    /** Deadline of one attempt, from sending to the last byte. An attempt that times out is not retried. */
    int requestTimeoutMs = 60000;
    /** Retries after the first attempt for 429 (not insufficient_quota), 408, 5xx and dropped connections. */
    int maxRetries = 3;
    /** Cap of our own exponential backoff (a server's retry-after is honoured up to maxServerWaitMs). */
    int maxBackoffMs = 20000;
    int initialBackoffMs = 500;
    /** A server asking to wait longer than this fails the call with Unavailable instead. */
    int maxServerWaitMs = 60000;
    /** Completion tokens reserved in the spend ledger before the call (the schema keeps answers short). */
    std::int64_t estimatedCompletionTokens = 1000;
    /** Prompt tokens are estimated as request bytes / this; 3 over-estimates JSON-heavy English, which is the safe
     *  side for a cap (settle() replaces the estimate with the real usage). */
    int estimatedBytesPerPromptToken = 3;
};

/** What one classifier instance has done, for status bars and tests. */
struct OpenAiClassifierCounters {
    int callsStarted = 0; ///< classify() calls that sent a request (deduplicated calls not counted)
    int requestsSent = 0; ///< HTTP attempts, retries included
    int retries = 0;      ///< attempts that were retries
    int timeouts = 0;     ///< attempts that hit requestTimeoutMs
    int deduplicated = 0; ///< classify() calls answered by an in-flight call for the same user
};

/**
 * The purpose classifier over an OpenAI-compatible chat-completions API (SPEC 2.3, 4.3).
 *
 * One call: the request is built by classifier::prepareClassifierRequest (strict json_schema response format) and
 * POSTed to {baseUrl}/chat/completions with "Authorization: Bearer KEY"; the answer is parsed by
 * classifier::parseChatCompletion and classifier::parseClassifierOutput against the conversations actually sent, so
 * evidence naming anything else is dropped. The result carries the model that answered and the prompt version.
 *
 * What the caller sees (the future's Result):
 * - Quota: insufficient_quota (sent once, never retried), or the spend ledger refused the reservation;
 * - Unavailable: 429 / 408 / 5xx / dropped connection after maxRetries retries, a request timeout (not retried: the
 *   provider may still be generating, and billing, the first answer), a retry-after beyond maxServerWaitMs, or the
 *   classifier was destroyed while the call ran;
 * - Permission: 401 / 403, or no API key;
 * - Invalid: a truncated answer (finish_reason length), a refusal or content filter, malformed output, an answer
 *   over 2 MiB (cut off while downloading), a 400, a bad base URL (not http(s), with user info or a query, or plain
 *   http to another machine); a malformed answer never yields a result, so nobody is escalated on it;
 * - NotFound: 404 (unknown model or endpoint), or a model missing from the ledger's price table;
 * - Internal: a 3xx (redirects are not followed: they would carry the Authorization header elsewhere).
 *
 * Deduplication: at most one call per uid runs at a time. classify() for a uid whose call is still running returns
 * the SAME future (the new conversations and time are ignored; the running call answers both). A call made after
 * the running one finished starts afresh.
 *
 * Spend: with a ledger set, an estimate is reserved before the first attempt (purpose "classifier"), settled with
 * the response's usage when a 2xx answer arrived (also when that answer is then rejected: the tokens were billed;
 * with the estimate when usage is missing), settled with the estimate when an attempt timed out after the whole
 * request was sent (the provider is likely billing an answer we never see), and released when nothing was billed
 * (connection failures, HTTP errors, oversized answers). Each settled call emits spendRecorded().
 *
 * The API key is held in memory only; it is never logged, never put in a URL, and never part of an error message.
 * Everything runs on the thread that owns this object; continuations are tied to it, so destroying the classifier
 * aborts running calls and finishes their futures with Unavailable.
 */
class OpenAiClassifier : public QObject, public ClassifierService {
    Q_OBJECT
public:
    /** Uniform random number in [0, 1], for backoff jitter. */
    using RandomSource = std::function<double()>;
    /** Waits `wait`, then calls `resume` (on this object's thread). Default: a single-shot QTimer. */
    using SleepHook = std::function<void(std::chrono::milliseconds wait, std::function<void()> resume)>;
    /** The wall clock, to turn an HTTP-date retry-after into a wait. */
    using WallClock = std::function<QDateTime()>;

    OpenAiClassifier(OpenAiClassifierConfig config, QString apiKey, QObject* parent = nullptr);
    ~OpenAiClassifier() override;

    OpenAiClassifier(const OpenAiClassifier&) = delete;
    OpenAiClassifier& operator=(const OpenAiClassifier&) = delete;

    /**
     * Records every call's spend (purpose "classifier") in `ledger`, which must outlive this object; nullptr turns
     * recording off. A reservation the ledger refuses fails the call (Quota: over the user's LLM caps, NotFound:
     * model without a price) before anything is sent.
     */
    void setSpendLedger(LlmSpendLedger* ledger);

    void setRandomSource(RandomSource random);
    void setSleepHook(SleepHook sleep);
    void setWallClock(WallClock clock);

    Async<ClassifierResult> classify(const QString& uid, const QList<Conversation>& conversations,
                                     TimePoint now) override;
    bool isHeuristic() const override { return false; }
    /** "OpenAI-compatible classifier, model M at https://host/v1" (never the key). */
    QString describe() const override;

    const OpenAiClassifierCounters& counters() const { return m_counters; }
    /** True while a call for this uid runs. */
    bool isRunning(const QString& uid) const { return m_calls.contains(uid); }

Q_SIGNALS:
    /** A call's spend was settled in the ledger; the record is for the case store (spend reports). */
    void spendRecorded(const fairuse::LlmSpendRecord& record);

private:
    struct Call;

    void sendAttempt(const std::shared_ptr<Call>& call);
    void onReplyFinished(const std::shared_ptr<Call>& call, QNetworkReply* reply);
    void handleSuccess(const std::shared_ptr<Call>& call, const QByteArray& body);
    void retryOrFail(const std::shared_ptr<Call>& call, const Error& error, std::chrono::milliseconds serverWait,
                     bool serverAskedToWait);
    void settleSpend(const std::shared_ptr<Call>& call, std::int64_t promptTokens, std::int64_t completionTokens);
    void finish(const std::shared_ptr<Call>& call, Result<ClassifierResult> result);
    QUrl endpoint() const;

    OpenAiClassifierConfig m_config;
    RetryPolicy m_retry;
    QByteArray m_authorization; ///< "Bearer KEY"; kept out of every log line and message
    QNetworkAccessManager* m_network = nullptr;
    LlmSpendLedger* m_ledger = nullptr;
    RandomSource m_random;
    SleepHook m_sleep;
    WallClock m_clock;
    QHash<QString, std::shared_ptr<Call>> m_calls;
    OpenAiClassifierCounters m_counters;
};

} // namespace fairuse::services
