#include "QueueReadAll.h"

#include "QueueDetailsReader.h"
#include "QueueSpeechReader.h"

namespace fairuse::models {

QueueReadAll::QueueReadAll(QueueSpeechReader& speech, QueueDetailsReader& details, RowLookup rowOf)
    : m_speech(speech)
    , m_details(details)
    , m_rowOf(std::move(rowOf)) {}

void QueueReadAll::start(const std::vector<const services::QueueRow*>& rows) {
    m_pending.clear();
    for (const services::QueueRow* row : rows) {
        if (m_speech.needs(*row) || m_details.needs(*row)) {
            m_pending.push_back(row->state.uid);
        }
    }
    topUp();
}

void QueueReadAll::topUp() {
    while (!m_pending.empty() && m_speech.queued() < static_cast<std::size_t>(2 * m_speech.limit()) &&
           m_details.queued() < static_cast<std::size_t>(2 * m_details.limit())) {
        const QString uid = m_pending.front();
        m_pending.pop_front();
        const services::QueueRow* row = m_rowOf(uid);
        if (!row) {
            continue;
        }
        if (m_speech.needs(*row)) {
            m_speech.request(uid);
        }
        if (m_details.needs(*row)) {
            m_details.request(uid);
        }
    }
}

} // namespace fairuse::models
