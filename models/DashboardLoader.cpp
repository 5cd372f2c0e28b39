#include "DashboardLoader.h"

#include "AuditPager.h"
#include "FutureWatch.h"

#include <QtConcurrent/QtConcurrentRun>

#include <memory>

namespace fairuse::models {

DashboardLoader::DashboardLoader(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
    , m_pager(new AuditPager(backend, this)) {
    connect(m_pager, &AuditPager::pageRead, this, [this](const QList<AuditRecord>& newestFirst, bool) {
        if (!m_running) {
            return;
        }
        m_input.audit.append(newestFirst);
        for (const AuditRecord& r : newestFirst) {
            if (!r.uid.isEmpty()) {
                m_uids.insert(r.uid);
                if (r.action == AuditAction::DecideAppeal) {
                    m_appealUids.insert(r.uid);
                }
            }
        }
        Q_EMIT progress(tr("Reading the audit trail (%n record(s))", nullptr, static_cast<int>(m_input.audit.size())),
                        0, 0);
    });
    connect(m_pager, &AuditPager::pageFailed, this, [this](const QString& message) {
        if (m_running) {
            fail(tr("Could not read the audit trail from %1: %2").arg(m_backend.cases->describe(), message));
        }
    });
    // The next page is asked for once the pager has settled on this one (it refuses while loading).
    connect(m_pager, &AuditPager::loadingChanged, this, [this](bool loading) {
        if (loading || !m_running || m_pager->hasFailed() || m_auditDone) {
            return;
        }
        if (m_pager->hasMore()) {
            m_pager->fetchNext();
        } else {
            m_auditDone = true;
            readUsersWhenListed();
        }
    });
}

void DashboardLoader::start(TimePoint from, TimePoint to, Milliseconds sla) {
    ++m_generation;
    m_from = from;
    m_to = to;
    m_sla = sla;
    m_input = {};
    m_uids.clear();
    m_appealUids.clear();
    m_pendingUsers.clear();
    m_usersTotal = 0;
    m_usersDone = 0;
    m_inFlight = 0;
    m_auditDone = false;
    m_queueDone = false;
    m_casesRead = false;
    if (!m_backend.cases) {
        fail(tr("Not connected to a case store."));
        return;
    }
    setRunning(true);
    services::AuditFilter filter;
    filter.from = from - kClaimLookback;
    filter.to = to;
    Q_EMIT progress(tr("Reading the audit trail…"), 0, 0);
    // The cases (or the queue) are read alongside the audit trail: neither depends on the other, and the store's
    // answers overlap.
    m_pager->start(filter, kPageSize, false);
    if (m_periodQuery) {
        readPeriodCases();
    } else {
        readQueuePage({});
    }
}

void DashboardLoader::readPeriodCases() {
    const quint64 generation = m_generation;
    whenFinished(this, m_backend.cases->listCasesOpenDuring(m_from, m_to),
                 [this, generation](const Result<QList<FairUseEvent>>& r) {
                     if (generation != m_generation) {
                         return;
                     }
                     if (!r && r.error().kind == ErrorKind::Unavailable) {
                         readQueuePage({}); // a store without the query: user by user
                         return;
                     }
                     if (!r) {
                         fail(tr("Could not read the cases of the period from %1: %2")
                                  .arg(m_backend.cases->describe(), r.error().message));
                         return;
                     }
                     m_input.cases = r.value();
                     m_casesRead = true;
                     m_queueDone = true;
                     readUsersWhenListed();
                 });
}

void DashboardLoader::cancel() {
    if (!m_running) {
        return;
    }
    ++m_generation;
    m_pendingUsers.clear();
    m_input = {};
    setRunning(false);
    Q_EMIT cancelled();
}

void DashboardLoader::readQueuePage(const QString& cursor) {
    const quint64 generation = m_generation;
    whenFinished(
        this, m_backend.cases->fetchQueuePage(services::QueueFilter{}, cursor, kPageSize),
        [this, generation](const Result<services::QueuePage>& r) {
            if (generation != m_generation) {
                return;
            }
            if (!r) {
                fail(tr("Could not read the queue from %1: %2").arg(m_backend.cases->describe(), r.error().message));
                return;
            }
            for (const services::QueueRow& row : r->rows) {
                m_uids.insert(row.state.uid);
            }
            if (!r->nextCursor.isEmpty()) {
                readQueuePage(r->nextCursor);
                return;
            }
            m_queueDone = true;
            readUsersWhenListed();
        });
}

void DashboardLoader::readUsersWhenListed() {
    if (!m_auditDone || !m_queueDone) {
        return;
    }
    // With the period's cases read, only the users whose appeals were decided are left to read.
    m_pendingUsers = m_casesRead ? m_appealUids.values() : m_uids.values();
    m_pendingUsers.sort(); // a stable order makes progress and failures reproducible
    m_usersTotal = static_cast<int>(m_pendingUsers.size());
    if (m_usersTotal == 0) {
        compute();
        return;
    }
    readNextUsers();
}

void DashboardLoader::readNextUsers() {
    while (m_inFlight < kUsersInFlight && !m_pendingUsers.isEmpty()) {
        readUser(m_pendingUsers.takeFirst());
    }
}

void DashboardLoader::readUser(const QString& uid) {
    const quint64 generation = m_generation;
    ++m_inFlight;
    // The user is done when every answer asked for is in: cases, and appeals when the user had one decided.
    const bool appeals = m_appealUids.contains(uid);
    const bool cases = !m_casesRead;
    auto remaining = std::make_shared<int>((appeals ? 1 : 0) + (cases ? 1 : 0));
    auto settle = [this, generation, remaining] {
        if (generation != m_generation || --*remaining > 0) {
            return;
        }
        --m_inFlight;
        ++m_usersDone;
        Q_EMIT progress(tr("Reading cases and appeals"), m_usersDone, m_usersTotal);
        if (m_usersDone == m_usersTotal) {
            compute();
        } else {
            readNextUsers();
        }
    };
    if (cases) {
        whenFinished(this, m_backend.cases->listEvents(uid),
                     [this, generation, uid, settle](const Result<QList<FairUseEvent>>& r) {
                         if (generation != m_generation) {
                             return;
                         }
                         if (!r) {
                             fail(tr("Could not read the cases of %1 from %2: %3")
                                      .arg(uid, m_backend.cases->describe(), r.error().message));
                             return;
                         }
                         m_input.cases.append(r.value());
                         settle();
                     });
    }
    if (!appeals) {
        return;
    }
    whenFinished(this, m_backend.cases->listAppeals(uid),
                 [this, generation, uid, settle](const Result<QList<Appeal>>& r) {
                     if (generation != m_generation) {
                         return;
                     }
                     if (!r && r.error().kind != ErrorKind::Unavailable) {
                         fail(tr("Could not read the appeals of %1 from %2: %3")
                                  .arg(uid, m_backend.cases->describe(), r.error().message));
                         return;
                     }
                     if (r) {
                         m_input.appeals.append(r.value());
                     }
                     settle();
                 });
}

void DashboardLoader::compute() {
    const quint64 generation = m_generation;
    Q_EMIT progress(tr("Computing…"), 0, 0);
    const qsizetype audit = m_input.audit.size();
    const qsizetype cases = m_input.cases.size();
    QFuture<casework::DashboardFigures> job =
        QtConcurrent::run([input = std::move(m_input), from = m_from, to = m_to, sla = m_sla] {
            return casework::computeDashboard(input, from, to, sla);
        });
    m_input = {};
    whenFinished(this, job, [this, generation, audit, cases](const casework::DashboardFigures& figures) {
        if (generation != m_generation) {
            return;
        }
        m_figures = figures;
        m_auditCount = audit;
        m_caseCount = cases;
        setRunning(false);
        Q_EMIT finished(m_figures);
    });
}

void DashboardLoader::fail(const QString& message) {
    ++m_generation;
    m_pendingUsers.clear();
    m_input = {};
    setRunning(false);
    Q_EMIT failed(message);
}

void DashboardLoader::setRunning(bool running) {
    if (m_running != running) {
        m_running = running;
        Q_EMIT runningChanged(running);
    }
}

} // namespace fairuse::models
