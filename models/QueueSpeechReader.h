#pragma once

#include "Backend.h"
#include "LazyReadQueue.h"
#include "common/Stores.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <algorithm>
#include <cstddef>
#include <optional>

namespace fairuse::models {

/**
 * Reads the speech totals of queue rows the store delivered without them (Firestore), from the UsageStore, one user
 * at a time: requests are queued (most recent first, bounded), at most limit() reads are in flight, and results are
 * cached per user id until reset(). A request never reads at once: the reads start once control is back in the event
 * loop, so a view can ask from inside its paint.
 */
class QueueSpeechReader : public QObject {
    Q_OBJECT
public:
    explicit QueueSpeechReader(Backend& backend, QObject* parent = nullptr);

    /** Queues a read of `uid`'s totals (nothing when there is no usage store or the user is queued or failed). */
    void request(const QString& uid);
    /** Whether `row` still needs a read: no totals, not failed, and a usage store to ask. */
    bool needs(const services::QueueRow& row) const;
    bool hasFailed(const QString& uid) const { return m_reads.failed.contains(uid); }
    /** Totals read since the last reset(). */
    std::optional<SpeechTotals> cached(const QString& uid) const;
    /** Drops the cache, the queue and the failures; answers still in flight are ignored. */
    void reset();

    void setLimit(int reads) { m_reads.limit = std::max(1, reads); }
    int limit() const { return m_reads.limit; }
    int inFlight() const { return m_reads.inFlight; }
    std::size_t queued() const { return m_reads.queue.size(); }

Q_SIGNALS:
    /** `uid`'s totals were read (and cached). */
    void speechRead(const QString& uid, const fairuse::SpeechTotals& totals);
    /** A read finished, read or failed: there is room for another. */
    void readSettled();

private:
    void pump();

    Backend& m_backend;
    LazyReadQueue m_reads;
    QHash<QString, SpeechTotals> m_cache;
};

} // namespace fairuse::models
