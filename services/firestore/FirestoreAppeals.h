#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "firestore/FirestoreClient.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

#include <QString>

/**
 * @file
 * users/{uid}/fair_use_appeals/{id} documents (docs/data-model.md): written by the app or support with status open,
 * decided by a senior reviewer (status upheld or overturned, decided_by, decided_at, decision_reason, audit_record).
 */
namespace fairuse::services {

QString appealPath(const QString& uid, const QString& id);

/** Every field of an appeal, as the app writes it (status open unless decided). */
FirestoreFields encodeAppeal(const Appeal& appeal);

/** The write of a decision: the decision fields and the record's id, on condition of the appeal's version. */
FirestoreWrite appealDecisionWrite(const Appeal& decided, const QString& recordId);

/** Invalid (naming the document and field) for an appeal without created_at or with an unknown status; uid and id
 *  come from the document's path, the version is its update time. */
Result<Appeal> decodeAppeal(const FirestoreDocument& doc);

} // namespace fairuse::services
