#include "firestore/FirestoreAuth.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QPromise>
#include <QTimer>
#include <QUrlQuery>

#include <openssl/evp.h>
#include <openssl/pem.h>

namespace fairuse::services {

namespace {

QByteArray base64Url(const QByteArray& data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

TimePoint systemNow() {
    return fromUnixMs(QDateTime::currentMSecsSinceEpoch());
}

} // namespace

StaticToken::StaticToken(QString token, QString description)
    : m_token(std::move(token))
    , m_description(std::move(description)) {}

std::shared_ptr<StaticToken> StaticToken::emulatorOwner() {
    return std::make_shared<StaticToken>(QStringLiteral("owner"), QStringLiteral("emulator admin"));
}

Async<QString> StaticToken::token() {
    return ready<QString>(m_token);
}

QString emulatorIdToken(const QString& projectId, const QString& uid, const QString& email,
                        const QJsonObject& customClaims) {
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject claims{
        {QStringLiteral("sub"), uid},
        {QStringLiteral("user_id"), uid},
        {QStringLiteral("email"), email},
        {QStringLiteral("email_verified"), true},
        {QStringLiteral("iat"), now},
        {QStringLiteral("exp"), now + 3600},
        {QStringLiteral("auth_time"), now},
        {QStringLiteral("aud"), projectId},
        {QStringLiteral("iss"), QString(QStringLiteral("https://securetoken.google.com/") + projectId)},
    };
    QJsonObject firebase;
    firebase.insert(QStringLiteral("sign_in_provider"), QStringLiteral("custom"));
    firebase.insert(QStringLiteral("identities"), QJsonObject());
    claims.insert(QStringLiteral("firebase"), firebase);
    for (auto it = customClaims.begin(); it != customClaims.end(); ++it) {
        claims.insert(it.key(), it.value());
    }
    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("none")},
                             {QStringLiteral("typ"), QStringLiteral("JWT")}};
    return QString::fromLatin1(base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
                               base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact)) + '.');
}

// ---- ServiceAccountToken ---------------------------------------------------------------------------------------

Result<std::shared_ptr<ServiceAccountToken>> ServiceAccountToken::fromKeyJson(const QByteArray& keyJson, Clock clock) {
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(keyJson, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        // The parser's message may quote the key; say only where it broke.
        return Error::invalid(
            QStringLiteral("the service-account key is not valid JSON (at offset %1)").arg(parseError.offset));
    }
    const QJsonObject o = doc.object();
    const QString type = o.value(QStringLiteral("type")).toString();
    if (!type.isEmpty() && type != QLatin1String("service_account")) {
        return Error::invalid(QStringLiteral("the key is of type \"%1\", not service_account").arg(type.left(40)));
    }
    for (const char* field : {"client_email", "private_key", "token_uri"}) {
        if (o.value(QString::fromLatin1(field)).toString().isEmpty()) {
            return Error::invalid(QStringLiteral("the service-account key has no %1").arg(QString::fromLatin1(field)));
        }
    }
    const QByteArray pem = o.value(QStringLiteral("private_key")).toString().toUtf8();
    // Check now that the key loads, so a bad key is reported when the profile is set up, not on first use.
    BIO* bio = BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size()));
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    const bool isRsa = key && EVP_PKEY_base_id(key) == EVP_PKEY_RSA;
    EVP_PKEY_free(key);
    BIO_free(bio);
    if (!isRsa) {
        return Error::invalid(QStringLiteral("the service-account private_key is not a PEM RSA private key"));
    }
    return std::shared_ptr<ServiceAccountToken>(new ServiceAccountToken(
        o.value(QStringLiteral("client_email")).toString(), pem, o.value(QStringLiteral("private_key_id")).toString(),
        o.value(QStringLiteral("token_uri")).toString(), clock ? std::move(clock) : Clock(systemNow)));
}

ServiceAccountToken::ServiceAccountToken(QString email, QByteArray privateKeyPem, QString keyId, QString tokenUri,
                                         Clock clock)
    : m_email(std::move(email))
    , m_privateKeyPem(std::move(privateKeyPem))
    , m_keyId(std::move(keyId))
    , m_tokenUri(std::move(tokenUri))
    , m_clock(std::move(clock))
    , m_network(new QNetworkAccessManager(this)) {}

QString ServiceAccountToken::describe() const {
    return QStringLiteral("service account %1").arg(m_email);
}

void ServiceAccountToken::invalidate() {
    m_cached.clear();
}

Result<QByteArray> ServiceAccountToken::signedAssertion(TimePoint now) const {
    const qint64 iat = toUnixMs(now) / 1000;
    QJsonObject header{{QStringLiteral("alg"), QStringLiteral("RS256")},
                       {QStringLiteral("typ"), QStringLiteral("JWT")}};
    if (!m_keyId.isEmpty()) {
        header.insert(QStringLiteral("kid"), m_keyId);
    }
    const QJsonObject claims{{QStringLiteral("iss"), m_email},  {QStringLiteral("sub"), m_email},
                             {QStringLiteral("scope"), kScope}, {QStringLiteral("aud"), m_tokenUri},
                             {QStringLiteral("iat"), iat},      {QStringLiteral("exp"), iat + 3600}};
    const QByteArray signingInput = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
                                    base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));

    BIO* bio = BIO_new_mem_buf(m_privateKeyPem.constData(), static_cast<int>(m_privateKeyPem.size()));
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    if (!key) {
        return Error::invalid(QStringLiteral("the service-account private key does not load"));
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    QByteArray signature;
    size_t length = 0;
    bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
              EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(signingInput.constData()),
                             static_cast<size_t>(signingInput.size())) == 1;
    if (ok) {
        signature.resize(static_cast<qsizetype>(length));
        ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                            reinterpret_cast<const unsigned char*>(signingInput.constData()),
                            static_cast<size_t>(signingInput.size())) == 1;
        signature.resize(static_cast<qsizetype>(length));
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    if (!ok) {
        return Error::internal(QStringLiteral("signing the service-account assertion failed"));
    }
    return QByteArray(signingInput + '.' + base64Url(signature));
}

