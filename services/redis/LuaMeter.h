#pragma once

#include "common/Stores.h"
#include "redis/RedisClient.h"

#include <QObject>
#include <QPointer>

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
 * The improved store layout of SPEC 2.1 as a Redis script: one EVALSHA per record-and-check, a bounded number of
 * Redis operations per call whatever the time since the previous one, bounded memory, totals exactly equal to the
 * backend's brute-force window sums (metering::sumWindows).
 *
 * One key per user, hash-tagged so a Redis Cluster keeps the user on one slot: `fu3:{uid}:meter`. A user with few
 * minutes of speech in the last week (at most kSparseMaxPairs) has the sparse form: a short string of the (minute, ms)
 * pairs still inside the weekly window, summed on each call. Above that the same call converts it to the dense form,
 * a 31,298-byte string holding, per minute of the last kRingMinutes (7 days + 2 h of margin), the running sum of that
 * minute's hour (u24); per hour, the running total of all speech so far modulo 2^32 (u32); and a small header. A
 * window's sum is then two reads (the total before its first minute's hour and that hour's running sum before the first
 * minute) taken from the header's total up to now (the layout is described in LuaMeter.cpp).
 *
 * Time comes from `redis.call('TIME')` inside the script (Redis 7 replicates effects, so this is allowed); tests
 * pass `now` explicitly. A clock that steps back is treated as "no time passed". The key expires 8 days (to 8 days
 * and 1 hour; a sparse value renews it on every call) after the last call, like the backend's keys. A value of the
 * wrong type or size, or one whose sums cannot be right, is rebuilt from empty rather than trusted. (The layout before
 * this one, `fu2:{uid}:ring` + `fu2:{uid}:meta`, is never read: its keys expire on their own.)
 */
class LuaMeter : public QObject {
    Q_OBJECT
public:
    /**
     * A call in flight when the meter is destroyed finishes with ErrorKind::Unavailable (its record may have been
     * applied on the server); one in flight when the client is destroyed fails with the client's error.
     */
    explicit LuaMeter(RedisClient* client, QObject* parent = nullptr);

    /**
     * Adds `speechMs` (0 to only read) to the current minute and returns the three window totals. `now` replaces
     * the server clock (tests, replays); it must not go backwards for a user. Invalid for a negative or absurd
     * speechMs, a `now` before 1970 or after kLatestUnixMs, or a user id that would break the hash tag.
     */
    Async<MeterReading> recordAndCheck(const QString& uid, std::int64_t speechMs,
                                       std::optional<TimePoint> now = std::nullopt);

    /** The user's one key. */
    static QByteArray key(const QString& uid);
    /** The script text and its SHA-1 (hex), as EVALSHA wants it. */
    static QByteArray script();
    static QByteArray scriptSha1();

    /** Minutes the ring holds: the weekly window spans up to 10,081 minute buckets, plus margin; whole hours. */
    static constexpr int kRingMinutes = 10'200;
    /** Size of the key's value in bytes: 3 per minute, 4 per hour of the ring, an 18-byte header. */
    static constexpr int kValueBytes = 3 * kRingMinutes + 4 * (kRingMinutes / 60) + 18;
    /** A user with at most this many minutes of speech in the weekly window is kept in the sparse form. */
    static constexpr int kSparseMaxPairs = 160;
    /** The sparse form's size: a 9-byte header (magic 0xF5, last call), 7 bytes per minute with speech. */
    static constexpr int kSparseHeaderBytes = 9;
    static constexpr int kSparsePairBytes = 7;
    /** The key lives at least kTtl after the last call, at most kTtl + kTtlSlack: the script renews it hourly. */
    static constexpr std::chrono::seconds kTtl{8 * 24 * 3600};
    static constexpr std::chrono::seconds kTtlSlack{3600};
    /** The latest `now` accepted, in unix ms (the script's sanity bound on a stored time). */
    static constexpr std::int64_t kLatestUnixMs = 1'000'000'000'000'000;

private:
    QPointer<RedisClient> m_client;
};

} // namespace fairuse::services
