#pragma once

#include "auth/FirebaseAuthClient.h"
#include "common/Domain.h"
#include "common/Stores.h"
#include "firestore/FirestoreAuth.h"

#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace fairuse::services {

/**
 * A signed-in reviewer: the Firebase ID token and refresh token of one account, and the identity they carry.
 *
 * As a TokenProvider it gives Firestore the reviewer's ID token, refreshed through FirebaseAuthClient when it
 * expires within kRefreshMargin (one refresh at a time; concurrent callers share it). When a refresh cannot reach
 * the provider while the current token is still valid, the current token is used (and the next attempt waits 30 s).
 * A refresh that finds the sign-in revoked signs the session out, stored refresh token included.
 *
 * The refresh token is kept in a SecretStore (the OS keychain) under secretKey(projectId), so the next start can
 * restore() the session; signOut() removes it. Create sessions in a thread with an event loop (the GUI thread, or
 * Await.h in tools and tests) and keep them in a shared_ptr: the clients that use one as their TokenProvider share
 * ownership.
 */
class AuthSession : public QObject, public TokenProvider {
    Q_OBJECT
public:
    using Clock = std::function<TimePoint()>;

    /** How long before its expiry an ID token is renewed: a request never leaves with a token about to lapse. */
    static constexpr std::chrono::minutes kRefreshMargin{5};

    /** A session of fresh tokens (not yet stored; see signedIn()). `clock` defaults to the system clock. */
    AuthSession(std::shared_ptr<FirebaseAuthClient> client, std::shared_ptr<SecretStore> secrets, AuthTokens tokens,
                Clock clock = {});
    /** A refresh still in flight answers its callers with Unavailable. */
    ~AuthSession() override;

    /** The session of tokens just obtained from a sign-in, with its refresh token stored; fails with the store's
     *  error when it could not be stored (the caller may then offer a session-only SecretStore). */
    static Async<std::shared_ptr<AuthSession>> signedIn(std::shared_ptr<FirebaseAuthClient> client,
                                                        std::shared_ptr<SecretStore> secrets, AuthTokens tokens,
                                                        Clock clock = {});

    /**
     * The session of the stored refresh token of the client's project, refreshed. NotFound when nobody is signed
     * in; Permission (and the stored token removed) when the refresh token was revoked or has expired; Unavailable
     * when the keychain or the provider cannot be reached (the stored token is kept).
     */
    static Async<std::shared_ptr<AuthSession>> restore(std::shared_ptr<FirebaseAuthClient> client,
                                                       std::shared_ptr<SecretStore> secrets, Clock clock = {});

    /** Key of the stored refresh token: "firebase-refresh-token/<projectId>". */
    static QString secretKey(const QString& projectId);

    /** The current ID token, refreshed first when it expires within kRefreshMargin. */
    Async<QString> token() override;
    /** The server rejected the token: the next token() refreshes. */
    void invalidate() override;
    /** "e-mail (role, signed in with google.com)". */
    QString describe() const override;
    /** A reviewer's ID token: Firestore holds it to the security rules. */
    bool bypassesSecurityRules() const override { return false; }

    /**
     * Who acts: the verified e-mail, uid and role of the current token. Permission when the e-mail is missing or
     * not verified, or the token has no role claim this project knows.
     */
    Result<Reviewer> identity() const;
    /** The identity the claims of an ID token carry, with identity()'s checks (verified e-mail, known role). */
    static Result<Reviewer> identityOf(const IdTokenClaims& claims);
    /** The claims of the current ID token. */
    const IdTokenClaims& claims() const { return m_tokens.claims; }
    bool isSignedIn() const { return !m_signedOut; }

    /** Writes the refresh token to the SecretStore. */
    Async<bool> persist();
    /** Forgets the tokens and removes the stored refresh token; token() fails with Permission afterwards. */
    Async<bool> signOut();

Q_SIGNALS:
    /** A refresh brought a new ID token. */
    void tokenRefreshed();
    /** The identity changed on a refresh (a role granted or revoked, e-mail verified, ...). */
    void identityChanged();
    /** The session ended: signOut(), or a refresh found the sign-in revoked. */
    void signedOut();

private:
    void refreshed(const AuthTokens& tokens);

    std::shared_ptr<FirebaseAuthClient> m_client;
    std::shared_ptr<SecretStore> m_secrets;
    AuthTokens m_tokens;
    Clock m_clock;
    TimePoint m_expiresAt{};
    TimePoint m_retryRefreshAt{}; ///< after a refresh that could not reach the provider: no new attempt before
    bool m_signedOut = false;
    bool m_closing = false; ///< set first in the destructor: a continuation then touches no member
    std::optional<Async<QString>> m_inFlight;
};

} // namespace fairuse::services
