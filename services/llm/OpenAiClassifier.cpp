#include "llm/OpenAiClassifier.h"

#include "classifier/ChatCompletion.h"
#include "classifier/ClassifierConfig.h"
#include "classifier/ClassifierOutput.h"
#include "classifier/ClassifierPrompt.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QPromise>
#include <QRandomGenerator>
#include <QTimer>

namespace fairuse::services {

Q_LOGGING_CATEGORY(lcLlm, "fairuse.llm")

/** One classify() call, across its attempts. Shared between the continuations of its replies and timers. */
struct OpenAiClassifier::Call {
    QString uid;
    QList<Conversation> input; ///< the conversations actually sent: evidence must cite one of them
    QByteArray body;
    int attempts = 0;
    bool finished = false;
    bool timedOut = false; ///< the current attempt hit the deadline (set before aborting the reply)
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
    qCDebug(lcLlm) << "classifier request for" << call->uid << "attempt" << call->attempts << "model" << m_config.model
                   << "conversations" << call->input.size();

    QNetworkReply* reply = m_network->post(request, call->body);
    call->reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, call, reply] { onReplyFinished(call, reply); });
    // A server streaming an endless body must not exhaust memory; the parser would reject it anyway.
    connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64) {
        if (received > static_cast<qint64>(classifier::config::kMaxEnvelopeBytes) + 1) {
            reply->abort();
        }
    });
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
        finish(call,
               Error::unavailable(tr("The classifier did not answer within %1 ms.").arg(m_config.requestTimeoutMs)));
        return;
    }
    if (status == 0) {
        const auto error = reply->error();
        const Error failure = Error::unavailable(tr("Could not reach the classifier: %1").arg(reply->errorString()));
        if (error == QNetworkReply::OperationCanceledError) {
            // Only our size guard aborts besides the deadline.
            finish(call,
                   Error::invalid(
                       tr("The classifier's answer exceeded %1 bytes.").arg(classifier::config::kMaxEnvelopeBytes)));
            return;
        }
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
        finish(call, completion.error());
        return;
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

void OpenAiClassifier::finish(const std::shared_ptr<Call>& call, Result<ClassifierResult> result) {
    if (call->finished) {
        return;
    }
    call->finished = true;
    if (const auto it = m_calls.constFind(call->uid); it != m_calls.constEnd() && *it == call) {
        m_calls.remove(call->uid);
    }
    call->promise.addResult(std::move(result));
    call->promise.finish();
}

} // namespace fairuse::services
