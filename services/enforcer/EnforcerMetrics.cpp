#include "enforcer/EnforcerMetrics.h"

#include <QJsonArray>

#include <iterator>

namespace fairuse::services {

namespace {

constexpr QLatin1String kPrefix("fairuse_enforcer_");

/** One counter of the exposition: its name without the prefix and _total, what it counts, the PassReport field. */
struct Counter {
    const char* name;
    const char* help;
    int PassReport::*field;
};

constexpr Counter kCounters[] = {
    {"users_scanned", "Users with speech found in Redis, summed over passes.", &PassReport::usersScanned},
    {"users_evaluated", "Users evaluated by the enforcement core.", &PassReport::usersEvaluated},
    {"cap_hits", "Evaluations that hit a speech cap.", &PassReport::capHits},
    {"classifier_calls", "Classifier runs on a cap hit.", &PassReport::classifierCalls},
    {"classifier_failures", "Classifier runs that failed (nothing written, retried next pass).",
     &PassReport::classifierFailures},
    {"locked_elsewhere", "Cap hits skipped because another instance held the classifier lock.",
     &PassReport::lockedElsewhere},
    {"cases_written", "New cases (violations) committed.", &PassReport::casesWritten},
    {"state_writes", "State commits without a case.", &PassReport::stateWrites},
    {"already_written", "Decisions found committed already by another run or instance.", &PassReport::alreadyWritten},
    {"expiries", "Throttles and restrictions lowered on time.", &PassReport::expiries},
    {"would_write", "Commits not made because the service runs in shadow mode.", &PassReport::wouldWrite},
    {"shadow_recorded", "Shadow decisions written to fair_use_shadow.", &PassReport::shadowRecorded},
    {"shadow_found", "Shadow decisions found recorded already in their check interval.", &PassReport::shadowFound},
    {"junk_values", "Redis values and key names skipped as unreadable.", &PassReport::junkValues},
    {"ranges_worked", "User ranges this instance worked and finished.", &PassReport::rangesWorked},
    {"ranges_done_elsewhere", "User ranges another instance or an earlier pass had done.",
     &PassReport::rangesDoneElsewhere},
    {"leases_lost", "Range leases that expired under this instance.", &PassReport::leasesLost},
    {"lock_waits", "Users retried after another holder's classifier lock expired.", &PassReport::lockWaits},
    {"ranges_incomplete", "Ranges handed back with users Redis or Firestore failed for.",
     &PassReport::rangesIncomplete},
    {"classifier_backoffs", "Cap hits not classified: the user's classifier failed lately.",
     &PassReport::classifierBackoffs},
    {"classifier_paused", "Cap hits not classified: the classifier failed too often in a row in the pass.",
     &PassReport::classifierPaused},
    {"spend_users_reviewed", "Users with new LLM-spend records summed against their plan's caps.",
     &PassReport::spendUsersReviewed},
    {"spend_over_cap", "Reviewed users over their plan's daily or monthly LLM-spend cap.", &PassReport::spendOverCap},
    {"spend_case_open", "Users over an LLM-spend cap who had an open spend case already.", &PassReport::spendCaseOpen},
    {"spend_records_malformed", "LLM-spend records that did not decode, skipped by the spend review (once a pass).",
     &PassReport::malformedSpend},
    {"evaluated_elsewhere",
     "Users skipped: evaluated in this check interval already (a prompt evaluation, another "
     "instance).",
     &PassReport::evaluatedElsewhere},
    {"redis_errors", "Redis calls that failed.", &PassReport::redisErrors},
    {"firestore_errors", "Firestore calls that failed.", &PassReport::firestoreErrors},
    {"errors", "Other failures (a decision the core refused to turn into a change).", &PassReport::errors},
};
constexpr std::size_t kCounterCount = std::size(kCounters);

QByteArray metricName(const char* name) {
    return QByteArray(kPrefix.data(), kPrefix.size()) + name;
}

void describe(QByteArray& out, const QByteArray& name, const char* type, const char* help) {
    out += "# HELP " + name + ' ' + help + '\n';
    out += "# TYPE " + name + ' ' + type + '\n';
}

QByteArray number(double value) {
    return QByteArray::number(value, 'f', 3);
}

/** A label value as the text format wants it: backslash, double quote and line feed escaped. */
QByteArray labelValue(const QString& value) {
    QByteArray escaped;
    for (const char c : value.toUtf8()) {
        if (c == '\\' || c == '"') {
            escaped += '\\';
            escaped += c;
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

double secondsBetween(TimePoint from, TimePoint to) {
    return static_cast<double>((to - from).count()) / 1000.0;
}

} // namespace

EnforcerMetrics::EnforcerMetrics(Settings settings)
    : m_settings(std::move(settings))
    , m_totals(kCounterCount, 0) {}

void EnforcerMetrics::passStarted(TimePoint started) {
    m_inFlightStarted = started;
}

void EnforcerMetrics::passFinished(const PassReport& report, TimePoint finished, const QStringList& problems) {
    for (std::size_t i = 0; i < kCounterCount; ++i) {
        m_totals[i] += report.*(kCounters[i].field);
    }
    ++m_passes;
    m_lastStarted = m_inFlightStarted.value_or(finished);
    m_lastFinished = finished;
    m_inFlightStarted.reset();
    m_lastProblems = problems;
}

void EnforcerMetrics::promptBatchFinished(const PassReport& report) {
    for (std::size_t i = 0; i < kCounterCount; ++i) {
        m_totals[i] += report.*(kCounters[i].field);
    }
    ++m_promptBatches;
    m_promptEvaluations += report.usersEvaluated;
}

void EnforcerMetrics::setNotificationCounts(const NotificationCounts& counts, TimePoint now) {
    m_notifications = counts;
    QStringList down;
    if (counts.enabled) {
        for (const QString& node : counts.nodes) {
            if (!counts.subscribed.contains(node)) {
                down.append(node);
            }
        }
        if (counts.nodes.isEmpty()) {
            down.append(QString()); // a cluster whose map could not be read yet
        }
    }
    for (auto it = m_unsubscribedSince.begin(); it != m_unsubscribedSince.end();) {
        it = down.contains(it->first) ? std::next(it) : m_unsubscribedSince.erase(it);
    }
    for (const QString& node : down) {
        m_unsubscribedSince.emplace(node, now);
    }
}

void EnforcerMetrics::rerunPollFinished(const RerunReport& report) {
    ++m_rerunPolls;
    m_reruns.requests += report.requests;
    m_reruns.answered += report.answered;
    m_reruns.failed += report.failed;
    m_reruns.alreadyAnswered += report.alreadyAnswered;
    m_reruns.stale += report.stale;
    m_reruns.lockedElsewhere += report.lockedElsewhere;
    m_reruns.redisErrors += report.redisErrors;
    m_reruns.firestoreErrors += report.firestoreErrors;
    if (report.newestAnswerLag) {
        m_reruns.newestAnswerLag = report.newestAnswerLag;
    }
}

std::optional<double> EnforcerMetrics::lagSeconds(TimePoint now) const {
    if (m_inFlightStarted) {
        return secondsBetween(*m_inFlightStarted, now);
    }
    if (m_lastStarted) {
        return secondsBetween(*m_lastStarted, now);
    }
    return std::nullopt;
}

QByteArray EnforcerMetrics::exposition(TimePoint now) const {
    QByteArray out;
    const QByteArray passes = metricName("passes_total");
    describe(out, passes, "counter", "Enforcement passes completed since the service started.");
    out += passes + ' ' + QByteArray::number(m_passes) + '\n';
    for (std::size_t i = 0; i < kCounterCount; ++i) {
        const QByteArray name = metricName(kCounters[i].name) + "_total";
        describe(out, name, "counter", kCounters[i].help);
        out += name + ' ' + QByteArray::number(static_cast<qlonglong>(m_totals[i])) + '\n';
    }
    const auto counter = [&out](const char* shortName, const char* help, std::int64_t value) {
        const QByteArray name = metricName(shortName) + "_total";
        describe(out, name, "counter", help);
        out += name + ' ' + QByteArray::number(static_cast<qlonglong>(value)) + '\n';
    };
    counter("prompt_batches", "Batches of prompt evaluations of notified users, between passes.", m_promptBatches);
    counter("prompt_evaluations", "Users evaluated promptly after a keyspace notification, between passes.",
            m_promptEvaluations);
    counter("notifications_received", "Keyspace notifications of bucket keys received.", m_notifications.received);
    counter("notifications_malformed", "Pushes on the notification connections that were not keyspace events.",
            m_notifications.malformed);
    counter("notifications_lost", "Subscribed notification connections that dropped (events lost until back).",
            m_notifications.lost);
    counter("subscriber_reconnects", "Notification subscriptions made again after a dropped connection.",
            m_notifications.reconnects);
    counter("rerun_polls", "Polls of the consoles' re-run classifier requests.", m_rerunPolls);
    counter("rerun_requests", "Re-run classifier requests read (rerun_classifier audit records).", m_reruns.requests);
    counter("rerun_answered", "Re-run requests answered with the classifier's verdict.", m_reruns.answered);
    counter("rerun_failed", "Re-run requests answered with status failed (the classifier failed).", m_reruns.failed);
    counter("rerun_already_answered", "Re-run requests another poll or instance had answered.",
            m_reruns.alreadyAnswered);
    counter("rerun_stale", "Re-run requests passed over: too old, or naming no user.", m_reruns.stale);
    counter("rerun_locked_elsewhere", "Re-run requests left for the next poll: the user's classifier lock was held.",
            m_reruns.lockedElsewhere);
    counter("rerun_backend_errors", "Redis and Firestore calls of the re-run polls that failed.",
            static_cast<std::int64_t>(m_reruns.redisErrors) + m_reruns.firestoreErrors);

    const auto gauge = [&out](const char* shortName, const char* help, const QByteArray& value) {
        const QByteArray name = metricName(shortName);
        describe(out, name, "gauge", help);
        out += name + ' ' + value + '\n';
    };
    // A gauge without a value yet is left out rather than given a made-up 0 (Prometheus then has no sample).
    if (m_lastFinished) {
        gauge("last_pass_timestamp_seconds", "When the last completed pass ended, in Unix seconds.",
              number(static_cast<double>(toUnixMs(*m_lastFinished)) / 1000.0));
        gauge("last_pass_duration_seconds", "How long the last completed pass took.",
              number(secondsBetween(*m_lastStarted, *m_lastFinished)));
    }
    if (const std::optional<double> lag = lagSeconds(now)) {
        gauge("lag_seconds", "Seconds since the last completed pass started, or the age of the pass in flight.",
              number(*lag));
    }
    if (m_reruns.newestAnswerLag) {
        gauge("rerun_answer_lag_seconds",
              "From the newest re-run request answered to its answer (the last poll that answered one).",
              number(static_cast<double>(m_reruns.newestAnswerLag->count()) / 1000.0));
    }
    gauge("pass_in_progress", "1 while a pass runs.", m_inFlightStarted ? "1" : "0");
    gauge("shadow", "1 when the service evaluates without writing (--shadow).", m_settings.shadow ? "1" : "0");
    gauge("notifications_enabled", "1 when the service subscribes to keyspace notifications of the bucket keys.",
          m_notifications.enabled ? "1" : "0");
    gauge("interval_seconds", "The loop's interval between pass starts.",
          QByteArray::number(static_cast<qlonglong>(m_settings.interval.count())));
    const QByteArray info = metricName("build_info");
    describe(out, info, "gauge", "The service's version, as a label; always 1.");
    out += info + "{version=\"" + labelValue(m_settings.version) + "\"} 1\n";
    return out;
}

EnforcerHealth EnforcerMetrics::health(TimePoint now) const {
    EnforcerHealth h;
    QJsonObject& body = h.body;
    body.insert(QStringLiteral("version"), m_settings.version);
    body.insert(QStringLiteral("shadow"), m_settings.shadow);
    body.insert(QStringLiteral("passes"), m_passes);
    if (!m_lastFinished) {
        body.insert(QStringLiteral("status"), QStringLiteral("starting"));
        body.insert(QStringLiteral("problems"), QJsonArray{QStringLiteral("starting: no pass completed yet")});
        return h;
    }
    body.insert(QStringLiteral("last_pass_finished"), formatRfc3339(*m_lastFinished));
    const double lag = lagSeconds(now).value_or(0.0);
    body.insert(QStringLiteral("lag_seconds"), lag);

    QStringList problems = m_lastProblems;
    const auto staleAfter = 2 * m_settings.interval + m_settings.staleGrace;
    if (lag >= static_cast<double>(staleAfter.count())) {
        problems.append(QStringLiteral("no pass completed in %1 s")
                            .arg(static_cast<qlonglong>(secondsBetween(*m_lastFinished, now))));
    }
    // Notifications only make the service prompt: without them it is degraded, not down.
    QStringList degraded;
    if (m_notifications.enabled) {
        body.insert(QStringLiteral("notifications"),
                    QJsonObject{{QStringLiteral("nodes"), static_cast<int>(m_notifications.nodes.size())},
                                {QStringLiteral("subscribed"), static_cast<int>(m_notifications.subscribed.size())}});
        for (const auto& [node, since] : m_unsubscribedSince) {
            const double down = secondsBetween(since, now);
            if (down < static_cast<double>(m_settings.notificationGrace.count())) {
                continue;
            }
            degraded.append(node.isEmpty()
                                ? QStringLiteral("notifications: no Redis node to subscribe on for %1 s; users are "
                                                 "found by the passes only")
                                      .arg(static_cast<qlonglong>(down))
                                : QStringLiteral("notifications: not subscribed on %1 for %2 s; its users are found "
                                                 "by the passes only")
                                      .arg(node)
                                      .arg(static_cast<qlonglong>(down)));
        }
    }
    body.insert(QStringLiteral("status"), !problems.isEmpty()   ? QStringLiteral("unhealthy")
                                          : !degraded.isEmpty() ? QStringLiteral("degraded")
                                                                : QStringLiteral("ok"));
    if (!problems.isEmpty()) {
        body.insert(QStringLiteral("problems"), QJsonArray::fromStringList(problems));
    }
    if (!degraded.isEmpty()) {
        body.insert(QStringLiteral("degraded"), QJsonArray::fromStringList(degraded));
    }
    h.httpStatus = problems.isEmpty() ? 200 : 503;
    return h;
}

} // namespace fairuse::services
