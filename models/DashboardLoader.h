#pragma once

#include "Backend.h"
#include "casework/Dashboard.h"

#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <chrono>

namespace fairuse::models {

class AuditPager;

/**
 * Reads what the team dashboard needs for a period from the case store and computes its figures
 * (casework::computeDashboard) on a worker thread, so the GUI thread never waits for either.
 *
 * What is read: the audit trail of the period, page by page (AuditPager), starting kClaimLookback before it so a
 * claim taken the evening before times a decision made in the period; alongside it, the cases open at some time in
 * the period (CaseStore::listCasesOpenDuring, one query); then the appeals of the users with a `decide_appeal` record
 * (an appeal decided in the period has one). A store that cannot list a period's cases is read as before that query
 * existed: the flagged-user queue, then the cases of every user named in the records or the queue (a few users in
 * flight at once); a user with a case but neither a record in the period nor a place in the queue is then not read.
 *
 * start() begins a new load and drops the answers of the one before; cancel() stops reading and drops its answers.
 * Store failures end the load with failed(), naming the store and what could not be read. Stores that keep no
 * appeals count none.
 */
class DashboardLoader : public QObject {
    Q_OBJECT
public:
    /** How far before the period claims are read, to time decisions made early in it. */
    static constexpr std::chrono::hours kClaimLookback{24};
    /** Users whose cases and appeals are asked for at once: enough to keep the store busy between two answers. */
    static constexpr int kUsersInFlight = 32;
    /** Page size of the audit trail and the queue. */
    static constexpr int kPageSize = 1000;

    explicit DashboardLoader(Backend& backend, QObject* parent = nullptr);

    /** Loads and computes the figures of [from, to) with the given case SLA. */
    void start(TimePoint from, TimePoint to, Milliseconds sla = casework::kDefaultCaseSla);
    /** Whether loads ask the store for the period's cases in one query (the default) or, as stores without that
     *  query are read, user by user (for the benchmark's side-by-side figures). */
    void setPeriodQuery(bool enabled) { m_periodQuery = enabled; }
    /** Stops the load in progress; nothing more is reported for it but cancelled(). */
    void cancel();
    bool isRunning() const { return m_running; }
    /** The last figures computed (empty until the first load finishes). */
    const casework::DashboardFigures& figures() const { return m_figures; }
    /** How many audit records and cases the last figures were computed from. */
    qsizetype auditRecordsRead() const { return m_auditCount; }
    qsizetype casesRead() const { return m_caseCount; }

Q_SIGNALS:
    void runningChanged(bool running);
    /** What is being read; `total` is 0 while unknown. */
    void progress(const QString& step, int done, int total);
    void finished(const fairuse::casework::DashboardFigures& figures);
    void failed(const QString& message);
    void cancelled();

private:
    void readQueuePage(const QString& cursor);
    /** The period's cases in one query; falls back to the queue and the users' cases when the store has none. */
    void readPeriodCases();
    /** Once the audit trail and the queue are both read: reads the users they named. */
    void readUsersWhenListed();
    void readNextUsers();
    void readUser(const QString& uid);
    void compute();
    void fail(const QString& message);
    void setRunning(bool running);

    Backend& m_backend;
    AuditPager* m_pager;
    quint64 m_generation = 0;
    bool m_running = false;
    TimePoint m_from{};
    TimePoint m_to{};
    Milliseconds m_sla{};
    casework::DashboardInput m_input;
    QSet<QString> m_uids;
    QSet<QString> m_appealUids; ///< users with a decide_appeal record
    QStringList m_pendingUsers;
    int m_usersTotal = 0;
    int m_usersDone = 0;
    int m_inFlight = 0;
    bool m_auditDone = false;
    bool m_queueDone = false;
    bool m_periodQuery = true;
    bool m_casesRead = false; ///< the period's cases came in one query: users are read for their appeals only
    casework::DashboardFigures m_figures;
    qsizetype m_auditCount = 0;
    qsizetype m_caseCount = 0;
};

} // namespace fairuse::models
