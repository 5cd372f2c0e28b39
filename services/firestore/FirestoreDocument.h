#pragma once

#include "firestore/FirestoreValue.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace fairuse::services {

/** A document as the REST API returns it. `name` is the full resource name. */
struct FirestoreDocument {
    QString name;
    FirestoreFields fields;
    QString createTime; ///< server time string, kept verbatim
    QString updateTime; ///< server time string, kept verbatim: the version used in preconditions

    /** The path relative to the documents root ("users/u1/fair_use_state/current"). */
    QString relativePath() const;
    /** The path segments of relativePath(). */
    QStringList pathSegments() const { return relativePath().split(QLatin1Char('/'), Qt::SkipEmptyParts); }

    static Result<FirestoreDocument> fromJson(const QJsonObject& json);
};

} // namespace fairuse::services
