#pragma once

#include "Backend.h"
#include "LazyReadQueue.h"
#include "common/Domain.h"
#include "common/Stores.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <algorithm>
#include <cstddef>
#include <optional>

namespace fairuse::models {

/** What a details read found for one user. */
struct QueueRowDetails {
    int openCases = 0;
    std::optional<TimePoint> oldestOpenCaseAt;
    QString lastAction;
};

/**
 * Reads the details of queue rows the store delivered with QueueRow::detailsKnown false (Firestore, where they cost
 * two queries per row): per user one CaseStore::listEvents and one CaseStore::listAudit of limit 1 (the newest
 * record), run at once, give the open cases, the oldest open case and the last action. Queued like the speech reads
 * (most recent first, bounded), at most limit() users at once (default 3: each is two store calls, and a Firestore
 * client runs six requests at a time over HTTP/1.1, which the page requests share), cached per user id until reset().
 */
class QueueDetailsReader : public QObject {
    Q_OBJECT
public:
    explicit QueueDetailsReader(Backend& backend, QObject* parent = nullptr);

    /** Queues a read of `uid`'s details (nothing when there is no case store or the user is queued or failed). */
    void request(const QString& uid);
    /** Whether `row` still needs a read: details unknown, not failed, and a case store to ask. */
    bool needs(const services::QueueRow& row) const;
    bool hasFailed(const QString& uid) const { return m_reads.failed.contains(uid); }
    /** Details read since the last reset(). */
    std::optional<QueueRowDetails> cached(const QString& uid) const;
    /** Drops the cache, the queue and the failures; answers still in flight are ignored. */
    void reset();

    void setLimit(int users) { m_reads.limit = std::max(1, users); }
    int limit() const { return m_reads.limit; }
    int inFlight() const { return m_reads.inFlight; }
    std::size_t queued() const { return m_reads.queue.size(); }

Q_SIGNALS:
    /** `uid`'s details were read (and cached). */
    void detailsRead(const QString& uid, const fairuse::models::QueueRowDetails& details);
    /** `uid`'s details could not be read; not asked again until reset(). */
    void readFailed(const QString& uid);
    /** A read finished, read or failed: there is room for another. */
    void readSettled();

private:
    void pump();
    void answered(const QString& uid, const Result<QList<FairUseEvent>>& events,
                  const Result<QList<AuditRecord>>& audit);

    Backend& m_backend;
    LazyReadQueue m_reads;
    QHash<QString, QueueRowDetails> m_cache;
};

} // namespace fairuse::models
