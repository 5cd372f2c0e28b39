#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "redis/RedisReply.h"

#include <QList>

#include <cstdint>

namespace fairuse::services {

/**
 * The most speech one minute bucket can plausibly hold: an hour, i.e. 60 streams at once. The backend adds every
 * record of a minute into one hash field (all sources share the legacy keys), so a bucket may exceed one minute, but
 * a value above this is junk.
 */
inline constexpr std::int64_t kMaxSpeechBucketMs = 60 * 60'000;

/** One minute bucket of the backend's speech keys: the zset member (minute), its score (seconds) and the hash value. */
struct SpeechBucket {
    std::int64_t minute = 0;
    double scoreSeconds = 0;
    std::int64_t ms = 0;
};

/**
 * Joins one layout's replies, ZRANGEBYSCORE ... WITHSCORES and HGETALL (neither an error reply), into buckets, as the
 * backend's HMGET of the zset's members would see them: hash fields without a member in the range are never read.
 *
 * A pair is junk, skipped and counted in `skipped`, when the member is not a strict integer, the score is not a
 * finite number, or the hash value is missing, not a strict integer, negative or above kMaxSpeechBucketMs. So no sum
 * of the buckets the reply limits of RedisReplyReader allow (a few million) can overflow int64. Invalid when a reply
 * is not an array of pairs.
 */
Status joinSpeechBuckets(const RedisReply& zreply, const RedisReply& hreply, QList<SpeechBucket>& out, int& skipped);

/** Adds a bucket to the weekly total and, when its score is inside them, to the 3-day and daily totals. */
void addSpeechBucket(SpeechTotals& totals, const SpeechBucket& bucket, std::int64_t threeDayFromSeconds,
                     std::int64_t dailyFromSeconds);

/** The prefixes of the bucket keys of SPEC 4.1's two layouts: `fair_use:bucket:{uid}` and
 *  `fair_use:v2:bucket:{source}:{uid}`. */
inline constexpr const char* kLegacyBucketPrefix = "fair_use:bucket:";
inline constexpr const char* kV2BucketPrefix = "fair_use:v2:bucket:";

/** The user a bucket key of either layout names, or empty when the key holds none (an unknown v2 source, another
 *  key). */
QString uidOfBucketKey(const QByteArray& key);

} // namespace fairuse::services
