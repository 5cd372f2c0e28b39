#pragma once

#include "Backend.h"
#include "ConnectionProfile.h"
#include "auth/FirebaseAuthClient.h"
#include "auth/OAuthLoopbackFlow.h"
#include "common/Stores.h"

#include <QObject>

#include <memory>
#include <optional>
#include <vector>

namespace fairuse::services {
class AuthSession;
class EmbeddedDatabase;
class FirestoreClient;
} // namespace fairuse::services

namespace fairuse::console {

/**
 * A built connection: the Backend every view uses, and the objects its stores point into (clients, the embedded
 * database), which must live as long as the Backend.
 */
struct Connection {
    models::Backend backend;
    std::shared_ptr<services::EmbeddedDatabase> database;
    /** The signed-in reviewer's session (emulator and production profiles); null for the demo store. */
    std::shared_ptr<services::AuthSession> session;
    std::vector<std::shared_ptr<void>> owned;
};

/**
 * What the console needs from the user to sign in: the Firebase Auth client of the profile's project, which ways
 * of signing in the profile offers, and why it is asked (empty for a first sign-in).
 */
struct SignInRequest {
    std::shared_ptr<services::FirebaseAuthClient> client;
    QString project;
    bool password = true;
    std::optional<services::OAuthLoopbackConfig> provider;
    QString reason;
};

/**
 * The composition root: builds a Connection from a connection profile without blocking the UI thread.
 *
 * Demo: opens (or creates) the embedded store, seeds it with the DemoGenerator when it is empty (reporting
 * progress), signs in as the demo store's own reviewer with the role from its reviewers table, and uses the offline
 * heuristic classifier. Emulator and production: Redis, then the reviewer's sign-in to Firebase Authentication
 * (the refresh token kept in the keychain from an earlier start, or signInRequired() for the UI to sign in and
 * answer with continueSignIn()), then Firestore with that reviewer's ID token on every request, then the classifier.
 * Who acts is the verified e-mail, uid and role claim of that token, never a profile field; no server credential
 * is ever used. Secrets come from `secrets` (the keychain, or the session store); `askSecret` is called for a
 * secret that is not stored yet and its answer is written back to `secrets`.
 */
class Composer : public QObject {
    Q_OBJECT
public:
    using SecretPrompt = std::function<std::optional<QString>(models::ProfileSecret secret)>;

    Composer(models::ConnectionProfile profile, std::shared_ptr<services::SecretStore> secrets, SecretPrompt askSecret,
             QObject* parent = nullptr);

    /** Pins the clock (--now) for the store, the demo population and the views. */
    void setPinnedNow(std::optional<TimePoint> now) { m_pinnedNow = now; }
    /** Replaces the secret store before start() (the session store when no keychain is reachable). */
    void setSecretStore(std::shared_ptr<services::SecretStore> secrets) { m_secrets = std::move(secrets); }
    void setClientVersion(const QString& version) { m_clientVersion = version; }

    /** Starts building; exactly one of ready() or failed() follows. */
    void start();
    /** The connection after ready(). */
    std::unique_ptr<Connection> take() { return std::move(m_connection); }

    /** The answer to signInRequired(): the tokens of a sign-in (refused again when they make no reviewer). */
    void continueSignIn(const services::AuthTokens& tokens);
    /** The answer to signInRequired() when the user gave up: failed() follows. */
    void cancelSignIn();

Q_SIGNALS:
    /** A step of the start-up for a progress indication ("Seeding the demo store…"). */
    void progress(const QString& text);
    void ready();
    /** The reviewer must sign in; answer with continueSignIn() or cancelSignIn(). */
    void signInRequired(const fairuse::console::SignInRequest& request);
    /** What failed and what to do, for a message box. */
    void failed(const QString& message);

private:
    void startDemo();
    void startRemote();
    void signIn(const QString& email);
    void startAuth();
    void requestSignIn(const QString& reason);
    void useSession(std::shared_ptr<services::AuthSession> session);
    /** The classifier of the profile: the heuristic, the LLM (its key from the keychain), or the enforcement service
     *  answering re-runs through `firestore` (no key read). */
    void buildClassifier(const std::shared_ptr<services::FirestoreClient>& firestore);
    /** Reads a secret of the profile; when it is not stored, asks for it if `ask` (and stores the answer). An
     *  optional secret that is neither stored nor given continues with an empty value. */
    void readSecret(models::ProfileSecret secret, bool optional, bool ask, std::function<void(QString)> next);
    std::function<TimePoint()> clock() const;

    models::ConnectionProfile m_profile;
    std::shared_ptr<services::SecretStore> m_secrets;
    SecretPrompt m_askSecret;
    std::optional<TimePoint> m_pinnedNow;
    std::optional<TimePoint> m_demoReference;
    QString m_clientVersion;
    std::unique_ptr<Connection> m_connection;
    std::shared_ptr<services::FirebaseAuthClient> m_authClient;
};

} // namespace fairuse::console
