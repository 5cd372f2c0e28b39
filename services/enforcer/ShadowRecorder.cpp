#include "enforcer/ShadowRecorder.h"

#include "common/Await.h"
#include "enforcement/Enforcement.h"
#include "enforcement/ShadowComparison.h"
#include "firestore/ShadowDecisionDocument.h"

namespace fairuse::services {

namespace {

QString text(const QJsonObject& line, const char* key) {
    return line.value(QLatin1String(key)).toString();
}

} // namespace

std::optional<ShadowDecision> shadowDecisionFromLine(const QJsonObject& line, TimePoint passAt,
                                                     std::chrono::seconds checkInterval, const QString& instance) {
    const QString uid = text(line, "uid");
    const QString action = text(line, "action");
    if (uid.isEmpty() || action.isEmpty()) {
        return std::nullopt;
    }
    ShadowDecision d;
    d.uid = uid;
    d.passAt = passAt;
    d.intervalStart = enforcement::checkIntervalStart(passAt, checkInterval);
    d.id = enforcement::shadowDecisionId(uid, d.intervalStart);
    d.instance = instance;
    d.action = action;
    d.outcome = text(line, "outcome");
    d.stageBefore = stageFromString(text(line, "stage_before")).value_or(Stage::None);
    d.stageAfter = stageFromString(text(line, "stage_after")).value_or(d.stageBefore);
    d.trigger = capWindowFromString(text(line, "trigger"));
    if (d.trigger && isSpendTrigger(*d.trigger)) {
        // The LLM-spend review is the service's own trigger: the backend has nothing to compare it with.
        return std::nullopt;
    }
    if (line.contains(QLatin1String("daily_ms"))) {
        d.totals = SpeechTotals{static_cast<std::int64_t>(line.value(QLatin1String("daily_ms")).toDouble()),
                                static_cast<std::int64_t>(line.value(QLatin1String("three_day_ms")).toDouble()),
                                static_cast<std::int64_t>(line.value(QLatin1String("weekly_ms")).toDouble())};
    }
    if (line.contains(QLatin1String("score"))) {
        d.score = line.value(QLatin1String("score")).toDouble();
    }
    d.usageType = usageTypeFromString(text(line, "usage_type"));
    d.caseId = text(line, "case_id");
    d.caseRef = text(line, "case_ref");
    // The already-written case of a rerun is the live service's, not one this decision would make.
    if (d.outcome == QLatin1String("already_written")) {
        d.caseId.clear();
        d.caseRef.clear();
    }
    const std::optional<enforcement::Action> a = enforcement::actionFromString(action);
    d.expiry = line.value(QLatin1String("sweep")).toBool() || a == enforcement::Action::RestrictExpiredToThrottle ||
               a == enforcement::Action::ThrottleExpiredToWarning;
    d.explanation = text(line, "explanation");
    return d;
}

Result<ShadowWrite> recordShadowDecision(FirestoreClient& firestore, const ShadowDecision& d, int timeoutMs) {
    const auto written =
        awaitResult(firestore.commit({FirestoreWrite::set(shadowDecisionPath(d.id), encodeShadowDecision(d),
                                                          Precondition::mustNotExist())}),
                    timeoutMs);
    if (written) {
        return ShadowWrite::Recorded;
    }
    if (written.error().kind == ErrorKind::Conflict) {
        return ShadowWrite::AlreadyRecorded;
    }
    return written.error();
}

} // namespace fairuse::services
