#include "embedded/EmbeddedViews.h"

#include "embedded/EmbeddedSql.h"

#include <QSqlQuery>

namespace fairuse::services::embedded {

namespace {

const QString kViewColumns =
    QStringLiteral("id, name, owner, owner_uid, shared, filter, created_at, updated_at, updated_by, version");

SavedView viewFromQuery(const QSqlQuery& q) {
    SavedView v;
    v.id = q.value(0).toString();
    v.name = q.value(1).toString();
    v.owner = q.value(2).toString();
    v.ownerUid = q.value(3).toString();
    v.shared = q.value(4).toInt() != 0;
    v.filter = q.value(5).toString();
    v.createdAt = timeOr(q.value(6));
    v.updatedAt = timeOr(q.value(7));
    v.updatedBy = q.value(8).toString();
    v.version = q.value(9).toString();
    return v;
}

Result<QString> currentVersion(QSqlDatabase& db, const QString& id) {
    auto q = exec(db, QStringLiteral("SELECT version FROM saved_views WHERE id = ?"), {id});
    if (!q) {
        return q.error();
    }
    return q->next() ? q->value(0).toString() : QString();
}

} // namespace

Result<QList<SavedView>> readViews(QSqlDatabase& db, const Reviewer& reader) {
    // The embedded demo identity has no uid: its own views are matched by e-mail, as the core's ownsView does. Never
    // NULL: a null QString binds as NULL, and NULL = '' is not true.
    const QString uid = reader.uid.isNull() ? QStringLiteral("") : reader.uid;
    const QString email = reader.email.isNull() ? QStringLiteral("") : reader.email;
    auto q = exec(db,
                  QStringLiteral("SELECT ") + kViewColumns +
                      QStringLiteral(" FROM saved_views WHERE shared = 1 OR (? <> '' AND owner_uid = ?) OR (? = '' AND"
                                     " lower(owner) = lower(?)) ORDER BY id"),
                  {uid, uid, uid, email});
    if (!q) {
        return q.error();
    }
    QList<SavedView> out;
    while (q->next()) {
        out.append(viewFromQuery(*q));
    }
    return out;
}

Status checkViewPrecondition(QSqlDatabase& db, const ChangeSet::ViewChange& change) {
    if (change.id.isEmpty() || (change.view && change.view->id != change.id)) {
        return Error::invalid(QStringLiteral("a saved view's change names no view, or two"));
    }
    auto found = currentVersion(db, change.id);
    if (!found) {
        return found.error();
    }
    if (*found == change.expectedVersion) {
        return {};
    }
    if (found->isEmpty()) {
        return Error::notFound(QStringLiteral("saved view %1 was deleted by someone else").arg(change.id));
    }
    return Error::conflict(change.expectedVersion.isEmpty()
                               ? QStringLiteral("saved view %1 exists already").arg(change.id)
                               : QStringLiteral("saved view %1 was changed by someone else; reload the views and try "
                                                "again")
                                     .arg(change.id));
}

Result<QString> writeViewChange(QSqlDatabase& db, const ChangeSet::ViewChange& change) {
    if (!change.view) {
        auto q = exec(db, QStringLiteral("DELETE FROM saved_views WHERE id = ?"), {change.id});
        return q ? Result<QString>(QString()) : Result<QString>(q.error());
    }
    const SavedView& v = *change.view;
    const qlonglong next = change.expectedVersion.toLongLong() + 1;
    auto q = exec(db,
                  QStringLiteral("INSERT OR REPLACE INTO saved_views (") + kViewColumns +
                      QStringLiteral(") VALUES (?,?,?,?,?,?,?,?,?,?)"),
                  {v.id, v.name, v.owner, v.ownerUid, v.shared ? 1 : 0, v.filter, timeValue(v.createdAt),
                   timeValue(v.updatedAt), v.updatedBy, next});
    if (!q) {
        return q.error();
    }
    return QString::number(next);
}

} // namespace fairuse::services::embedded
