#pragma once

#include "common/ClassifierLabel.h"
#include "common/Result.h"
#include "firestore/FirestoreClient.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

#include <QString>

/**
 * @file
 * fair_use_labels/{eventId}: a reviewer's verdict on a case's classifier result (common/ClassifierLabel.h), written in
 * the commit of the decision's audit record and naming it (`audit_record`), as the security rules require.
 */
namespace fairuse::services {

QString labelPath(const QString& eventId);

/** Every field of a label (case_ref, uid, event_id, model, prompt_version, verdict, usage_type, outcome, reviewer,
 *  reviewer_uid, labelled_at); the caller adds audit_record. */
FirestoreFields encodeLabel(const ClassifierLabel& label);

/** What the seeder writes with server credentials: each label whole, without an audit record (the demo's labels
 *  come with the population, not with a reviewer's commit). */
QList<FirestoreWrite> seededLabelWrites(const QList<ClassifierLabel>& labels);

/** Invalid (naming the document and field) for a label without event_id, labelled_at or a known verdict. */
Result<ClassifierLabel> decodeLabel(const FirestoreDocument& doc);

} // namespace fairuse::services
