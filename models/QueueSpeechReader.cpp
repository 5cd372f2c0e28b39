#include "QueueSpeechReader.h"

#include "FutureWatch.h"

#include <QDateTime>

namespace fairuse::models {

QueueSpeechReader::QueueSpeechReader(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {}

void QueueSpeechReader::request(const QString& uid) {
    if (m_backend.usage && m_reads.enqueue(uid)) {
        // Never from inside data(): a view is painting. Start the reads once control is back in the event loop.
        QMetaObject::invokeMethod(this, &QueueSpeechReader::pump, Qt::QueuedConnection);
    }
}

bool QueueSpeechReader::needs(const services::QueueRow& row) const {
    return m_backend.usage && !row.speech && !m_reads.failed.contains(row.state.uid);
}

std::optional<SpeechTotals> QueueSpeechReader::cached(const QString& uid) const {
    const auto it = m_cache.constFind(uid);
    return it == m_cache.cend() ? std::nullopt : std::optional<SpeechTotals>(*it);
}

void QueueSpeechReader::reset() {
    m_cache.clear();
    m_reads.reset();
}

void QueueSpeechReader::pump() {
    m_reads.pumpScheduled = false;
    if (!m_backend.usage) {
        return;
    }
    const TimePoint now =
        m_backend.now ? m_backend.now() : TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch()));
    while (m_reads.inFlight < m_reads.limit && !m_reads.queue.empty()) {
        // Newest first: the rows painted last are the ones on screen now.
        const QString uid = m_reads.queue.back();
        m_reads.queue.pop_back();
        ++m_reads.inFlight;
        const quint64 epoch = m_reads.epoch;
        whenFinished(this, m_backend.usage->readSpeech(uid, now),
                     [this, uid, epoch](const Result<services::SpeechReading>& reading) {
                         --m_reads.inFlight;
                         if (epoch == m_reads.epoch) {
                             m_reads.wanted.remove(uid);
                             if (reading.ok()) {
                                 m_cache.insert(uid, reading->totals);
                                 Q_EMIT speechRead(uid, reading->totals);
                             } else {
                                 m_reads.failed.insert(uid); // shown empty; reset() tries again
                             }
                         }
                         Q_EMIT readSettled();
                         if (!m_reads.queue.empty() && !m_reads.pumpScheduled) {
                             m_reads.pumpScheduled = true;
                             QMetaObject::invokeMethod(this, &QueueSpeechReader::pump, Qt::QueuedConnection);
                         }
                     });
    }
}

} // namespace fairuse::models
