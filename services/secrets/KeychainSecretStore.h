#pragma once

#include "common/Stores.h"

#include <QString>

namespace fairuse::services {

/**
 * SecretStore in the OS keychain through QtKeychain (Secret Service / KWallet on Linux, Keychain on macOS,
 * Credential Manager on Windows), under the service name "fairuse".
 *
 * Never plain text: QtKeychain's insecure fallback (secrets in a QSettings file) is switched off, so when no
 * keychain is reachable (no session bus, no Secret Service, locked or refused) every call fails with
 * ErrorKind::Unavailable and a message saying so; the caller can then offer SessionSecretStore instead.
 *
 * Errors: Invalid for an empty key, NotFound when reading a key that is not stored, Permission when the user or
 * the keychain refused access, Unavailable when no keychain could be reached.
 *
 * Call it from a thread that runs an event loop (the GUI thread, or Await.h in tools and tests): QtKeychain
 * finishes its jobs through that loop. remove() succeeds whether or not the key existed.
 */
class KeychainSecretStore final : public SecretStore {
public:
    /** `service` names the entries in the keychain; tests pass their own to stay apart from real secrets. */
    explicit KeychainSecretStore(QString service = defaultService());

    Async<QString> read(const QString& key) override;
    Async<bool> write(const QString& key, const QString& secret) override;
    Async<bool> remove(const QString& key) override;

    QString service() const { return m_service; }
    static QString defaultService() { return QStringLiteral("fairuse"); }

private:
    QString m_service;
};

} // namespace fairuse::services
