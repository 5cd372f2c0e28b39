#include "firestore/FirestoreDocument.h"

namespace fairuse::services {

QString FirestoreDocument::relativePath() const {
    static const QLatin1String marker("/documents/");
    const qsizetype at = name.indexOf(marker);
    return at < 0 ? name : name.mid(at + marker.size());
}

Result<FirestoreDocument> FirestoreDocument::fromJson(const QJsonObject& json) {
    FirestoreDocument doc;
    doc.name = json.value(QStringLiteral("name")).toString();
    if (doc.name.isEmpty()) {
        return Error::invalid(QStringLiteral("document without a name"));
    }
    const QJsonValue fields = json.value(QStringLiteral("fields"));
    if (!fields.isUndefined()) {
        if (!fields.isObject()) {
            return Error::invalid(QStringLiteral("%1: fields must be an object").arg(doc.relativePath()));
        }
        auto parsed = fieldsFromJson(fields.toObject());
        if (!parsed) {
            return Error::invalid(QStringLiteral("%1: %2").arg(doc.relativePath(), parsed.error().message));
        }
        doc.fields = std::move(parsed.value());
    }
    doc.createTime = json.value(QStringLiteral("createTime")).toString();
    doc.updateTime = json.value(QStringLiteral("updateTime")).toString();
    return doc;
}

} // namespace fairuse::services
