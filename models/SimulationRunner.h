#pragma once

#include "Backend.h"
#include "enforcement/Policy.h"
#include "enforcement/PolicySimulation.h"

#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <deque>
#include <memory>

namespace fairuse::models {

/**
 * Runs the policy simulator (core/enforcement/PolicySimulation.h) over the store's users, off the GUI thread.
 *
 * Which users: the flagged-user queue (CaseStore::fetchQueuePage, every stage above none), read in pages. Users the
 * classifier never judged cannot be escalated by any policy in the simulation (no verdict, no violation), so they
 * would only add to the chart; they are not read.
 *
 * Reads are bounded: one queue page of `pageSize` users at a time, and for each user its cases (verdicts) and its
 * speech minutes of the period (UsageStore::readMinutes), at most `concurrentUsers` users in flight. A page whose
 * users are all read is replayed on the global thread pool (QtConcurrent) while nothing else is read; then the next
 * page is fetched. The plan is the one in force at `now` from the queue row's subscription (basic without one).
 *
 * cancel() stops at once: answers and replays still in flight are dropped, the replay in progress stops at its next
 * user, and cancelled() is emitted. Nothing is emitted after it for that run.
 */
class SimulationRunner : public QObject {
    Q_OBJECT
public:
    struct Options {
        int days = 7;
        int pageSize = 200;
        int concurrentUsers = 8;
    };

    explicit SimulationRunner(Backend& backend, QObject* parent = nullptr);
    ~SimulationRunner() override;

    void setOptions(const Options& options) { m_options = options; }
    const Options& options() const { return m_options; }

    /** Starts a run of `current` against `edited` (a run in progress is cancelled first, silently). */
    void start(const enforcement::Policy& current, const enforcement::Policy& edited);
    /** Stops the run in progress; emits cancelled() when one was running. */
    void cancel();
    bool isRunning() const { return m_running; }

    /** What the run in progress has replayed so far, or the finished run's whole result. */
    const enforcement::SimulationComparison& result() const { return m_result; }
    /** The period of the last run. */
    enforcement::SimulationPeriod period() const { return m_period; }

    /** One user as the simulator needs it, from its queue row, cases and speech minutes. */
    static enforcement::SimulationUser toSimulationUser(const services::QueueRow& row,
                                                        const QList<FairUseEvent>& events,
                                                        const QList<services::MinuteSample>& minutes, TimePoint now);

Q_SIGNALS:
    /** `replayed` users are done out of `found` found so far; `more` while the queue has further pages. */
    void progress(int replayed, int found, bool more);
    void finished();
    void cancelled();
    void failed(const QString& message);

private:
    struct PendingUser;
    void fetchPage();
    void readMore();
    void userRead(const std::shared_ptr<PendingUser>& user);
    void replayPage();
    void fail(const QString& message);

    Backend& m_backend;
    Options m_options;
    bool m_running = false;
    quint64 m_run = 0; ///< answers of an older run are dropped
    std::shared_ptr<std::atomic<bool>> m_cancel;
    enforcement::Policy m_current;
    enforcement::Policy m_edited;
    enforcement::SimulationPeriod m_period;
    enforcement::SimulationComparison m_result;
    QString m_cursor;
    bool m_more = false;
    std::deque<services::QueueRow> m_toRead;
    int m_inFlight = 0;
    QList<enforcement::SimulationUser> m_page;
    int m_found = 0;
};

} // namespace fairuse::models
