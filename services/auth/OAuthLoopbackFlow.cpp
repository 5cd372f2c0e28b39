#include "auth/OAuthLoopbackFlow.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QMultiMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QOAuth2AuthorizationCodeFlow>
#include <QOAuthHttpServerReplyHandler>
#include <QRandomGenerator>
#include <QTimer>

namespace fairuse::services {

namespace {

Q_LOGGING_CATEGORY(lcOAuth, "fairuse.auth")

/** Random words behind a PKCE verifier (48 bytes: 64 base64url characters) and behind `state` (24 bytes). */
constexpr qsizetype kVerifierWords = 12;
constexpr qsizetype kStateWords = 6;
/** Longest piece of a provider's error text quoted in a message. */
constexpr qsizetype kProviderTextMax = 200;

const QString kCode = QStringLiteral("code");
const QString kCodeChallenge = QStringLiteral("code_challenge");
const QString kCodeChallengeMethod = QStringLiteral("code_challenge_method");
const QString kCodeVerifier = QStringLiteral("code_verifier");
const QString kClientSecret = QStringLiteral("client_secret");

QString translate(const char* text) {
    return QCoreApplication::translate("fairuse::services::OAuthLoopbackConfig", text);
}

QByteArray randomBase64Url(qsizetype words) {
    QList<quint32> random(words);
    QRandomGenerator::system()->fillRange(random.data(), random.size());
    const QByteArray raw(reinterpret_cast<const char*>(random.constData()), words * qsizetype(sizeof(quint32)));
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

/** A query value as Qt 6.4's loopback server hands it over (QUrl::PrettyDecoded: %2F, %2B, %25, %26 and the
 *  like still encoded), fully decoded. */
QString fullyDecoded(const QString& prettyDecoded) {
    return QUrl::fromPercentEncoding(prettyDecoded.toUtf8());
}

bool isLoopbackName(const QString& host) {
    return host == QLatin1String("localhost") || QHostAddress(host).isLoopback();
}

/** A provider's error code and description as one line of printable text, cut to a readable length. The
 *  provider writes these for people; they never carry the code or a token. */
QString providerText(const QString& error, const QString& description) {
    QString text = description.isEmpty() ? error : error + QStringLiteral(": ") + description;
    text.removeIf([](QChar c) { return !c.isPrint() && !c.isSpace(); });
    text = text.simplified();
    if (text.size() > kProviderTextMax) {
        text = text.left(kProviderTextMax) + QChar(0x2026);
    }
    return text;
}

/**
 * Qt 6.4's loopback server, with the token reply left to OAuthLoopbackFlow: Qt's own handling drops the body of
 * an error answer (the provider's reason) and, on a body that is not a JSON object, logs it, tokens and all. The
 * flow reads the reply through its network manager instead.
 */
class LoopbackReplyHandler final : public QOAuthHttpServerReplyHandler {
public:
    using QOAuthHttpServerReplyHandler::QOAuthHttpServerReplyHandler;
    void networkReplyFinished(QNetworkReply* /*reply*/) override {}
};

} // namespace

// ---- IdpCredential and configuration ---------------------------------------------------------------------------

QByteArray IdpCredential::postBody() const {
    const bool useIdToken = !idToken.isEmpty();
    QByteArray body = useIdToken ? QByteArrayLiteral("id_token=") : QByteArrayLiteral("access_token=");
    body += QUrl::toPercentEncoding(useIdToken ? idToken : accessToken);
    body += "&providerId=";
    body += QUrl::toPercentEncoding(providerId);
    return body;
}

OAuthLoopbackConfig OAuthLoopbackConfig::google(QString clientId, QString clientSecret) {
    OAuthLoopbackConfig config;
    config.clientId = std::move(clientId);
    config.clientSecret = std::move(clientSecret);
    return config;
}

Status OAuthLoopbackConfig::validate() const {
    if (providerId.trimmed().isEmpty()) {
        return Error::invalid(translate("no sign-in provider id is configured"));
    }
    if (clientId.trimmed().isEmpty()) {
        return Error::invalid(translate("no OAuth client id is configured for %1").arg(providerId));
    }
    if (scopes.isEmpty()) {
        return Error::invalid(translate("no OAuth scope is configured for %1").arg(providerId));
    }
    const QList<std::pair<QString, QUrl>> endpoints{{translate("authorization"), authorizationUrl},
                                                    {translate("token"), tokenUrl}};
    for (const auto& [name, url] : endpoints) {
        if (!url.isValid() || url.isRelative() || url.host().isEmpty()) {
            return Error::invalid(translate("the %1 endpoint of %2 is not an absolute URL").arg(name, providerId));
        }
        const bool https = url.scheme() == QLatin1String("https");
        const bool loopbackHttp = url.scheme() == QLatin1String("http") && isLoopbackName(url.host());
        if (!https && !loopbackHttp) {
            return Error::invalid(translate("the %1 endpoint of %2 must use https").arg(name, providerId));
        }
    }
    if (browserTimeout.count() <= 0 || tokenTimeout.count() <= 0) {
        return Error::invalid(translate("the sign-in time limits must be positive"));
    }
    return {};
}

// ---- OAuthLoopbackFlow -----------------------------------------------------------------------------------------

OAuthLoopbackFlow::OAuthLoopbackFlow(OAuthLoopbackConfig config, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config)) {}

OAuthLoopbackFlow::~OAuthLoopbackFlow() {
    cancel();
}

QByteArray OAuthLoopbackFlow::makeCodeVerifier() {
    return randomBase64Url(kVerifierWords);
}

QByteArray OAuthLoopbackFlow::codeChallenge(const QByteArray& verifier) {
    return QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QUrl OAuthLoopbackFlow::redirectUri() const {
    return isRunning() ? QUrl(m_handler->callback()) : QUrl();
}

Async<IdpCredential> OAuthLoopbackFlow::start() {
    if (m_future) {
        return *m_future;
    }
    m_promise = makePromise<IdpCredential>();
    m_future = m_promise->future();
    // A slot of openBrowser() may cancel, and a continuation may then delete this object.
    const Async<IdpCredential> future = *m_future;

    if (const Status valid = m_config.validate(); !valid) {
        complete(valid.error());
        return future;
    }

    // 127.0.0.1 only (Qt's default is every interface), on a port the kernel picks.
    m_handler = new LoopbackReplyHandler(QHostAddress(QHostAddress::LocalHost), 0, this);
    if (!m_handler->isListening()) {
        complete(Error::unavailable(tr("could not open a port on 127.0.0.1 to receive the browser's answer")));
        return future;
    }
    m_handler->setCallbackText(tr("Sign-in finished. You can close this window and return to %1.")
                                   .arg(QCoreApplication::applicationName())
                                   .toHtmlEscaped());
    // Connected before the flow connects its own handling (in grant()), so the answer is checked here first.
    connect(m_handler, &QAbstractOAuthReplyHandler::callbackReceived, this, &OAuthLoopbackFlow::onCallback);

    m_network = new QNetworkAccessManager(this);
    m_network->setTransferTimeout(static_cast<int>(m_config.tokenTimeout.count()));
    connect(m_network, &QNetworkAccessManager::finished, this, &OAuthLoopbackFlow::onTokenReply);

    m_flow = new QOAuth2AuthorizationCodeFlow(m_network, this);
    m_flow->setAuthorizationUrl(m_config.authorizationUrl);
    m_flow->setAccessTokenUrl(m_config.tokenUrl);
    m_flow->setClientIdentifier(m_config.clientId);
    m_flow->setClientIdentifierSharedKey(m_config.clientSecret);
    m_flow->setScope(m_config.scopes.join(QLatin1Char(' ')));
    m_flow->setReplyHandler(m_handler);
    // Qt 6.4 would make the state from 8 characters of a time-seeded std::mt19937.
    m_flow->setState(QString::fromLatin1(randomBase64Url(kStateWords)));

    // Qt 6.4 has no PKCE: add the challenge to the authorization request and the verifier to the token request.
    const QByteArray verifier = makeCodeVerifier();
    const QString challenge = QString::fromLatin1(codeChallenge(verifier));
    m_flow->setModifyParametersFunction(
        [this, verifier, challenge](QAbstractOAuth::Stage stage, QMultiMap<QString, QVariant>* parameters) {
            switch (stage) {
            case QAbstractOAuth::Stage::RequestingAuthorization:
                parameters->replace(kCodeChallenge, challenge);
                parameters->replace(kCodeChallengeMethod, QStringLiteral("S256"));
                break;
            case QAbstractOAuth::Stage::RequestingAccessToken:
                parameters->replace(kCodeVerifier, QString::fromLatin1(verifier));
                // Qt 6.4 percent-encodes the code as its loopback server decoded it (PrettyDecoded), so a code the
                // provider sent as "4%2F0A..." would arrive as "4%252F0A...". Send the code checked in onCallback().
                if (!m_code.isEmpty()) {
                    parameters->replace(kCode, QString::fromLatin1(QUrl::toPercentEncoding(m_code)));
                    m_code.clear();
                }
                // Qt percent-encodes redirect_uri and client_id of this request but not client_secret, so a '+' or
                // '&' in it would arrive changed.
                if (parameters->contains(kClientSecret)) {
                    parameters->replace(kClientSecret, QString::fromLatin1(QUrl::toPercentEncoding(
                                                           parameters->value(kClientSecret).toString())));
                }
                break;
            case QAbstractOAuth::Stage::RequestingTemporaryCredentials:
            case QAbstractOAuth::Stage::RefreshingAccessToken:
                break;
            }
        });
    connect(m_flow, &QAbstractOAuth::authorizeWithBrowser, this, &OAuthLoopbackFlow::openBrowser);

    m_browserTimer = new QTimer(this);
    m_browserTimer->setSingleShot(true);
    connect(m_browserTimer, &QTimer::timeout, this, &OAuthLoopbackFlow::onBrowserTimeout);

    m_phase = Phase::WaitingForBrowser;
    m_browserTimer->start(m_config.browserTimeout);
    qCInfo(lcOAuth).noquote() << "sign-in with" << m_config.providerId
                              << "waits for the browser on 127.0.0.1:" << m_handler->port();
    m_flow->grant();
    return future;
}

void OAuthLoopbackFlow::cancel() {
    if (isRunning()) {
        complete(Error::unavailable(tr("sign-in was cancelled")));
    }
}

void OAuthLoopbackFlow::onCallback(const QVariantMap& data) {
    if (m_phase != Phase::WaitingForBrowser) {
        return; // the browser asking for /favicon.ico after the redirect, or a late duplicate
    }
    const QString error = fullyDecoded(data.value(QStringLiteral("error")).toString());
    const QString code = fullyDecoded(data.value(QStringLiteral("code")).toString());
    const QString state = fullyDecoded(data.value(QStringLiteral("state")).toString());
    if (error.isEmpty() && code.isEmpty() && state.isEmpty()) {
        return; // not a redirect from the provider; keep waiting for it
    }
    // An answer without this sign-in's state may have been made by someone else (RFC 6749 10.12): take neither its
    // code nor its error.
    if (state != m_flow->state()) {
        m_handler->setCallbackText(
            tr("This answer does not belong to the sign-in in progress and was refused. You can close this window.")
                .toHtmlEscaped());
        complete(Error::invalid(tr("the browser's answer does not carry the state of this sign-in, so it may not come "
                                   "from your sign-in and was refused; sign in again")));
        return;
    }
    if (!error.isEmpty()) {
        // Form encoding may write the description's spaces as '+'.
        QString description = data.value(QStringLiteral("error_description")).toString();
        description.replace(QLatin1Char('+'), QLatin1Char(' '));
        const QString detail = providerText(error, fullyDecoded(description));
        if (error == QLatin1String("access_denied")) {
            m_handler->setCallbackText(tr("Sign-in was cancelled. You can close this window.").toHtmlEscaped());
            complete(Error::permission(
                tr("sign-in with %1 was refused in the browser (%2)").arg(m_config.providerId, detail)));
        } else if (error == QLatin1String("temporarily_unavailable") || error == QLatin1String("server_error")) {
            complete(Error::unavailable(
                tr("%1 could not sign you in right now (%2); try again later").arg(m_config.providerId, detail)));
        } else {
            complete(Error::invalid(tr("%1 refused the sign-in request (%2)").arg(m_config.providerId, detail)));
        }
        return;
    }
    if (code.isEmpty()) {
        complete(
            Error::invalid(tr("the browser's answer from %1 carries no authorization code").arg(m_config.providerId)));
        return;
    }
    m_browserTimer->stop();
    m_code = code;
    m_phase = Phase::ExchangingCode;
    qCInfo(lcOAuth).noquote() << "sign-in with" << m_config.providerId << "exchanges the code at"
                              << m_config.tokenUrl.host();
    // Qt's flow, connected after this slot, now posts the code with the PKCE verifier to the token endpoint.
}

void OAuthLoopbackFlow::onTokenReply(QNetworkReply* reply) {
    reply->deleteLater();
    if (m_phase != Phase::ExchangingCode) {
        return;
    }
    const QString endpoint = m_config.tokenUrl.host();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        if (reply->error() == QNetworkReply::OperationCanceledError) {
            complete(
                Error::unavailable(tr("the token endpoint %1 did not answer within %2 s")
                                       .arg(endpoint)
                                       .arg(std::chrono::ceil<std::chrono::seconds>(m_config.tokenTimeout).count())));
        } else {
            complete(Error::unavailable(
                tr("could not reach the token endpoint %1: %2").arg(endpoint, reply->errorString())));
        }
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(reply->readAll(), &parseError);
    const bool isObject = parseError.error == QJsonParseError::NoError && document.isObject();
    const QJsonObject answer = document.object();

    if (status >= 400 || answer.contains(QStringLiteral("error"))) {
        const QJsonValue errorValue = answer.value(QStringLiteral("error"));
        // OAuth 2.0 says a string; some Google front ends answer {"error": {"status": ..., "message": ...}}.
        QString error = errorValue.isObject() ? errorValue.toObject().value(QStringLiteral("status")).toString()
                                              : errorValue.toString();
        QString description = answer.value(QStringLiteral("error_description")).toString();
        if (description.isEmpty() && errorValue.isObject()) {
            description = errorValue.toObject().value(QStringLiteral("message")).toString();
        }
        if (error.isEmpty()) {
            error = QStringLiteral("HTTP %1").arg(status);
        }
        const QString text =
            tr("the token endpoint %1 refused the sign-in: %2").arg(endpoint, providerText(error, description));
        const bool retryable = status >= 500 || status == 429 || error == QLatin1String("temporarily_unavailable") ||
                               error == QLatin1String("server_error");
        complete(retryable ? Error::unavailable(text) : Error::invalid(text));
        return;
    }
    if (!isObject) {
        // Not quoted: the body may hold tokens.
        complete(Error::invalid(tr("the token endpoint %1 answered with something that is not a JSON object (HTTP %2)")
                                    .arg(endpoint)
                                    .arg(status)));
        return;
    }
    IdpCredential credential{m_config.providerId, answer.value(QStringLiteral("id_token")).toString(),
                             answer.value(QStringLiteral("access_token")).toString()};
    if (credential.idToken.isEmpty() && credential.accessToken.isEmpty()) {
        complete(
            Error::invalid(tr("the token endpoint %1 answered without an ID token or access token").arg(endpoint)));
        return;
    }
    qCInfo(lcOAuth).noquote() << "sign-in with" << m_config.providerId << "received"
                              << (credential.idToken.isEmpty() ? "an access token only" : "an ID token");
    complete(std::move(credential));
}

void OAuthLoopbackFlow::onBrowserTimeout() {
    if (m_phase != Phase::WaitingForBrowser) {
        return;
    }
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(m_config.browserTimeout).count();
    QString message;
    if (seconds % 60 != 0) {
        message = tr("no answer from the browser within %1 s; sign in again").arg(seconds);
    } else if (seconds == 60) {
        message = tr("no answer from the browser within a minute; sign in again");
    } else {
        message = tr("no answer from the browser within %1 minutes; sign in again").arg(seconds / 60);
    }
    complete(Error::unavailable(message));
}

void OAuthLoopbackFlow::complete(Result<IdpCredential> result) {
    if (m_phase == Phase::Done) {
        return;
    }
    m_phase = Phase::Done;
    m_code.clear();
    if (m_browserTimer) {
        m_browserTimer->stop();
    }
    if (m_handler) {
        if (m_flow) {
            // Qt's own handling of this or a later redirect must not start a token request any more.
            disconnect(m_handler, nullptr, m_flow, nullptr);
        }
        m_handler->close();
    }
    if (m_network) {
        // Qt's flow never deletes its token reply; abort one in flight (its finished() is ignored, phase is Done).
        const QList<QNetworkReply*> replies = m_network->findChildren<QNetworkReply*>();
        for (QNetworkReply* reply : replies) {
            if (reply->isRunning()) {
                reply->abort();
            }
        }
    }
    if (!result) {
        qCInfo(lcOAuth).noquote() << "sign-in with" << m_config.providerId << "failed:" << result.error().message;
    }
    const PromisePtr<IdpCredential> promise = m_promise;
    finish(promise, std::move(result));
}

} // namespace fairuse::services
