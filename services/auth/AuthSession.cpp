#include "auth/AuthSession.h"

#include "auth/AuthLogging.h"
#include "common/Guarded.h"
#include "common/Promise.h"

#include <QDateTime>

namespace fairuse::services {

namespace {

/** A refresh that cannot reach the provider still uses the current token while it has this much life left. */
constexpr std::chrono::seconds kStaleTokenGrace{30};
/** After such a failure, callers get the current token at once for this long instead of each waiting for another
 *  refresh to time out. */
constexpr std::chrono::seconds kRefreshRetryDelay{30};

TimePoint systemNow() {
    return fromUnixMs(QDateTime::currentMSecsSinceEpoch());
}

/** Expiry by the token, or by the lifetime the server gave counted on our clock, whichever is first: a local
 *  clock running behind the server's must not keep a token beyond its life. */
TimePoint expiryOf(const AuthTokens& t, TimePoint now) {
    return std::min(t.claims.expiresAt, now + std::chrono::duration_cast<Milliseconds>(t.expiresIn));
}

bool sameIdentity(const IdTokenClaims& a, const IdTokenClaims& b) {
    return a.uid == b.uid && a.email == b.email && a.emailVerified == b.emailVerified && a.role == b.role;
}

} // namespace

AuthSession::AuthSession(std::shared_ptr<FirebaseAuthClient> client, std::shared_ptr<SecretStore> secrets,
                         AuthTokens tokens, Clock clock)
    : m_client(std::move(client))
    , m_secrets(std::move(secrets))
    , m_tokens(std::move(tokens))
    , m_clock(clock ? std::move(clock) : Clock(systemNow)) {
    m_expiresAt = expiryOf(m_tokens, m_clock());
}

AuthSession::~AuthSession() {
    m_closing = true;
    // When this held the last reference to the client, the client answers the refresh in flight now, while every
    // member is still alive; the continuation sees m_closing and leaves them alone.
    m_client.reset();
}

QString AuthSession::secretKey(const QString& projectId) {
    return QStringLiteral("firebase-refresh-token/%1").arg(projectId);
}

Async<std::shared_ptr<AuthSession>> AuthSession::signedIn(std::shared_ptr<FirebaseAuthClient> client,
                                                          std::shared_ptr<SecretStore> secrets, AuthTokens tokens,
                                                          Clock clock) {
    auto session =
        std::make_shared<AuthSession>(std::move(client), std::move(secrets), std::move(tokens), std::move(clock));
    // The continuation owns the session until the store answers; nothing else refers to it yet.
    return session->persist().then([session](const Result<bool>& stored) -> Result<std::shared_ptr<AuthSession>> {
        if (!stored) {
            return stored.error();
        }
        return session;
    });
}

Async<std::shared_ptr<AuthSession>> AuthSession::restore(std::shared_ptr<FirebaseAuthClient> client,
                                                         std::shared_ptr<SecretStore> secrets, Clock clock) {
    using Out = Result<std::shared_ptr<AuthSession>>;
    const QString projectId = client->config().projectId;
    const QString key = secretKey(projectId);
    auto promise = makePromise<std::shared_ptr<AuthSession>>();
    // The continuations hold the client and the store (shared), so both outlive the calls they wait for.
    secrets->read(key).then([client, secrets, clock, key, projectId, promise](const Result<QString>& stored) {
        if (!stored) {
            if (stored.error().kind == ErrorKind::NotFound) {
                finish(promise, Out(Error::notFound(tr("nobody is signed in to project %1").arg(projectId))));
            } else {
                finish(promise, Out(stored.error()));
            }
            return;
        }
        client->refresh(*stored).then(
            [client, secrets, clock, key, promise, storedToken = *stored](const Result<AuthTokens>& tokens) {
                if (!tokens) {
                    if (tokens.error().kind == ErrorKind::Permission) {
                        // A revoked or expired refresh token never works again: forget it.
                        secrets->remove(key).then(
                            [promise, error = tokens.error()](const Result<bool>&) { finish(promise, Out(error)); });
                        return;
                    }
                    finish(promise, Out(tokens.error()));
                    return;
                }
                auto session = std::make_shared<AuthSession>(client, secrets, *tokens, clock);
                if (tokens->refreshToken == storedToken) {
                    finish(promise, Out(session));
                    return;
                }
                // The provider rotated the refresh token: store the new one before anyone relies on it.
                session->persist().then([promise, session](const Result<bool>& r) {
                    if (!r) {
                        qCWarning(lcAuth) << "could not store the new refresh token:" << r.error().message;
                    }
                    finish(promise, Out(session));
                });
            });
    });
    return promise->future();
}

Async<bool> AuthSession::persist() {
    if (m_signedOut) {
        return ready<bool>(Error::permission(tr("signed out")));
    }
    return m_secrets->write(secretKey(m_client->config().projectId), m_tokens.refreshToken);
}

Async<QString> AuthSession::token() {
    if (m_signedOut) {
        return ready<QString>(Error::permission(tr("signed out; sign in again")));
    }
    const TimePoint now = m_clock();
    if (now + kRefreshMargin < m_expiresAt || (now < m_retryRefreshAt && now + kStaleTokenGrace < m_expiresAt)) {
        return ready<QString>(m_tokens.idToken);
    }
    // Concurrent callers share one refresh.
    if (m_inFlight && !m_inFlight->isFinished()) {
        return *m_inFlight;
    }
    auto promise = makePromise<QString>();
    m_inFlight = promise->future();
    qCDebug(lcAuth) << "refreshing the ID token of" << m_tokens.claims.uid;
    m_client->refresh(m_tokens.refreshToken)
        .then(guardedOr(
            this,
            [this, promise](const Result<AuthTokens>& r) {
                if (m_closing) {
                    finish(promise, Result<QString>(Error::unavailable(tr("the sign-in session was closed"))));
                    return;
                }
                if (m_signedOut) {
                    finish(promise, Result<QString>(Error::permission(tr("signed out; sign in again"))));
                    return;
                }
                if (r) {
                    refreshed(*r);
                    finish(promise, Result<QString>(r->idToken));
                    return;
                }
                const TimePoint at = m_clock();
                if (r.error().kind == ErrorKind::Unavailable && at + kStaleTokenGrace < m_expiresAt) {
                    qCInfo(lcAuth) << "token refresh failed, the current token is still valid:" << r.error().message;
                    m_retryRefreshAt = at + kRefreshRetryDelay;
                    finish(promise, Result<QString>(m_tokens.idToken));
                    return;
                }
                if (r.error().kind == ErrorKind::Permission) {
                    qCInfo(lcAuth) << "the sign-in was revoked:" << r.error().message;
                    (void)signOut();
                }
                finish(promise, Result<QString>(r.error()));
            },
            [promise] { finish(promise, Result<QString>(Error::unavailable(tr("the sign-in session was closed")))); }));
    return promise->future();
}

void AuthSession::refreshed(const AuthTokens& tokens) {
    const bool identityChanged = !sameIdentity(m_tokens.claims, tokens.claims);
    const bool newRefreshToken = tokens.refreshToken != m_tokens.refreshToken;
    m_tokens = tokens;
    m_expiresAt = expiryOf(m_tokens, m_clock());
    if (newRefreshToken) {
        // The provider rotated the refresh token: the stored one may stop working.
        persist().then([](const Result<bool>& r) {
            if (!r) {
                qCWarning(lcAuth) << "could not store the new refresh token:" << r.error().message;
            }
        });
    }
    Q_EMIT tokenRefreshed();
    if (identityChanged) {
        Q_EMIT this->identityChanged();
    }
}

void AuthSession::invalidate() {
    m_expiresAt = m_clock();
    m_retryRefreshAt = {};
}

QString AuthSession::describe() const {
    if (m_signedOut) {
        return tr("signed out");
    }
    const auto& c = m_tokens.claims;
    const QString who = c.email.isEmpty() ? c.uid : c.email;
    const QString role = c.role.isEmpty() ? tr("no role") : c.role;
    if (c.signInProvider.isEmpty()) {
        return tr("%1 (%2)").arg(who, role);
    }
    return tr("%1 (%2, signed in with %3)").arg(who, role, c.signInProvider);
}

Result<Reviewer> AuthSession::identity() const {
    if (m_signedOut) {
        return Error::permission(tr("signed out; sign in again"));
    }
    return identityOf(m_tokens.claims);
}

Result<Reviewer> AuthSession::identityOf(const IdTokenClaims& c) {
    if (c.email.isEmpty()) {
        return Error::permission(tr("the account %1 has no e-mail address; reviewers sign in with one").arg(c.uid));
    }
    if (!c.emailVerified) {
        return Error::permission(tr("the e-mail address %1 is not verified").arg(c.email));
    }
    const auto role = roleFromString(c.role);
    if (!role) {
        return Error::permission(tr("%1 is not a reviewer of this project; an admin can grant a role with `fairuse "
                                    "reviewers grant`")
                                     .arg(c.email));
    }
    return Reviewer{c.email, *role, c.uid};
}

Async<bool> AuthSession::signOut() {
    const bool wasSignedIn = !m_signedOut;
    m_signedOut = true;
    m_tokens.idToken.clear();
    m_tokens.refreshToken.clear();
    if (wasSignedIn) {
        Q_EMIT signedOut();
    }
    return m_secrets->remove(secretKey(m_client->config().projectId));
}

} // namespace fairuse::services
