#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"
#include "redis/RedisCommands.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <functional>
#include <map>

namespace fairuse::bench {

/** The time every check of the enforcer benchmark runs at (the seeded speech ends just before it). */
inline const TimePoint kBenchNow = fromUnixMinute(29'935'440); // 2026-12-01T12:00:00Z

/** How a seeded user speaks (BenchPopulation.cpp has the mix and what each kind writes). */
enum class UserKind { Light, Medium, Heavy };

/** One user's speech in the backend's key layouts (SPEC 4.1): per layout, unix minute -> ms. */
struct SeededUser {
    QString uid; ///< 28 characters, like a Firebase uid
    UserKind kind = UserKind::Light;
    std::map<std::int64_t, std::int64_t> legacy;    ///< fair_use:bucket / fair_use:speech
    std::map<std::int64_t, std::int64_t> realtime;  ///< fair_use:v2:*:realtime (enforced)
    std::map<std::int64_t, std::int64_t> syncFresh; ///< fair_use:v2:*:sync_fresh (enforced)
    std::map<std::int64_t, std::int64_t> backfill;  ///< fair_use:v2:*:sync_backfill (metered, never enforced)
    SpeechTotals enforced;                          ///< what the service must read: the three enforced layouts
    SpeechTotals legacyOnly;                        ///< what a check of the legacy keys alone reads

    bool hasV2() const { return !realtime.empty() || !syncFresh.empty() || !backfill.empty(); }
    std::int64_t buckets() const {
        return static_cast<std::int64_t>(legacy.size() + realtime.size() + syncFresh.size() + backfill.size());
    }
};

/**
 * User `index` of the benchmark's population, the same for every run (a hash of the index drives every choice):
 * 80 % light (a few sessions of a few minutes in the last three days), 15 % medium (a 40-90 minute meeting a day for
 * one to three days), 3 % heavy (60-360 speech minutes a day for three to eight days: the eighth day is outside the
 * week but still in the keys, which expire after eight days), 2 % with a single minute. 12 % of them write the v2
 * realtime keys (a third of those still have legacy keys from before), 3 % also have v2 sync_fresh keys and 1 %
 * sync_backfill keys, which are metered and never enforced.
 */
SeededUser seededUser(int index);

/** The backend's writes of `u`: per key one HSET (or ZADD) of up to 1,000 fields, and EXPIRE 8 days. */
QList<QList<QByteArray>> seedCommands(const SeededUser& u);

/**
 * Seeds users [from, to) into `redis` (one server or a cluster: each pipeline goes to the masters of its keys), in
 * pipelines of about 20,000 arguments, calling `each` (when set) with every user seeded. Fails on the first error
 * reply or failed pipeline.
 */
Status seedUsers(services::RedisCommands& redis, int from, int to, int timeoutMs,
                 const std::function<void(const SeededUser&)>& each = {});

/** "light", "medium", "heavy". */
const char* kindName(UserKind kind);

} // namespace fairuse::bench
