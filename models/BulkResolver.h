#pragma once

#include "Backend.h"
#include "common/Domain.h"
#include "common/Stores.h"
#include "enforcement/Policy.h"

#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace fairuse::models {

/** What happened to one case of a bulk resolve. */
enum class BulkStatus {
    Pending,        ///< not started yet
    Done,           ///< resolved now
    Conflict,       ///< someone changed the case or the user after it was loaded; nothing written
    Failed,         ///< refused (role, invalid) or the store failed; the message says why
    AlreadyApplied, ///< this bulk run had already resolved it (the store reported alreadyApplied)
    Skipped,        ///< nothing to do (resolved by someone else before)
    Cancelled,      ///< not started because the run was cancelled
};

/** One case of the run and its result. */
struct BulkItem {
    QString uid;
    FairUseEvent event; ///< as loaded (the version the resolve is conditioned on)
    /** Resolved before this run was loaded by the same reviewer with the same outcome: possibly by an earlier
     *  attempt of this very run, which the store's idempotency record decides. */
    bool probeOnly = false;
    BulkStatus status = BulkStatus::Pending;
    QString message;
};

/**
 * Resolves the open cases of several users with one outcome and note (SPEC 3, bulk resolve).
 *
 * load() reads each user's state and cases once; start() then builds one ReviewerActions::buildResolve ChangeSet
 * per case, conditioned on the versions that were loaded, and sends them in batches through CaseStore::applyBatch
 * (a few atomic commits per batch instead of one request per case), so a case someone changed in the meantime is
 * reported as a conflict and not overwritten while the others are applied. Cases of different users share a batch;
 * cases of one user go in order, in the same batch as long as the ones before leave the user's state alone, else in
 * the next batch, conditioned on the state the store reported. One batch is in flight at a time; itemFinished()
 * reports each case when its batch answers, and cancel() takes effect between batches.
 *
 * The backend caches each user's stage in Redis for a minute (fair_use:stage:{uid}); after each batch the cached
 * stage of every user whose state the batch changed is deleted through the usage store, as single actions do, and
 * finished() waits for those deletions. One that fails is reported in stageCacheErrors() (the entry expires anyway).
 *
 * Idempotency: every ChangeSet's key is runId() + ":" + event id, and runId() is derived from the selection, the
 * outcome and the note only. Running the same bulk resolve again after a failure or a crash therefore sends the
 * same keys, and the store answers alreadyApplied for the cases already done instead of applying them twice.
 */
class BulkResolver : public QObject {
    Q_OBJECT
public:
    BulkResolver(Backend& backend, enforcement::Policy policy, QStringList uids, QObject* parent = nullptr);

    /** "bulk-" + 16 hex digits of SHA-256 over the sorted unique uids, the outcome and the note. */
    static QString runId(QStringList uids, Outcome outcome, const QString& note);
    /** The run id of the last start(); empty before. */
    QString runId() const { return m_runId; }

    /** Reads the users' states and cases (the versions the resolves are conditioned on); emits loaded() with the
     *  number of open cases, after loadFailed() for users that could not be read. */
    void load();
    int openCaseCount() const;
    /** Resolves the loaded open cases with `outcome`, the policy's `reasonCode` and `note`; emits itemFinished() per
     *  case and finished(). The run id covers the code and the note. */
    void start(Outcome outcome, const QString& reasonCode, const QString& note);
    /** Starts no new batch; the cases of the batch in flight finish and are reported, the rest become Cancelled. */
    void cancel();

    const QList<BulkItem>& items() const { return m_items; }
    bool isRunning() const { return m_running; }
    bool isCancelled() const { return m_cancelled; }
    /** Cases per CaseStore::applyBatch call (the store splits a batch into commits as it needs). */
    int batchSize() const { return m_batchSize; }
    void setBatchSize(int n) { m_batchSize = qMax(1, n); }
    /** applyBatch calls of the last start(). */
    int batchCount() const { return m_batches; }
    static constexpr int kDefaultBatchSize = 100;
    /** Cases finished (any status but Pending). */
    int finishedCount() const;
    /** Users whose cached stage could not be deleted in the last start(), with the reason. */
    const QStringList& stageCacheErrors() const { return m_stageCacheErrors; }

    static QString statusLabel(BulkStatus s);

Q_SIGNALS:
    void loaded(int cases, int users);
    void loadFailed(const QString& message);
    void itemFinished(int index);
    void finished();

private:
    struct UserJob {
        QString uid;
        FairUseState state;
        bool hasState = false;
        QList<FairUseEvent> events; ///< as loaded, oldest first
        QList<int> items;           ///< indexes into m_items, in order
        int next = 0;
        /** The escalation and snooze the user's first resolve of this run ends (casework::closeOnDecision). */
        std::optional<Casework> casework{};
    };
    void loadUser(int job);
    void userLoaded();
    /** A case sent in the batch in flight. */
    struct Sent {
        int job = 0;
        int item = 0;
        bool probe = false;
        std::optional<FairUseState> newState;
    };
    void pump();
    bool hasWorkLeft() const;
    void buildBatch(QList<Sent>* sent, QList<ChangeSet>* changes);
    void sendBatch(QList<Sent> sent, QList<ChangeSet> changes);
    void finishItem(int index, BulkStatus status, const QString& message);
    void dropStageCaches(const QStringList& uids);
    void finishRun();

    Backend& m_backend;
    enforcement::Policy m_policy;
    QStringList m_uids;
    Outcome m_outcome = Outcome::NoAction;
    QString m_reasonCode;
    QString m_note;
    QString m_runId;
    QList<UserJob> m_jobs;
    QList<BulkItem> m_items;
    int m_pendingLoads = 0;
    QStringList m_loadErrors;
    bool m_inFlight = false;
    int m_batchSize = kDefaultBatchSize;
    int m_batches = 0;
    bool m_running = false;
    bool m_cancelled = false;
    int m_pendingCacheDrops = 0;
    bool m_finishAfterCacheDrops = false;
    QStringList m_stageCacheErrors;
};

/** The backend's clock, or the system clock when the backend has none. */
TimePoint backendNow(const Backend& backend);

} // namespace fairuse::models
