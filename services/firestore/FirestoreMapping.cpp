#include "firestore/FirestoreMapping.h"

#include "firestore/FieldReader.h"

namespace fairuse::services {

namespace {

using V = FirestoreValue;

FirestoreValue optionalString(const QString& s) {
    return s.isEmpty() ? V::null() : V::string(s);
}

FirestoreFields encodeTotals(const SpeechTotals& t) {
    return {{QStringLiteral("daily_ms"), V::integer(t.dailyMs)},
            {QStringLiteral("three_day_ms"), V::integer(t.threeDayMs)},
            {QStringLiteral("weekly_ms"), V::integer(t.weeklyMs)}};
}

SpeechTotals decodeTotals(FieldReader& r) {
    SpeechTotals t;
    t.dailyMs = r.integer(QStringLiteral("daily_ms"));
    t.threeDayMs = r.integer(QStringLiteral("three_day_ms"));
    t.weeklyMs = r.integer(QStringLiteral("weekly_ms"));
    return t;
}

FirestoreFields encodeSpendFigures(const SpendFigures& s) {
    return {{QStringLiteral("daily_micro_usd"), V::integer(s.dailyMicroUsd)},
            {QStringLiteral("monthly_micro_usd"), V::integer(s.monthlyMicroUsd)},
            {QStringLiteral("daily_cap_micro_usd"), V::integer(s.dailyCapMicroUsd)},
            {QStringLiteral("monthly_cap_micro_usd"), V::integer(s.monthlyCapMicroUsd)},
            {QStringLiteral("plan"), V::string(toString(s.plan))},
            {QStringLiteral("custom_stt"), V::boolean(s.customStt)}};
}

/** An LLM-spend case's figures: every amount required and not negative, the plan a known one. */
SpendFigures decodeSpendFigures(FieldReader& r) {
    r.requireAll({"daily_micro_usd", "monthly_micro_usd", "daily_cap_micro_usd", "monthly_cap_micro_usd", "plan"});
    SpendFigures s;
    const auto amount = [&r](const char* name) {
        const QString field = QString::fromLatin1(name);
        const std::int64_t v = r.integer(field);
        if (v < 0) {
            r.fail(field, QStringLiteral("is negative"));
        }
        return v;
    };
    s.dailyMicroUsd = amount("daily_micro_usd");
    s.monthlyMicroUsd = amount("monthly_micro_usd");
    s.dailyCapMicroUsd = amount("daily_cap_micro_usd");
    s.monthlyCapMicroUsd = amount("monthly_cap_micro_usd");
    s.plan = r.named<Plan>(QStringLiteral("plan"), planFromString).value_or(Plan::Basic);
    s.customStt = r.boolean(QStringLiteral("custom_stt"));
    return s;
}

/** Segment after `collection` in a path such as users/{uid}/fair_use_state/current. */
QString segmentAfter(const QStringList& segments, const QString& collection) {
    const qsizetype i = segments.indexOf(collection);
    return (i >= 0 && i + 1 < segments.size()) ? segments.at(i + 1) : QString();
}

} // namespace

FirestoreFields encodeState(const FairUseState& s) {
    FirestoreFields f;
    f.insert(QStringLiteral("stage"), V::string(toString(s.stage)));
    f.insert(QStringLiteral("updated_at"), V::optionalTimestamp(s.updatedAt));
    f.insert(QStringLiteral("last_violation_at"), V::optionalTimestamp(s.lastViolationAt));
    f.insert(QStringLiteral("violation_count_7d"), V::integer(s.violationCount7d));
    f.insert(QStringLiteral("violation_count_30d"), V::integer(s.violationCount30d));
    f.insert(QStringLiteral("throttle_until"), V::optionalTimestamp(s.throttleUntil));
    f.insert(QStringLiteral("restrict_until"), V::optionalTimestamp(s.restrictUntil));
    f.insert(QStringLiteral("restrict_reason"), optionalString(s.restrictReason));
    f.insert(QStringLiteral("last_classifier_score"),
             s.lastClassifierScore ? V::number(*s.lastClassifierScore) : V::null());
    f.insert(QStringLiteral("last_classifier_type"),
             s.lastClassifierType ? V::string(toString(*s.lastClassifierType)) : V::null());
    f.insert(QStringLiteral("last_classifier_at"), V::optionalTimestamp(s.lastClassifierAt));
    f.insert(QStringLiteral("classifier_failed_at"), V::optionalTimestamp(s.classifierFailedAt));
    f.insert(QStringLiteral("classifier_failures"), V::integer(s.classifierFailures));
    f.insert(QStringLiteral("last_case_ref"), optionalString(s.lastCaseRef));
    f.insert(QStringLiteral("reset_by"), optionalString(s.resetBy));
    f.insert(QStringLiteral("reset_at"), V::optionalTimestamp(s.resetAt));
    f.insert(QStringLiteral("previous_stage"), s.previousStage ? V::string(toString(*s.previousStage)) : V::null());
    return f;
}

QStringList stateFieldPaths() {
    return encodeState(FairUseState{}).keys();
}

QStringList changedStateFieldPaths(const FairUseState& before, const FairUseState& after) {
    const FirestoreFields old = encodeState(before);
    const FirestoreFields now = encodeState(after);
    QStringList changed;
    for (auto it = now.cbegin(); it != now.cend(); ++it) {
        if (!(old.value(it.key()) == it.value())) {
            changed.append(it.key());
        }
    }
    return changed;
}

Result<FairUseState> decodeState(const FirestoreDocument& doc) {
    const QString path = doc.relativePath();
    FieldReader r(doc.fields, path);
    FairUseState s;
    s.uid = segmentAfter(doc.pathSegments(), QStringLiteral("users"));
    r.require(QStringLiteral("stage"));
    s.stage = r.named<Stage>(QStringLiteral("stage"), stageFromString).value_or(Stage::None);
    s.updatedAt = r.time(QStringLiteral("updated_at"));
    s.lastViolationAt = r.time(QStringLiteral("last_violation_at"));
    s.violationCount7d = static_cast<int>(r.integer(QStringLiteral("violation_count_7d")));
    s.violationCount30d = static_cast<int>(r.integer(QStringLiteral("violation_count_30d")));
    s.throttleUntil = r.time(QStringLiteral("throttle_until"));
    s.restrictUntil = r.time(QStringLiteral("restrict_until"));
    s.restrictReason = r.string(QStringLiteral("restrict_reason"));
    s.lastClassifierScore = r.number(QStringLiteral("last_classifier_score"));
    // A NaN would fail every score filter and hide the user; the state is reported unreadable instead.
    if (s.lastClassifierScore && !(*s.lastClassifierScore >= 0.0 && *s.lastClassifierScore <= 1.0)) {
        r.fail(QStringLiteral("last_classifier_score"),
               QStringLiteral("is %1, not a score from 0 to 1").arg(*s.lastClassifierScore));
    }
    if (r.has(QStringLiteral("last_classifier_type"))) {
        const QString type = r.string(QStringLiteral("last_classifier_type"));
        s.lastClassifierType = usageTypeFromString(type).value_or(UsageType::Unknown);
    }
    s.lastClassifierAt = r.time(QStringLiteral("last_classifier_at"));
    s.classifierFailedAt = r.time(QStringLiteral("classifier_failed_at"));
    // A junk count must not overflow: anything past the cap waits the longest retry wait anyway.
    s.classifierFailures =
        static_cast<int>(std::clamp<std::int64_t>(r.integer(QStringLiteral("classifier_failures")), 0, 1'000'000));
    s.lastCaseRef = r.string(QStringLiteral("last_case_ref"));
    s.resetBy = r.string(QStringLiteral("reset_by"));
    s.resetAt = r.time(QStringLiteral("reset_at"));
    s.previousStage = r.named<Stage>(QStringLiteral("previous_stage"), stageFromString);
    s.version = doc.updateTime;
    return r.result(std::move(s));
}

FirestoreFields encodeClassifier(const ClassifierResult& c) {
    QList<FirestoreValue> evidence;
    for (const auto& e : c.evidence) {
        evidence.append(V::map({{QStringLiteral("conversation_id"), V::string(e.conversationId)},
                                {QStringLiteral("title"), V::string(e.title)},
                                {QStringLiteral("reason"), V::string(e.reason)}}));
    }
    FirestoreFields f{{QStringLiteral("misuse_score"), V::number(c.misuseScore)},
                      {QStringLiteral("usage_type"), V::string(toString(c.usageType))},
                      {QStringLiteral("confidence"), V::number(c.confidence)},
                      {QStringLiteral("evidence"), V::array(evidence)},
                      {QStringLiteral("reasoning"), V::string(c.reasoning)},
                      {QStringLiteral("model"), V::string(c.model)},
                      {QStringLiteral("prompt_version"), V::string(c.promptVersion)}};
    if (c.heuristic) {
        f.insert(QStringLiteral("heuristic"), V::boolean(true));
    }
    return f;
}

Result<ClassifierResult> decodeClassifier(const FirestoreFields& fields) {
    FieldReader r(fields, QStringLiteral("classifier"));
    ClassifierResult c;
    c.misuseScore = r.number(QStringLiteral("misuse_score")).value_or(0.0);
    const QString type = r.string(QStringLiteral("usage_type"));
    if (!type.isEmpty()) {
        const auto parsed = usageTypeFromString(type);
        c.usageType = parsed.value_or(UsageType::Unknown);
        if (!parsed) {
            c.corrections.append(QStringLiteral("unknown usage_type \"%1\" read as unknown").arg(type.left(40)));
        }
    }
    c.confidence = r.number(QStringLiteral("confidence")).value_or(0.0);
    const auto evidence = r.array(QStringLiteral("evidence"));
    for (qsizetype i = 0; i < evidence.size(); ++i) {
        if (evidence.at(i).type() != FirestoreValue::Type::Map) {
            r.fail(QStringLiteral("evidence[%1]").arg(i), QStringLiteral("should be mapValue"));
            break;
        }
        const FirestoreFields ef = evidence.at(i).toMap();
        FieldReader er(ef, QStringLiteral("evidence[%1]").arg(i));
        Evidence e{er.string(QStringLiteral("conversation_id")), er.string(QStringLiteral("title")),
                   er.string(QStringLiteral("reason"))};
        if (er.error()) {
            r.fail(*er.error());
            break;
        }
        c.evidence.append(e);
    }
    c.reasoning = r.string(QStringLiteral("reasoning"));
    c.model = r.string(QStringLiteral("model"));
    c.promptVersion = r.string(QStringLiteral("prompt_version"));
    c.heuristic = r.boolean(QStringLiteral("heuristic"));
    return r.result(std::move(c));
}

FirestoreFields encodeEvent(const FairUseEvent& e) {
    FirestoreFields f;
    f.insert(QStringLiteral("created_at"), V::timestamp(e.createdAt));
    f.insert(QStringLiteral("case_ref"), V::string(e.caseRef));
    f.insert(QStringLiteral("session_id"), optionalString(e.sessionId));
    f.insert(QStringLiteral("trigger"), V::string(toString(e.trigger)));
    f.insert(QStringLiteral("window_speech_ms"), V::map(encodeTotals(e.windowSpeech)));
    f.insert(QStringLiteral("thresholds_ms"),
             V::map(encodeTotals(SpeechTotals{e.thresholds.dailyMs, e.thresholds.threeDayMs, e.thresholds.weeklyMs})));
    f.insert(QStringLiteral("classifier"), e.classifier ? V::map(encodeClassifier(*e.classifier)) : V::null());
    f.insert(QStringLiteral("enforcement_action"), V::string(e.enforcementAction));
    f.insert(QStringLiteral("previous_stage"), V::string(toString(e.previousStage)));
    f.insert(QStringLiteral("new_stage"), V::string(toString(e.newStage)));
    f.insert(QStringLiteral("resolved"), V::boolean(e.resolved));
    f.insert(QStringLiteral("resolved_at"), V::optionalTimestamp(e.resolvedAt));
    f.insert(QStringLiteral("resolved_by"), optionalString(e.resolvedBy));
    f.insert(QStringLiteral("admin_notes"), optionalString(e.adminNotes));
    f.insert(QStringLiteral("outcome"), e.outcome ? V::string(toString(*e.outcome)) : V::null());
    f.insert(QStringLiteral("policy"), optionalString(e.policy));
    f.insert(QStringLiteral("llm_spend"), e.llmSpend ? V::map(encodeSpendFigures(*e.llmSpend)) : V::null());
    return f;
}

QStringList eventFieldPaths() {
    return encodeEvent(FairUseEvent{}).keys();
}

QStringList eventResolutionFieldPaths() {
    return {QStringLiteral("resolved"), QStringLiteral("resolved_at"), QStringLiteral("resolved_by"),
            QStringLiteral("admin_notes"), QStringLiteral("outcome")};
}

Result<FairUseEvent> decodeEvent(const FirestoreDocument& doc) {
    FieldReader r(doc.fields, doc.relativePath());
    FairUseEvent e;
    const QStringList segments = doc.pathSegments();
    e.uid = segmentAfter(segments, QStringLiteral("users"));
    e.id = segmentAfter(segments, QStringLiteral("fair_use_events"));
    r.require(QStringLiteral("created_at"));
    e.createdAt = r.time(QStringLiteral("created_at")).value_or(TimePoint{});
    e.caseRef = r.string(QStringLiteral("case_ref"));
    e.sessionId = r.string(QStringLiteral("session_id"));
    e.trigger = r.named<CapWindow>(QStringLiteral("trigger"), capWindowFromString).value_or(CapWindow::Daily);
    r.nested(QStringLiteral("window_speech_ms"), [&e](FieldReader& tr) { e.windowSpeech = decodeTotals(tr); });
    r.nested(QStringLiteral("thresholds_ms"), [&e](FieldReader& tr) {
        const SpeechTotals t = decodeTotals(tr);
        e.thresholds = Caps{t.dailyMs, t.threeDayMs, t.weeklyMs};
    });
    if (auto m = r.map(QStringLiteral("classifier"))) {
        // The backend's synthetic case for exhausted free credits: not a classifier verdict on abuse.
        e.freeCreditsExhausted = m->value(QStringLiteral("usage_type")).toText() == QLatin1String("free_exhausted") ||
                                 m->value(QStringLiteral("free_credits_exhausted")).toBool();
        auto c = decodeClassifier(*m);
        if (c) {
            e.classifier = std::move(c.value());
        } else {
            r.fail(c.error());
        }
    }
    e.enforcementAction = r.string(QStringLiteral("enforcement_action"));
    e.previousStage = r.named<Stage>(QStringLiteral("previous_stage"), stageFromString).value_or(Stage::None);
    e.newStage = r.named<Stage>(QStringLiteral("new_stage"), stageFromString).value_or(Stage::None);
    e.resolved = r.boolean(QStringLiteral("resolved"));
    e.resolvedAt = r.time(QStringLiteral("resolved_at"));
    e.resolvedBy = r.string(QStringLiteral("resolved_by"));
    e.adminNotes = r.string(QStringLiteral("admin_notes"));
    e.outcome = r.named<Outcome>(QStringLiteral("outcome"), outcomeFromString);
    e.policy = r.string(QStringLiteral("policy"));
    r.nested(QStringLiteral("llm_spend"), [&e](FieldReader& sr) { e.llmSpend = decodeSpendFigures(sr); });
    if (isSpendTrigger(e.trigger) != e.llmSpend.has_value()) {
        r.fail(QStringLiteral("llm_spend"),
               isSpendTrigger(e.trigger)
                   ? QStringLiteral("is required on a case of trigger %1").arg(toString(e.trigger))
                   : QStringLiteral("is only allowed on an LLM-spend case"));
    }
    e.version = doc.updateTime;
    return r.result(std::move(e));
}

FirestoreFields encodeConversation(const Conversation& c) {
    return {{QStringLiteral("structured"), V::map({{QStringLiteral("title"), V::string(c.title)},
                                                   {QStringLiteral("overview"), V::string(c.overview)},
                                                   {QStringLiteral("category"), V::string(c.category)}})},
            {QStringLiteral("started_at"), V::timestamp(c.startedAt)},
            {QStringLiteral("finished_at"), V::timestamp(c.finishedAt)},
            {QStringLiteral("created_at"), V::timestamp(c.createdAt)},
            {QStringLiteral("source"), V::string(c.source)}};
}

Result<Conversation> decodeConversation(const FirestoreDocument& doc) {
    FieldReader r(doc.fields, doc.relativePath());
    Conversation c;
    c.id = segmentAfter(doc.pathSegments(), QStringLiteral("conversations"));
    r.nested(QStringLiteral("structured"), [&c](FieldReader& sr) {
        c.title = sr.string(QStringLiteral("title"));
        c.overview = sr.string(QStringLiteral("overview"));
        c.category = sr.string(QStringLiteral("category"));
    });
    r.require(QStringLiteral("created_at"));
    c.createdAt = r.time(QStringLiteral("created_at")).value_or(TimePoint{});
    c.startedAt = r.time(QStringLiteral("started_at")).value_or(c.createdAt);
    c.finishedAt = r.time(QStringLiteral("finished_at")).value_or(c.startedAt);
    c.source = r.string(QStringLiteral("source"));
    return r.result(std::move(c));
}

FirestoreFields encodeAudit(const AuditRecord& a) {
    return {{QStringLiteral("sequence"), V::integer(a.sequence)},
            {QStringLiteral("at"), V::timestamp(a.at)},
            {QStringLiteral("reviewer"), V::string(a.reviewer)},
            {QStringLiteral("reviewer_uid"), V::string(a.reviewerUid)},
            {QStringLiteral("role"), V::string(toString(a.role))},
            {QStringLiteral("action"), V::string(toString(a.action))},
            {QStringLiteral("uid"), V::string(a.uid)},
            {QStringLiteral("case_ref"), V::string(a.caseRef)},
            {QStringLiteral("event_id"), V::string(a.eventId)},
            {QStringLiteral("stage_before"), a.stageBefore ? V::string(toString(*a.stageBefore)) : V::null()},
            {QStringLiteral("stage_after"), a.stageAfter ? V::string(toString(*a.stageAfter)) : V::null()},
            {QStringLiteral("reason"), V::string(a.reason)},
            {QStringLiteral("client_version"), V::string(a.clientVersion)},
            {QStringLiteral("prev_hash"), V::string(a.prevHash)},
            {QStringLiteral("hash"), V::string(a.hash)}};
}

Result<AuditRecord> decodeAudit(const FirestoreFields& fields) {
    FieldReader r(fields, QStringLiteral("audit record"));
    AuditRecord a;
    r.requireAll({"sequence", "at", "reviewer", "action", "hash"});
    a.sequence = r.integer(QStringLiteral("sequence"));
    a.at = r.time(QStringLiteral("at")).value_or(TimePoint{});
    a.reviewer = r.string(QStringLiteral("reviewer"));
    a.reviewerUid = r.string(QStringLiteral("reviewer_uid"));
    a.role = r.named<Role>(QStringLiteral("role"), auditRoleFromString).value_or(Role::Reviewer);
    a.action = r.named<AuditAction>(QStringLiteral("action"), auditActionFromString).value_or(AuditAction::AddNote);
    a.uid = r.string(QStringLiteral("uid"));
    a.caseRef = r.string(QStringLiteral("case_ref"));
    a.eventId = r.string(QStringLiteral("event_id"));
    a.stageBefore = r.named<Stage>(QStringLiteral("stage_before"), stageFromString);
    a.stageAfter = r.named<Stage>(QStringLiteral("stage_after"), stageFromString);
    a.reason = r.string(QStringLiteral("reason"));
    a.clientVersion = r.string(QStringLiteral("client_version"));
    a.prevHash = r.string(QStringLiteral("prev_hash"));
    a.hash = r.string(QStringLiteral("hash"));
    return r.result(std::move(a));
}

FirestoreFields encodeSpend(const LlmSpendRecord& s) {
    return {{QStringLiteral("uid"), V::string(s.uid)},
            {QStringLiteral("at"), V::timestamp(s.at)},
            {QStringLiteral("model"), V::string(s.model)},
            {QStringLiteral("purpose"), V::string(s.purpose)},
            {QStringLiteral("prompt_tokens"), V::integer(s.promptTokens)},
            {QStringLiteral("completion_tokens"), V::integer(s.completionTokens)},
            {QStringLiteral("cost_micro_usd"), V::integer(s.costMicroUsd)},
            {QStringLiteral("custom_stt"), V::boolean(s.customStt)},
            {QStringLiteral("plan"), V::string(toString(s.plan))}};
}

Result<LlmSpendRecord> decodeSpend(const FirestoreFields& fields) {
    FieldReader r(fields, QStringLiteral("spend record"));
    LlmSpendRecord s;
    r.requireAll({"uid", "at", "model"});
    s.uid = r.string(QStringLiteral("uid"));
    s.at = r.time(QStringLiteral("at")).value_or(TimePoint{});
    s.model = r.string(QStringLiteral("model"));
    s.purpose = r.string(QStringLiteral("purpose"));
    s.promptTokens = r.integer(QStringLiteral("prompt_tokens"));
    s.completionTokens = r.integer(QStringLiteral("completion_tokens"));
    s.costMicroUsd = r.integer(QStringLiteral("cost_micro_usd"));
    s.customStt = r.boolean(QStringLiteral("custom_stt"));
    s.plan = r.named<Plan>(QStringLiteral("plan"), planFromString).value_or(Plan::Basic);
    return r.result(std::move(s));
}

} // namespace fairuse::services
