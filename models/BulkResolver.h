#pragma once

#include "Backend.h"
#include "common/Domain.h"
#include "common/Stores.h"
#include "enforcement/Policy.h"

#include <QList>
#include <QObject>
#include <QString>

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
 * load() reads each user's state and cases once; start() then applies one ReviewerActions::buildResolve ChangeSet
 * per case through CaseStore::apply, conditioned on the versions that were loaded, so a case someone changed in the
 * meantime is reported as a conflict and not overwritten. Cases of one user go one after the other (each resolve
 * may change the user's state, and the next one must be conditioned on that); at most maxInFlight() users are
 * worked on at once.
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
    /** Resolves the loaded open cases with `outcome` and `note`; emits itemFinished() per case and finished(). */
    void start(Outcome outcome, const QString& note);
    /** Starts nothing new; cases in flight finish and are reported, the rest become Cancelled. */
    void cancel();

    const QList<BulkItem>& items() const { return m_items; }
    bool isRunning() const { return m_running; }
    bool isCancelled() const { return m_cancelled; }
    int maxInFlight() const { return m_maxInFlight; }
    void setMaxInFlight(int n) { m_maxInFlight = qMax(1, n); }
    /** Cases finished (any status but Pending). */
    int finishedCount() const;

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
    };
    void loadUser(int job);
    void userLoaded();
    void pump();
    void runNext(int job);
    void finishItem(int index, BulkStatus status, const QString& message);

    Backend& m_backend;
    enforcement::Policy m_policy;
    QStringList m_uids;
    Outcome m_outcome = Outcome::NoAction;
    QString m_note;
    QString m_runId;
    QList<UserJob> m_jobs;
    QList<BulkItem> m_items;
    int m_pendingLoads = 0;
    QStringList m_loadErrors;
    int m_nextJob = 0;
    int m_inFlight = 0;
    int m_maxInFlight = 3;
    bool m_running = false;
    bool m_cancelled = false;
};

/** The backend's clock, or the system clock when the backend has none. */
TimePoint backendNow(const Backend& backend);

} // namespace fairuse::models