Async<QString> ServiceAccountToken::token() {
    const TimePoint now = m_clock();
    if (!m_cached.isEmpty() && now < m_expiresAt) {
        return ready<QString>(m_cached);
    }
    // Concurrent callers share one exchange.
    if (m_inFlight && !m_inFlight->isFinished()) {
        return *m_inFlight;
    }
    auto assertion = signedAssertion(now);
    if (!assertion) {
        return ready<QString>(assertion.error());
    }
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:jwt-bearer"));
    form.addQueryItem(QStringLiteral("assertion"), QString::fromLatin1(*assertion));
    QNetworkRequest request{QUrl(m_tokenUri)};
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    request.setTransferTimeout(30000);
    QNetworkReply* reply = m_network->post(request, form.toString(QUrl::FullyEncoded).toUtf8());

    auto promise = std::make_shared<QPromise<Result<QString>>>();
    promise->start();
    m_inFlight = promise->future();
    connect(reply, &QNetworkReply::finished, this, [this, reply, promise, now] {
        reply->deleteLater();
        const QByteArray body = reply->readAll();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        Result<QString> result = Error::internal(QString());
        if (reply->error() != QNetworkReply::NoError && status == 0) {
            result = Error::unavailable(QStringLiteral("cannot reach the token endpoint %1: %2")
                                            .arg(reply->url().host(), reply->errorString()));
        } else if (status != 200) {
            // OAuth errors carry "error" and "error_description"; neither contains the assertion.
            const QString why =
                o.value(QStringLiteral("error_description"))
                    .toString(o.value(QStringLiteral("error")).toString(QStringLiteral("HTTP %1").arg(status)));
            result = (status == 400 || status == 401 || status == 403)
                         ? Error::permission(QStringLiteral("the service-account key was rejected: %1").arg(why))
                         : Error::unavailable(QStringLiteral("the token endpoint failed: %1").arg(why));
        } else {
            const QString token = o.value(QStringLiteral("access_token")).toString();
            const qint64 expiresIn = o.value(QStringLiteral("expires_in")).toInteger(3600);
            if (token.isEmpty()) {
                result = Error::unavailable(QStringLiteral("the token endpoint answered without an access_token"));
            } else {
                m_cached = token;
                // Renew a minute early so a request never leaves with a token about to expire.
                m_expiresAt = now + std::chrono::seconds{std::max<qint64>(expiresIn - 60, 0)};
                result = token;
            }
        }
        promise->addResult(std::move(result));
        promise->finish();
    });
    return promise->future();
}

// ---- CommandToken ----------------------------------------------------------------------------------------------

CommandToken::CommandToken(QString program, QStringList arguments, int cacheSeconds, int timeoutMs)
    : m_program(std::move(program))
    , m_arguments(std::move(arguments))
    , m_cacheSeconds(cacheSeconds)
    , m_timeoutMs(timeoutMs) {}

QString CommandToken::describe() const {
    return QStringLiteral("token from `%1`")
        .arg(QStringList{m_program, m_arguments.join(QLatin1Char(' '))}.join(QLatin1Char(' ')).trimmed());
}

Async<QString> CommandToken::token() {
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    if (!m_cached.isEmpty() && nowMs - m_cachedAtMs < qint64{m_cacheSeconds} * 1000) {
        return ready<QString>(m_cached);
    }
    auto* process = new QProcess(this);
    auto promise = std::make_shared<QPromise<Result<QString>>>();
    promise->start();
    auto finish = [this, process, promise](Result<QString> r) {
        if (promise->future().isFinished()) {
            return;
        }
        if (r) {
            m_cached = *r;
            m_cachedAtMs = QDateTime::currentMSecsSinceEpoch();
        }
        promise->addResult(std::move(r));
        promise->finish();
        process->deleteLater();
    };
    connect(process, &QProcess::errorOccurred, this, [this, process, finish](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            finish(Error::unavailable(QStringLiteral("cannot run \"%1\": %2").arg(m_program, process->errorString())));
        } else if (e == QProcess::Timedout) {
            process->kill();
        }
    });
    connect(process, &QProcess::finished, this, [this, process, finish](int code, QProcess::ExitStatus status) {
        const QString out = QString::fromUtf8(process->readAllStandardOutput()).trimmed();
        const QString err = QString::fromUtf8(process->readAllStandardError()).trimmed().left(300);
        if (status != QProcess::NormalExit || code != 0) {
            finish(Error::permission(QStringLiteral("\"%1\" failed (exit %2): %3").arg(m_program).arg(code).arg(err)));
        } else if (out.isEmpty() || out.contains(QLatin1Char('\n')) || out.contains(QLatin1Char(' '))) {
            // Never echo the output: it might be a token with junk around it.
            finish(Error::invalid(QStringLiteral("\"%1\" did not print a single access token").arg(m_program)));
        } else {
            finish(out);
        }
    });
    // A hung command must not hang the console.
    auto* timer = new QTimer(process);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, process, finish] {
        process->kill();
        finish(
            Error::unavailable(QStringLiteral("\"%1\" did not finish within %2 ms").arg(m_program).arg(m_timeoutMs)));
    });
    timer->start(m_timeoutMs);
    process->start(m_program, m_arguments);
    return promise->future();
}

} // namespace fairuse::services
