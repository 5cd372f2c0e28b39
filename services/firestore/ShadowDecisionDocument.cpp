#include "firestore/ShadowDecisionDocument.h"

#include "enforcement/Enforcement.h"
#include "enforcement/ShadowComparison.h"
#include "firestore/FieldReader.h"

namespace fairuse::services {

using V = FirestoreValue;

QString shadowDecisionPath(const QString& id) {
    return kShadowCollection + QLatin1Char('/') + id;
}

FirestoreFields encodeShadowDecision(const ShadowDecision& d) {
    FirestoreFields f{{QStringLiteral("uid"), V::string(d.uid)},
                      {QStringLiteral("pass_at"), V::timestamp(d.passAt)},
                      {QStringLiteral("interval_start"), V::timestamp(d.intervalStart)},
                      {QStringLiteral("instance"), V::string(d.instance)},
                      {QStringLiteral("action"), V::string(d.action)},
                      {QStringLiteral("outcome"), V::string(d.outcome)},
                      {QStringLiteral("stage_before"), V::string(toString(d.stageBefore))},
                      {QStringLiteral("stage_after"), V::string(toString(d.stageAfter))},
                      {QStringLiteral("would_act"), V::boolean(d.wouldAct())},
                      {QStringLiteral("expiry"), V::boolean(d.expiry)},
                      {QStringLiteral("case_id"), d.caseId.isEmpty() ? V::null() : V::string(d.caseId)},
                      {QStringLiteral("case_ref"), d.caseRef.isEmpty() ? V::null() : V::string(d.caseRef)},
                      {QStringLiteral("explanation"), V::string(d.explanation)},
                      {QStringLiteral("trigger"), d.trigger ? V::string(toString(*d.trigger)) : V::null()},
                      {QStringLiteral("misuse_score"), d.score ? V::number(*d.score) : V::null()},
                      {QStringLiteral("usage_type"), d.usageType ? V::string(toString(*d.usageType)) : V::null()}};
    if (d.totals) {
        f.insert(QStringLiteral("window_speech_ms"),
                 V::map({{QStringLiteral("daily_ms"), V::integer(d.totals->dailyMs)},
                         {QStringLiteral("three_day_ms"), V::integer(d.totals->threeDayMs)},
                         {QStringLiteral("weekly_ms"), V::integer(d.totals->weeklyMs)}}));
    } else {
        f.insert(QStringLiteral("window_speech_ms"), V::null());
    }
    return f;
}

Result<ShadowDecision> decodeShadowDecision(const FirestoreDocument& doc) {
    const QStringList segments = doc.pathSegments();
    FieldReader r(doc.fields, segments.isEmpty() ? QStringLiteral("shadow decision") : doc.relativePath());
    r.requireAll({"uid", "pass_at", "interval_start", "instance", "action", "stage_before", "stage_after"});
    ShadowDecision d;
    d.uid = r.string(QStringLiteral("uid"));
    d.passAt = r.time(QStringLiteral("pass_at")).value_or(TimePoint{});
    d.intervalStart = r.time(QStringLiteral("interval_start")).value_or(TimePoint{});
    d.instance = r.string(QStringLiteral("instance"));
    d.action = r.string(QStringLiteral("action"));
    if (!d.action.isEmpty() && !enforcement::actionFromString(d.action)) {
        r.fail(QStringLiteral("action"), QStringLiteral("has unknown value \"%1\"").arg(d.action.left(40)));
    }
    d.outcome = r.string(QStringLiteral("outcome"));
    d.stageBefore = r.named<Stage>(QStringLiteral("stage_before"), stageFromString).value_or(Stage::None);
    d.stageAfter = r.named<Stage>(QStringLiteral("stage_after"), stageFromString).value_or(Stage::None);
    d.expiry = r.boolean(QStringLiteral("expiry"));
    d.caseId = r.string(QStringLiteral("case_id"));
    d.caseRef = r.string(QStringLiteral("case_ref"));
    d.explanation = r.string(QStringLiteral("explanation"));
    d.trigger = r.named<CapWindow>(QStringLiteral("trigger"), capWindowFromString);
    d.usageType = r.named<UsageType>(QStringLiteral("usage_type"), usageTypeFromString);
    d.score = r.number(QStringLiteral("misuse_score"));
    if (d.score && !(*d.score >= 0.0 && *d.score <= 1.0)) {
        r.fail(QStringLiteral("misuse_score"), QStringLiteral("is outside [0, 1]"));
    }
    if (r.has(QStringLiteral("window_speech_ms"))) {
        SpeechTotals t;
        r.nested(QStringLiteral("window_speech_ms"), [&t](FieldReader& tr) {
            tr.requireAll({"daily_ms", "three_day_ms", "weekly_ms"});
            t.dailyMs = tr.integer(QStringLiteral("daily_ms"));
            t.threeDayMs = tr.integer(QStringLiteral("three_day_ms"));
            t.weeklyMs = tr.integer(QStringLiteral("weekly_ms"));
            if (t.dailyMs < 0 || t.threeDayMs < 0 || t.weeklyMs < 0) {
                tr.fail(QStringLiteral("window_speech_ms"), QStringLiteral("holds a negative total"));
            }
        });
        d.totals = t;
    }
    if (r.error()) {
        return *r.error();
    }
    if (d.uid.isEmpty()) {
        r.fail(QStringLiteral("uid"), QStringLiteral("is empty"));
        return *r.error();
    }
    d.id = enforcement::shadowDecisionId(d.uid, d.intervalStart);
    if (!segments.isEmpty() && segments.last() != d.id) {
        r.fail(
            QStringLiteral("uid"),
            QStringLiteral("and interval_start name document %1, not %2").arg(d.id.left(80), segments.last().left(80)));
        return *r.error();
    }
    return d;
}

} // namespace fairuse::services
