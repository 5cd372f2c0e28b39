#pragma once

#include "common/Promise.h"
#include "common/Stores.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVariantMap>

#include <chrono>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QOAuth2AuthorizationCodeFlow;
class QOAuthHttpServerReplyHandler;
class QTimer;

namespace fairuse::services {

/**
 * What an identity provider handed out at the end of a sign-in, to be exchanged at Firebase Authentication
 * (Identity Toolkit `accounts:signInWithIdp`) for a Firebase ID token. Both tokens are bearer secrets: never log
 * them, put them in settings or show them.
 */
struct IdpCredential {
    QString providerId;  ///< Firebase provider id: "google.com", or an Identity Platform one such as "oidc.acme"
    QString idToken;     ///< OpenID Connect ID token (a JWT); empty when the provider sent none
    QString accessToken; ///< OAuth 2.0 access token; empty when the provider sent none

    /**
     * The `postBody` field of `accounts:signInWithIdp`: "id_token=...&providerId=...", or
     * "access_token=...&providerId=..." when there is no ID token, each value form-URL-encoded.
     */
    QByteArray postBody() const;
};

/**
 * One OAuth 2.0 client registration for an installed app. The defaults are Google's endpoints, the scopes of an
 * OpenID Connect sign-in and five minutes for the person at the browser; for a company identity provider set
 * `providerId` to its Identity Platform id ("oidc.acme") and both endpoints to its own.
 */
struct OAuthLoopbackConfig {
    static inline const QUrl kGoogleAuthorizationUrl{QStringLiteral("https://accounts.google.com/o/oauth2/v2/auth")};
    static inline const QUrl kGoogleTokenUrl{QStringLiteral("https://oauth2.googleapis.com/token")};

    QString providerId = QStringLiteral("google.com");
    QUrl authorizationUrl = kGoogleAuthorizationUrl;
    QUrl tokenUrl = kGoogleTokenUrl;
    QString clientId;
    /** Sent to the token endpoint when not empty. Google's "secret" of an installed app is not confidential, but it
     *  still comes from the caller (never from a file of this class) and is never logged. */
    QString clientSecret;
    QStringList scopes{QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("profile")};
    /** How long the person may take in the browser, from openBrowser() to the redirect back. */
    std::chrono::milliseconds browserTimeout{std::chrono::minutes(5)};
    /** How long the token endpoint may stay silent once the code is being exchanged. */
    std::chrono::milliseconds tokenTimeout{std::chrono::seconds(30)};

    /** Google sign-in for the OAuth client `clientId` (type "Desktop app"). */
    static OAuthLoopbackConfig google(QString clientId, QString clientSecret = {});

    /**
     * Ok, or Invalid naming what is wrong: no provider id or client id, no scope, an endpoint that is not an
     * absolute https URL (plain http is accepted only on a loopback host, for tests and local emulators).
     */
    Status validate() const;
};

/**
 * Sign-in for an installed app with the OAuth 2.0 authorization-code flow, PKCE (S256, RFC 7636) and a loopback
 * redirect (RFC 8252): the person signs in in the system browser, which is sent back to
 * http://127.0.0.1:PORT/ on a port the kernel chose; the code is then exchanged at the token endpoint together
 * with the PKCE verifier.
 *
 * The class needs no GUI: it emits openBrowser() and the application opens the URL (QDesktopServices::openUrl in
 * the console; printing it in the command line). One sign-in per object; the object must live until the future
 * has finished, and destroying it earlier finishes the future as cancelled.
 *
 * Errors (the future never finishes without a result):
 * - the person refused consent (error=access_denied): ErrorKind::Permission;
 * - the provider's answer in the browser does not carry this sign-in's `state`, carries no code, or names another
 *   error of the request (invalid_scope, unauthorized_client, ...): Invalid;
 * - the token endpoint refused the code (invalid_grant, e.g. a wrong PKCE verifier): Invalid with the provider's
 *   error text; it failed, could not be reached or did not answer in time: Unavailable;
 * - no answer from the browser within `browserTimeout`: Unavailable;
 * - cancel(): Unavailable "sign-in was cancelled".
 * The authorization code, the tokens, the verifier and the client secret are never logged or put into messages.
 */
class OAuthLoopbackFlow : public QObject {
    Q_OBJECT
public:
    explicit OAuthLoopbackFlow(OAuthLoopbackConfig config, QObject* parent = nullptr);
    /** Finishes a sign-in still running as cancelled. */
    ~OAuthLoopbackFlow() override;

    /**
     * Starts listening on 127.0.0.1, emits openBrowser() with the authorization URL and returns the result. A
     * second call returns the first call's future. Fails at once with Invalid when the configuration does not
     * validate, with Unavailable when no loopback port could be opened.
     */
    Async<IdpCredential> start();

    /** Stops waiting: the future finishes with Unavailable "sign-in was cancelled" and the port closes. */
    void cancel();

    /** True from start() until the future has finished. */
    bool isRunning() const { return m_phase == Phase::WaitingForBrowser || m_phase == Phase::ExchangingCode; }

    /** The redirect URI the provider sends the browser back to (http://127.0.0.1:PORT/); empty unless running. */
    QUrl redirectUri() const;

    const OAuthLoopbackConfig& config() const { return m_config; }

    /** A fresh PKCE code verifier: 64 characters of base64url (a subset of RFC 7636's unreserved set) carrying
     *  48 bytes from the system's cryptographic random source. */
    static QByteArray makeCodeVerifier();

    /** The S256 code challenge of `verifier`: BASE64URL(SHA-256(verifier)), without padding. */
    static QByteArray codeChallenge(const QByteArray& verifier);

Q_SIGNALS:
    /** The application should show `url` in the system browser. Emitted once, from start(). */
    void openBrowser(const QUrl& url);

private:
    enum class Phase { Idle, WaitingForBrowser, ExchangingCode, Done };

    void onCallback(const QVariantMap& data);
    void onTokenReply(QNetworkReply* reply);
    void onBrowserTimeout();
    /** Tears the loopback server and any request down, then finishes the future with `result` (last, because a
     *  continuation may delete this object). */
    void complete(Result<IdpCredential> result);

    OAuthLoopbackConfig m_config;
    Phase m_phase = Phase::Idle;
    QNetworkAccessManager* m_network = nullptr;
    QOAuthHttpServerReplyHandler* m_handler = nullptr;
    QOAuth2AuthorizationCodeFlow* m_flow = nullptr;
    QTimer* m_browserTimer = nullptr;
    /** The authorization code from the browser, fully decoded, until the token request carries it. */
    QString m_code;
    PromisePtr<IdpCredential> m_promise;
    std::optional<Async<IdpCredential>> m_future;
};

} // namespace fairuse::services
