#pragma once

#include "common/Stores.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace fairuse::services {

/**
 * Supplies the bearer token for Firestore requests. Implementations cache what they can; tokens are never
 * logged, put in URLs or in error messages.
 */
class TokenProvider {
public:
    virtual ~TokenProvider() = default;
    /** A current access token (without the "Bearer " prefix). */
    virtual Async<QString> token() = 0;
    /** Drops a cached token after the server rejected it (401), so the next token() fetches a fresh one. */
    virtual void invalidate() {}
    /** What kind of credential this is, for status bars and errors ("service account x@y", ...). */
    virtual QString describe() const = 0;
    /** True for server credentials (service accounts, OAuth access tokens, the emulator's "owner"), which Firestore
     *  does not hold to the security rules; false for a user's Firebase ID token, which it does. */
    virtual bool bypassesSecurityRules() const { return true; }
};

/** A fixed token: "owner" for the emulator's admin access (bypasses security rules), or an unsigned test JWT. */
class StaticToken : public TokenProvider {
public:
    explicit StaticToken(QString token, QString description = QStringLiteral("static token"));
    /** The emulator's admin token "owner". */
    static std::shared_ptr<StaticToken> emulatorOwner();
    Async<QString> token() override;
    QString describe() const override { return m_description; }
    /** False unless this is the emulator's "owner": any other fixed token is a user's ID token. */
    bool bypassesSecurityRules() const override { return m_token == QLatin1String("owner"); }

private:
    QString m_token;
    QString m_description;
};

/**
 * Builds an unsigned ("alg": "none") Firebase ID token, which only the emulator accepts. `claims` is merged into
 * {sub, user_id, email, email_verified, iat, exp, aud, iss, firebase{sign_in_provider}}; custom claims such as
 * "role" go at the top level, where security rules read them as request.auth.token.role.
 */
QString emulatorIdToken(const QString& projectId, const QString& uid, const QString& email,
                        const QJsonObject& customClaims);

/**
 * OAuth access token for a Google service account: a JWT signed with RS256 (OpenSSL EVP) from the key file's
 * private key, exchanged at its token_uri (grant type jwt-bearer), and cached until a minute before it expires.
 * The key JSON is passed in from the keychain; it is never read from settings or disk by this class.
 */
class ServiceAccountToken : public QObject, public TokenProvider {
    Q_OBJECT
public:
    using Clock = std::function<TimePoint()>;

    /** Parses the key; fails with Invalid when a field is missing or the private key does not load. */
    static Result<std::shared_ptr<ServiceAccountToken>> fromKeyJson(const QByteArray& keyJson, Clock clock = {});

    Async<QString> token() override;
    void invalidate() override;
    QString describe() const override;

    /** The service account's e-mail (the key's client_email): the identity of what the service writes. */
    const QString& email() const { return m_email; }

    /** The signed assertion for `now` (exposed for tests). */
    Result<QByteArray> signedAssertion(TimePoint now) const;

    /** Firestore, and Identity Toolkit for the admin jobs that set reviewers' role claims (`fairuse reviewers`). */
    static inline const QString kScope =
        QStringLiteral("https://www.googleapis.com/auth/datastore https://www.googleapis.com/auth/identitytoolkit");

private:
    ServiceAccountToken(QString email, QByteArray privateKeyPem, QString keyId, QString tokenUri, Clock clock);

    QString m_email;
    QByteArray m_privateKeyPem;
    QString m_keyId;
    QString m_tokenUri;
    Clock m_clock;
    QNetworkAccessManager* m_network = nullptr;
    QString m_cached;
    TimePoint m_expiresAt{};
    std::optional<Async<QString>> m_inFlight;
};

/**
 * Runs a configured command (e.g. `gcloud auth print-access-token`) without a shell and uses its trimmed standard
 * output as the token, cached for `cacheSeconds`. The command's standard error is reported on failure, its output
 * never.
 */
class CommandToken : public QObject, public TokenProvider {
    Q_OBJECT
public:
    CommandToken(QString program, QStringList arguments, int cacheSeconds = 300, int timeoutMs = 30000);

    Async<QString> token() override;
    void invalidate() override { m_cached.clear(); }
    QString describe() const override;

private:
    QString m_program;
    QStringList m_arguments;
    int m_cacheSeconds;
    int m_timeoutMs;
    QString m_cached;
    qint64 m_cachedAtMs = 0;
};

} // namespace fairuse::services
