#include "redis/RedisConfig.h"

#include "common/Loopback.h"

#include <QUrl>

namespace fairuse::services {

Result<RedisConfig> RedisConfig::fromUrl(const QString& text) {
    // Errors never quote the URL: it may carry the password.
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid()) {
        return Error::invalid(QStringLiteral("the Redis URL is not a valid URL"));
    }
    RedisConfig config;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("redis")) {
        config.tls = false;
    } else if (scheme == QLatin1String("rediss")) {
        config.tls = true;
    } else {
        return Error::invalid(QStringLiteral("the Redis URL must start with redis:// or rediss://"));
    }
    config.host = url.host(QUrl::FullyDecoded);
    if (config.host.isEmpty()) {
        return Error::invalid(QStringLiteral("the Redis URL has no host"));
    }
    const int port = url.port(6379);
    if (port <= 0 || port > 65535) {
        return Error::invalid(QStringLiteral("the Redis URL has an invalid port"));
    }
    config.port = static_cast<quint16>(port);
    config.user = url.userName(QUrl::FullyDecoded);
    config.password = url.password(QUrl::FullyDecoded);

    QString path = url.path(QUrl::FullyDecoded);
    if (path.startsWith(QLatin1Char('/'))) {
        path.remove(0, 1);
    }
    if (!path.isEmpty()) {
        bool ok = false;
        const int db = path.toInt(&ok);
        if (!ok || db < 0 || db > 65535 || path.contains(QLatin1Char('+'))) {
            return Error::invalid(QStringLiteral("the Redis URL's database must be a number, e.g. /0"));
        }
        config.db = db;
    }
    return config;
}

QString RedisConfig::redactedUrl() const {
    QString out = tls ? QStringLiteral("rediss://") : QStringLiteral("redis://");
    if (!user.isEmpty() || !password.isEmpty()) {
        out += QString::fromUtf8(QUrl::toPercentEncoding(user));
        if (!password.isEmpty()) {
            out += QStringLiteral(":***");
        }
        out += QLatin1Char('@');
    }
    out += host.contains(QLatin1Char(':')) ? QString(QLatin1Char('[') + host + QLatin1Char(']')) : host;
    out += QLatin1Char(':') + QString::number(port) + QLatin1Char('/') + QString::number(db);
    return out;
}

bool RedisConfig::isLoopback() const {
    return isLoopbackHost(host);
}

QString RedisConfig::aclUser() const {
    return user.isEmpty() ? QStringLiteral("default") : user;
}

} // namespace fairuse::services
