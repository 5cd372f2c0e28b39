#pragma once

#include "Backend.h"
#include "ConnectionProfile.h"
#include "common/Stores.h"

#include <QObject>

#include <memory>
#include <optional>
#include <vector>

namespace fairuse::services {
class EmbeddedDatabase;
}

namespace fairuse::console {

/**
 * A built connection: the Backend every view uses, and the objects its stores point into (clients, the embedded
 * database), which must live as long as the Backend.
 */
struct Connection {
    models::Backend backend;
    std::shared_ptr<services::EmbeddedDatabase> database;
    std::vector<std::shared_ptr<void>> owned;
};

/**
 * The composition root: builds a Connection from a connection profile without blocking the UI thread.
 *
 * Demo: opens (or creates) the embedded store, seeds it with the DemoGenerator when it is empty (reporting
 * progress), signs in as the demo reviewer with the role from the store's reviewers table, and uses the offline
 * heuristic classifier. Emulator: Redis URL + FIRESTORE_EMULATOR_HOST + project, the emulator's admin token.
 * Production: Redis URL, Firestore project with the service-account key (or a token command), the LLM endpoint.
 * Secrets come from `secrets` (the keychain, or the session store); `askSecret` is called for a secret that is not
 * stored yet and its answer is written back to `secrets`.
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

Q_SIGNALS:
    /** A step of the start-up for a progress indication ("Seeding the demo store…"). */
    void progress(const QString& text);
    void ready();
    /** What failed and what to do, for a message box. */
    void failed(const QString& message);

private:
    void startDemo();
    void startRemote();
    void signIn(const QString& email);
    void buildClassifier();
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
};

} // namespace fairuse::console
