#include "embedded/EmbeddedSql.h"

#include "metering/Metering.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>

namespace fairuse::services::embedded {

namespace {

QVariant optionalReal(const std::optional<double>& v) {
    return v ? QVariant(*v) : QVariant();
}

} // namespace

QVariant timeValue(const std::optional<TimePoint>& t) {
    return t ? QVariant(static_cast<qlonglong>(toUnixMs(*t))) : QVariant();
}

QVariant timeValue(TimePoint t) {
    return QVariant(static_cast<qlonglong>(toUnixMs(t)));
}

std::optional<TimePoint> optionalTime(const QVariant& v) {
    if (v.isNull() || !v.isValid()) {
        return std::nullopt;
    }
    bool ok = false;
    const qlonglong ms = v.toLongLong(&ok);
    if (!ok) {
        return std::nullopt;
    }
    return fromUnixMs(ms);
}

TimePoint timeOr(const QVariant& v, TimePoint fallback) {
    return optionalTime(v).value_or(fallback);
}

QVariant textOrNull(const QString& s) {
    return s.isEmpty() ? QVariant() : QVariant(s);
}

Error sqlError(const QSqlQuery& q, const QString& what) {
    return Error::internal(QStringLiteral("embedded store: %1 failed: %2").arg(what, q.lastError().text()));
}

Error sqlError(const QSqlDatabase& db, const QString& what) {
    return Error::internal(QStringLiteral("embedded store: %1 failed: %2").arg(what, db.lastError().text()));
}

Result<QSqlQuery> exec(QSqlDatabase& db, const QString& sql, const QVariantList& binds) {
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(sql)) {
        return sqlError(q, sql.left(60));
    }
    for (const QVariant& b : binds) {
        q.addBindValue(b);
    }
    if (!q.exec()) {
        return sqlError(q, sql.left(60));
    }
    return q;
}

Status execPrepared(QSqlQuery& q, const QVariantList& binds, const QString& what) {
    for (int i = 0; i < binds.size(); ++i) {
        q.bindValue(i, binds.at(i));
    }
    if (!q.exec()) {
        return sqlError(q, what);
    }
    return {};
}

WindowMinutes windowMinutes(TimePoint now) {
    // The core owns the backend's rule (whole seconds, both edges inclusive); the SQL sums must match it exactly.
    using std::chrono::minutes;
    WindowMinutes w;
    w.dailyFrom = metering::windowFirstMinute(now, minutes(metering::kDailyWindow));
    w.threeDayFrom = metering::windowFirstMinute(now, minutes(metering::kThreeDayWindow));
    w.weeklyFrom = metering::windowFirstMinute(now, minutes(metering::kWeeklyWindow));
    w.to = unixMinute(now);
    return w;
}

Result<SpeechReading> sumSpeech(QSqlDatabase& db, const QString& uid, TimePoint now) {
    const WindowMinutes w = windowMinutes(now);
    // One pass over the week's buckets; the primary key (uid, source, minute) serves both enforced sources.
    auto q = exec(db,
                  QStringLiteral("SELECT"
                                 " SUM(CASE WHEN good AND minute >= ? THEN ms ELSE 0 END),"
                                 " SUM(CASE WHEN good AND minute >= ? THEN ms ELSE 0 END),"
                                 " SUM(CASE WHEN good THEN ms ELSE 0 END),"
                                 " SUM(CASE WHEN good THEN 0 ELSE 1 END)"
                                 " FROM (SELECT minute, ms, (typeof(ms) = 'integer' AND ms >= 0) AS good"
                                 "       FROM minute_buckets WHERE uid = ? AND source IN ") +
                      QLatin1String(kEnforcedSourcesSql) + QStringLiteral(" AND minute >= ? AND minute <= ?)"),
                  {QVariant::fromValue<qlonglong>(w.dailyFrom), QVariant::fromValue<qlonglong>(w.threeDayFrom), uid,
                   QVariant::fromValue<qlonglong>(w.weeklyFrom), QVariant::fromValue<qlonglong>(w.to)});
    if (!q) {
        return q.error();
    }
    SpeechReading r;
    if (q->next()) {
        r.totals.dailyMs = q->value(0).toLongLong();
        r.totals.threeDayMs = q->value(1).toLongLong();
        r.totals.weeklyMs = q->value(2).toLongLong();
        r.skippedValues = q->value(3).toInt();
    }
    return r;
}

