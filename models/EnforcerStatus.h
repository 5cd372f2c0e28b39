#pragma once
// The enforcement service's heartbeat for the console's status bar: "Enforcer: last pass 3 min ago · 1.2 s · v0.1.0".

#include "Backend.h"
#include "common/ServiceHeartbeat.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>

namespace fairuse::models {

/**
 * Reads the service's heartbeats (CaseStore::listServiceHeartbeats) on start and every refresh interval, and says
 * what the newest one means. Nothing (an empty text) when no service has written one, as with the embedded store, or
 * when the store cannot read them; the last text is kept when a later read fails.
 */
class EnforcerStatus : public QObject {
    Q_OBJECT
public:
    static constexpr std::chrono::seconds kRefreshInterval{60};

    /** What the status bar shows for a set of heartbeats at `now`. */
    struct Display {
        QString text; ///< empty: show nothing
        QString toolTip;
        bool stale = false; ///< no pass for more than twice the interval: highlight it
    };
    static Display describe(const QList<ServiceHeartbeat>& heartbeats, TimePoint now);

    EnforcerStatus(Backend& backend, QObject* parent = nullptr);

    /** Reads now, then every `interval`. */
    void start(std::chrono::milliseconds interval = kRefreshInterval);
    void refresh();
    const Display& display() const { return m_display; }

Q_SIGNALS:
    void changed();

private:
    Backend& m_backend;
    QTimer m_poll;
    Display m_display;
    bool m_reading = false;
};

} // namespace fairuse::models
