// The saved views' mapping, apart from the store's requests so the fuzz targets can link it (the store reads them in
// FirestoreCaseStoreReads.cpp and writes them in changeWrites()).
#include "firestore/FirestoreViews.h"

#include "firestore/FieldReader.h"

#include <QRegularExpression>

namespace fairuse::services {

namespace {

using V = FirestoreValue;

} // namespace

QString viewsCollection() {
    return QStringLiteral("fair_use_views");
}

QString viewPath(const QString& id) {
    return viewsCollection() + QLatin1Char('/') + id;
}

bool isViewId(const QString& id) {
    static const QRegularExpression pattern(QStringLiteral("^v[0-9a-f]{19}$"));
    return pattern.match(id).hasMatch();
}

FirestoreFields encodeView(const SavedView& v) {
    return {{QStringLiteral("name"), V::string(v.name)},
            {QStringLiteral("owner"), V::string(v.owner)},
            {QStringLiteral("owner_uid"), V::string(v.ownerUid)},
            {QStringLiteral("shared"), V::boolean(v.shared)},
            {QStringLiteral("filter"), V::string(v.filter)},
            {QStringLiteral("created_at"), V::timestamp(v.createdAt)},
            {QStringLiteral("updated_at"), V::timestamp(v.updatedAt)},
            {QStringLiteral("updated_by"), V::string(v.updatedBy)}};
}

Result<SavedView> decodeView(const FirestoreDocument& doc) {
    const QString path = doc.relativePath();
    const QStringList segments = doc.pathSegments();
    if (segments.size() != 2 || segments.at(0) != viewsCollection() || !isViewId(segments.at(1))) {
        return Error::invalid(
            QStringLiteral("%1 is not a saved view (fair_use_views/v and 19 hex digits)").arg(path.left(120)));
    }
    FieldReader r(doc.fields, path);
    r.requireAll({"name", "owner", "shared", "filter", "created_at", "updated_at"});
    SavedView v;
    v.id = segments.at(1);
    v.name = r.string(QStringLiteral("name"));
    v.owner = r.string(QStringLiteral("owner"));
    v.ownerUid = r.string(QStringLiteral("owner_uid"));
    v.shared = r.boolean(QStringLiteral("shared"));
    v.filter = r.string(QStringLiteral("filter"));
    v.createdAt = r.time(QStringLiteral("created_at")).value_or(TimePoint{});
    v.updatedAt = r.time(QStringLiteral("updated_at")).value_or(TimePoint{});
    v.updatedBy = r.string(QStringLiteral("updated_by"));
    v.version = doc.updateTime;
    if (!r.error() && v.name.trimmed().isEmpty()) {
        r.fail(QStringLiteral("name"), QStringLiteral("is empty"));
    }
    if (!r.error() && v.owner.trimmed().isEmpty()) {
        r.fail(QStringLiteral("owner"), QStringLiteral("is empty"));
    }
    return r.result(v);
}

} // namespace fairuse::services
