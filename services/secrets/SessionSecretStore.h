#pragma once

#include "common/Stores.h"

#include <QHash>
#include <QString>

#include <mutex>

namespace fairuse::services {

/**
 * SecretStore that keeps secrets in memory for this session only ("ask each session"): nothing touches disk, and
 * the secrets are gone when the process ends. Used when the user prefers not to store secrets, or when no OS
 * keychain is reachable. Thread-safe; every call finishes immediately.
 *
 * Errors: Invalid for an empty key, NotFound when reading a key that is not held.
 */
class SessionSecretStore final : public SecretStore {
public:
    SessionSecretStore() = default;
    ~SessionSecretStore() override;

    SessionSecretStore(const SessionSecretStore&) = delete;
    SessionSecretStore& operator=(const SessionSecretStore&) = delete;

    Async<QString> read(const QString& key) override;
    Async<bool> write(const QString& key, const QString& secret) override;
    /** Forgets the key; succeeds whether or not it was held. */
    Async<bool> remove(const QString& key) override;

    /** Forgets every secret (e.g. on sign-out). */
    void clear();

private:
    mutable std::mutex m_mutex;
    QHash<QString, QString> m_secrets;
};

} // namespace fairuse::services
