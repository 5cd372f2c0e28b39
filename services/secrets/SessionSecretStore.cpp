#include "secrets/SessionSecretStore.h"

#include "common/Promise.h"

namespace fairuse::services {

namespace {

Error emptyKey() {
    return Error::invalid(QStringLiteral("a secret needs a non-empty key"));
}

/** Best effort: overwrite the characters before the string is released, so the secret does not linger in freed
 *  memory. Only effective when this is the last reference to the data. */
void wipe(QString& s) {
    s.fill(QChar(0));
    s.clear();
}

} // namespace

SessionSecretStore::~SessionSecretStore() {
    clear();
}

Async<QString> SessionSecretStore::read(const QString& key) {
    if (key.isEmpty()) {
        return ready<QString>(emptyKey());
    }
    std::lock_guard lock(m_mutex);
    const auto it = m_secrets.constFind(key);
    if (it == m_secrets.cend()) {
        return ready<QString>(Error::notFound(QStringLiteral("no secret for \"%1\" in this session").arg(key)));
    }
    return ready<QString>(*it);
}

Async<bool> SessionSecretStore::write(const QString& key, const QString& secret) {
    if (key.isEmpty()) {
        return ready<bool>(emptyKey());
    }
    std::lock_guard lock(m_mutex);
    auto it = m_secrets.find(key);
    if (it != m_secrets.end()) {
        wipe(*it);
        *it = secret;
    } else {
        m_secrets.insert(key, secret);
    }
    return ready<bool>(true);
}

Async<bool> SessionSecretStore::remove(const QString& key) {
    if (key.isEmpty()) {
        return ready<bool>(emptyKey());
    }
    std::lock_guard lock(m_mutex);
    if (auto it = m_secrets.find(key); it != m_secrets.end()) {
        wipe(*it);
        m_secrets.erase(it);
    }
    return ready<bool>(true);
}

void SessionSecretStore::clear() {
    std::lock_guard lock(m_mutex);
    for (QString& s : m_secrets) {
        wipe(s);
    }
    m_secrets.clear();
}

} // namespace fairuse::services