QString classifierToJson(const ClassifierResult& c) {
    QJsonArray evidence;
    for (const Evidence& e : c.evidence) {
        evidence.append(QJsonObject{{QStringLiteral("conversation_id"), e.conversationId},
                                    {QStringLiteral("title"), e.title},
                                    {QStringLiteral("reason"), e.reason}});
    }
    QJsonArray corrections;
    for (const QString& s : c.corrections) {
        corrections.append(s);
    }
    const QJsonObject o{{QStringLiteral("misuse_score"), c.misuseScore},
                        {QStringLiteral("usage_type"), toString(c.usageType)},
                        {QStringLiteral("confidence"), c.confidence},
                        {QStringLiteral("evidence"), evidence},
                        {QStringLiteral("reasoning"), c.reasoning},
                        {QStringLiteral("model"), c.model},
                        {QStringLiteral("prompt_version"), c.promptVersion},
                        {QStringLiteral("heuristic"), c.heuristic},
                        {QStringLiteral("dropped_evidence"), c.droppedEvidence},
                        {QStringLiteral("corrections"), corrections}};
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString spendFiguresToJson(const SpendFigures& s) {
    const QJsonObject o{{QStringLiteral("daily_micro_usd"), static_cast<qint64>(s.dailyMicroUsd)},
                        {QStringLiteral("monthly_micro_usd"), static_cast<qint64>(s.monthlyMicroUsd)},
                        {QStringLiteral("daily_cap_micro_usd"), static_cast<qint64>(s.dailyCapMicroUsd)},
                        {QStringLiteral("monthly_cap_micro_usd"), static_cast<qint64>(s.monthlyCapMicroUsd)},
                        {QStringLiteral("plan"), toString(s.plan)},
                        {QStringLiteral("custom_stt"), s.customStt}};
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

std::optional<SpendFigures> spendFiguresFromJson(const QString& json) {
    if (json.isEmpty()) {
        return std::nullopt;
    }
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    const auto amount = [&o](const char* name) { return o.value(QString::fromLatin1(name)).toInteger(-1); };
    SpendFigures s{amount("daily_micro_usd"),
                   amount("monthly_micro_usd"),
                   amount("daily_cap_micro_usd"),
                   amount("monthly_cap_micro_usd"),
                   Plan::Basic,
                   o.value(QStringLiteral("custom_stt")).toBool()};
    const std::optional<Plan> plan = planFromString(o.value(QStringLiteral("plan")).toString());
    if (!plan || s.dailyMicroUsd < 0 || s.monthlyMicroUsd < 0 || s.dailyCapMicroUsd < 0 || s.monthlyCapMicroUsd < 0) {
        return std::nullopt; // not what this store writes: the case shows without figures
    }
    s.plan = *plan;
    return s;
}

std::optional<ClassifierResult> classifierFromJson(const QString& json) {
    if (json.isEmpty()) {
        return std::nullopt;
    }
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    ClassifierResult c;
    c.misuseScore = o.value(QStringLiteral("misuse_score")).toDouble();
    c.usageType = usageTypeFromString(o.value(QStringLiteral("usage_type")).toString()).value_or(UsageType::Unknown);
    c.confidence = o.value(QStringLiteral("confidence")).toDouble();
    for (const QJsonValue& v : o.value(QStringLiteral("evidence")).toArray()) {
        const QJsonObject e = v.toObject();
        c.evidence.append(Evidence{e.value(QStringLiteral("conversation_id")).toString(),
                                   e.value(QStringLiteral("title")).toString(),
                                   e.value(QStringLiteral("reason")).toString()});
    }
    c.reasoning = o.value(QStringLiteral("reasoning")).toString();
    c.model = o.value(QStringLiteral("model")).toString();
    c.promptVersion = o.value(QStringLiteral("prompt_version")).toString();
    c.heuristic = o.value(QStringLiteral("heuristic")).toBool();
    c.droppedEvidence = o.value(QStringLiteral("dropped_evidence")).toInt();
    for (const QJsonValue& v : o.value(QStringLiteral("corrections")).toArray()) {
        c.corrections.append(v.toString());
    }
    return c;
}

QString stateColumns(const QString& p) {
    return QStringList{
        p + QStringLiteral("uid"), p + QStringLiteral("stage"), p + QStringLiteral("updated_at"),
        p + QStringLiteral("last_violation_at"), p + QStringLiteral("violation_count_7d"),
        p + QStringLiteral("violation_count_30d"), p + QStringLiteral("throttle_until"),
        p + QStringLiteral("restrict_until"), p + QStringLiteral("restrict_reason"),
        p + QStringLiteral("last_classifier_score"), p + QStringLiteral("last_classifier_type"),
        p + QStringLiteral("last_classifier_at"), p + QStringLiteral("classifier_failed_at"),
        p + QStringLiteral("classifier_failures"), p + QStringLiteral("last_case_ref"), p + QStringLiteral("reset_by"),
        p + QStringLiteral("reset_at"), p + QStringLiteral("previous_stage"), p + QStringLiteral("version"),
        QStringLiteral("EXISTS(SELECT 1 FROM exemptions x WHERE x.uid = ") + p + QStringLiteral("uid)"),
        // The user's subscription, as the backend's user document holds it.
        QStringLiteral("(SELECT plan FROM subscriptions u WHERE u.uid = ") + p + QStringLiteral("uid)"),
        QStringLiteral("(SELECT status FROM subscriptions u WHERE u.uid = ") + p + QStringLiteral("uid)"),
        QStringLiteral("(SELECT current_period_end FROM subscriptions u WHERE u.uid = ") + p + QStringLiteral("uid)")}
        .join(QLatin1Char(','));
}

FairUseState stateFromQuery(const QSqlQuery& q, int& i) {
    FairUseState s;
    s.uid = q.value(i++).toString();
    s.stage = stageFromString(q.value(i++).toString()).value_or(Stage::None);
    s.updatedAt = optionalTime(q.value(i++));
    s.lastViolationAt = optionalTime(q.value(i++));
    s.violationCount7d = q.value(i++).toInt();
    s.violationCount30d = q.value(i++).toInt();
    s.throttleUntil = optionalTime(q.value(i++));
    s.restrictUntil = optionalTime(q.value(i++));
    s.restrictReason = q.value(i++).toString();
    const QVariant score = q.value(i++);
    if (!score.isNull()) {
        s.lastClassifierScore = score.toDouble();
    }
    const QVariant type = q.value(i++);
    if (!type.isNull()) {
        s.lastClassifierType = usageTypeFromString(type.toString()).value_or(UsageType::Unknown);
    }
    s.lastClassifierAt = optionalTime(q.value(i++));
    s.classifierFailedAt = optionalTime(q.value(i++));
    s.classifierFailures = q.value(i++).toInt();
    s.lastCaseRef = q.value(i++).toString();
    s.resetBy = q.value(i++).toString();
    s.resetAt = optionalTime(q.value(i++));
    s.previousStage = stageFromString(q.value(i++).toString());
    s.version = QString::number(q.value(i++).toLongLong());
    s.exempt = q.value(i++).toBool();
    const QVariant plan = q.value(i++);
    const QVariant status = q.value(i++);
    const QVariant periodEnd = q.value(i++);
    if (!plan.isNull()) {
        s.subscription = Subscription{plan.toString(), status.toString(), optionalTime(periodEnd)};
    }
    return s;
}

QString eventColumns() {
    return QStringLiteral(
        "id, uid, created_at, case_ref, session_id, trigger, daily_ms, three_day_ms, weekly_ms,"
        " cap_daily_ms, cap_3day_ms, cap_weekly_ms, classifier, enforcement_action, previous_stage,"
        " new_stage, resolved, resolved_at, resolved_by, admin_notes, outcome, version, policy, llm_spend");
}

FairUseEvent eventFromQuery(const QSqlQuery& q) {
    FairUseEvent e;
    int i = 0;
    e.id = q.value(i++).toString();
    e.uid = q.value(i++).toString();
    e.createdAt = timeOr(q.value(i++));
    e.caseRef = q.value(i++).toString();
    e.sessionId = q.value(i++).toString();
    e.trigger = capWindowFromString(q.value(i++).toString()).value_or(CapWindow::Daily);
    e.windowSpeech.dailyMs = q.value(i++).toLongLong();
    e.windowSpeech.threeDayMs = q.value(i++).toLongLong();
    e.windowSpeech.weeklyMs = q.value(i++).toLongLong();
    e.thresholds.dailyMs = q.value(i++).toLongLong();
    e.thresholds.threeDayMs = q.value(i++).toLongLong();
    e.thresholds.weeklyMs = q.value(i++).toLongLong();
    e.classifier = classifierFromJson(q.value(i++).toString());
    e.enforcementAction = q.value(i++).toString();
    e.previousStage = stageFromString(q.value(i++).toString()).value_or(Stage::None);
    e.newStage = stageFromString(q.value(i++).toString()).value_or(Stage::None);
    e.resolved = q.value(i++).toBool();
    e.resolvedAt = optionalTime(q.value(i++));
    e.resolvedBy = q.value(i++).toString();
    e.adminNotes = q.value(i++).toString();
    const QVariant outcome = q.value(i++);
    if (!outcome.isNull()) {
        e.outcome = outcomeFromString(outcome.toString());
    }
    e.version = QString::number(q.value(i++).toLongLong());
    e.policy = q.value(i++).toString();
    e.llmSpend = spendFiguresFromJson(q.value(i++).toString());
    return e;
}

QString auditColumns() {
    return QStringLiteral("sequence, at, reviewer, role, action, uid, case_ref, event_id, stage_before, stage_after,"
                          " reason, client_version, prev_hash, hash, reviewer_uid");
}

AuditRecord auditFromQuery(const QSqlQuery& q) {
    AuditRecord a;
    int i = 0;
    a.sequence = q.value(i++).toLongLong();
    a.at = timeOr(q.value(i++));
    a.reviewer = q.value(i++).toString();
    a.role = auditRoleFromString(q.value(i++).toString()).value_or(Role::Reviewer);
    a.action = auditActionFromString(q.value(i++).toString()).value_or(AuditAction::AddNote);
    a.uid = q.value(i++).toString();
    a.caseRef = q.value(i++).toString();
    a.eventId = q.value(i++).toString();
    const QVariant before = q.value(i++);
    if (!before.isNull()) {
        a.stageBefore = stageFromString(before.toString());
    }
    const QVariant after = q.value(i++);
    if (!after.isNull()) {
        a.stageAfter = stageFromString(after.toString());
    }
    a.reason = q.value(i++).toString();
    a.clientVersion = q.value(i++).toString();
    a.prevHash = q.value(i++).toString();
    a.hash = q.value(i++).toString();
    a.reviewerUid = q.value(i++).toString();
    return a;
}

Writer::Writer(QSqlDatabase& db)
    : m_db(db)
    , m_state(db)
    , m_event(db)
    , m_conversation(db)
    , m_speech(db)
    , m_budget(db)
    , m_audit(db)
    , m_exempt(db)
    , m_unexempt(db)
    , m_reviewer(db)
    , m_spend(db)
    , m_subscription(db) {}

Status Writer::prepare() {
    const std::pair<QSqlQuery*, QString> statements[] = {
        {&m_state,
         QStringLiteral(
             "INSERT INTO fair_use_state (uid, stage, queue_at, updated_at, last_violation_at, violation_count_7d,"
             " violation_count_30d, throttle_until, restrict_until, restrict_reason, last_classifier_score,"
             " last_classifier_type, last_classifier_at, classifier_failed_at, classifier_failures, last_case_ref,"
             " reset_by, reset_at, previous_stage, version)"
             " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
             " ON CONFLICT(uid) DO UPDATE SET stage = excluded.stage, queue_at = excluded.queue_at,"
             " updated_at = excluded.updated_at, last_violation_at = excluded.last_violation_at,"
             " violation_count_7d = excluded.violation_count_7d, violation_count_30d = excluded.violation_count_30d,"
             " throttle_until = excluded.throttle_until, restrict_until = excluded.restrict_until,"
             " restrict_reason = excluded.restrict_reason, last_classifier_score = excluded.last_classifier_score,"
             " last_classifier_type = excluded.last_classifier_type,"
             " last_classifier_at = excluded.last_classifier_at,"
             " classifier_failed_at = excluded.classifier_failed_at,"
             " classifier_failures = excluded.classifier_failures, last_case_ref = excluded.last_case_ref,"
             " reset_by = excluded.reset_by, reset_at = excluded.reset_at, previous_stage = excluded.previous_stage,"
             " version = excluded.version")},
        {&m_event, QStringLiteral("INSERT INTO events (") + eventColumns() +
                       QStringLiteral(") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                                      " ON CONFLICT(uid, id) DO UPDATE SET created_at = excluded.created_at,"
                                      " case_ref = excluded.case_ref, session_id = excluded.session_id,"
                                      " trigger = excluded.trigger, daily_ms = excluded.daily_ms,"
                                      " three_day_ms = excluded.three_day_ms, weekly_ms = excluded.weekly_ms,"
                                      " cap_daily_ms = excluded.cap_daily_ms, cap_3day_ms = excluded.cap_3day_ms,"
                                      " cap_weekly_ms = excluded.cap_weekly_ms, classifier = excluded.classifier,"
                                      " enforcement_action = excluded.enforcement_action,"
                                      " previous_stage = excluded.previous_stage, new_stage = excluded.new_stage,"
                                      " resolved = excluded.resolved, resolved_at = excluded.resolved_at,"
                                      " resolved_by = excluded.resolved_by, admin_notes = excluded.admin_notes,"
                                      " outcome = excluded.outcome, version = excluded.version,"
                                      " policy = excluded.policy")},
        {&m_subscription, QStringLiteral("INSERT OR REPLACE INTO subscriptions (uid, plan, status, current_period_end)"
                                         " VALUES (?,?,?,?)")},
        {&m_conversation,
         QStringLiteral("INSERT OR REPLACE INTO conversations (uid, id, title, overview, category, source, started_at,"
                        " finished_at, created_at) VALUES (?,?,?,?,?,?,?,?,?)")},
        {&m_speech, QStringLiteral("INSERT INTO minute_buckets (uid, source, minute, ms) VALUES (?,?,?,?)"
                                   " ON CONFLICT(uid, source, minute) DO UPDATE SET ms = ms + excluded.ms")},
        {&m_budget, QStringLiteral("INSERT INTO stt_budget (uid, day, ms) VALUES (?,?,?)"
                                   " ON CONFLICT(uid, day) DO UPDATE SET ms = ms + excluded.ms")},
        {&m_audit, QStringLiteral("INSERT INTO audit (") + auditColumns() +
                       QStringLiteral(") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")},
        {&m_exempt, QStringLiteral("INSERT OR REPLACE INTO exemptions (uid, since, by) VALUES (?,?,?)")},
        {&m_unexempt, QStringLiteral("DELETE FROM exemptions WHERE uid = ?")},
        {&m_reviewer, QStringLiteral("INSERT OR REPLACE INTO reviewers (email, role) VALUES (?,?)")},
        {&m_spend, QStringLiteral("INSERT INTO llm_spend (uid, at, model, purpose, prompt_tokens, completion_tokens,"
                                  " cost_micro_usd, custom_stt, plan) VALUES (?,?,?,?,?,?,?,?,?)")},
    };
    for (const auto& [query, sql] : statements) {
        if (!query->prepare(sql)) {
            return sqlError(*query, QStringLiteral("preparing ") + sql.left(40));
        }
    }
    return {};
}

Status Writer::upsertState(const FairUseState& s, std::int64_t version) {
    return execPrepared(m_state,
                        {s.uid,
                         toString(s.stage),
                         QVariant::fromValue<qlonglong>(s.updatedAt ? toUnixMs(*s.updatedAt) : 0),
                         timeValue(s.updatedAt),
                         timeValue(s.lastViolationAt),
                         s.violationCount7d,
                         s.violationCount30d,
                         timeValue(s.throttleUntil),
                         timeValue(s.restrictUntil),
                         textOrNull(s.restrictReason),
                         optionalReal(s.lastClassifierScore),
                         s.lastClassifierType ? QVariant(toString(*s.lastClassifierType)) : QVariant(),
                         timeValue(s.lastClassifierAt),
                         timeValue(s.classifierFailedAt),
                         s.classifierFailures,
                         textOrNull(s.lastCaseRef),
                         textOrNull(s.resetBy),
                         timeValue(s.resetAt),
                         s.previousStage ? QVariant(toString(*s.previousStage)) : QVariant(),
                         QVariant::fromValue<qlonglong>(version)},
                        QStringLiteral("writing the state of %1").arg(s.uid));
}

Status Writer::upsertEvent(const FairUseEvent& e, std::int64_t version) {
    return execPrepared(m_event,
                        {e.id,
                         e.uid,
                         timeValue(e.createdAt),
                         e.caseRef,
                         textOrNull(e.sessionId),
                         toString(e.trigger),
                         QVariant::fromValue<qlonglong>(e.windowSpeech.dailyMs),
                         QVariant::fromValue<qlonglong>(e.windowSpeech.threeDayMs),
                         QVariant::fromValue<qlonglong>(e.windowSpeech.weeklyMs),
                         QVariant::fromValue<qlonglong>(e.thresholds.dailyMs),
                         QVariant::fromValue<qlonglong>(e.thresholds.threeDayMs),
                         QVariant::fromValue<qlonglong>(e.thresholds.weeklyMs),
                         e.classifier ? QVariant(classifierToJson(*e.classifier)) : QVariant(),
                         textOrNull(e.enforcementAction),
                         toString(e.previousStage),
                         toString(e.newStage),
                         e.resolved ? 1 : 0,
                         timeValue(e.resolvedAt),
                         textOrNull(e.resolvedBy),
                         textOrNull(e.adminNotes),
                         e.outcome ? QVariant(toString(*e.outcome)) : QVariant(),
                         QVariant::fromValue<qlonglong>(version),
                         textOrNull(e.policy),
                         e.llmSpend ? QVariant(spendFiguresToJson(*e.llmSpend)) : QVariant()},
                        QStringLiteral("writing event %1").arg(e.id));
}

Status Writer::upsertSubscription(const QString& uid, const Subscription& s) {
    return execPrepared(m_subscription, {uid, s.plan, textOrNull(s.status), timeValue(s.currentPeriodEnd)},
                        QStringLiteral("writing the subscription of %1").arg(uid));
}

Status Writer::insertConversation(const QString& uid, const Conversation& c) {
    return execPrepared(m_conversation,
                        {uid, c.id, c.title, c.overview, c.category, c.source, timeValue(c.startedAt),
                         timeValue(c.finishedAt), timeValue(c.createdAt)},
                        QStringLiteral("writing conversation %1").arg(c.id));
}

Status Writer::addSpeech(const QString& uid, SpeechSource source, std::int64_t minute, std::int64_t ms) {
    return execPrepared(
        m_speech, {uid, toString(source), QVariant::fromValue<qlonglong>(minute), QVariant::fromValue<qlonglong>(ms)},
        QStringLiteral("adding speech"));
}

Status Writer::addSttBudget(const QString& uid, const QString& dayKey, std::int64_t ms) {
    return execPrepared(m_budget, {uid, dayKey, QVariant::fromValue<qlonglong>(ms)},
                        QStringLiteral("adding STT budget"));
}

Status Writer::insertAudit(const AuditRecord& a) {
    return execPrepared(m_audit,
                        {QVariant::fromValue<qlonglong>(a.sequence), timeValue(a.at), a.reviewer, toString(a.role),
                         // Empty, not NULL, for a saved view's record, which names no user: the column is NOT NULL.
                         toString(a.action), a.uid.isNull() ? QStringLiteral("") : a.uid, textOrNull(a.caseRef),
                         textOrNull(a.eventId), a.stageBefore ? QVariant(toString(*a.stageBefore)) : QVariant(),
                         a.stageAfter ? QVariant(toString(*a.stageAfter)) : QVariant(), textOrNull(a.reason),
                         textOrNull(a.clientVersion),
                         // Empty, not NULL, for the first record: the column is NOT NULL.
                         a.prevHash.isNull() ? QStringLiteral("") : a.prevHash, a.hash, textOrNull(a.reviewerUid)},
                        QStringLiteral("appending audit record %1").arg(a.sequence));
}

Status Writer::setExempt(const QString& uid, bool exempt, TimePoint at, const QString& by) {
    if (exempt) {
        return execPrepared(m_exempt, {uid, timeValue(at), by}, QStringLiteral("exempting %1").arg(uid));
    }
    return execPrepared(m_unexempt, {uid}, QStringLiteral("un-exempting %1").arg(uid));
}

Status Writer::upsertReviewer(const Reviewer& r) {
    return execPrepared(m_reviewer, {r.email.trimmed().toLower(), toString(r.role)},
                        QStringLiteral("writing reviewer %1").arg(r.email));
}

Status Writer::insertSpend(const LlmSpendRecord& r) {
    return execPrepared(m_spend,
                        {r.uid, timeValue(r.at), r.model, r.purpose, QVariant::fromValue<qlonglong>(r.promptTokens),
                         QVariant::fromValue<qlonglong>(r.completionTokens),
                         QVariant::fromValue<qlonglong>(r.costMicroUsd), r.customStt ? 1 : 0, toString(r.plan)},
                        QStringLiteral("writing LLM spend"));
}

} // namespace fairuse::services::embedded
