#pragma once

#include "auth/IdToken.h"
#include "auth/OAuthLoopbackFlow.h"
#include "common/CallsInFlight.h"
#include "common/Stores.h"
#include "firestore/FirestoreAuth.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace fairuse::services {

/** Which Firebase project to sign in to, and where its Auth service is. */
struct FirebaseAuthConfig {
    QString projectId;
    /** The project's Web API key (public, identifies the project, grants nothing); the emulator takes any. */
    QString apiKey;
    /** host:port of the Auth emulator (plain http); empty for production Google endpoints. */
    QString emulatorHost;
    int requestTimeoutMs = 30000; ///< per HTTP request

    /** Config for `projectId`, pointed at the emulator when FIREBASE_AUTH_EMULATOR_HOST is set (as the Firebase
     *  SDKs do). */
    static FirebaseAuthConfig fromEnvironment(const QString& projectId, const QString& apiKey);

    bool isEmulator() const { return !emulatorHost.isEmpty(); }
    /** https://identitytoolkit.googleapis.com/v1/<path>, or http://HOST/identitytoolkit.googleapis.com/v1/<path>. */
    QUrl identityToolkitUrl(const QString& path) const;
    /** https://securetoken.googleapis.com/v1/token, or http://HOST/securetoken.googleapis.com/v1/token. */
    QUrl secureTokenUrl() const;
};

/** A signed-in user's tokens. Never logged, never put in URLs or messages. */
struct AuthTokens {
    QString idToken;                   ///< short-lived JWT sent as the bearer token to Firestore
    QString refreshToken;              ///< long-lived, kept in the OS keychain
    std::chrono::seconds expiresIn{0}; ///< lifetime of idToken from when it was issued
    IdTokenClaims claims;              ///< decoded from idToken
};

/** An account as the admin calls see it. */
struct AuthUser {
    QString uid;
    QString email;
    bool emailVerified = false;
    bool disabled = false;
    QString role;             ///< custom claim "role"; empty if absent or not a string
    QJsonObject customClaims; ///< all custom claims
    QStringList providers;    ///< provider ids linked to the account ("password", "google.com", ...)
};

/** One page of users (accounts:batchGet). */
struct AuthUserPage {
    QList<AuthUser> users;
    QString nextPageToken; ///< empty on the last page
};

/**
 * Firebase Authentication over the Identity Toolkit and Secure Token REST APIs, on the calling thread's event loop.
 *
 * The API key travels in the X-Goog-Api-Key header, never in a URL. Admin calls (lookup, setting claims, listing)
 * carry a bearer token from `adminTokens`: a service account in production, StaticToken::emulatorOwner() on the
 * emulator; without one they fail with Permission.
 *
 * Errors: wrong e-mail or password, an expired or revoked refresh token, a disabled account -> Permission;
 * TOO_MANY_ATTEMPTS_TRY_LATER and quota errors -> Quota; no answer, a timeout or a 5xx -> Unavailable naming the
 * host; a request the service rejects -> Invalid; an answer that is not the JSON expected -> Invalid. Requests
 * are not retried: sign-in is interactive and the caller decides. Messages never contain tokens or passwords.
 */
class FirebaseAuthClient : public QObject {
    Q_OBJECT
public:
    explicit FirebaseAuthClient(FirebaseAuthConfig config, std::shared_ptr<TokenProvider> adminTokens = {},
                                QObject* parent = nullptr);
    /** Answers every call still in flight with Unavailable, so no caller waits on a dead client. */
    ~FirebaseAuthClient() override;

    const FirebaseAuthConfig& config() const { return m_config; }
    /** "Firebase Auth of project P" or "... (emulator host:port)", for status bars and errors. */
    QString describe() const;

    /** accounts:signInWithPassword. */
    Async<AuthTokens> signInWithPassword(const QString& email, const QString& password);
    /**
     * accounts:signInWithIdp with the provider's credential (IdpCredential::postBody()). `requestUri` is the
     * redirect URI the credential was obtained with; Identity Toolkit requires one and a loopback URI is fine.
     * Conflict when the e-mail already belongs to an account that signs in another way and the project links
     * accounts by e-mail only on confirmation.
     */
    Async<AuthTokens> signInWithIdp(const IdpCredential& credential,
                                    const QString& requestUri = QStringLiteral("http://localhost"));
    /** A fresh ID token (and possibly a new refresh token) from a refresh token. */
    Async<AuthTokens> refresh(const QString& refreshToken);

    /** Admin: the account with this e-mail; NotFound when there is none. */
    Async<AuthUser> lookupByEmail(const QString& email);
    /** Admin: replaces the account's custom claims (e.g. {"role": "senior_reviewer"}; {} removes them all). They
     *  reach the user's ID token at its next refresh. */
    Async<bool> setCustomClaims(const QString& uid, const QJsonObject& claims);
    /** Admin: one page of the project's accounts, at most `maxResults` (1..1000). */
    Async<AuthUserPage> listUsers(const QString& pageToken = {}, int maxResults = 500);

    /** Parses a signInWithPassword / signInWithIdp answer; exposed for tests. */
    static Result<AuthTokens> parseSignIn(const QByteArray& body);
    /** Parses a securetoken answer; exposed for tests. */
    static Result<AuthTokens> parseRefresh(const QByteArray& body);
    /** Maps an error answer (HTTP status and body) to an Error; exposed for tests. */
    static Error mapError(int httpStatus, const QByteArray& body, const QString& host);

private:
    struct Call;
    enum class Credential { ApiKey, Admin };
    Async<QJsonObject> post(const QUrl& url, const QByteArray& body, const QByteArray& contentType,
                            Credential credential, const QString& what);
    Async<QJsonObject> postJson(const QUrl& url, const QJsonObject& body, Credential credential, const QString& what);
    Async<QJsonObject> get(const QUrl& url, const QString& what);
    /** Tracks the call (the destructor settles what is still in flight) and sends it. */
    Async<QJsonObject> start(const std::shared_ptr<Call>& call);
    /** An Identity Toolkit sign-in (accounts:signInWithPassword, accounts:signInWithIdp) with the API key. */
    Async<AuthTokens> signIn(const QString& method, const QJsonObject& body);
    void send(const std::shared_ptr<Call>& call);
    void onReply(const std::shared_ptr<Call>& call, QNetworkReply* reply);
    QUrl projectUrl(const QString& method) const;
    static Result<AuthTokens> signInFrom(const QJsonObject& answer);
    static Result<AuthTokens> refreshFrom(const QJsonObject& answer);

    FirebaseAuthConfig m_config;
    std::shared_ptr<TokenProvider> m_adminTokens;
    QNetworkAccessManager* m_network = nullptr;
    CallsInFlight<Call> m_calls;
};

} // namespace fairuse::services
