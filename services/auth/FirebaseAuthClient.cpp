#include "auth/FirebaseAuthClient.h"
#include "auth/AuthLogging.h"
#include "common/Guarded.h"
#include "common/Promise.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPromise>
#include <QRegularExpression>
#include <QUrlQuery>

namespace fairuse::services {

// Every request is a debug line; off unless QT_LOGGING_RULES="fairuse.auth.debug=true".
Q_LOGGING_CATEGORY(lcAuth, "fairuse.auth", QtInfoMsg)

namespace {

const QString kIdentityToolkitHost = QStringLiteral("identitytoolkit.googleapis.com");
const QString kSecureTokenHost = QStringLiteral("securetoken.googleapis.com");
/** Identity Toolkit refuses custom claims above 1000 bytes of JSON. */
constexpr qsizetype kMaxCustomClaimsBytes = 1000;

QString tr(const char* text) {
    return QCoreApplication::translate("fairuse::services::FirebaseAuthClient", text);
}

QString hostOf(const QUrl& url) {
    return url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
}

/** "INVALID_PASSWORD" from "INVALID_PASSWORD" or "TOO_MANY_ATTEMPTS_TRY_LATER : Access to this account ...". */
QString errorCode(const QString& message) {
    static const QRegularExpression code(QStringLiteral("^[A-Z][A-Z0-9_]*"));
    const auto match = code.match(message.trimmed());
    return match.hasMatch() ? match.captured(0) : QString();
}

/** A lifetime in seconds given as a decimal string (Identity Toolkit) or a number. */
Result<std::chrono::seconds> lifetime(const QJsonValue& v, const QString& field) {
    bool ok = false;
    qint64 seconds = 0;
    if (v.isString()) {
        seconds = v.toString().toLongLong(&ok);
    } else if (v.isDouble()) {
        const double d = v.toDouble();
        ok = d == static_cast<double>(static_cast<qint64>(d));
        seconds = static_cast<qint64>(d);
    }
    // A week is far beyond any Firebase ID token's lifetime (one hour); larger values are junk.
    if (!ok || seconds <= 0 || seconds > 7 * 24 * 3600) {
        return Error::invalid(tr("the sign-in answer has no valid \"%1\"").arg(field));
    }
    return std::chrono::seconds{seconds};
}

/** application/x-www-form-urlencoded, every reserved character escaped ('+' too, which a form decoder would read
 *  as a space). */
QByteArray formEncode(std::initializer_list<std::pair<QString, QString>> fields) {
    QByteArray out;
    for (const auto& [name, value] : fields) {
        if (value.isEmpty()) {
            continue;
        }
        if (!out.isEmpty()) {
            out += '&';
        }
        out += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

Result<QJsonObject> parseObject(const QByteArray& body, const QString& what) {
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        return Error::invalid(tr("the answer to %1 is not a JSON object").arg(what));
    }
    return doc.object();
}

Result<AuthTokens> tokensFrom(const QJsonObject& o, const QString& idField, const QString& refreshField,
                              const QString& expiresField) {
    AuthTokens t;
    t.idToken = o.value(idField).toString();
    t.refreshToken = o.value(refreshField).toString();
    if (t.idToken.isEmpty()) {
        return Error::invalid(tr("the sign-in answer has no \"%1\"").arg(idField));
    }
    if (t.refreshToken.isEmpty()) {
        return Error::invalid(tr("the sign-in answer has no \"%1\"").arg(refreshField));
    }
    const auto expires = lifetime(o.value(expiresField), expiresField);
    if (!expires) {
        return expires.error();
    }
    t.expiresIn = *expires;
    auto claims = decodeIdToken(t.idToken);
    if (!claims) {
        return claims.error();
    }
    t.claims = std::move(*claims);
    return t;
}

Result<AuthUser> userFrom(const QJsonValue& value) {
    if (!value.isObject()) {
        return Error::invalid(tr("an account in the answer is not a JSON object"));
    }
    const QJsonObject o = value.toObject();
    AuthUser u;
    u.uid = o.value(QStringLiteral("localId")).toString();
    if (u.uid.isEmpty()) {
        return Error::invalid(tr("an account in the answer has no localId"));
    }
    u.email = o.value(QStringLiteral("email")).toString();
    u.emailVerified = o.value(QStringLiteral("emailVerified")).toBool(false);
    u.disabled = o.value(QStringLiteral("disabled")).toBool(false);
    const QJsonValue custom = o.value(QStringLiteral("customAttributes"));
    if (custom.isString() && !custom.toString().isEmpty()) {
        const QJsonDocument doc = QJsonDocument::fromJson(custom.toString().toUtf8());
        if (!doc.isObject()) {
            return Error::invalid(tr("the custom claims of account %1 are not a JSON object").arg(u.uid));
        }
        u.customClaims = doc.object();
        u.role = u.customClaims.value(QStringLiteral("role")).toString();
    }
    const QJsonArray providers = o.value(QStringLiteral("providerUserInfo")).toArray();
    for (const auto& p : providers) {
        const QString id = p.toObject().value(QStringLiteral("providerId")).toString();
        if (!id.isEmpty()) {
            u.providers.append(id);
        }
    }
    return u;
}

} // namespace

// ---- FirebaseAuthConfig ----------------------------------------------------------------------------------------

FirebaseAuthConfig FirebaseAuthConfig::fromEnvironment(const QString& projectId, const QString& apiKey) {
    FirebaseAuthConfig c;
    c.projectId = projectId;
    c.apiKey = apiKey;
    c.emulatorHost = qEnvironmentVariable("FIREBASE_AUTH_EMULATOR_HOST").trimmed();
    return c;
}

QUrl FirebaseAuthConfig::identityToolkitUrl(const QString& path) const {
    // The emulator serves every Google host under its own root, host name first (as the Firebase SDKs call it).
    QUrl url = isEmulator() ? QUrl(QStringLiteral("http://%1").arg(emulatorHost))
                            : QUrl(QStringLiteral("https://%1").arg(kIdentityToolkitHost));
    const QString prefix = isEmulator() ? QString(QLatin1Char('/') + kIdentityToolkitHost) : QString();
    url.setPath(prefix + QStringLiteral("/v1/") + path, QUrl::DecodedMode);
    return url;
}

QUrl FirebaseAuthConfig::secureTokenUrl() const {
    return isEmulator() ? QUrl(QStringLiteral("http://%1/%2/v1/token").arg(emulatorHost, kSecureTokenHost))
                        : QUrl(QStringLiteral("https://%1/v1/token").arg(kSecureTokenHost));
}

// ---- FirebaseAuthClient ----------------------------------------------------------------------------------------

/** One request in flight. */
struct FirebaseAuthClient::Call {
    QPromise<Result<QJsonObject>> promise;
    QByteArray verb;
    QUrl url;
    QByteArray body;
    QByteArray contentType;
    Credential credential = Credential::ApiKey;
    QString adminToken;
    QString what; ///< for messages and the log: "signInWithPassword", "accounts:update"
    bool retriedAuth = false;
};

FirebaseAuthClient::FirebaseAuthClient(FirebaseAuthConfig config, std::shared_ptr<TokenProvider> adminTokens,
                                       QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_adminTokens(std::move(adminTokens))
    , m_network(new QNetworkAccessManager(this)) {}

FirebaseAuthClient::~FirebaseAuthClient() {
    m_calls.closeAll(Error::unavailable(tr("the sign-in client was closed")));
}

QString FirebaseAuthClient::describe() const {
    return m_config.isEmulator()
               ? tr("Firebase Auth of project %1 (emulator %2)").arg(m_config.projectId, m_config.emulatorHost)
               : tr("Firebase Auth of project %1").arg(m_config.projectId);
}

QUrl FirebaseAuthClient::projectUrl(const QString& method) const {
    return m_config.identityToolkitUrl(QStringLiteral("projects/%1/%2").arg(m_config.projectId, method));
}

Error FirebaseAuthClient::mapError(int httpStatus, const QByteArray& body, const QString& host) {
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QJsonValue errorValue = o.value(QStringLiteral("error"));
    QString message;
    QString status;
    if (errorValue.isObject()) {
        // Google APIs: {"error": {"code": 400, "message": "INVALID_PASSWORD", "status": "INVALID_ARGUMENT"}}
        message = errorValue.toObject().value(QStringLiteral("message")).toString();
        status = errorValue.toObject().value(QStringLiteral("status")).toString();
    } else if (errorValue.isString()) {
        // OAuth style: {"error": "invalid_grant", "error_description": "..."}
        message = errorValue.toString().toUpper() + QLatin1Char(' ') +
                  o.value(QStringLiteral("error_description")).toString();
    }
    message = message.trimmed().left(300);
    const QString code = errorCode(message);
    // Some answers quote what was sent (the emulator's INVALID_IDP_RESPONSE repeats the id_token): a message that
    // could hold a credential is cut to its code.
    const bool mayQuoteCredential = message.contains(QLatin1String("eyJ")) || message.contains(QLatin1Char('{')) ||
                                    message.contains(QLatin1String("token:"));
    const QString detail = message.isEmpty()    ? tr("HTTP %1").arg(httpStatus)
                           : mayQuoteCredential ? (code.isEmpty() ? tr("HTTP %1").arg(httpStatus) : code)
                                                : message;
    const auto is = [&code](std::initializer_list<const char*> codes) {
        for (const char* c : codes) {
            if (code == QLatin1String(c)) {
                return true;
            }
        }
        return false;
    };

    if (is({"INVALID_PASSWORD", "INVALID_LOGIN_CREDENTIALS", "EMAIL_NOT_FOUND"})) {
        return Error::permission(tr("wrong e-mail or password"));
    }
    if (is({"USER_DISABLED"})) {
        return Error::permission(tr("this account has been disabled by an administrator"));
    }
    if (is({"TOO_MANY_ATTEMPTS_TRY_LATER"})) {
        return Error::quota(tr("too many sign-in attempts; try again later"));
    }
    if (is({"TOKEN_EXPIRED", "INVALID_REFRESH_TOKEN", "INVALID_GRANT", "INVALID_ID_TOKEN",
            "CREDENTIAL_TOO_OLD_LOGIN_AGAIN", "USER_MISMATCH"})) {
        return Error::permission(tr("the sign-in has expired or was revoked; sign in again"));
    }
    if (is({"USER_NOT_FOUND"})) {
        return Error::notFound(tr("there is no such account"));
    }
    if (is({"INVALID_IDP_RESPONSE", "INVALID_CREDENTIAL_OR_PROVIDER_ID", "FEDERATED_USER_ID_ALREADY_LINKED"})) {
        return Error::permission(tr("the identity provider's credential was refused: %1").arg(detail));
    }
    if (is({"OPERATION_NOT_ALLOWED", "ADMIN_ONLY_OPERATION"})) {
        return Error::permission(tr("this sign-in method is not enabled for the project (%1)").arg(code));
    }
    if (is({"INVALID_EMAIL"})) {
        return Error::invalid(tr("that is not a valid e-mail address"));
    }
    if (is({"API_KEY_INVALID"}) || message.contains(QLatin1String("API key"))) {
        // "API key not valid. Please pass a valid API key." / "The request is missing a valid API key."
        return Error::invalid(tr("the project's API key is missing or not valid; check the connection profile"));
    }
    if (is({"QUOTA_EXCEEDED", "RESOURCE_EXHAUSTED"}) || status == QLatin1String("RESOURCE_EXHAUSTED") ||
        httpStatus == 429) {
        return Error::quota(tr("the sign-in provider's quota is exhausted: %1").arg(detail));
    }
    if (is({"PERMISSION_DENIED", "INSUFFICIENT_PERMISSION"}) || status == QLatin1String("PERMISSION_DENIED") ||
        httpStatus == 403) {
        return Error::permission(tr("the credential may not do this: %1").arg(detail));
    }
    if (status == QLatin1String("UNAUTHENTICATED") || httpStatus == 401) {
        return Error::permission(tr("the sign-in provider rejected the credential: %1").arg(detail));
    }
    if (httpStatus >= 500) {
        return Error::unavailable(tr("the sign-in provider is not reachable: %1 answered HTTP %2 (%3)")
                                      .arg(host)
                                      .arg(httpStatus)
                                      .arg(detail));
    }
    return Error::invalid(tr("the sign-in provider refused the request: %1").arg(detail));
}

Result<AuthTokens> FirebaseAuthClient::parseSignIn(const QByteArray& body) {
    const auto o = parseObject(body, tr("the sign-in"));
    return o ? signInFrom(*o) : Result<AuthTokens>(o.error());
}

Result<AuthTokens> FirebaseAuthClient::signInFrom(const QJsonObject& o) {
    if (!o.contains(QStringLiteral("idToken"))) {
        if (o.value(QStringLiteral("needConfirmation")).toBool()) {
            return Error::conflict(tr("the e-mail %1 already belongs to an account that signs in another way; sign in "
                                      "that way")
                                       .arg(o.value(QStringLiteral("email")).toString()));
        }
        const QString errorMessage = o.value(QStringLiteral("errorMessage")).toString();
        if (!errorMessage.isEmpty()) {
            // signInWithIdp reports some refusals inside a 200 answer.
            const QByteArray asError =
                QJsonDocument(
                    QJsonObject{{QStringLiteral("error"), QJsonObject{{QStringLiteral("message"), errorMessage}}}})
                    .toJson(QJsonDocument::Compact);
            return mapError(400, asError, QString());
        }
    }
    return tokensFrom(o, QStringLiteral("idToken"), QStringLiteral("refreshToken"), QStringLiteral("expiresIn"));
}

Result<AuthTokens> FirebaseAuthClient::parseRefresh(const QByteArray& body) {
    const auto o = parseObject(body, tr("the token refresh"));
    return o ? refreshFrom(*o) : Result<AuthTokens>(o.error());
}

Result<AuthTokens> FirebaseAuthClient::refreshFrom(const QJsonObject& o) {
    return tokensFrom(o, QStringLiteral("id_token"), QStringLiteral("refresh_token"), QStringLiteral("expires_in"));
}

Async<QJsonObject> FirebaseAuthClient::post(const QUrl& url, const QByteArray& body, const QByteArray& contentType,
                                            Credential credential, const QString& what) {
    auto call = std::make_shared<Call>();
    call->verb = "POST";
    call->url = url;
    call->body = body;
    call->contentType = contentType;
    call->credential = credential;
    call->what = what;
    return start(call);
}

Async<QJsonObject> FirebaseAuthClient::postJson(const QUrl& url, const QJsonObject& body, Credential credential,
                                                const QString& what) {
    return post(url, QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", credential, what);
}

Async<QJsonObject> FirebaseAuthClient::get(const QUrl& url, const QString& what) {
    auto call = std::make_shared<Call>();
    call->verb = "GET";
    call->url = url;
    call->credential = Credential::Admin;
    call->what = what;
    return start(call);
}

Async<QJsonObject> FirebaseAuthClient::start(const std::shared_ptr<Call>& call) {
    call->promise.start();
    Async<QJsonObject> future = call->promise.future();
    m_calls.track(call);
    send(call);
    return future;
}

void FirebaseAuthClient::send(const std::shared_ptr<Call>& call) {
    if (call->credential == Credential::Admin && call->adminToken.isEmpty()) {
        if (!m_adminTokens) {
            call->promise.addResult(Error::permission(tr("%1 needs an admin credential").arg(call->what)));
            call->promise.finish();
            return;
        }
        m_adminTokens->token().then(guarded(this, [this, call](const Result<QString>& token) {
            if (!token) {
                call->promise.addResult(token.error());
                call->promise.finish();
                return;
            }
            call->adminToken = token->isEmpty() ? QStringLiteral("-") : *token;
            send(call);
        }));
        return;
    }
    QNetworkRequest request(call->url);
    if (call->credential == Credential::Admin) {
        request.setRawHeader("Authorization", "Bearer " + call->adminToken.toUtf8());
    } else if (!m_config.apiKey.isEmpty()) {
        // In a header, never in the URL: URLs end up in proxies' and servers' logs.
        request.setRawHeader("X-Goog-Api-Key", m_config.apiKey.toUtf8());
    }
    if (!call->contentType.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QString::fromLatin1(call->contentType));
    }
    request.setTransferTimeout(m_config.requestTimeoutMs);
    qCDebug(lcAuth) << call->verb << call->what;
    QNetworkReply* reply = call->verb == "GET" ? m_network->get(request) : m_network->post(request, call->body);
    connect(reply, &QNetworkReply::finished, this, [this, call, reply] { onReply(call, reply); });
}

void FirebaseAuthClient::onReply(const std::shared_ptr<Call>& call, QNetworkReply* reply) {
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    const QString host = hostOf(call->url);
    Result<QJsonObject> result = Error::internal(QString());
    if (status == 0) {
        // No HTTP answer at all: refused, reset, DNS, TLS or timeout.
        result =
            Error::unavailable(tr("the sign-in provider is not reachable: %1: %2").arg(host, reply->errorString()));
    } else if (status >= 200 && status < 300) {
        result = parseObject(body, call->what);
        if (!result) {
            result = Error::invalid(tr("%1 answered %2 with malformed JSON").arg(host, call->what));
        }
    } else if (status == 401 && call->credential == Credential::Admin && !call->retriedAuth) {
        // A cached admin token may have expired early or been revoked: fetch a new one once.
        call->retriedAuth = true;
        call->adminToken.clear();
        m_adminTokens->invalidate();
        send(call);
        return;
    } else {
        result = mapError(status, body, host);
    }
    qCInfo(lcAuth).noquote() << call->what << "->" << (status ? QString::number(status) : reply->errorString())
                             << (result ? QString() : result.error().message);
    call->promise.addResult(std::move(result));
    call->promise.finish();
}

Async<AuthTokens> FirebaseAuthClient::signInWithPassword(const QString& email, const QString& password) {
    const QJsonObject body{{QStringLiteral("email"), email},
                           {QStringLiteral("password"), password},
                           {QStringLiteral("returnSecureToken"), true}};
    return signIn(QStringLiteral("accounts:signInWithPassword"), body);
}

Async<AuthTokens> FirebaseAuthClient::signInWithIdp(const IdpCredential& credential, const QString& requestUri) {
    if (credential.providerId.isEmpty() || (credential.idToken.isEmpty() && credential.accessToken.isEmpty())) {
        return ready<AuthTokens>(
            Error::invalid(tr("an identity provider credential needs a provider id and an ID or access token")));
    }
    // What the provider's redirect would carry; the emulator reads the same form (its fake id_token is a JSON
    // object or an unsigned JWT with sub, email and email_verified).
    const QJsonObject body{{QStringLiteral("postBody"), QString::fromLatin1(credential.postBody())},
                           {QStringLiteral("requestUri"), requestUri},
                           {QStringLiteral("returnSecureToken"), true},
                           {QStringLiteral("returnIdpCredential"), true}};
    return signIn(QStringLiteral("accounts:signInWithIdp"), body);
}

Async<AuthTokens> FirebaseAuthClient::signIn(const QString& method, const QJsonObject& body) {
    return postJson(m_config.identityToolkitUrl(method), body, Credential::ApiKey, method)
        .then([](const Result<QJsonObject>& r) -> Result<AuthTokens> {
            if (!r) {
                return r.error();
            }
            return signInFrom(*r);
        });
}

Async<AuthTokens> FirebaseAuthClient::refresh(const QString& refreshToken) {
    if (refreshToken.isEmpty()) {
        return ready<AuthTokens>(Error::permission(tr("not signed in; sign in again")));
    }
    const QByteArray form = formEncode({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                        {QStringLiteral("refresh_token"), refreshToken}});
    return post(m_config.secureTokenUrl(), form, "application/x-www-form-urlencoded", Credential::ApiKey,
                QStringLiteral("token refresh"))
        .then([](const Result<QJsonObject>& r) -> Result<AuthTokens> {
            if (!r) {
                // A refresh token of a deleted account is as dead as a revoked one.
                if (r.error().kind == ErrorKind::NotFound) {
                    return Error::permission(tr("the account no longer exists; sign in again"));
                }
                return r.error();
            }
            return refreshFrom(*r);
        });
}

Async<AuthUser> FirebaseAuthClient::lookupByEmail(const QString& email) {
    const QJsonObject body{{QStringLiteral("email"), QJsonArray{email}}};
    return postJson(projectUrl(QStringLiteral("accounts:lookup")), body, Credential::Admin,
                    QStringLiteral("accounts:lookup"))
        .then([email](const Result<QJsonObject>& r) -> Result<AuthUser> {
            if (!r) {
                return r.error();
            }
            const QJsonValue users = r->value(QStringLiteral("users"));
            if (!users.isUndefined() && !users.isArray()) {
                return Error::invalid(tr("the answer to accounts:lookup has no list of users"));
            }
            if (users.toArray().isEmpty()) {
                return Error::notFound(tr("there is no account with the e-mail %1").arg(email));
            }
            return userFrom(users.toArray().first());
        });
}

Async<bool> FirebaseAuthClient::setCustomClaims(const QString& uid, const QJsonObject& claims) {
    const QByteArray json = QJsonDocument(claims).toJson(QJsonDocument::Compact);
    if (uid.isEmpty()) {
        return ready<bool>(Error::invalid(tr("no account given")));
    }
    if (json.size() > kMaxCustomClaimsBytes) {
        return ready<bool>(Error::invalid(
            tr("custom claims are %1 bytes of JSON; Firebase allows %2").arg(json.size()).arg(kMaxCustomClaimsBytes)));
    }
    const QJsonObject body{{QStringLiteral("localId"), uid},
                           {QStringLiteral("customAttributes"), QString::fromUtf8(json)}};
    return postJson(projectUrl(QStringLiteral("accounts:update")), body, Credential::Admin,
                    QStringLiteral("accounts:update"))
        .then([uid](const Result<QJsonObject>& r) -> Result<bool> {
            if (!r) {
                return r.error();
            }
            if (r->value(QStringLiteral("localId")).toString() != uid) {
                return Error::invalid(tr("the answer to accounts:update names another account"));
            }
            return true;
        });
}

Async<AuthUserPage> FirebaseAuthClient::listUsers(const QString& pageToken, int maxResults) {
    QUrl url = projectUrl(QStringLiteral("accounts:batchGet"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("maxResults"), QString::number(std::clamp(maxResults, 1, 1000)));
    if (!pageToken.isEmpty()) {
        query.addQueryItem(QStringLiteral("nextPageToken"), pageToken);
    }
    url.setQuery(query);
    return get(url, QStringLiteral("accounts:batchGet")).then([](const Result<QJsonObject>& r) -> Result<AuthUserPage> {
        if (!r) {
            return r.error();
        }
        const QJsonValue users = r->value(QStringLiteral("users"));
        if (!users.isUndefined() && !users.isArray()) {
            return Error::invalid(tr("the answer to accounts:batchGet has no list of users"));
        }
        AuthUserPage page;
        for (const auto& u : users.toArray()) {
            auto user = userFrom(u);
            if (!user) {
                return user.error();
            }
            page.users.append(std::move(*user));
        }
        page.nextPageToken = r->value(QStringLiteral("nextPageToken")).toString();
        return page;
    });
}

} // namespace fairuse::services
