#pragma once

#include "common/Stores.h"
#include "embedded/DemoGenerator.h"
#include "firestore/FirestoreClient.h"
#include "redis/RedisClient.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace fairuse::services {

/** How BackendSeeder lays the population out and how hard it pushes the servers. */
struct BackendSeedOptions {
    /** Which speech keys of SPEC 4.1 the minute buckets go to. */
    enum class RedisLayout {
        /** fair_use:v2:{speech,bucket}:{source}:{uid}, every source (the newer backends). */
        V2,
        /** fair_use:{speech,bucket}:{uid} (the old backend): enforced sources only, realtime and sync_fresh summed
         *  per minute; custom_stt and sync_backfill speech is not written, as the old backend never metered it. */
        Legacy,
    };
    RedisLayout redisLayout = RedisLayout::V2;
    /**
     * Write into targets that already hold fairuse data. Every speech key of the population's users (both layouts,
     * every source) and their stage cache are deleted before writing (so totals are exactly the population's); in
     * Firestore the collections the population replaces as a
     * whole are emptied first (fair_use_state and fair_use_events of every user, fair_use_audit and its head,
     * fair_use_idempotency, fair_use_exemptions), and conversations, spend records and reviewer roles are written
     * over by id. Other users' Redis keys and conversations are left alone.
     */
    bool force = false;
    /** One Redis pipeline carries about this many command arguments; a few pipelines are in flight at once. */
    int argumentsPerPipeline = 20000;
    int pipelinesInFlight = 4;
    /** Firestore writes per atomic commit (at most FirestoreClient::kMaxWritesPerCommit) and commits in flight. */
    int writesPerCommit = FirestoreClient::kMaxWritesPerCommit;
    int commitsInFlight = 4;
    /** Receives a line of progress now and then ("firestore: 20000 of 80917 documents"); may be empty. */
    std::function<void(const QString&)> progress;
};

/** What seed() wrote. */
struct BackendSeedReport {
    qint64 redisKeys = 0;          ///< distinct keys written
    qint64 redisCommands = 0;      ///< commands sent (HSET, ZADD, EXPIRE, SET; DEL first under force)
    qint64 redisPipelines = 0;     ///< pipelines (one round trip each)
    qint64 firestoreDocuments = 0; ///< documents written
    qint64 firestoreCommits = 0;   ///< atomic commits of at most 500 writes
    qint64 firestoreDeleted = 0;   ///< documents deleted first (force only)
    qint64 redisMs = 0;
    qint64 firestoreMs = 0;
};

/**
 * Writes a DemoPopulation into a Redis + Firestore pair exactly as the production backend lays its data out, so the
 * console's RedisUsageStore and FirestoreCaseStore read it like production data.
 *
 * Redis (SPEC 4.1): per user and source the minute-bucket hash and its sorted-set index (HSET/ZADD of up to 1,000
 * minutes per command, 8-day expiry), the stage cache of every user with a state (60 s, as the backend caches it)
 * and the STT budget per UTC day (25 h expiry). Every command touches one key (cluster-safe); commands go out in
 * pipelines, a few in flight, never one round trip per bucket.
 *
 * Firestore (SPEC 4.2 and our collections, see FirestoreCaseStore): fair_use_state/current (plus the plan), events,
 * conversations, the chained audit trail and its head, reviewer roles, exemptions and LLM spend records, encoded with
 * the same FirestoreValue encoders FirestoreCaseStore decodes, committed in atomic batches of at most 500 writes.
 *
 * A target that already holds fairuse data is refused (ErrorKind::Conflict naming what was found) unless
 * BackendSeedOptions::force. Redis is written first, then Firestore; a failure stops the seed and says how far it got
 * (a rerun with force replaces a partial seed).
 */
class BackendSeeder : public QObject {
    Q_OBJECT
public:
    /** Both clients must outlive the seeder's calls. */
    BackendSeeder(RedisClient* redis, std::shared_ptr<FirestoreClient> firestore, QObject* parent = nullptr);

    /** Up to a few fair_use:* keys found in the Redis database (SCAN); empty when it holds none. */
    Async<QStringList> findExistingRedisData();
    /** Up to a few paths of fairuse documents found in the Firestore project; empty when it holds none. */
    Async<QStringList> findExistingFirestoreData();
    /** Checks both targets, then writes Redis, then Firestore. With force, only where checkForceTarget() allows. */
    Async<BackendSeedReport> seed(DemoPopulation population, BackendSeedOptions options);

    /**
     * Where BackendSeedOptions::force may delete and write over data: a local test set-up only, the Firestore
     * emulator and a Redis on this machine (127.0.0.1, localhost or ::1). Production Firestore, an emulator or a Redis
     * on another host are refused with ErrorKind::Permission, naming what was refused.
     */
    static Status checkForceTarget(const RedisConfig& redis, const FirestoreConfig& firestore);

    /** The Redis commands of a population, in write order (exposed for tests). With clearUsers, they start by
     *  deleting every speech key (both layouts, all sources) and the stage cache of each of its users. */
    static QList<QList<QByteArray>> redisCommands(const DemoPopulation& population,
                                                  BackendSeedOptions::RedisLayout layout, bool clearUsers = false);
    /** The Firestore writes of a population (whole-document sets without preconditions; exposed for tests). */
    static QList<FirestoreWrite> firestoreWrites(const DemoPopulation& population);
    /** Deterministic id of the n-th spend record, so a forced rerun writes over it rather than beside it. */
    static QString spendDocumentId(qsizetype index);

private:
    struct Run;
    void checkTargets(std::shared_ptr<Run> run);
    void clearFirestore(std::shared_ptr<Run> run, int queryIndex);
    void pumpRedis(std::shared_ptr<Run> run);
    void startFirestore(std::shared_ptr<Run> run);
    void pumpFirestore(std::shared_ptr<Run> run);
    void fail(const std::shared_ptr<Run>& run, Error error);

    RedisClient* m_redis;
    std::shared_ptr<FirestoreClient> m_firestore;
};

} // namespace fairuse::services
