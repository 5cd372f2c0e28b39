#pragma once

#include "common/Stores.h"
#include "enforcement/EnforcerChanges.h"
#include "enforcement/Policy.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"

#include <QJsonObject>
#include <QSet>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace fairuse::services {

/** How one pass runs. */
struct EnforcerOptions {
    enforcement::Policy policy = enforcement::Policy::forReview();
    enforcement::ServiceIdentity identity;
    TimePoint now{};
    /** Evaluate and report, write nothing (no Firestore document, no Redis key, not even the classifier lock). */
    bool shadow = false;
    std::chrono::milliseconds classifierLockTtl{120'000};
    int conversationLimit = 30; ///< the classifier contract's input (SPEC 2.3)
    std::chrono::hours conversationWindow{7 * 24};
    int scanCount = 1000;    ///< SCAN COUNT hint
    int timeoutMs = 120'000; ///< one store call, retries included
    /** Asked between users: true ends the pass early (SIGTERM), after the user in flight is committed. */
    std::function<bool()> stopRequested;
};

/** What a pass did, for the summary line and the exit code. */
struct PassReport {
    int usersScanned = 0;
    int usersEvaluated = 0;
    int capHits = 0;
    int classifierCalls = 0;
    int classifierFailures = 0;
    int lockedElsewhere = 0; ///< cap hits skipped because another instance held the user's classifier lock
    int casesWritten = 0;    ///< new cases (violations) committed
    int stateWrites = 0;     ///< commits without a case (legitimate use, expiry met during evaluation)
    int alreadyWritten = 0;  ///< decisions another run or instance had committed already
    int expiries = 0;        ///< throttles and restrictions lowered (by evaluation or the sweep)
    int wouldWrite = 0;      ///< shadow: commits not made
    int junkValues = 0;      ///< skipped Redis values and key names
    int redisErrors = 0;
    int firestoreErrors = 0;
    int errors = 0;       ///< every other failure (a decision the core refused to turn into a change)
    bool stopped = false; ///< the pass ended early on request (EnforcerOptions::stopRequested)

    bool backendsFailed() const { return redisErrors > 0 || firestoreErrors > 0; }
    QJsonObject toJson() const;
    /** "scanned 42 users, evaluated 42, cap hits 20, ...". */
    QString summary() const;
};

/**
 * One full enforcement pass (SPEC 6, issue 12) over the backend's Redis and Firestore, with the shared core deciding:
 *
 *  1. users with speech: an incremental SCAN of both bucket layouts (SpeechUserScan.h);
 *  2. per user, one at a time: window totals (RedisUsageStore::readSpeech, one round trip), the state with its
 *     exemption and the plan from users/{uid}.subscription (one batchGet), enforcement::evaluate at the pass's time;
 *  3. a cap hit the core sends to the classifier: the classifier lock (SET NX PX), the violation history from the
 *     user's cases, the recent conversations, the classifier, the lock released by compare-and-delete, and evaluate
 *     again with the verdict. A failed classifier run writes nothing and starts no cooldown: it is counted, logged
 *     and retried by the next pass;
 *  4. a decision that changed the state: state + case + `enforce` record in one commit (EnforcerChanges.h), with
 *     the state's version precondition and the case's deterministic id, then DEL fair_use:stage:{uid}. A commit that
 *     finds the case (or the idempotency key) already there, or the state moved, counts as already written;
 *  5. the expiry sweep: collection-group queries for throttles and restrictions whose end has passed, each lowered by
 *     enforcement::applyExpiry in its own audited commit (users whose state the pass wrote are left alone; nobody
 *     while the policy's kill switch is on or enforcement is off, as in evaluation).
 *
 * Every decision that did or would do something is handed to the sink as one JSON object (uid, action, stages,
 * trigger, case, score, outcome). The pass spins the calling thread's event loop while it waits (services/common/
 * Await.h): it is for the service's own thread, never a GUI's.
 */
class EnforcerPass {
public:
    using DecisionSink = std::function<void(const QJsonObject&)>;

    EnforcerPass(RedisClient* redis, RedisUsageStore* usage, std::shared_ptr<FirestoreClient> firestore,
                 FirestoreCaseStore* cases, ClassifierService* classifier, EnforcerOptions options, DecisionSink sink);

    PassReport run();

private:
    void evaluateUser(const QString& uid);
    /** The classifier's verdict for a cap hit, under the user's lock; nullopt when the pass must move on. */
    std::optional<ClassifierResult> classify(const QString& uid, QJsonObject& line);
    /** Commits `change` (or reports it, in shadow) and counts the outcome; true when it is in the store now. */
    bool commit(const ChangeSet& change, bool withCase, bool expiry, QJsonObject& line);
    void sweepExpiries();
    void sweepStage(Stage stage, const QString& untilField);
    void report(QJsonObject line);
    bool stopping();

    RedisClient* m_redis;
    RedisUsageStore* m_usage;
    std::shared_ptr<FirestoreClient> m_firestore;
    FirestoreCaseStore* m_cases;
    ClassifierService* m_classifier;
    EnforcerOptions m_options;
    DecisionSink m_sink;
    PassReport m_report;
    QSet<QString> m_written; ///< users whose state this pass wrote (or would write, in shadow)
};

} // namespace fairuse::services
