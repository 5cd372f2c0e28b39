#pragma once

#include "common/Stores.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>

namespace fairuse::models {

/**
 * Per-user reads of what queue rows arrive without, started by painting. A request never reads at once: the reads start
 * once control is back in the event loop, so a view can ask from inside its paint. Requests are queued and read newest
 * first (the rows painted last are the ones on screen now), bounded (requests beyond the bound are dropped oldest
 * first: they were for rows that scrolled out of view long ago), at most limit() at once. A user whose read failed is
 * not asked again until reset(). Subclasses say whether there is anything to read from and how one user is read.
 */
class LazyReader : public QObject {
    Q_OBJECT
public:
    /** Queues a read of `uid` (nothing when there is nothing to read from, or the user is queued or failed). */
    void request(const QString& uid);
    bool hasFailed(const QString& uid) const { return m_failed.contains(uid); }
    /** Whether `row` still needs a read: the store did not deliver it with the row, it has not failed, and there is a
     *  store to ask. */
    bool needs(const services::QueueRow& row) const {
        return canRead() && !delivered(row) && !hasFailed(row.state.uid);
    }

    void setLimit(int reads) { m_limit = std::max(1, reads); }
    int limit() const { return m_limit; }
    int inFlight() const { return m_inFlight; }
    std::size_t queued() const { return m_queue.size(); }

Q_SIGNALS:
    /** `uid` could not be read; not asked again until reset(). */
    void readFailed(const QString& uid);
    /** A read finished, read or failed: there is room for another. */
    void readSettled();

protected:
    LazyReader(int limit, QObject* parent);

    /** Whether there is a store to read from. */
    virtual bool canRead() const = 0;
    /** Whether the store delivered what this reader reads with the row itself. */
    virtual bool delivered(const services::QueueRow& row) const = 0;
    /** Starts reading `uid`; its answer goes to settle() with `epoch`. */
    virtual void read(const QString& uid, quint64 epoch) = 0;
    /** Ends the read of `uid` started in `epoch`. Unless a reset() came in between, `uid` is no longer queued, and
     *  `deliver` runs when `ok`, else the user is failed. Then the next reads start. */
    void settle(const QString& uid, quint64 epoch, bool ok, const std::function<void()>& deliver);
    /** Forgets queued users and failures; answers still in flight count against inFlight() but are dropped. */
    void resetReads();

private:
    void pump();
    void schedulePump();

    QSet<QString> m_wanted;       ///< queued or in flight
    std::deque<QString> m_queue;  ///< newest request at the back
    QSet<QString> m_failed;       ///< not retried until reset()
    bool m_pumpScheduled = false; ///< a pump is queued on the event loop
    quint64 m_epoch = 0;          ///< answers of an older epoch (before a reset) are dropped
    int m_inFlight = 0;
    int m_limit;
};

/** A LazyReader that keeps what it read, per user id, until reset(). */
template <typename T>
class CachingLazyReader : public LazyReader {
public:
    /** What was read since the last reset(). */
    std::optional<T> cached(const QString& uid) const {
        const auto it = m_cache.constFind(uid);
        return it == m_cache.cend() ? std::nullopt : std::optional<T>(*it);
    }
    /** Drops the cache, the queue and the failures; answers still in flight are ignored. */
    void reset() {
        m_cache.clear();
        resetReads();
    }

protected:
    using LazyReader::LazyReader;

    QHash<QString, T> m_cache;
};

} // namespace fairuse::models
