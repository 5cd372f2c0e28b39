#include "QueueDetailsReader.h"

#include "FutureWatch.h"

#include <memory>

namespace fairuse::models {

namespace {

/** Users whose details are read at once by default. */
constexpr int kDefaultDetailsReadLimit = 3;

QueueRowDetails detailsOf(const QList<FairUseEvent>& events, const QList<AuditRecord>& newestRecord) {
    QueueRowDetails d;
    for (const FairUseEvent& e : events) {
        if (!e.resolved) {
            ++d.openCases;
            if (!d.oldestOpenCaseAt || e.createdAt < *d.oldestOpenCaseAt) {
                d.oldestOpenCaseAt = e.createdAt;
            }
        }
    }
    if (!newestRecord.isEmpty()) {
        d.lastAction = toString(newestRecord.last().action);
    }
    return d;
}

} // namespace

QueueDetailsReader::QueueDetailsReader(Backend& backend, QObject* parent)
    : CachingLazyReader(kDefaultDetailsReadLimit, parent)
    , m_backend(backend) {}

void QueueDetailsReader::read(const QString& uid, quint64 epoch) {
    // Both reads run at once; the second answer completes the row.
    struct Pending {
        std::optional<Result<QList<FairUseEvent>>> events;
        std::optional<Result<QList<AuditRecord>>> audit;
    };
    auto pending = std::make_shared<Pending>();
    auto bothAnswered = [this, uid, epoch, pending] {
        if (!pending->events || !pending->audit) {
            return;
        }
        const auto& events = *pending->events;
        const auto& audit = *pending->audit;
        // A failed user is shown as "?"; reset() tries again.
        settle(uid, epoch, events.ok() && audit.ok(), [&] {
            const QueueRowDetails d = detailsOf(*events, *audit);
            m_cache.insert(uid, d);
            Q_EMIT detailsRead(uid, d);
        });
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

} // namespace fairuse::models
