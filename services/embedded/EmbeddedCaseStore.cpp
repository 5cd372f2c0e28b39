#include "embedded/EmbeddedCaseStore.h"

#include "audit/AuditChain.h"
#include "audit/CaseRef.h"
#include "common/Promise.h"
#include "embedded/EmbeddedAppeals.h"
#include "embedded/EmbeddedCasework.h"
#include "embedded/EmbeddedChangeSet.h"
#include "embedded/EmbeddedClaims.h"
#include "embedded/EmbeddedLabels.h"
#include "embedded/EmbeddedSql.h"
#include "embedded/EmbeddedViews.h"

#include <algorithm>

namespace fairuse::services {

using namespace embedded;

namespace {

QString encodeCursor(std::int64_t queueAt, const QString& uid) {
    return QString::fromLatin1(QString(QString::number(queueAt) + QLatin1Char('\n') + uid)
                                   .toUtf8()
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool decodeCursor(const QString& cursor, std::int64_t* queueAt, QString* uid) {
    const auto decoded = QByteArray::fromBase64Encoding(cursor.toLatin1(), QByteArray::Base64UrlEncoding |
                                                                               QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return false;
    }
    const QString text = QString::fromUtf8(*decoded);
    const qsizetype nl = text.indexOf(QLatin1Char('\n'));
    if (nl <= 0) {
        return false;
    }
    bool ok = false;
    *queueAt = text.left(nl).toLongLong(&ok);
    *uid = text.mid(nl + 1);
    return ok && !uid->isEmpty();
}

} // namespace

EmbeddedCaseStore::EmbeddedCaseStore(std::shared_ptr<EmbeddedDatabase> db)
    : m_db(std::move(db)) {}

Async<QueuePage> EmbeddedCaseStore::fetchQueuePage(const QueueFilter& filter, const QString& cursor, int limit) {
    EmbeddedDatabase* database = m_db.get();
    return m_db->run<QueuePage>([filter, cursor, limit, database](QSqlDatabase& db) -> Result<QueuePage> {
        const int pageSize = std::clamp(limit, 1, kMaxPage);
        QString sql = QStringLiteral("SELECT ") + stateColumns(QStringLiteral("s.")) +
                      QStringLiteral(", s.queue_at, s.speech_daily_ms, s.speech_3day_ms, s.speech_weekly_ms,"
                                     " s.speech_at,"
                                     " (SELECT COUNT(*) FROM events e WHERE e.uid = s.uid AND e.resolved = 0),"
                                     " (SELECT MIN(e.created_at) FROM events e WHERE e.uid = s.uid AND e.resolved = 0),"
                                     " (SELECT a.action FROM audit a WHERE a.uid = s.uid ORDER BY a.sequence DESC"
                                     "  LIMIT 1)"
                                     " FROM fair_use_state s WHERE ");
        QVariantList binds;
        if (filter.stage) {
            sql += QStringLiteral("s.stage = ?");
            binds << toString(*filter.stage);
        } else {
            // Unary + keeps the planner on the (queue_at, uid) index, which already delivers the page order.
            sql += QStringLiteral("+s.stage IN ('warning', 'throttle', 'restrict')");
        }
        if (filter.usageType) {
            sql += QStringLiteral(" AND s.last_classifier_type = ?");
            binds << toString(*filter.usageType);
        }
        if (filter.minScore > 0.0 || filter.maxScore < 1.0) {
            sql += QStringLiteral(" AND COALESCE(s.last_classifier_score, 0) >= ?"
                                  " AND COALESCE(s.last_classifier_score, 0) <= ?");
            binds << filter.minScore << filter.maxScore;
        }
        switch (filter.resolution) {
        case QueueFilter::Resolution::Any:
            break;
        case QueueFilter::Resolution::OpenOnly:
            sql += QStringLiteral(" AND EXISTS(SELECT 1 FROM events e WHERE e.uid = s.uid AND e.resolved = 0)");
            break;
        case QueueFilter::Resolution::ResolvedOnly:
            sql += QStringLiteral(" AND EXISTS(SELECT 1 FROM events e WHERE e.uid = s.uid AND e.resolved = 1)"
                                  " AND NOT EXISTS(SELECT 1 FROM events e WHERE e.uid = s.uid AND e.resolved = 0)");
            break;
        }
        const QString search = filter.search.trimmed();
        if (!search.isEmpty()) {
            const QString ref = normaliseCaseRef(search);
            if (ref.isEmpty()) {
                sql += QStringLiteral(" AND s.uid = ?");
                binds << search;
            } else {
                sql += QStringLiteral(" AND (s.uid = ? OR s.uid IN (SELECT e.uid FROM events e WHERE e.case_ref = ?))");
                binds << search << ref;
            }
        }
        if (!cursor.isEmpty()) {
            std::int64_t queueAt = 0;
            QString afterUid;
            if (!decodeCursor(cursor, &queueAt, &afterUid)) {
                return Error::invalid(QStringLiteral("malformed queue cursor"));
            }
            // The leading range on queue_at lets SQLite seek into the index instead of scanning from the top on
            // every page; the OR only settles ties on the boundary timestamp.
            sql += QStringLiteral(" AND s.queue_at <= ? AND (s.queue_at < ? OR s.uid > ?)");
            binds << QVariant::fromValue<qlonglong>(queueAt) << QVariant::fromValue<qlonglong>(queueAt) << afterUid;
        }
        sql += QStringLiteral(" ORDER BY s.queue_at DESC, s.uid ASC LIMIT ?");
        binds << pageSize + 1;

        auto q = exec(db, sql, binds);
        if (!q) {
            return q.error();
        }
        const TimePoint now = database->now(db);
        const qlonglong nowMs = toUnixMs(now);
        QueuePage page;
        std::int64_t lastQueueAt = 0;
        while (q->next()) {
            if (page.rows.size() == pageSize) {
                page.nextCursor = encodeCursor(lastQueueAt, page.rows.last().state.uid);
                break;
            }
            QueueRow row;
            int i = 0;
            row.state = stateFromQuery(*q, i);
            lastQueueAt = q->value(i++).toLongLong();
            const QVariant daily = q->value(i++), threeDay = q->value(i++), weekly = q->value(i++);
            const QVariant speechAt = q->value(i++);
            if (!speechAt.isNull() && speechAt.toLongLong() == nowMs) {
                row.speech = SpeechTotals{daily.toLongLong(), threeDay.toLongLong(), weekly.toLongLong()};
            } else {
                row.speech = std::nullopt; // filled below, after this query is done with the connection
            }
            row.openCases = q->value(i++).toInt();
            row.oldestOpenCaseAt = optionalTime(q->value(i++));
            row.lastAction = q->value(i++).toString();
            page.rows.append(std::move(row));
        }
        q->finish();
        for (QueueRow& row : page.rows) {
            if (!row.speech) {
                auto reading = sumSpeech(db, row.state.uid, now);
                if (!reading) {
                    return reading.error();
                }
                row.speech = reading->totals;
            }
        }
        return page;
    });
}

Async<FairUseState> EmbeddedCaseStore::getState(const QString& uid) {
    return m_db->run<FairUseState>([uid](QSqlDatabase& db) -> Result<FairUseState> {
        auto q = exec(db,
                      QStringLiteral("SELECT ") + stateColumns(QStringLiteral("s.")) +
                          QStringLiteral(" FROM fair_use_state s WHERE s.uid = ?"),
                      {uid});
        if (!q) {
            return q.error();
        }
        if (!q->next()) {
            return Error::notFound(QStringLiteral("no fair-use state for %1").arg(uid));
        }
        int i = 0;
        return stateFromQuery(*q, i);
    });
}

Async<QList<FairUseEvent>> EmbeddedCaseStore::listEvents(const QString& uid) {
    return m_db->run<QList<FairUseEvent>>([uid](QSqlDatabase& db) -> Result<QList<FairUseEvent>> {
        auto q = exec(db,
                      QStringLiteral("SELECT ") + eventColumns() +
                          QStringLiteral(" FROM events WHERE uid = ? ORDER BY created_at DESC, id DESC"),
                      {uid});
        if (!q) {
            return q.error();
        }
        QList<FairUseEvent> out;
        while (q->next()) {
            out.append(eventFromQuery(*q));
        }
        return out;
    });
}

Async<QList<FairUseEvent>> EmbeddedCaseStore::listCasesOpenDuring(TimePoint from, TimePoint to) {
    return m_db->run<QList<FairUseEvent>>([from, to](QSqlDatabase& db) -> Result<QList<FairUseEvent>> {
        if (to <= from) {
            return QList<FairUseEvent>{};
        }
        auto q = exec(db,
                      QStringLiteral("SELECT ") + eventColumns() +
                          QStringLiteral(" FROM events WHERE created_at < ? AND (resolved = 0 OR resolved_at >= ?)"),
                      {static_cast<qlonglong>(toUnixMs(to)), static_cast<qlonglong>(toUnixMs(from))});
        if (!q) {
            return q.error();
        }
        QList<FairUseEvent> out;
        while (q->next()) {
            out.append(eventFromQuery(*q));
        }
        return out;
    });
}

Async<QList<FairUseEvent>> EmbeddedCaseStore::listOpenSpendCases(int limit) {
    return m_db->run<QList<FairUseEvent>>([limit](QSqlDatabase& db) -> Result<QList<FairUseEvent>> {
        if (limit <= 0) {
            return Error::invalid(QStringLiteral("the limit of spend cases must be positive, got %1").arg(limit));
        }
        auto q = exec(db,
                      QStringLiteral("SELECT ") + eventColumns() +
                          QStringLiteral(" FROM events WHERE resolved = 0 AND trigger IN (?, ?)"
                                         " ORDER BY created_at, uid, id LIMIT ?"),
                      {toString(CapWindow::LlmDaily), toString(CapWindow::LlmMonthly), limit});
        if (!q) {
            return q.error();
        }
        QList<FairUseEvent> out;
        while (q->next()) {
            out.append(eventFromQuery(*q));
        }
        return out;
    });
}

Async<FairUseEvent> EmbeddedCaseStore::findByCaseRef(const QString& caseRef) {
    return m_db->run<FairUseEvent>([caseRef](QSqlDatabase& db) -> Result<FairUseEvent> {
        const QString ref = normaliseCaseRef(caseRef);
        if (ref.isEmpty()) {
            return Error::invalid(
                QStringLiteral("\"%1\" is not a case reference (FU- and 12 hex digits)").arg(caseRef.left(64)));
        }
        auto q = exec(db,
                      QStringLiteral("SELECT ") + eventColumns() +
                          QStringLiteral(" FROM events WHERE case_ref = ? ORDER BY created_at DESC LIMIT 1"),
                      {ref});
        if (!q) {
            return q.error();
        }
        if (!q->next()) {
            return Error::notFound(QStringLiteral("no case %1").arg(ref));
        }
        return eventFromQuery(*q);
    });
}

Async<QList<Conversation>> EmbeddedCaseStore::listConversations(const QString& uid, TimePoint since, int limit) {
    return m_db->run<QList<Conversation>>([uid, since, limit](QSqlDatabase& db) -> Result<QList<Conversation>> {
        auto q = exec(db,
                      QStringLiteral("SELECT id, title, overview, category, source, started_at, finished_at,"
                                     " created_at FROM conversations WHERE uid = ? AND created_at >= ?"
                                     " ORDER BY created_at DESC, id DESC LIMIT ?"),
                      {uid, timeValue(since), std::max(limit, 0)});
        if (!q) {
            return q.error();
        }
        QList<Conversation> out;
        while (q->next()) {
            Conversation c;
            c.id = q->value(0).toString();
            c.title = q->value(1).toString();
            c.overview = q->value(2).toString();
            c.category = q->value(3).toString();
            c.source = q->value(4).toString();
            c.startedAt = timeOr(q->value(5));
            c.finishedAt = timeOr(q->value(6));
            c.createdAt = timeOr(q->value(7));
            out.append(c);
        }
        return out;
    });
}

Async<CommitResult> EmbeddedCaseStore::apply(const ChangeSet& change) {
    return m_db->run<CommitResult>([change](QSqlDatabase& db) -> Result<CommitResult> {
        // IMMEDIATE would be ideal, but one connection on one thread already serialises writers of this process;
        // other processes are held off by SQLite's lock and the busy timeout.
        if (!db.transaction()) {
            return sqlError(db, QStringLiteral("starting a transaction"));
        }
        auto r = applyChangeSet(db, change);
        if (!r || r->alreadyApplied) {
            db.rollback();
            return r;
        }
        if (!db.commit()) {
            const Error e = sqlError(db, QStringLiteral("committing"));
            db.rollback();
            return e;
        }
        return r;
    });
}

Async<QList<Result<CommitResult>>> EmbeddedCaseStore::applyBatch(const QList<ChangeSet>& changes) {
    using Results = QList<Result<CommitResult>>;
    return m_db->run<Results>([changes](QSqlDatabase& db) -> Result<Results> {
        if (!db.transaction()) {
            return sqlError(db, QStringLiteral("starting a transaction"));
        }
        Results results;
        results.reserve(changes.size());
        for (const ChangeSet& change : changes) {
            // A savepoint per change: a change that conflicts or fails leaves nothing behind, the others stay.
            if (auto sp = exec(db, QStringLiteral("SAVEPOINT batch_change"), {}); !sp) {
                db.rollback();
                return sp.error();
            }
            Result<CommitResult> r = applyChangeSet(db, change);
            if (!r || r->alreadyApplied) {
                if (auto back = exec(db, QStringLiteral("ROLLBACK TO batch_change"), {}); !back) {
                    db.rollback();
                    return back.error();
                }
            }
            if (auto rel = exec(db, QStringLiteral("RELEASE batch_change"), {}); !rel) {
                db.rollback();
                return rel.error();
            }
            results.append(std::move(r));
        }
        if (!db.commit()) {
            // Nothing of the batch was written: every change that would have been applied reports why.
            const Error e = sqlError(db, QStringLiteral("committing a batch of %1 changes").arg(changes.size()));
            db.rollback();
            for (Result<CommitResult>& r : results) {
                if (r && !r->alreadyApplied) {
                    r = Result<CommitResult>(e);
                }
            }
        }
        return results;
    });
}

Async<QList<LlmSpendRecord>> EmbeddedCaseStore::listSpend(TimePoint from, TimePoint to) {
    return readSpend(QString(), from, to);
}

Async<QList<LlmSpendRecord>> EmbeddedCaseStore::listUserSpend(const QString& uid, TimePoint from, TimePoint to) {
    return readSpend(uid, from, to);
}

Async<QList<LlmSpendRecord>> EmbeddedCaseStore::readSpend(const QString& uid, TimePoint from, TimePoint to) {
    return m_db->run<QList<LlmSpendRecord>>([uid, from, to](QSqlDatabase& db) -> Result<QList<LlmSpendRecord>> {
        QVariantList binds{timeValue(from), timeValue(to)};
        QString where = QStringLiteral("at >= ? AND at < ?");
        if (!uid.isNull()) {
            where += QStringLiteral(" AND uid = ?");
            binds << uid;
        }
        auto q = exec(db,
                      QStringLiteral("SELECT uid, at, model, purpose, prompt_tokens, completion_tokens, cost_micro_usd,"
                                     " custom_stt, plan FROM llm_spend WHERE ") +
                          where + QStringLiteral(" ORDER BY at, id"),
                      binds);
        if (!q) {
            return q.error();
        }
        QList<LlmSpendRecord> out;
        while (q->next()) {
            LlmSpendRecord r;
            r.uid = q->value(0).toString();
            r.at = timeOr(q->value(1));
            r.model = q->value(2).toString();
            r.purpose = q->value(3).toString();
            r.promptTokens = q->value(4).toLongLong();
            r.completionTokens = q->value(5).toLongLong();
            r.costMicroUsd = q->value(6).toLongLong();
            r.customStt = q->value(7).toBool();
            r.plan = planFromString(q->value(8).toString()).value_or(Plan::Basic);
            out.append(r);
        }
        return out;
    });
}

Async<bool> EmbeddedCaseStore::recordSpend(const LlmSpendRecord& record) {
    return m_db->run<bool>([record](QSqlDatabase& db) -> Result<bool> {
        if (record.uid.isEmpty() || record.model.isEmpty() || record.promptTokens < 0 || record.completionTokens < 0 ||
            record.costMicroUsd < 0) {
            return Error::invalid(QStringLiteral("a spend record needs a uid, a model and no negative amounts"));
        }
        Writer w(db);
        if (Status s = w.prepare(); !s) {
            return s.error();
        }
        if (Status s = w.insertSpend(record); !s) {
            return s.error();
        }
        return true;
    });
}

Async<Role> EmbeddedCaseStore::reviewerRole(const QString& email) {
    return m_db->run<Role>([email](QSqlDatabase& db) -> Result<Role> {
        auto q = exec(db, QStringLiteral("SELECT role FROM reviewers WHERE email = ?"), {email.trimmed().toLower()});
        if (!q) {
            return q.error();
        }
        if (!q->next()) {
            return Error::notFound(QStringLiteral("%1 is not a known reviewer").arg(email));
        }
        const auto role = roleFromString(q->value(0).toString());
        if (!role) {
            return Error::internal(
                QStringLiteral("reviewer %1 has an unknown role \"%2\"").arg(email, q->value(0).toString()));
        }
        return *role;
    });
}

QString EmbeddedCaseStore::describe() const {
    return QStringLiteral("embedded store %1").arg(m_db->path());
}

Async<std::optional<CaseClaim>> EmbeddedCaseStore::getClaim(const QString& uid) {
    return m_db->run<std::optional<CaseClaim>>(
        [uid](QSqlDatabase& db) -> Result<std::optional<CaseClaim>> { return embedded::readClaim(db, uid); });
}

Async<QList<CaseClaim>> EmbeddedCaseStore::listLiveClaims(TimePoint now) {
    return m_db->run<QList<CaseClaim>>(
        [now](QSqlDatabase& db) -> Result<QList<CaseClaim>> { return embedded::readLiveClaims(db, now); });
}

Async<CaseClaim> EmbeddedCaseStore::renewClaim(const CaseClaim& claim) {
    return m_db->run<CaseClaim>(
        [claim](QSqlDatabase& db) -> Result<CaseClaim> { return embedded::renewStoredClaim(db, claim); });
}

Async<QList<Appeal>> EmbeddedCaseStore::listAppeals(const QString& uid) {
    return m_db->run<QList<Appeal>>(
        [uid](QSqlDatabase& db) -> Result<QList<Appeal>> { return embedded::readAppeals(db, uid); });
}

Async<QList<Appeal>> EmbeddedCaseStore::listOpenAppeals(int limit) {
    return m_db->run<QList<Appeal>>(
        [limit](QSqlDatabase& db) -> Result<QList<Appeal>> { return embedded::readOpenAppeals(db, limit); });
}

Async<LabelPage> EmbeddedCaseStore::listLabels(std::optional<TimePoint> since, const QString& cursor, int limit) {
    return m_db->run<LabelPage>([since, cursor, limit](QSqlDatabase& db) -> Result<LabelPage> {
        return embedded::readLabels(db, since, cursor, limit);
    });
}

Async<QList<UserNote>> EmbeddedCaseStore::listNotes(const QString& uid) {
    return m_db->run<QList<UserNote>>(
        [uid](QSqlDatabase& db) -> Result<QList<UserNote>> { return embedded::readNotes(db, uid); });
}

Async<std::optional<Casework>> EmbeddedCaseStore::getCasework(const QString& uid) {
    return m_db->run<std::optional<Casework>>(
        [uid](QSqlDatabase& db) -> Result<std::optional<Casework>> { return embedded::readCasework(db, uid); });
}

Async<QList<Casework>> EmbeddedCaseStore::listCasework() {
    return m_db->run<QList<Casework>>(
        [](QSqlDatabase& db) -> Result<QList<Casework>> { return embedded::readAllCasework(db); });
}

Async<QList<SavedView>> EmbeddedCaseStore::listViews(const Reviewer& reader) {
    return m_db->run<QList<SavedView>>(
        [reader](QSqlDatabase& db) -> Result<QList<SavedView>> { return embedded::readViews(db, reader); });
}

} // namespace fairuse::services
