#include "EnforcerStatus.h"

#include "BulkResolver.h"
#include "FutureWatch.h"

#include <algorithm>

namespace fairuse::models {

namespace {

/** "40 s", "3 min", "5 h", "2 d". */
QString span(std::chrono::milliseconds d) {
    const auto s = std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(d).count());
    if (s < 60) {
        return EnforcerStatus::tr("%1 s").arg(s);
    }
    if (s < 2 * 3600) {
        return EnforcerStatus::tr("%1 min").arg(s / 60);
    }
    if (s < 2 * 86400) {
        return EnforcerStatus::tr("%1 h").arg(s / 3600);
    }
    return EnforcerStatus::tr("%1 d").arg(s / 86400);
}

} // namespace

EnforcerStatus::Display EnforcerStatus::describe(const QList<ServiceHeartbeat>& heartbeats, TimePoint now) {
    Display d;
    if (heartbeats.isEmpty()) {
        return d;
    }
    const auto newest = std::max_element(heartbeats.begin(), heartbeats.end(), [](const auto& a, const auto& b) {
        return a.lastPassStarted < b.lastPassStarted;
    });
    const ServiceHeartbeat& h = *newest;
    const QString who = h.shadow ? tr("Enforcer (shadow)") : tr("Enforcer");
    d.stale = heartbeatIsStale(h, now);
    if (d.stale) {
        d.text = tr("%1: no pass for %2").arg(who, span(now - h.lastPassStarted));
    } else {
        d.text = tr("%1: last pass %2 ago · %3 s · v%4")
                     .arg(who, span(now - h.lastPassFinished),
                          QString::number(static_cast<double>(h.durationMs) / 1000.0, 'f', 1), h.version);
    }
    QStringList lines;
    for (const ServiceHeartbeat& x : heartbeats) {
        lines.append(tr("%1%2: last pass %3, %4 users evaluated, %5 cases written, %6 errors")
                         .arg(x.instance, x.shadow ? tr(" (shadow)") : QString(), formatRfc3339(x.lastPassFinished))
                         .arg(x.usersEvaluated)
                         .arg(x.casesWritten)
                         .arg(x.errors));
    }
    d.toolTip = lines.join(QLatin1Char('\n'));
    return d;
}

EnforcerStatus::EnforcerStatus(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {
    connect(&m_poll, &QTimer::timeout, this, &EnforcerStatus::refresh);
}

void EnforcerStatus::start(std::chrono::milliseconds interval) {
    m_poll.start(interval);
    refresh();
}

void EnforcerStatus::refresh() {
    if (m_reading || !m_backend.cases) {
        return;
    }
    m_reading = true;
    whenFinished(this, m_backend.cases->listServiceHeartbeats(), [this](const Result<QList<ServiceHeartbeat>>& r) {
        m_reading = false;
        if (!r) {
            return; // a failed read keeps what the status bar shows; the next one tries again
        }
        m_display = describe(*r, backendNow(m_backend));
        Q_EMIT changed();
    });
}

} // namespace fairuse::models
