#pragma once
// Internal to services/embedded: row mapping and small SQL helpers shared by the stores and the demo writer.

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "common/Stores.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>
#include <QVariantList>

#include <cstdint>
#include <optional>

namespace fairuse::services::embedded {

/** Sources that count towards the caps (SPEC 4.1); the others are metered but never enforced. */
inline constexpr const char* kEnforcedSourcesSql = "('realtime','sync_fresh')";

QVariant timeValue(const std::optional<TimePoint>& t);
QVariant timeValue(TimePoint t);
std::optional<TimePoint> optionalTime(const QVariant& v);
TimePoint timeOr(const QVariant& v, TimePoint fallback = TimePoint{});
QVariant textOrNull(const QString& s);

/** An Error naming what failed and SQLite's message. */
Error sqlError(const QSqlQuery& q, const QString& what);
Error sqlError(const QSqlDatabase& db, const QString& what);

/** Prepares and executes `sql` with positional binds. */
Result<QSqlQuery> exec(QSqlDatabase& db, const QString& sql, const QVariantList& binds = {});
/** Executes an already prepared query with positional binds. */
Status execPrepared(QSqlQuery& q, const QVariantList& binds, const QString& what);

/** Minute bounds of the three windows at `now` under the backend's rule: a bucket counts when its start is at or
 *  after now minus the window and at or before now. */
struct WindowMinutes {
    std::int64_t dailyFrom = 0;
    std::int64_t threeDayFrom = 0;
    std::int64_t weeklyFrom = 0;
    std::int64_t to = 0; ///< inclusive
};
WindowMinutes windowMinutes(TimePoint now);

/** Sums the enforced sources of one user at `now`; junk values (not integers, negative) are skipped and counted. */
Result<SpeechReading> sumSpeech(QSqlDatabase& db, const QString& uid, TimePoint now);

QString classifierToJson(const ClassifierResult& c);
/** An LLM-spend case's figures as the events table keeps them (column llm_spend). */
QString spendFiguresToJson(const SpendFigures& s);
/** nullopt for an empty column, and for JSON this store does not write (a missing or negative amount, a bad plan). */
std::optional<SpendFigures> spendFiguresFromJson(const QString& json);
/** Defensive: malformed JSON yields nullopt, unknown fields are ignored. */
std::optional<ClassifierResult> classifierFromJson(const QString& json);

/** Column list matching stateFromQuery(); prefix is a table alias like "s.". */
QString stateColumns(const QString& prefix);
/** Reads a state from the current row, starting at column `first`. Advances `first` past the state columns. */
FairUseState stateFromQuery(const QSqlQuery& q, int& first);

QString eventColumns();
FairUseEvent eventFromQuery(const QSqlQuery& q);

QString auditColumns();
AuditRecord auditFromQuery(const QSqlQuery& q);

/** Prepared upserts for bulk writers (demo seeding) and apply(). Each prepares once and is executed per row. */
class Writer {
public:
    explicit Writer(QSqlDatabase& db);
    Status prepare();

    Status upsertState(const FairUseState& s, std::int64_t version);
    Status upsertEvent(const FairUseEvent& e, std::int64_t version);
    /** The user's subscription (the backend keeps it on the user document, users/{uid}.subscription). */
    Status upsertSubscription(const QString& uid, const Subscription& s);
    Status insertConversation(const QString& uid, const Conversation& c);
    Status addSpeech(const QString& uid, SpeechSource source, std::int64_t minute, std::int64_t ms);
    Status addSttBudget(const QString& uid, const QString& dayKey, std::int64_t ms);
    Status insertAudit(const AuditRecord& a);
    Status setExempt(const QString& uid, bool exempt, TimePoint at, const QString& by);
    Status upsertReviewer(const Reviewer& r);
    Status insertSpend(const LlmSpendRecord& r);

private:
    QSqlDatabase& m_db;
    QSqlQuery m_state, m_event, m_conversation, m_speech, m_budget, m_audit, m_exempt, m_unexempt, m_reviewer, m_spend,
        m_subscription;
};

} // namespace fairuse::services::embedded
