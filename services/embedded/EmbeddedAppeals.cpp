#include "embedded/EmbeddedAppeals.h"

#include "embedded/EmbeddedSql.h"

#include <QSqlQuery>

#include <algorithm>

namespace fairuse::services::embedded {

namespace {

const QString kColumns = QStringLiteral(
    "uid, id, created_at, message, case_ref, channel, status, decided_by, decided_at, decision_reason, version");
const QString kOpen = QStringLiteral("open");

Appeal appealFromQuery(const QSqlQuery& q) {
    Appeal a;
    a.uid = q.value(0).toString();
    a.id = q.value(1).toString();
    a.createdAt = timeOr(q.value(2));
    a.message = q.value(3).toString();
    a.caseRef = q.value(4).toString();
    a.channel = q.value(5).toString();
    a.decision = appealDecisionFromString(q.value(6).toString());
    a.decidedBy = q.value(7).toString();
    a.decidedAt = optionalTime(q.value(8));
    a.decisionReason = q.value(9).toString();
    a.version = q.value(10).toString();
    return a;
}

Result<QList<Appeal>> appealsOf(QSqlDatabase& db, const QString& where, const QVariantList& binds) {
    auto q = exec(db, QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM appeals ") + where, binds);
    if (!q) {
        return q.error();
    }
    QList<Appeal> out;
    while (q->next()) {
        out.append(appealFromQuery(*q));
    }
    return out;
}

} // namespace

Status insertAppeal(QSqlDatabase& db, const Appeal& a) {
    auto q = exec(
        db, QStringLiteral("INSERT INTO appeals (") + kColumns + QStringLiteral(") VALUES (?,?,?,?,?,?,?,?,?,?,1)"),
        {a.uid, a.id, timeValue(a.createdAt), a.message, a.caseRef, a.channel,
         a.decision ? toString(*a.decision) : kOpen, a.decidedBy, timeValue(a.decidedAt), a.decisionReason});
    return q ? Status{} : Status(q.error());
}

Result<QList<Appeal>> readAppeals(QSqlDatabase& db, const QString& uid) {
    return appealsOf(db, QStringLiteral("WHERE uid = ? ORDER BY created_at DESC, id DESC"), {uid});
}

Result<QList<Appeal>> readOpenAppeals(QSqlDatabase& db, int limit) {
    return appealsOf(db, QStringLiteral("WHERE status = ? ORDER BY created_at, uid, id LIMIT ?"),
                     {kOpen, std::clamp(limit, 1, 1000)});
}

Status checkAppealPrecondition(QSqlDatabase& db, const Appeal& decided) {
    auto now = appealsOf(db, QStringLiteral("WHERE uid = ? AND id = ?"), {decided.uid, decided.id});
    if (!now) {
        return now.error();
    }
    if (now->isEmpty()) {
        return Error::notFound(QStringLiteral("no appeal %1 of %2").arg(decided.id, decided.uid));
    }
    const Appeal& stored = now->first();
    if (stored.version != decided.version || !stored.isOpen()) {
        return Error::conflict(
            QStringLiteral("appeal %1 of %2 was changed by someone else%3")
                .arg(decided.id, decided.uid,
                     stored.isOpen()
                         ? QString()
                         : QStringLiteral(" (%1 by %2)").arg(toString(*stored.decision), stored.decidedBy)));
    }
    return {};
}

Result<QString> writeAppealDecision(QSqlDatabase& db, const Appeal& decided) {
    if (!decided.decision) {
        return Error::invalid(QStringLiteral("appeal %1 has no decision to write").arg(decided.id));
    }
    const qlonglong next = decided.version.toLongLong() + 1;
    auto q = exec(db,
                  QStringLiteral("UPDATE appeals SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ?,"
                                 " version = ? WHERE uid = ? AND id = ?"),
                  {toString(*decided.decision), decided.decidedBy, timeValue(decided.decidedAt), decided.decisionReason,
                   next, decided.uid, decided.id});
    if (!q) {
        return q.error();
    }
    return QString::number(next);
}

} // namespace fairuse::services::embedded
