#include "RedisUrl.h"

namespace fairuse::cli {

Result<RedisUrl> readRedisUrl(const QString& url, bool allowPlaintext) {
    Result<services::RedisConfig> config = services::RedisConfig::fromUrl(url);
    if (!config) {
        return Error::invalid(QStringLiteral("--redis: %1").arg(config.error().message));
    }
    if (!config->tls && !config->isLoopback() && !allowPlaintext) {
        return Error::invalid(QStringLiteral("--redis: redis:// to %1 would send the password and the data in clear "
                                             "text; use rediss:// (TLS), or pass --allow-plaintext-redis if the "
                                             "connection is protected another way")
                                  .arg(config->host));
    }
    RedisUrl read{*config, !config->password.isEmpty()};
    if (!read.passwordInUrl) {
        read.config.password = qEnvironmentVariable(kRedisPasswordVariable);
    }
    read.config.autoReconnect = false;
    return read;
}

QString passwordInUrlWarning() {
    return QStringLiteral("a password in --redis is visible to other users of this machine; use the environment "
                          "variable %1 instead")
        .arg(QString::fromLatin1(kRedisPasswordVariable));
}

} // namespace fairuse::cli
