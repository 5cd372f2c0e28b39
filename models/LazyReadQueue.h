#pragma once

#include <QSet>
#include <QString>
#include <QtGlobal>

#include <deque>

namespace fairuse::models {

/**
 * Per-user reads started by painting: queued newest last, bounded (requests beyond the bound are dropped oldest
 * first: they were for rows that scrolled out of view long ago), at most `limit` in flight. Users whose read failed
 * are not queued again until reset().
 */
struct LazyReadQueue {
    QSet<QString> wanted;       ///< queued or in flight
    std::deque<QString> queue;  ///< newest request at the back
    QSet<QString> failed;       ///< not retried until reset()
    bool pumpScheduled = false; ///< a pump is queued on the event loop
    quint64 epoch = 0;          ///< answers of an older epoch (before a reset) are dropped
    int inFlight = 0;
    int limit = 8;

    /** Queues `uid`; true when a pump must be scheduled. */
    bool enqueue(const QString& uid);
    /** Forgets queued users and failures; answers still in flight count against `inFlight` but are dropped. */
    void reset();
};

} // namespace fairuse::models
