#pragma once

#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/ClassifierBackoffSchedule.h"
#include "redis/RedisCommands.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <optional>

namespace fairuse::services {

/**
 * After a failed classifier call (an outage, a refusal, an answer outside the schema) the service writes no event and
 * starts no cooldown (issue 12), and it backs off: the user is not asked about again before `retry_at`, which doubles
 * with each failure in a row (5 min, 10 min, ... at most 6 h) and is cleared by the first answer that works. The
 * backoff lives in Redis, `fair_use:enforcer:classifier_backoff:{uid}` = "failures:retry_at_ms", so every instance
 * honours it; the times are the pass's clock (--now), the key's own expiry (a day) only cleans up.
 */
class ClassifierBackoff {
public:
    using Entry = enforcement::BackoffEntry;

    ClassifierBackoff(RedisCommands* redis, int timeoutMs);

    /** The user's backoff; nullopt when there is none (or its value is junk, which the next failure overwrites). */
    Result<std::optional<Entry>> read(const QString& uid);
    /** Records one more failure at `now` after `previous`; returns the new entry. */
    Result<Entry> recordFailure(const QString& uid, const std::optional<Entry>& previous, TimePoint now);
    Status clear(const QString& uid);

    static QByteArray key(const QString& uid);

private:
    RedisCommands* m_redis;
    int m_timeoutMs;
};

} // namespace fairuse::services
