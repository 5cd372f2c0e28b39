#include "embedded/EmbeddedCasework.h"

#include "embedded/EmbeddedSql.h"

#include <QSqlQuery>

namespace fairuse::services::embedded {

namespace {

const QString kNoteColumns = QStringLiteral(
    "uid, id, text, author, author_uid, created_at, case_ref, pinned, unpinned_by, unpinned_at, version");
const QString kCaseworkColumns = QStringLiteral(
    "uid, case_ref, escalated_at, escalated_by, escalated_by_uid, escalation_note, snoozed_at, snoozed_until,"
    " snooze_until_cap_hit, snoozed_by, snoozed_by_uid, version");

UserNote noteFromQuery(const QSqlQuery& q) {
    UserNote n;
    n.uid = q.value(0).toString();
    n.id = q.value(1).toString();
    n.text = q.value(2).toString();
    n.author = q.value(3).toString();
    n.authorUid = q.value(4).toString();
    n.createdAt = timeOr(q.value(5));
    n.caseRef = q.value(6).toString();
    n.pinned = q.value(7).toInt() != 0;
    n.unpinnedBy = q.value(8).toString();
    n.unpinnedAt = optionalTime(q.value(9));
    n.version = q.value(10).toString();
    return n;
}

Casework caseworkFromQuery(const QSqlQuery& q) {
    Casework c;
    c.uid = q.value(0).toString();
    c.caseRef = q.value(1).toString();
    c.escalatedAt = optionalTime(q.value(2));
    c.escalatedBy = q.value(3).toString();
    c.escalatedByUid = q.value(4).toString();
    c.escalationNote = q.value(5).toString();
    c.snoozedAt = optionalTime(q.value(6));
    c.snoozedUntil = optionalTime(q.value(7));
    c.snoozeUntilCapHit = q.value(8).toInt() != 0;
    c.snoozedBy = q.value(9).toString();
    c.snoozedByUid = q.value(10).toString();
    c.version = q.value(11).toString();
    return c;
}

QString describeVersion(const QString& v) {
    return v.isEmpty() ? QStringLiteral("none") : QStringLiteral("version %1").arg(v);
}

} // namespace

Result<QList<UserNote>> readNotes(QSqlDatabase& db, const QString& uid) {
    auto q = exec(db,
                  QStringLiteral("SELECT ") + kNoteColumns +
                      QStringLiteral(" FROM notes WHERE uid = ? ORDER BY created_at DESC, id DESC"),
                  {uid});
    if (!q) {
        return q.error();
    }
    QList<UserNote> out;
    while (q->next()) {
        out.append(noteFromQuery(*q));
    }
    return out;
}

Result<std::optional<Casework>> readCasework(QSqlDatabase& db, const QString& uid) {
    auto q =
        exec(db, QStringLiteral("SELECT ") + kCaseworkColumns + QStringLiteral(" FROM casework WHERE uid = ?"), {uid});
    if (!q) {
        return q.error();
    }
    std::optional<Casework> c;
    if (q->next()) {
        c = caseworkFromQuery(*q);
    }
    return c;
}

Result<QList<Casework>> readAllCasework(QSqlDatabase& db) {
    auto q = exec(db, QStringLiteral("SELECT ") + kCaseworkColumns + QStringLiteral(" FROM casework ORDER BY uid"));
    if (!q) {
        return q.error();
    }
    QList<Casework> out;
    while (q->next()) {
        out.append(caseworkFromQuery(*q));
    }
    return out;
}

Status checkNotePrecondition(QSqlDatabase& db, const QString& uid, const ChangeSet::NoteChange& change) {
    if (change.note.id.isEmpty()) {
        return {};
    }
    auto q = exec(db, QStringLiteral("SELECT version FROM notes WHERE uid = ? AND id = ?"), {uid, change.note.id});
    if (!q) {
        return q.error();
    }
    const QString found = q->next() ? q->value(0).toString() : QString();
    if (found.isEmpty()) {
        return Error::notFound(QStringLiteral("note %1 of %2 does not exist").arg(change.note.id, uid));
    }
    if (found != change.expectedVersion) {
        return Error::conflict(
            QStringLiteral("note %1 of %2 was changed by someone else (expected %3, found %4)")
                .arg(change.note.id, uid, describeVersion(change.expectedVersion), describeVersion(found)));
    }
    return {};
}

Status checkCaseworkPrecondition(QSqlDatabase& db, const QString& uid, const ChangeSet::CaseworkChange& change) {
    auto current = readCasework(db, uid);
    if (!current) {
        return current.error();
    }
    const QString found = *current ? (*current)->version : QString();
    if (found != change.expectedVersion) {
        return Error::conflict(
            QStringLiteral("the escalation or snooze of %1 was changed by someone else (expected %2, found %3)")
                .arg(uid, describeVersion(change.expectedVersion), describeVersion(found)));
    }
    return {};
}

Result<std::pair<QString, QString>> writeNoteChange(QSqlDatabase& db, const QString& uid,
                                                    const ChangeSet::NoteChange& change, const QString& newId) {
    const UserNote& n = change.note;
    if (n.id.isEmpty()) {
        auto q = exec(db,
                      QStringLiteral("INSERT INTO notes (") + kNoteColumns +
                          QStringLiteral(") VALUES (?,?,?,?,?,?,?,?,?,?,1)"),
                      {uid, newId, n.text, n.author, n.authorUid, timeValue(n.createdAt), n.caseRef, n.pinned ? 1 : 0,
                       n.unpinnedBy, timeValue(n.unpinnedAt)});
        if (!q) {
            return q.error();
        }
        return std::pair{newId, QStringLiteral("1")};
    }
    const qlonglong next = change.expectedVersion.toLongLong() + 1;
    auto q = exec(db,
                  QStringLiteral("UPDATE notes SET pinned = ?, unpinned_by = ?, unpinned_at = ?, version = ? WHERE uid"
                                 " = ? AND id = ?"),
                  {n.pinned ? 1 : 0, n.unpinnedBy, timeValue(n.unpinnedAt), next, uid, n.id});
    if (!q) {
        return q.error();
    }
    return std::pair{n.id, QString::number(next)};
}

Result<QString> writeCaseworkChange(QSqlDatabase& db, const QString& uid, const ChangeSet::CaseworkChange& change) {
    if (!change.casework) {
        auto q = exec(db, QStringLiteral("DELETE FROM casework WHERE uid = ?"), {uid});
        return q ? Result<QString>(QString()) : Result<QString>(q.error());
    }
    const Casework& c = *change.casework;
    const qlonglong next = change.expectedVersion.toLongLong() + 1;
    auto q = exec(db,
                  QStringLiteral("INSERT OR REPLACE INTO casework (") + kCaseworkColumns +
                      QStringLiteral(") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"),
                  {uid, c.caseRef, timeValue(c.escalatedAt), c.escalatedBy, c.escalatedByUid, c.escalationNote,
                   timeValue(c.snoozedAt), timeValue(c.snoozedUntil), c.snoozeUntilCapHit ? 1 : 0, c.snoozedBy,
                   c.snoozedByUid, next});
    if (!q) {
        return q.error();
    }
    return QString::number(next);
}

} // namespace fairuse::services::embedded
