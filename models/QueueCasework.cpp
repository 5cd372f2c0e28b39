#include "QueueCasework.h"

#include "BulkResolver.h"
#include "FutureWatch.h"

namespace fairuse::models {

QueueCasework::QueueCasework(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {
    connect(&m_poll, &QTimer::timeout, this, &QueueCasework::refresh);
}

TimePoint QueueCasework::now() const {
    return backendNow(m_backend);
}

void QueueCasework::start(std::chrono::milliseconds interval) {
    m_poll.start(interval);
    refresh();
}

void QueueCasework::refresh() {
    if (!m_supported || m_reading || !m_backend.cases) {
        return;
    }
    m_reading = true;
    whenFinished(this, m_backend.cases->listCasework(), [this](const Result<QList<Casework>>& r) {
        m_reading = false;
        if (!r) {
            if (r.error().kind == ErrorKind::Unavailable && m_all.isEmpty()) {
                m_supported = false;
                m_poll.stop();
                Q_EMIT changed();
            }
            return; // a failed read keeps what was known; the next one tries again
        }
        QHash<QString, Casework> all;
        for (const Casework& c : r.value()) {
            all.insert(c.uid, c);
        }
        m_all = std::move(all);
        Q_EMIT changed();
    });
}

std::optional<Casework> QueueCasework::caseworkOf(const QString& uid) const {
    const auto it = m_all.constFind(uid);
    return it == m_all.cend() ? std::nullopt : std::optional<Casework>(*it);
}

casework::SnoozeState QueueCasework::snoozeStateOf(const FairUseState& state) const {
    return casework::snoozeState(caseworkOf(state.uid), state, now());
}

} // namespace fairuse::models
