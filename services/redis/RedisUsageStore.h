#pragma once

#include "common/Stores.h"
#include "redis/RedisClient.h"

#include <QObject>

#include <chrono>
#include <cstdint>

namespace fairuse::services {

/**
 * UsageStore over the backend's own Redis keys (SPEC 4.1), read exactly as the backend reads them:
 *
 *  - `fair_use:speech:{uid}` sorted set (member = unix minute, score = minute * 60) selects the buckets of a window
 *    with ZRANGEBYSCORE, and `fair_use:bucket:{uid}` hash (field = minute, value = ms) gives their values (HMGET);
 *  - the newer split keys `fair_use:v2:speech:{source}:{uid}` / `fair_use:v2:bucket:{source}:{uid}` for the
 *    enforced sources realtime and sync_fresh are read the same way and added to the legacy keys' totals.
 *
 * Every command touches one key, so the store works on a Redis Cluster, where the backend's untagged keys of one
 * user sit on different slots and a script or transaction over two of them is refused (CROSSSLOT). A layout is read
 * as ZRANGEBYSCORE WITHSCORES plus HGETALL, joined client-side on the zset's members (HMGET of those members would
 * need the zset's answer first, a second round trip), and the six commands of the three layouts go out as one
 * pipeline: one round trip per readSpeech. Windows follow the backend's rule (metering::windowFirstMinute): a bucket
 * counts when its score is in [nowSeconds - window, nowSeconds].
 *
 * Junk is skipped and counted in SpeechReading::skippedValues, never fatal: a member that is not a decimal minute,
 * a member without a hash field, a hash value that is not a decimal integer or is negative, and a key of the wrong
 * Redis type (counted once).
 */
class RedisUsageStore : public QObject, public UsageStore {
    Q_OBJECT
public:
    /** Which keys recordSpeech writes: the legacy single meter, or the v2 per-source keys. */
    enum class WriteLayout { Legacy, V2 };

    /** The client must outlive the store (typically both are children of the same owner). */
    explicit RedisUsageStore(RedisCommands* client, QObject* parent = nullptr);

    void setWriteLayout(WriteLayout layout) { m_writeLayout = layout; }
    WriteLayout writeLayout() const { return m_writeLayout; }

    // UsageStore
    Async<SpeechReading> readSpeech(const QString& uid, TimePoint now) override;
    Async<QList<MinuteSample>> readMinutes(const QString& uid, TimePoint from, TimePoint to) override;
    /** HINCRBY + ZADD + EXPIRE 8 days in one pipeline (not a transaction: the two keys are on different cluster
     *  slots), in the layout chosen by setWriteLayout (Legacy ignores the source: its keys hold every source together).
     * Invalid for a negative or absurd speechMs. */
    Async<bool> recordSpeech(const QString& uid, TimePoint at, std::int64_t speechMs, SpeechSource source) override;
    /** GET fair_use:dg_budget:{uid}:{YYYYMMDD}; a missing key is 0, a junk value is ErrorKind::Invalid. */
    Async<std::int64_t> readSttBudgetUsedMs(const QString& uid, TimePoint day) override;
    /** DEL fair_use:stage:{uid}; true when a cached stage was there. */
    Async<bool> invalidateStageCache(const QString& uid) override;
    QString describe() const override;

    /** What readSpeechAfter() read: the reply to the command sent first, and the reading. */
    struct SpeechReadingAfter {
        RedisReply first;
        SpeechReading reading;
    };
    /**
     * readSpeech() with `first` sent ahead of the reads in the same pipeline: still one round trip (on a cluster, one
     * pipeline per master, sent at once). The enforcement service claims a user's evaluation marker this way
     * (EvaluationMarkers.h). An error reply to `first` is returned as it is, for the caller to read; a failed pipeline
     * or an unreadable layout fails the whole call. Empty `first`: plain readSpeech().
     */
    Async<SpeechReadingAfter> readSpeechAfter(QList<QByteArray> first, const QString& uid, TimePoint now);

    /** The cached stage string, or empty when there is none. */
    Async<QString> readStageCache(const QString& uid);
    /** SET fair_use:stage:{uid} with the backend's 60 s TTL (for seeding and tests). */
    Async<bool> writeStageCache(const QString& uid, Stage stage);
    /** INCRBY the STT budget of the UTC day of `day` (the key expires 25 h after the last write). Returns the new
     *  total. */
    Async<std::int64_t> addSttBudgetUsage(const QString& uid, TimePoint day, std::int64_t ms);
    /** SET fair_use:classifier_lock:{uid} token NX PX ttl: true when this caller now holds the lock. */
    Async<bool> acquireClassifierLock(const QString& uid, const QByteArray& token, std::chrono::milliseconds ttl);
    /** Compare-and-delete (Lua): deletes the lock only if it still holds `token`. True when it was deleted. */
    Async<bool> releaseClassifierLock(const QString& uid, const QByteArray& token);

    /** Key names, exactly as the backend spells them. */
    static QByteArray bucketKey(const QString& uid);
    static QByteArray speechKey(const QString& uid);
    static QByteArray v2BucketKey(SpeechSource source, const QString& uid);
    static QByteArray v2SpeechKey(SpeechSource source, const QString& uid);
    static QByteArray stageKey(const QString& uid);
    static QByteArray classifierLockKey(const QString& uid);
    static QByteArray sttBudgetKey(const QString& uid, TimePoint day);

    /** The backend's 8-day expiry of the speech keys. */
    static constexpr std::chrono::seconds kSpeechTtl{8 * 24 * 3600};
    static constexpr std::chrono::seconds kStageTtl{60};
    static constexpr std::chrono::seconds kSttBudgetTtl{90'000};

    /** User ids become parts of key names: reject empty, over-long, whitespace and control characters. */
    static Status validateUid(const QString& uid);

private:
    RedisCommands* m_client;
    WriteLayout m_writeLayout = WriteLayout::Legacy;
};

} // namespace fairuse::services
