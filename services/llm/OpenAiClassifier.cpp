#include "llm/OpenAiClassifier.h"

#include "classifier/ChatCompletion.h"
#include "classifier/ClassifierConfig.h"
#include "classifier/ClassifierOutput.h"
#include "classifier/ClassifierPrompt.h"
#include "logging/Logging.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QPromise>
#include <QRandomGenerator>
#include <QTimer>

namespace fairuse::services {

/** One classify() call, across its attempts. Shared between the continuations of its replies and timers. */
struct OpenAiClassifier::Call {
    QString uid;
    QList<Conversation> input; ///< the conversations actually sent: evidence must cite one of them
    QByteArray body;
    TimePoint now{}; ///< the caller's time of the check; spend is booked at now + elapsed
    QElapsedTimer elapsed;
    std::optional<Reservation> reservation; ///< outstanding spend reservation, if a ledger is set
    std::int64_t estimatedPromptTokens = 0;
    std::int64_t estimatedCompletionTokens = 0;
    int attempts = 0;
    bool finished = false;
    bool timedOut = false; ///< the current attempt hit the deadline (set before aborting the reply)
    bool tooLarge = false; ///< the current attempt's answer outgrew the envelope limit (set before aborting)
    bool uploaded = false; ///< the current attempt's request reached the server in full (it may be generating)
    QPointer<QNetworkReply> reply;
    QPromise<Result<ClassifierResult>> promise;
};

namespace {

/** Network failures without an HTTP answer that are worth another try: the server or the path hiccuped. */
bool isTransientNetworkError(QNetworkReply::NetworkError error) {
    switch (error) {
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::UnknownNetworkError:
        return true;
    default:
        return false;
    }
}

bool isLoopbackHost(const QString& host) {
    if (host.compare(QStringLiteral("localhost"), Qt::CaseInsensitive) == 0) {
        return true;
    }
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

/** The key goes into an HTTP header: anything outside visible ASCII would let it inject headers or be mangled. */
bool isUsableKey(const QString& key) {
    if (key.isEmpty()) {
        return false;
    }
    for (const QChar c : key) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f) {
            return false;
        }
    }
    return true;
}

/** Usage read from a 2xx body that parseChatCompletion rejected (refusal, truncation, content filter, ...). */
struct BilledUsage {
    bool billed = false; ///< the body is a chat completion: the provider generated (and charged for) an answer
    std::optional<std::pair<std::int64_t, std::int64_t>> tokens; ///< prompt, completion; nullopt when unreadable
};

BilledUsage billedUsageOfRejectedBody(const QByteArray& body) {
    BilledUsage out;
    if (body.size() > static_cast<qsizetype>(classifier::config::kMaxEnvelopeBytes)) {
        return out;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return out; // a proxy's error page, not an answer from the model: nothing was generated
    }
    const QJsonObject root = doc.object();
    if (!root.value(QStringLiteral("choices")).isArray()) {
        return out;
    }
    out.billed = true;
    const QJsonObject usage = root.value(QStringLiteral("usage")).toObject();
    const QJsonValue prompt = usage.value(QStringLiteral("prompt_tokens"));
    const QJsonValue completion = usage.value(QStringLiteral("completion_tokens"));
    const auto tokenCount = [](const QJsonValue& v) -> std::optional<std::int64_t> {
        if (!v.isDouble()) {
            return std::nullopt;
        }
        const double d = v.toDouble();
        if (!(d >= 0 && d <= 1e12) || d != static_cast<double>(static_cast<std::int64_t>(d))) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(d);
    };
    const auto p = tokenCount(prompt);
    const auto c = tokenCount(completion);
    if (p && c) {
        out.tokens = std::make_pair(*p, *c);
    }
    return out;
}

} // namespace

