#pragma once
// The enforcement service's counters and health across passes, and their text: the Prometheus exposition of
// GET /metrics and the JSON of GET /healthz. Pure: the caller passes the time, EnforcerHttp serves the text.

#include "common/Time.h"
#include "enforcer/ClassifierReruns.h"
#include "enforcer/EnforcerPass.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace fairuse::services {

/** What GET /healthz answers: 200 or 503 and a small JSON body. */
struct EnforcerHealth {
    int httpStatus = 503;
    QJsonObject body;
};

/** The keyspace notifications' totals (RedisKeyspaceSubscriber), as the service last read them. */
struct NotificationCounts {
    bool enabled = false; ///< the service subscribes (loop mode without --no-notifications)
    std::int64_t received = 0;
    std::int64_t malformed = 0;
    std::int64_t lost = 0;       ///< subscribed connections that dropped
    std::int64_t reconnects = 0; ///< subscriptions made again after such a drop
    QStringList nodes;           ///< the nodes it should be subscribed on (host:port)
    QStringList subscribed;      ///< of those, the ones whose subscription is confirmed now
};

/**
 * The service's metrics. Counters accumulate over every pass since the service started (loop mode); the gauges
 * describe the last completed pass and the one in flight.
 */
class EnforcerMetrics {
public:
    struct Settings {
        QString version;
        bool shadow = false;
        std::chrono::seconds interval{300};
        /** Added to twice the interval before the health check calls the service stale. */
        std::chrono::seconds staleGrace{30};
        /** How long notifications may be down on a node (a reconnect's backoff reaches 30 s) before the health
         *  check calls the service degraded. */
        std::chrono::seconds notificationGrace{60};
    };

    /** The Content-Type of the exposition (text format 0.0.4). */
    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

    explicit EnforcerMetrics(Settings settings);

    /** A pass started at `started` (the wall clock, not a pinned --now). */
    void passStarted(TimePoint started);
    /**
     * The pass that started last ended at `finished` with `report`. `problems` says what went wrong with a backend,
     * one line each ("redis: connection refused"); empty when the pass had no backend errors.
     */
    void passFinished(const PassReport& report, TimePoint finished, const QStringList& problems);
    /** A batch of prompt evaluations (EnforcerPass::evaluateUsers) ended: its counters add to the totals, and the
     *  users it evaluated count as prompt evaluations. */
    void promptBatchFinished(const PassReport& report);
    /** The subscriber's state as read at `now`: a node that is not subscribed is noted from then on. */
    void setNotificationCounts(const NotificationCounts& counts, TimePoint now);
    /** A poll of the consoles' re-run requests (ClassifierReruns::poll) ended: its counters add to the totals, and
     *  the lag of its newest answer, if it answered any, replaces the last one. */
    void rerunPollFinished(const RerunReport& report);

    /** The Prometheus text exposition at `now`. */
    QByteArray exposition(TimePoint now) const;
    /**
     * The health at `now`: 200 after a pass without backend errors and not stale, else 503 naming the problem. With
     * notifications on, a node not subscribed for notificationGrace (or no node to subscribe on) makes it "degraded",
     * naming the node: still 200, since the passes' scan finds every user without them.
     */
    EnforcerHealth health(TimePoint now) const;

    /** Seconds since the last completed pass started, or the age of the pass in flight; nullopt before any pass. */
    std::optional<double> lagSeconds(TimePoint now) const;
    int passesCompleted() const { return m_passes; }

private:
    Settings m_settings;
    std::vector<std::int64_t> m_totals; ///< one per counter of the table in EnforcerMetrics.cpp
    int m_passes = 0;
    std::int64_t m_promptBatches = 0;
    std::int64_t m_promptEvaluations = 0;
    NotificationCounts m_notifications;
    /** Nodes not subscribed since when, as first seen by setNotificationCounts (the empty name: no node at all). */
    std::map<QString, TimePoint> m_unsubscribedSince;
    RerunReport m_reruns; ///< summed over the polls; newestAnswerLag the last one answered
    std::int64_t m_rerunPolls = 0;
    std::optional<TimePoint> m_inFlightStarted;
    std::optional<TimePoint> m_lastStarted;
    std::optional<TimePoint> m_lastFinished;
    QStringList m_lastProblems;
};

} // namespace fairuse::services
