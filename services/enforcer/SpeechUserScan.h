#pragma once

#include "common/Result.h"
#include "redis/RedisCommands.h"
#include "redis/SpeechBuckets.h" // uidOfBucketKey

#include <QString>
#include <QStringList>

namespace fairuse::services {

/** The users a SCAN of the backend's bucket keys found. */
struct SpeechUsers {
    QStringList uids; ///< deduplicated, sorted
    int keys = 0;     ///< bucket keys seen (both layouts)
    int junkKeys = 0; ///< bucket keys whose name holds no user (an unknown v2 source, an empty uid)
};

/**
 * Finds every user with metered speech by an incremental SCAN (MATCH, COUNT `count`) over the bucket keys of both
 * layouts of SPEC 4.1, `fair_use:bucket:{uid}` and `fair_use:v2:bucket:{source}:{uid}`, so the server is never
 * blocked the way KEYS would block it. A key of any v2 source names its user (which of the sources are enforced is
 * the usage store's reading). On a cluster every master is scanned (each holds only its own slots' keys). The
 * server's failure is the result's error.
 */
Result<SpeechUsers> scanSpeechUsers(RedisCommands& redis, int count, int timeoutMs);

} // namespace fairuse::services
