#pragma once

#include "common/Stores.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "redis/RedisCommands.h"
#include "redis/RedisUsageStore.h"

#include <QJsonObject>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace fairuse::services {

/** How ClassifierReruns answers. */
struct RerunOptions {
    /** The service's clock (pinned by --now): the conversations' window, the requests' age and finished_at. */
    std::function<TimePoint()> clock;
    /** Answer, but write no Redis key (no lock, no mark): the mark is kept in this object instead. */
    bool shadow = false;
    std::chrono::milliseconds classifierLockTtl{120'000};
    int conversationLimit = 30; ///< the classifier contract's input (SPEC 2.3), as for a cap hit
    std::chrono::hours conversationWindow{7 * 24};
    /** A request older than this is not answered (the console stopped waiting long ago); it is passed over. */
    std::chrono::minutes maxAge{10};
    int batch = 50;          ///< requests read per query
    int timeoutMs = 120'000; ///< one store call, retries included
    QString instance;        ///< recorded in each answer
};

/** What one poll did. */
struct RerunReport {
    int requests = 0;        ///< new `rerun_classifier` records read
    int answered = 0;        ///< answers written with status ok
    int failed = 0;          ///< answers written with status failed (the classifier failed)
    int alreadyAnswered = 0; ///< another poll or instance had answered
    int stale = 0;           ///< older than RerunOptions::maxAge, or naming no user: passed over
    int lockedElsewhere = 0; ///< the user's classifier lock was held: left for the next poll
    int redisErrors = 0;
    int firestoreErrors = 0;
    /** Of the newest request answered (ok or failed): from the request to its answer, on the service's clock. */
    std::optional<std::chrono::milliseconds> newestAnswerLag;
    bool backendsFailed() const { return redisErrors > 0 || firestoreErrors > 0; }
};

/**
 * The console's "re-run classifier" requests, answered by the enforcement service (issue 12), so that LLM keys need
 * not sit on reviewers' desktops. A request is a reviewer's `rerun_classifier` audit record in fair_use_audit
 * (written by the console with the reviewer's verified identity); the answer is fair_use_classifier_runs/{recordId}
 * (firestore/ClassifierRunDocument.h). A re-run is advice to the reviewer: no state, case or stage is written.
 *
 * poll() answers every request not answered yet, in audit order:
 *  1. the mark `fair_use:enforcer:reruns_done_until` (a single key: every request at or below that sequence is
 *     handled), then one query: action == rerun_classifier, sequence > mark, sequence ascending (the (action,
 *     sequence) index), at most `batch` records, and one batchGet of their answers;
 *  2. per request without an answer: the user's classifier lock (SET NX PX, as a cap hit takes it), the answer read
 *     again under the lock (another instance may have just written it), the user's recent conversations, the
 *     classifier, the answer written under "must not exist" (so two instances never write two), the lock released by
 *     compare-and-delete. A classifier failure is an answer too (status failed, with the error);
 *  3. the mark moved past every request handled in order; a request whose lock is held elsewhere or whose user could
 *     not be read stops the mark there, so the next poll tries it again.
 *
 * Shadow takes no lock and keeps the mark in memory (it writes no Redis key), but answers: the answer collection is
 * its own, and "must not exist" keeps a shadow and a live instance from answering twice.
 *
 * Every request handled is handed to the sink as one JSON line {"rerun": recordId, "uid", "requested_by", "outcome":
 * answered | failed | already_answered | stale | locked_elsewhere | error, ...}. Spins the calling thread's event loop
 * while it waits (Await.h): for the service's own thread.
 */
class ClassifierReruns {
public:
    using Sink = std::function<void(const QJsonObject&)>;

    ClassifierReruns(RedisCommands* redis, RedisUsageStore* usage, std::shared_ptr<FirestoreClient> firestore,
                     FirestoreCaseStore* cases, ClassifierService* classifier, RerunOptions options, Sink sink);

    /** Answers what is pending now (one batch, and further batches while they come back full). */
    RerunReport poll();

    static inline const QByteArray kMarkKey = QByteArrayLiteral("fair_use:enforcer:reruns_done_until");

private:
    enum class Handled { Yes, No };
    Handled answer(const AuditRecord& request, RerunReport& report);
    Result<std::int64_t> readMark();
    void advanceMark(std::int64_t sequence, RerunReport& report);
    void emitLine(QJsonObject line, const AuditRecord& request, const QString& outcome);

    RedisCommands* m_redis;
    RedisUsageStore* m_usage;
    std::shared_ptr<FirestoreClient> m_firestore;
    FirestoreCaseStore* m_cases;
    ClassifierService* m_classifier;
    RerunOptions m_options;
    Sink m_sink;
    std::optional<std::int64_t> m_shadowMark; ///< shadow's mark, which it keeps in memory
};

} // namespace fairuse::services
