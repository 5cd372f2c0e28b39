#include "QueueDetailsReader.h"

#include "FutureWatch.h"

#include <memory>

namespace fairuse::models {

namespace {

/** Users whose details are read at once by default. */
constexpr int kDefaultDetailsReadLimit = 3;

} // namespace

QueueDetailsReader::QueueDetailsReader(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {
    m_reads.limit = kDefaultDetailsReadLimit;
}

void QueueDetailsReader::request(const QString& uid) {
    if (m_backend.cases && m_reads.enqueue(uid)) {
        // Never from inside data(): a view is painting. Start the reads once control is back in the event loop.
        QMetaObject::invokeMethod(this, &QueueDetailsReader::pump, Qt::QueuedConnection);
    }
}

bool QueueDetailsReader::needs(const services::QueueRow& row) const {
    return m_backend.cases && !row.detailsKnown && !m_reads.failed.contains(row.state.uid);
}

std::optional<QueueRowDetails> QueueDetailsReader::cached(const QString& uid) const {
    const auto it = m_cache.constFind(uid);
    return it == m_cache.cend() ? std::nullopt : std::optional<QueueRowDetails>(*it);
}

void QueueDetailsReader::reset() {
    m_cache.clear();
    m_reads.reset();
}

void QueueDetailsReader::pump() {
    m_reads.pumpScheduled = false;
    if (!m_backend.cases) {
        return;
    }
    while (m_reads.inFlight < m_reads.limit && !m_reads.queue.empty()) {
        const QString uid = m_reads.queue.back();
        m_reads.queue.pop_back();
        ++m_reads.inFlight;
        // Both reads run at once; the second answer completes the row.
        struct Pending {
            std::optional<Result<QList<FairUseEvent>>> events;
            std::optional<Result<QList<AuditRecord>>> audit;
        };
        auto pending = std::make_shared<Pending>();
        const quint64 epoch = m_reads.epoch;
        auto bothAnswered = [this, uid, epoch, pending] {
            if (!pending->events || !pending->audit) {
                return;
            }
            --m_reads.inFlight;
            if (epoch == m_reads.epoch) {
                answered(uid, *pending->events, *pending->audit);
            }
            Q_EMIT readSettled();
            if (!m_reads.queue.empty() && !m_reads.pumpScheduled) {
                m_reads.pumpScheduled = true;
                QMetaObject::invokeMethod(this, &QueueDetailsReader::pump, Qt::QueuedConnection);
            }
        };
        services::AuditFilter audit;
        audit.uid = uid;
        audit.limit = 1; // the user's newest record only: one query, newest first, one document
        whenFinished(this, m_backend.cases->listEvents(uid),
                     [pending, bothAnswered](const Result<QList<FairUseEvent>>& events) {
                         pending->events = events;
                         bothAnswered();
                     });
        whenFinished(this, m_backend.cases->listAudit(audit),
                     [pending, bothAnswered](const Result<QList<AuditRecord>>& records) {
                         pending->audit = records;
                         bothAnswered();
                     });
    }
}

void QueueDetailsReader::answered(const QString& uid, const Result<QList<FairUseEvent>>& events,
                                  const Result<QList<AuditRecord>>& audit) {
    m_reads.wanted.remove(uid);
    if (!events.ok() || !audit.ok()) {
        m_reads.failed.insert(uid); // shown as "?"; reset() tries again
        Q_EMIT readFailed(uid);
        return;
    }
    QueueRowDetails d;
    for (const FairUseEvent& e : *events) {
        if (!e.resolved) {
            ++d.openCases;
            if (!d.oldestOpenCaseAt || e.createdAt < *d.oldestOpenCaseAt) {
                d.oldestOpenCaseAt = e.createdAt;
            }
        }
    }
    if (!audit->isEmpty()) {
        d.lastAction = toString(audit->last().action);
    }
    m_cache.insert(uid, d);
    Q_EMIT detailsRead(uid, d);
}

} // namespace fairuse::models
