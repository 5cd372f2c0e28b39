#include "enforcer/PromptEvaluations.h"

#include "enforcer/RangeLeases.h"

#include <algorithm>

namespace fairuse::services {

PromptEvaluations::PromptEvaluations(std::chrono::seconds checkInterval, std::chrono::milliseconds batchPeriod,
                                     int maxBatch)
    : m_checkInterval(checkInterval)
    , m_batchPeriod(batchPeriod)
    , m_maxBatch(std::max(1, maxBatch)) {}

void PromptEvaluations::enterEpochOf(TimePoint now) {
    const TimePoint epoch = RangeLeases::epochOf(now, m_checkInterval);
    if (epoch != m_epoch) {
        // A new check interval: everybody may be evaluated once more.
        m_epoch = epoch;
        m_covered.clear();
    }
}

void PromptEvaluations::notified(const QString& uid) {
    ++m_notifications;
    ++m_notifiedSinceBatch;
    m_pending.insert(uid);
}

void PromptEvaluations::covered(TimePoint now, const QSet<QString>& uids) {
    enterEpochOf(now);
    m_covered.unite(uids);
}

std::optional<PromptEvaluations::Batch> PromptEvaluations::takeDue(TimePoint now) {
    if (m_notifiedSinceBatch == 0 && m_pending.isEmpty()) {
        return std::nullopt;
    }
    if (m_lastBatch && now - *m_lastBatch < m_batchPeriod) {
        return std::nullopt;
    }
    enterEpochOf(now);
    Batch batch;
    batch.epoch = m_epoch;
    batch.notified = m_notifiedSinceBatch;
    m_notifiedSinceBatch = 0;
    m_lastBatch = now;
    m_pending.subtract(m_covered);
    QStringList due(m_pending.cbegin(), m_pending.cend());
    std::sort(due.begin(), due.end());
    if (due.size() > m_maxBatch) {
        due.resize(m_maxBatch);
    }
    for (const QString& uid : due) {
        m_pending.remove(uid);
    }
    batch.uids = due;
    return batch;
}

} // namespace fairuse::services
