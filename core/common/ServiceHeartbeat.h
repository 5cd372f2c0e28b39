#pragma once
// The enforcement service's heartbeat: what one instance says about its last pass (fair_use_service/{instance}).

#include "common/Time.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <optional>

namespace fairuse {

/** One instance's last completed pass, as it writes it after every pass (shadow passes included). */
struct ServiceHeartbeat {
    QString instance; ///< "host:pid" or the operator's --instance-name; the document's id
    QString version;
    TimePoint lastPassStarted{};
    TimePoint lastPassFinished{};
    std::int64_t durationMs = 0;
    int usersEvaluated = 0;
    int casesWritten = 0;
    int errors = 0; ///< Redis, Firestore and other errors of the pass
    bool shadow = false;
    std::int64_t intervalS = 0; ///< the loop's interval; 0 for a one-off pass (--once)
};

/**
 * Whether `h` is stale at `now`: no pass started for more than twice its interval plus `grace` (a one-off pass's
 * heartbeat, interval 0, counts with `fallbackInterval`).
 */
inline bool heartbeatIsStale(const ServiceHeartbeat& h, TimePoint now,
                             std::chrono::seconds fallbackInterval = std::chrono::minutes(5),
                             std::chrono::seconds grace = std::chrono::seconds(30)) {
    const std::chrono::seconds interval = h.intervalS > 0 ? std::chrono::seconds(h.intervalS) : fallbackInterval;
    return now - h.lastPassStarted > 2 * interval + grace;
}

} // namespace fairuse