OpenAiClassifier::OpenAiClassifier(OpenAiClassifierConfig config, QString apiKey, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_network(new QNetworkAccessManager(this))
    , m_random([] { return QRandomGenerator::global()->generateDouble(); })
    , m_clock([] { return QDateTime::currentDateTimeUtc(); }) {
    const QString key = apiKey.trimmed();
    if (isUsableKey(key)) {
        m_authorization = "Bearer " + key.toLatin1();
    }
    m_retry.maxRetries = std::max(0, m_config.maxRetries);
    m_retry.initialBackoff = std::chrono::milliseconds(std::max(0, m_config.initialBackoffMs));
    m_retry.maxBackoff = std::chrono::milliseconds(std::max(0, m_config.maxBackoffMs));
    m_retry.maxServerWait = std::chrono::milliseconds(std::max(0, m_config.maxServerWaitMs));
    m_sleep = [this](std::chrono::milliseconds wait, std::function<void()> resume) {
        QTimer::singleShot(wait, this, std::move(resume));
    };
    // Redirects could carry the Authorization header to another host; an API endpoint has no business redirecting.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

OpenAiClassifier::~OpenAiClassifier() {
    // Futures must finish with a value: a consumer blocked in result() would otherwise see a cancelled future.
    const auto calls = m_calls.values();
    for (const auto& call : calls) {
        if (call->reply) {
            call->reply->disconnect(this);
            call->reply->abort();
        }
        finish(call, Error::unavailable(tr("The classifier was shut down before the answer arrived.")));
    }
}

void OpenAiClassifier::setSpendLedger(LlmSpendLedger* ledger) {
    m_ledger = ledger;
}

void OpenAiClassifier::setRandomSource(RandomSource random) {
    if (random) {
        m_random = std::move(random);
    }
}

void OpenAiClassifier::setSleepHook(SleepHook sleep) {
    if (sleep) {
        m_sleep = std::move(sleep);
    }
}

void OpenAiClassifier::setWallClock(WallClock clock) {
    if (clock) {
        m_clock = std::move(clock);
    }
}

QString OpenAiClassifier::describe() const {
    return tr("OpenAI-compatible classifier, model %1 at %2")
        .arg(m_config.model, m_config.baseUrl.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
}

QUrl OpenAiClassifier::endpoint() const {
    QUrl url = m_config.baseUrl;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/'))) {
        path.chop(1);
    }
    url.setPath(path + QStringLiteral("/chat/completions"));
    return url;
}

Async<ClassifierResult> OpenAiClassifier::classify(const QString& uid, const QList<Conversation>& conversations,
                                                   TimePoint now) {
    if (const auto running = m_calls.constFind(uid); running != m_calls.constEnd()) {
        ++m_counters.deduplicated;
        qCInfo(lcLlm) << "classifier already running for" << uid << "- sharing its answer";
        return (*running)->promise.future();
    }

    auto call = std::make_shared<Call>();
    call->uid = uid;
    call->promise.start();
    Async<ClassifierResult> future = call->promise.future();

    const QUrl url = m_config.baseUrl;
    if (!url.isValid() || (url.scheme() != QStringLiteral("https") && url.scheme() != QStringLiteral("http")) ||
        url.host().isEmpty()) {
        finish(call, Error::invalid(tr("The classifier base URL is not an http(s) URL.")));
        return future;
    }
    if (url.scheme() == QStringLiteral("http") && !isLoopbackHost(url.host())) {
        // The key would cross the network in clear text; plain http is for local gateways and test servers only.
        finish(call, Error::invalid(tr("The classifier base URL must use https unless it points to this machine.")));
        return future;
    }
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment()) {
        // A key in a URL ends up in proxy logs and shell history (SPEC 5): refuse rather than send it.
        finish(call, Error::invalid(tr("The classifier base URL must not contain user info, a query or a fragment.")));
        return future;
    }
    if (m_authorization.isEmpty()) {
        finish(call, Error::permission(tr("No usable API key for the classifier (empty or with invalid characters).")));
        return future;
    }
    if (m_config.model.trimmed().isEmpty()) {
        finish(call, Error::invalid(tr("No classifier model configured.")));
        return future;
    }

    classifier::ClassifierRequest request = classifier::prepareClassifierRequest(conversations, now, m_config.model);
    call->input = std::move(request.input);
    call->body = QJsonDocument(request.body).toJson(QJsonDocument::Compact);
    call->now = now;
    call->elapsed.start();

    if (m_ledger) {
        const int bytesPerToken = std::max(1, m_config.estimatedBytesPerPromptToken);
        call->estimatedPromptTokens = (call->body.size() + bytesPerToken - 1) / bytesPerToken;
        call->estimatedCompletionTokens = std::max<std::int64_t>(0, m_config.estimatedCompletionTokens);
        Result<Reservation> reservation =
            // Our own enforcement call: recorded against the user, never refused for their caps (see
            // reserveUncapped), so spending the LLM budget cannot shield anyone from classification.
            m_ledger->reserveUncapped(uid, m_config.model, call->estimatedPromptTokens, call->estimatedCompletionTokens,
                                      now, QStringLiteral("classifier"));
        if (!reservation) {
            qCWarning(lcLlm) << "classifier call for" << uid
                             << "refused by the spend ledger:" << reservation.error().message;
            finish(call,
                   Error{reservation.error().kind,
                         tr("LLM spend ledger refused the classifier call: %1").arg(reservation.error().message)});
            return future;
        }
        call->reservation = std::move(reservation).value();
    }

    m_calls.insert(uid, call);
    ++m_counters.callsStarted;
    sendAttempt(call);
    return future;
}

void OpenAiClassifier::sendAttempt(const std::shared_ptr<Call>& call) {
    if (call->finished) {
        return;
    }
    QNetworkRequest request(endpoint());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
    request.setRawHeader(QByteArrayLiteral("Authorization"), m_authorization);
    // Our own deadline below covers the whole attempt; the transfer timeout would only cover stalls.
    request.setTransferTimeout(0);

    ++call->attempts;
    ++m_counters.requestsSent;
    if (call->attempts > 1) {
        ++m_counters.retries;
    }
    call->timedOut = false;
    call->tooLarge = false;
    call->uploaded = false;
    qCDebug(lcLlm) << "classifier request for" << call->uid << "attempt" << call->attempts << "model" << m_config.model
                   << "conversations" << call->input.size();

    QNetworkReply* reply = m_network->post(request, call->body);
    call->reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, call, reply] { onReplyFinished(call, reply); });
    // A server sending a huge body must not exhaust memory: stop as soon as the declared length or what arrived
    // exceeds the envelope limit (the parser would reject it anyway, after buffering all of it).
    const auto guardSize = [call, reply] {
        const auto limit = static_cast<qint64>(classifier::config::kMaxEnvelopeBytes);
        const QVariant declared = reply->header(QNetworkRequest::ContentLengthHeader);
        const bool over = (declared.isValid() && declared.toLongLong() > limit) || reply->bytesAvailable() > limit;
        if (over && reply->isRunning()) {
            call->tooLarge = true;
            reply->abort();
        }
    };
    connect(reply, &QNetworkReply::metaDataChanged, this, guardSize);
    connect(reply, &QNetworkReply::uploadProgress, this, [call](qint64 sent, qint64 total) {
        if (total > 0 && sent >= total) {
            call->uploaded = true;
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, guardSize);
    if (m_config.requestTimeoutMs > 0) {
        QTimer::singleShot(m_config.requestTimeoutMs, reply, [call, reply] {
            if (reply->isRunning()) {
                call->timedOut = true;
                reply->abort();
            }
        });
    }
}

void OpenAiClassifier::onReplyFinished(const std::shared_ptr<Call>& call, QNetworkReply* reply) {
    reply->deleteLater();
    if (call->reply == reply) {
        call->reply = nullptr;
    }
    if (call->finished) {
        return;
    }

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (call->timedOut) {
        ++m_counters.timeouts;
        qCWarning(lcLlm) << "classifier request for" << call->uid << "timed out after" << m_config.requestTimeoutMs
                         << "ms";
        if (call->uploaded) {
            // The provider got the whole request and is probably generating, and billing, an answer we will never
            // see: book the estimate rather than nothing (spend is never free).
            settleSpend(call, call->estimatedPromptTokens, call->estimatedCompletionTokens);
        }
        finish(call,
               Error::unavailable(tr("The classifier did not answer within %1 ms.").arg(m_config.requestTimeoutMs)));
        return;
    }
    if (call->tooLarge) {
        // Whatever was generated is lost with the aborted reply; the reservation is released in finish().
        qCWarning(lcLlm) << "classifier answer for" << call->uid << "exceeded the size limit";
        finish(call, Error::invalid(
                         tr("The classifier's answer exceeded %1 bytes.").arg(classifier::config::kMaxEnvelopeBytes)));
        return;
    }
    if (status == 0) {
        const auto error = reply->error();
        const Error failure = Error::unavailable(tr("Could not reach the classifier: %1").arg(reply->errorString()));
        if (isTransientNetworkError(error)) {
            retryOrFail(call, failure, {}, false);
        } else {
            finish(call, failure);
        }
        return;
    }

    const QByteArray body = reply->readAll();
    if (status >= 200 && status < 300) {
        handleSuccess(call, body);
        return;
    }

    const Error error = classifier::parseApiError(status, body);
    if (error.kind != ErrorKind::Unavailable) {
        // Quota (insufficient_quota), Permission, Invalid, NotFound: another attempt would fail the same way.
        qCWarning(lcLlm) << "classifier request for" << call->uid << "failed with HTTP" << status << "- not retried";
        finish(call, error);
        return;
    }
    const auto wait = RetryPolicy::serverRequestedWait(reply->rawHeader(QByteArrayLiteral("retry-after-ms")),
                                                       reply->rawHeader(QByteArrayLiteral("retry-after")), m_clock());
    retryOrFail(call, error, wait.value_or(std::chrono::milliseconds(0)), wait.has_value());
}

void OpenAiClassifier::retryOrFail(const std::shared_ptr<Call>& call, const Error& error,
                                   std::chrono::milliseconds serverWait, bool serverAskedToWait) {
    const int retriesDone = call->attempts - 1;
    if (retriesDone >= m_retry.maxRetries) {
        qCWarning(lcLlm) << "classifier request for" << call->uid << "gave up after" << call->attempts << "attempts";
        finish(call,
               Error::unavailable(tr("%1 (gave up after %n attempt(s))", nullptr, call->attempts).arg(error.message)));
        return;
    }
    if (serverAskedToWait && serverWait > m_retry.maxServerWait) {
        qCWarning(lcLlm) << "classifier server asked" << call->uid << "to wait" << serverWait.count()
                         << "ms, more than the configured maximum";
        finish(call, Error::unavailable(tr("%1 (the server asked to wait %2 s, longer than the allowed %3 s)")
                                            .arg(error.message)
                                            .arg(serverWait.count() / 1000)
                                            .arg(m_retry.maxServerWait.count() / 1000)));
        return;
    }
    const std::chrono::milliseconds wait = serverAskedToWait ? serverWait : m_retry.backoff(retriesDone, m_random());
    qCInfo(lcLlm) << "classifier request for" << call->uid << "will be retried in" << wait.count() << "ms"
                  << (serverAskedToWait ? "(server's retry-after)" : "(backoff)");
    QPointer<OpenAiClassifier> self(this);
    m_sleep(wait, [self, call] {
        if (self) {
            self->sendAttempt(call);
        }
    });
}

void OpenAiClassifier::handleSuccess(const std::shared_ptr<Call>& call, const QByteArray& body) {
    Result<classifier::ChatCompletion> completion = classifier::parseChatCompletion(body);
    if (!completion) {
        qCWarning(lcLlm) << "classifier answer for" << call->uid << "rejected:" << completion.error().message;
        // A refused, truncated or filtered answer was still generated, and billed: book it before failing.
        const BilledUsage usage = billedUsageOfRejectedBody(body);
        if (usage.billed) {
            const auto tokens =
                usage.tokens.value_or(std::make_pair(call->estimatedPromptTokens, call->estimatedCompletionTokens));
            settleSpend(call, tokens.first, tokens.second);
        }
        finish(call, completion.error());
        return;
    }
    if (completion->usageMissing) {
        qCWarning(lcLlm) << "classifier answer for" << call->uid << "has no usable usage; booking the estimate";
        settleSpend(call, call->estimatedPromptTokens, call->estimatedCompletionTokens);
    } else {
        settleSpend(call, completion->promptTokens, completion->completionTokens);
    }
    Result<ClassifierResult> result = classifier::parseClassifierOutput(completion->content.toUtf8(), call->input);
    if (!result) {
        qCWarning(lcLlm) << "classifier output for" << call->uid << "rejected:" << result.error().message;
        finish(call, result.error());
        return;
    }
    result->model = completion->model.isEmpty() ? m_config.model : completion->model;
    result->promptVersion = classifier::promptVersion();
    result->heuristic = false;
    if (result->droppedEvidence > 0) {
        qCInfo(lcLlm) << "classifier answer for" << call->uid << "cited" << result->droppedEvidence
                      << "unknown conversation(s); dropped";
    }
    finish(call, std::move(result));
}

void OpenAiClassifier::settleSpend(const std::shared_ptr<Call>& call, std::int64_t promptTokens,
                                   std::int64_t completionTokens) {
    if (!m_ledger || !call->reservation) {
        return;
    }
    const TimePoint at = call->now + std::chrono::milliseconds(call->elapsed.elapsed());
    Result<LlmSpendRecord> record = m_ledger->settle(*call->reservation, promptTokens, completionTokens, at);
    if (!record) {
        // The ledger rejected the numbers (a bug on one side); book the estimate rather than nothing.
        qCWarning(lcLlm) << "could not settle classifier spend for" << call->uid << ":" << record.error().message;
        record = m_ledger->settle(*call->reservation, call->estimatedPromptTokens, call->estimatedCompletionTokens, at);
    }
    if (record) {
        call->reservation.reset();
        Q_EMIT spendRecorded(record.value());
    }
}

void OpenAiClassifier::finish(const std::shared_ptr<Call>& call, Result<ClassifierResult> result) {
    if (call->finished) {
        return;
    }
    call->finished = true;
    if (m_ledger && call->reservation) {
        // Nothing was billed (no answer, or an HTTP error): the estimate goes back to the user's budget.
        const Status released = m_ledger->release(*call->reservation);
        if (!released) {
            qCWarning(lcLlm) << "could not release classifier reservation for" << call->uid << ":"
                             << released.error().message;
        }
        call->reservation.reset();
    }
    if (const auto it = m_calls.constFind(call->uid); it != m_calls.constEnd() && *it == call) {
        m_calls.remove(call->uid);
    }
    call->promise.addResult(std::move(result));
    call->promise.finish();
}

} // namespace fairuse::services
