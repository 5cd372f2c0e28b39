#pragma once

#include "common/Stores.h"
#include "enforcement/EnforcerChanges.h"
#include "enforcement/Policy.h"
#include "enforcer/ClassifierBackoff.h"
#include "enforcer/EvaluationMarkers.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "ledger/LlmSpendLedger.h"
#include "redis/RedisCommands.h"
#include "redis/RedisUsageStore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace fairuse::services {

class RangeLeases;

/** How one pass runs. */
struct EnforcerOptions {
    enforcement::Policy policy = enforcement::Policy::forReview();
    enforcement::ServiceIdentity identity;
    TimePoint now{};
    /** Evaluate and report, write nothing (no Firestore document, no Redis key, not even the classifier lock) but the
     *  shadow decisions (fair_use_shadow, ShadowRecorder.h). */
    bool shadow = false;
    /** This instance's name (the heartbeat's document id), recorded in each shadow decision. */
    QString instanceName;
    std::chrono::milliseconds classifierLockTtl{120'000};
    int conversationLimit = 30; ///< the classifier contract's input (SPEC 2.3)
    std::chrono::hours conversationWindow{7 * 24};
    int scanCount = 1000;    ///< SCAN COUNT hint
    int timeoutMs = 120'000; ///< one store call, retries included
    /** This instance's lease token (RangeLeases.h): random, unique per process. */
    QByteArray instanceToken;
    /** How long a range lease outlives its last renewal: how soon another instance takes over a dead one's range. */
    std::chrono::milliseconds leaseTtl{60'000};
    /** A user whose classifier lock another holder has (a dead instance, the backend) is retried at the end of its
     *  range when the lock expires within this; otherwise it is left to the next pass. */
    std::chrono::milliseconds lockWaitMax{20'000};
    /** After this many classifier failures in a row the pass asks the classifier no more (an outage): the users it
     *  skips are evaluated again by the next pass. */
    int classifierBreaker = 5;
    /** After this many users in a row whose Redis or Firestore calls failed the pass ends: the backends are gone. The
     *  range in work is handed back unfinished (as is any range with such a user), so the next pass evaluates its
     *  users again. */
    int backendBreaker = 3;
    /** Between two claims of ranges other instances hold. */
    std::chrono::milliseconds leasePoll{500};
    /** The LLM-spend caps per plan and their windows (the ledger's): the spend review's (EnforcerPassSpend.cpp). */
    LedgerPolicy ledgerPolicy;
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
    int lockedElsewhere = 0;     ///< cap hits skipped because another instance held the user's classifier lock
    int casesWritten = 0;        ///< new cases (violations) committed
    int stateWrites = 0;         ///< commits without a case (legitimate use, expiry met during evaluation)
    int alreadyWritten = 0;      ///< decisions another run or instance had committed already
    int expiries = 0;            ///< throttles and restrictions lowered (by evaluation or the sweep)
    int wouldWrite = 0;          ///< shadow: commits not made
    int shadowRecorded = 0;      ///< shadow: decisions written to fair_use_shadow
    int shadowFound = 0;         ///< shadow: decisions an earlier pass of the check interval had recorded
    int junkValues = 0;          ///< skipped Redis values and key names
    int rangesWorked = 0;        ///< user ranges this instance worked and finished (RangeLeases.h)
    int rangesDoneElsewhere = 0; ///< ranges another instance (or an earlier pass in this interval) had done
    int leasesLost = 0;          ///< ranges whose lease expired under this instance (another took over)
    int rangesIncomplete = 0;    ///< ranges handed back with users Redis or Firestore failed for
    int lockWaits = 0;           ///< users retried after another holder's classifier lock expired
    int classifierBackoffs = 0;  ///< cap hits not classified: the user's classifier failed lately (ClassifierBackoff)
    int classifierPaused = 0;    ///< cap hits not classified: the classifier failed too often in a row in this pass
    int spendUsersReviewed = 0;  ///< users with new LLM-spend records whose spend was summed against their caps
    int spendOverCap = 0;        ///< of those, users over their plan's daily or monthly LLM cap
    int spendCaseOpen = 0;       ///< over a cap with an open spend case already: no new case
    int malformedSpend = 0;      ///< LLM-spend documents that did not decode: skipped, each counted once a pass
    int evaluatedElsewhere = 0;  ///< users skipped: evaluated in this check interval already (EvaluationMarkers.h)
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
 *  1. users with speech: an incremental SCAN of both bucket layouts (SpeechUserScan.h), on every master of a cluster;
 *  2. the users split into ranges that the instances share through leases (RangeLeases.h): this instance works the
 *     ranges it can take, waits for those another instance holds (it may die: its lease expires and this one takes
 *     the range over) and skips those done in this check interval; the pass ends when every range is done. In
 *     shadow no lease is taken (shadow writes no key): every range is worked;
 *  3. per user of a range, one at a time, under the user's evaluation marker (EvaluationMarkers.h: a user evaluated
 *     in this check interval already, e.g. promptly after a keyspace notification, is skipped): window totals
 * (RedisUsageStore::readSpeech, one round trip), the state with its exemption and the plan from
 * users/{uid}.subscription (one batchGet), enforcement::evaluate at the pass's time;
 *  4. a cap hit the core sends to the classifier: the classifier lock (SET NX PX), the violation history from the
 *     user's cases, the recent conversations, the classifier, the lock released by compare-and-delete, and evaluate
 *     again with the verdict. A failed classifier run writes nothing and starts no cooldown: it is counted, logged
 *     and retried by the next pass;
 *  5. a decision that changed the state: state + case + `enforce` record in one commit (EnforcerChanges.h), with
 *     the state's version precondition and the case's deterministic id, then DEL fair_use:stage:{uid}. A commit that
 *     finds the case (or the idempotency key) already there, or the state moved, counts as already written;
 *  6. once every range is done, the expiry sweep, under a lease of its own: collection-group queries for throttles and
 * restrictions whose end has passed, each lowered by enforcement::applyExpiry in its own audited commit (users whose
 * state the pass wrote are left alone; nobody while the policy's kill switch is on or enforcement is off, as in
 * evaluation).
 *
 *  7. then the LLM-spend review (enforcement/SpendReview.h), under a lease of its own: the users with spend records
 *     since the last review (a mark in Redis, `fair_use:enforcer:spend_reviewed_until`; a day back the first time),
 *     each summed over the ledger's windows (one query per user) against their plan's caps; a user over a cap without
 *     an open spend case gets one (llm_daily or llm_monthly), with the service's record, in one commit. A record
 *     that does not decode is skipped (logged by its path, counted once): the user's other records and the other
 *     users are reviewed, and the mark moves on.
 *
 * Every decision that did or would do something is handed to the sink as one JSON object (uid, action, stages,
 * trigger, case, score, outcome), and so is every range this instance finished or lost (range, users, outcome). The
 * pass spins the calling thread's event loop while it waits (services/common/ Await.h): it is for the service's own
 * thread, never a GUI's.
 *
 * In shadow, each such decision is also recorded in fair_use_shadow, once per user and check interval
 * (ShadowRecorder.h).
 */
class EnforcerPass {
public:
    using DecisionSink = std::function<void(const QJsonObject&)>;

    EnforcerPass(RedisCommands* redis, RedisUsageStore* usage, std::shared_ptr<FirestoreClient> firestore,
                 FirestoreCaseStore* cases, ClassifierService* classifier, EnforcerOptions options, DecisionSink sink);

    PassReport run();

    /**
     * Evaluates `uids` now, outside the ranges: the prompt evaluation of users a keyspace notification named
     * (PromptEvaluations.h). Each user's evaluation marker is claimed first, so a user evaluated in this check
     * interval already (by a pass or another instance's prompt evaluation) is skipped and counted as evaluated
     * elsewhere; a user whose classifier lock another holder has is left to the next pass. No lease, no expiry
     * sweep. Shadow claims no marker.
     */
    PassReport evaluateUsers(const QStringList& uids);

    /** The users the last run() or evaluateUsers() evaluated, or found evaluated in this check interval already. */
    const QSet<QString>& covered() const { return m_covered; }

private:
    /** Works every range (RangeLeases.h); false when Redis failed and the pass must end. */
    bool workRanges(const QHash<int, QStringList>& users, RangeLeases* leases);
    /** Works one range this instance holds; false when Redis failed. */
    bool workRange(int range, const QStringList& uids, RangeLeases* leases);
    /** Renews the lease of `range` when a third of its time has passed; false when it was lost or Redis failed. */
    bool keepLease(int range, RangeLeases* leases);
    /** Spins the event loop for `ms`. */
    static void pause(std::chrono::milliseconds ms);

    enum class UserOutcome { Done, LockedElsewhere, MarkedElsewhere };
    /** evaluateUser under the user's evaluation marker (none in shadow); MarkedElsewhere when another instance is
     *  evaluating them right now and not `finalTry`. */
    UserOutcome evaluateMarked(const QString& uid, bool finalTry);
    /** `finalTry`: a user whose classifier lock is held elsewhere is reported and left (else: deferred). `read`: the
     *  user's speech when the caller read it already (with the marker's claim); else it is read here. */
    UserOutcome evaluateUser(const QString& uid, bool finalTry, std::optional<SpeechReading> read = std::nullopt);
    /** The markers of the pass's check interval, or none in shadow. */
    void startMarkers();
    /** The classifier's verdict for a cap hit, under the user's lock; nullopt when the pass must move on (then
     *  `lockedElsewhere` says whether another holder had the lock). */
    std::optional<ClassifierResult> classify(const QString& uid, QJsonObject& line, bool finalTry,
                                             bool& lockedElsewhere);
    /** Commits `change` (or reports it, in shadow) and counts the outcome; true when it is in the store now. */
    bool commit(const ChangeSet& change, bool withCase, bool expiry, QJsonObject& line);
    void sweepExpiries();
    /** The LLM-spend review (EnforcerPassSpend.cpp). */
    void reviewSpend();
    /** One user's spend against their caps; false when Redis or Firestore failed (the mark then stays). */
    bool reviewUserSpend(const QString& uid);
    /** The spend records `uid` (everyone's when empty) has in [from, to) that decode; those that do not are logged
     *  and counted once per pass. nullopt when Firestore failed. */
    std::optional<QList<LlmSpendRecord>> readSpend(const QString& uid, TimePoint from, TimePoint to);
    /** Where the last review ended; TimePoint{} when there was none; nullopt when Redis failed. */
    std::optional<TimePoint> spendReviewedUntil();
    /** Takes `lease` (RangeLeases::kSweep, kSpend) and runs `work` under it, then marks it done. */
    void underLease(RangeLeases* leases, int lease, const char* what, void (EnforcerPass::*work)());
    void sweepStage(Stage stage, const QString& untilField);
    void report(QJsonObject line);
    /** Shadow: writes the decision `line` describes to fair_use_shadow (ShadowRecorder.h) and notes it in `line`. */
    void recordShadow(QJsonObject& line);
    bool stopping();

    RedisCommands* m_redis;
    RedisUsageStore* m_usage;
    std::shared_ptr<FirestoreClient> m_firestore;
    FirestoreCaseStore* m_cases;
    ClassifierService* m_classifier;
    EnforcerOptions m_options;
    DecisionSink m_sink;
    PassReport m_report;
    QSet<QString> m_written; ///< users whose state this pass wrote (or would write, in shadow)
    std::optional<EvaluationMarkers> m_markers;
    QSet<QString> m_marked;         ///< users whose marker this pass claimed and has not finished yet
    QSet<QString> m_covered;        ///< covered()
    QSet<QString> m_malformedSpend; ///< spend documents found malformed in this pass, by path
    QElapsedTimer m_sinceRenewal;
    ClassifierBackoff m_backoff;
    int m_failuresInARow = 0;
    int m_backendFailuresInARow = 0; ///< since the lease of the range in work was last taken or renewed
};

} // namespace fairuse::services
