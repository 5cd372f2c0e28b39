#pragma once

#include "common/Result.h"

#include <QList>
#include <QSslCertificate>
#include <QString>

#include <cstdint>

namespace fairuse::services {

/**
 * Where and how to reach a Redis server. Built from a URL:
 *   redis://[[user]:password@]host[:port][/db]    plain TCP
 *   rediss://[[user]:password@]host[:port][/db]   TLS
 * "redis://:secret@host" is the password-only form (AUTH password); "redis://alice:secret@host" uses the ACL user.
 * The password is kept only in this struct; describe() and redactedUrl() never contain it.
 */
struct RedisConfig {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    int db = 0;
    QString user;     ///< ACL user; empty: AUTH with the password alone (the "default" user)
    QString password; ///< empty: no AUTH
    bool tls = false;

    /** Extra CAs to trust for TLS (for self-signed servers); the system store is always used too. */
    QList<QSslCertificate> caCertificates;
    /** TLS peer verification; switching it off is for local tests only. */
    bool verifyPeer = true;

    int connectTimeoutMs = 5000; ///< TCP connect + TLS handshake + AUTH/SELECT
    int commandTimeoutMs = 5000; ///< from submitting a command to its reply
    bool autoReconnect = true;   ///< reconnect with backoff after a drop (off for one-shot command-line use)
    int reconnectInitialMs = 100;
    int reconnectMaxMs = 5000;
    /** Objects in one reply (nested arrays included) and bytes of one unfinished reply the client accepts before it
     *  drops the connection: a hostile server cannot make it allocate without bound (RedisReplyReader). */
    std::int64_t maxReplyElements = 4 * 1024 * 1024;
    std::int64_t maxReplyBytes = 256 * 1024 * 1024;

    /** Parses a redis:// or rediss:// URL. Errors are Invalid and never echo the password. */
    static Result<RedisConfig> fromUrl(const QString& url);

    /** The URL without the password ("redis://alice:***@host:6379/0"), for logs and status bars. */
    QString redactedUrl() const;

    /** The server is on this machine (localhost, 127.0.0.0/8, ::1): a local test server or a TLS tunnel's end. */
    bool isLoopback() const;
    /** The ACL user the client authenticates as ("default" when the URL names none). */
    QString aclUser() const;
};

} // namespace fairuse::services
