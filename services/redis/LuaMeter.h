#pragma once

#include "common/Stores.h"
#include "redis/RedisClient.h"

#include <QObject>

#include <chrono>
#include <cstdint>
#include <optional>

namespace fairuse::services {

/** What one record-and-check returns. */
struct MeterReading {
    SpeechTotals totals;        ///< daily / 3-day / weekly ms after the record
    std::int64_t clippedMs = 0; ///< ms not stored because the minute's 16-bit counter was full (65,535 ms)
    TimePoint at{};             ///< the time the script used (Redis TIME, or the `now` passed in)
};

/**
 * The improved store layout of SPEC 2.1 as a Redis script: one EVALSHA per record-and-check, O(1) amortised work
 * per call, bounded memory, totals exactly equal to the backend's brute-force window sums (metering::sumWindows).
 *
 * Keys, hash-tagged so a Redis Cluster keeps one user on one slot:
 *  - `fu2:{uid}:ring`: a string of kRingMinutes big-endian u16 counters (BITFIELD u16 #i), one per minute,
 *    slot = minute mod kRingMinutes (7 days + 2 h of margin, 20,400 bytes);
 *  - `fu2:{uid}:meta`: a hash with the running sums of the three windows (s1..s3), each window's eviction cursor
 *    (c1..c3: the first minute still inside the sum), the newest minute written (head) and the last time (last).
 *
 * Each call evicts the minutes that left each window since the previous call (read with one GETRANGE per window),
 * zeroes the ring slots of minutes that passed since (SETRANGE), adds the new speech with BITFIELD and returns the
 * sums. Time comes from `redis.call('TIME')` inside the script (Redis 7 replicates effects, so this is allowed);
 * tests pass `now` explicitly. A clock that steps back is treated as "no time passed". Both keys expire 8 days
 * after the last call, like the backend's keys.
 */
class LuaMeter : public QObject {
    Q_OBJECT
public:
    /** The client must outlive the meter. */
    explicit LuaMeter(RedisClient* client, QObject* parent = nullptr);

    /**
     * Adds `speechMs` (0 to only read) to the current minute and returns the three window totals. `now` replaces
     * the server clock (tests, replays); it must not go backwards for a user. Invalid for a negative or absurd
     * speechMs or a user id that would break the hash tag.
     */
    Async<MeterReading> recordAndCheck(const QString& uid, std::int64_t speechMs,
                                       std::optional<TimePoint> now = std::nullopt);

    static QByteArray ringKey(const QString& uid);
    static QByteArray metaKey(const QString& uid);
    /** The script text and its SHA-1 (hex), as EVALSHA wants it. */
    static QByteArray script();
    static QByteArray scriptSha1();

    /** Minutes the ring holds: the weekly window spans up to 10,081 minute buckets, plus margin. */
    static constexpr int kRingMinutes = 10'200;
    static constexpr std::chrono::seconds kTtl{8 * 24 * 3600};

private:
    RedisClient* m_client;
};

} // namespace fairuse::services
