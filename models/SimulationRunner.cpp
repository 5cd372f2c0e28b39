#include "SimulationRunner.h"

#include "FutureWatch.h"
#include "common/Subscription.h"

#include <QtConcurrent/QtConcurrentRun>

namespace fairuse::models {

using enforcement::SimulationComparison;
using enforcement::SimulationUser;

/** A user whose cases and speech are being read; replayed once both have arrived. */
struct SimulationRunner::PendingUser {
    services::QueueRow row;
    std::optional<QList<FairUseEvent>> events;
    std::optional<QList<services::MinuteSample>> minutes;
};

SimulationRunner::SimulationRunner(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {}

SimulationRunner::~SimulationRunner() {
    if (m_cancel) {
        m_cancel->store(true);
    }
}

SimulationUser SimulationRunner::toSimulationUser(const services::QueueRow& row, const QList<FairUseEvent>& events,
                                                  const QList<services::MinuteSample>& minutes, TimePoint now) {
    SimulationUser u;
    u.uid = row.state.uid;
    u.plan = effectivePlan(row.state.subscription, now);
    u.minutes.reserve(minutes.size());
    for (const services::MinuteSample& m : minutes) {
        u.minutes.append({m.unixMinute, m.speechMs});
    }
    for (const FairUseEvent& e : events) {
        // The backend's synthetic free-credit cases carry no classifier verdict about the speech.
        if (e.classifier && !e.freeCreditsExhausted) {
            u.verdicts.append({e.createdAt, e.classifier->misuseScore, e.classifier->usageType});
        }
    }
    if (row.state.lastClassifierScore) {
        const TimePoint at = row.state.lastClassifierAt.value_or(row.state.updatedAt.value_or(now));
        u.lastKnown = enforcement::RecordedVerdict{at, *row.state.lastClassifierScore,
                                                   row.state.lastClassifierType.value_or(UsageType::Unknown)};
    }
    return u;
}

void SimulationRunner::start(const enforcement::Policy& current, const enforcement::Policy& edited) {
    if (m_cancel) {
        m_cancel->store(true);
    }
    ++m_run;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_running = true;
    m_current = current;
    m_edited = edited;
    m_period = enforcement::SimulationPeriod{m_backend.now(), m_options.days};
    m_result = {};
    m_cursor.clear();
    m_more = true;
    m_toRead.clear();
    m_inFlight = 0;
    m_page.clear();
    m_found = 0;
    Q_EMIT progress(0, 0, true);
    fetchPage();
}

void SimulationRunner::cancel() {
    if (!m_running) {
        return;
    }
    m_cancel->store(true);
    ++m_run;
    m_running = false;
    m_toRead.clear();
    m_page.clear();
    Q_EMIT cancelled();
}

void SimulationRunner::fail(const QString& message) {
    m_cancel->store(true);
    ++m_run;
    m_running = false;
    Q_EMIT failed(message);
}

void SimulationRunner::fetchPage() {
    const quint64 run = m_run;
    whenFinished(this, m_backend.cases->fetchQueuePage(services::QueueFilter{}, m_cursor, m_options.pageSize),
                 [this, run](const Result<services::QueuePage>& page) {
                     if (run != m_run) {
                         return;
                     }
                     if (!page) {
                         fail(tr("Could not read the queue: %1").arg(page.error().message));
                         return;
                     }
                     m_cursor = page->nextCursor;
                     m_more = !m_cursor.isEmpty();
                     m_found += static_cast<int>(page->rows.size());
                     for (const services::QueueRow& row : page->rows) {
                         m_toRead.push_back(row);
                     }
                     Q_EMIT progress(m_result.current.users, m_found, m_more);
                     if (m_toRead.empty()) {
                         replayPage();
                         return;
                     }
                     readMore();
                 });
}

void SimulationRunner::readMore() {
    const quint64 run = m_run;
    const TimePoint from = m_period.from();
    const TimePoint now = m_period.now;
    while (m_inFlight < m_options.concurrentUsers && !m_toRead.empty()) {
        auto user = std::make_shared<PendingUser>();
        user->row = std::move(m_toRead.front());
        m_toRead.pop_front();
        ++m_inFlight;
        const QString uid = user->row.state.uid;
        whenFinished(
            this, m_backend.cases->listEvents(uid), [this, run, user](const Result<QList<FairUseEvent>>& events) {
                if (run != m_run) {
                    return;
                }
                if (!events) {
                    fail(tr("Could not read the cases of %1: %2").arg(user->row.state.uid, events.error().message));
                    return;
                }
                user->events = *events;
                userRead(user);
            });
        whenFinished(
            this, m_backend.usage->readMinutes(uid, from, now),
            [this, run, user](const Result<QList<services::MinuteSample>>& minutes) {
                if (run != m_run) {
                    return;
                }
                if (!minutes) {
                    fail(tr("Could not read the speech of %1: %2").arg(user->row.state.uid, minutes.error().message));
                    return;
                }
                user->minutes = *minutes;
                userRead(user);
            });
    }
}

void SimulationRunner::userRead(const std::shared_ptr<PendingUser>& user) {
    if (!user->events || !user->minutes) {
        return;
    }
    --m_inFlight;
    m_page.append(toSimulationUser(user->row, *user->events, *user->minutes, m_period.now));
    if (!m_toRead.empty()) {
        readMore();
    } else if (m_inFlight == 0) {
        replayPage();
    }
}

void SimulationRunner::replayPage() {
    const quint64 run = m_run;
    QList<SimulationUser> users = std::move(m_page);
    m_page.clear();
    auto job = QtConcurrent::run(
        [users = std::move(users), current = m_current, edited = m_edited, period = m_period, cancel = m_cancel] {
            return enforcement::compare(current, edited, users, period, cancel.get());
        });
    whenFinished(this, job, [this, run](const SimulationComparison& part) {
        if (run != m_run) {
            return;
        }
        m_result += part;
        Q_EMIT progress(m_result.current.users, m_found, m_more);
        if (m_more) {
            fetchPage();
            return;
        }
        m_running = false;
        Q_EMIT finished();
    });
}

} // namespace fairuse::models
