#include "LazyReader.h"

namespace fairuse::models {

namespace {

/** Requests beyond this many are dropped oldest first. */
constexpr std::size_t kMaxQueuedLazyReads = 256;

} // namespace

LazyReader::LazyReader(int limit, QObject* parent)
    : QObject(parent)
    , m_limit(limit) {}

void LazyReader::request(const QString& uid) {
    if (!canRead() || m_wanted.contains(uid) || m_failed.contains(uid)) {
        return;
    }
    m_wanted.insert(uid);
    m_queue.push_back(uid);
    while (m_queue.size() > kMaxQueuedLazyReads) {
        m_wanted.remove(m_queue.front());
        m_queue.pop_front();
    }
    // Never from inside data(): a view is painting. Start the reads once control is back in the event loop.
    schedulePump();
}

void LazyReader::schedulePump() {
    if (!m_pumpScheduled) {
        m_pumpScheduled = true;
        QMetaObject::invokeMethod(this, &LazyReader::pump, Qt::QueuedConnection);
    }
}

void LazyReader::pump() {
    m_pumpScheduled = false;
    if (!canRead()) {
        return;
    }
    while (m_inFlight < m_limit && !m_queue.empty()) {
        const QString uid = m_queue.back();
        m_queue.pop_back();
        ++m_inFlight;
        read(uid, m_epoch);
    }
}

void LazyReader::settle(const QString& uid, quint64 epoch, bool ok, const std::function<void()>& deliver) {
    --m_inFlight;
    if (epoch == m_epoch) {
        m_wanted.remove(uid);
        if (ok) {
            deliver();
        } else {
            m_failed.insert(uid);
            Q_EMIT readFailed(uid);
        }
    }
    Q_EMIT readSettled();
    if (!m_queue.empty()) {
        schedulePump();
    }
}

void LazyReader::resetReads() {
    m_wanted.clear();
    m_queue.clear();
    m_failed.clear();
    ++m_epoch;
}

} // namespace fairuse::models
