#pragma once
// The --redis URL of the commands that reach the backend's Redis (usage, seed, and the stage cache of resolve,
// override and bulk-resolve): one reading of the URL, one rule for clear text, one place for the password.

#include "common/Result.h"
#include "redis/RedisConfig.h"

#include <QString>

namespace fairuse::cli {

/** The environment variable that holds the Redis password, so that it never shows in a command line. */
inline constexpr const char* kRedisPasswordVariable = "FAIRUSE_REDIS_PASSWORD";

/** A --redis URL read. */
struct RedisUrl {
    services::RedisConfig config;
    /** The password was written into the URL, where other users of the machine can see it: each command refuses
     *  it or warns (passwordInUrlWarning()). */
    bool passwordInUrl = false;
};

/**
 * Reads a command's --redis URL: the password is kRedisPasswordVariable's unless the URL holds one, and the client
 * does not reconnect in the background (a one-shot command reports the first failure); timeouts are left to the
 * caller. Invalid ("--redis: ...") for a URL that is not one, and for plain redis:// to another host unless
 * `allowPlaintext` (--allow-plaintext-redis).
 */
Result<RedisUrl> readRedisUrl(const QString& url, bool allowPlaintext);

/** "a password in --redis is visible to other users of this machine; use the environment variable ... instead". */
QString passwordInUrlWarning();

} // namespace fairuse::cli
