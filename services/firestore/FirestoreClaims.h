#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

#include <QString>

/**
 * @file
 * fair_use_claims/{uid} documents (docs/data-model.md): one claim per user, its version the document's update time.
 */
namespace fairuse::services {

/** "fair_use_claims/{uid}". */
QString claimPath(const QString& uid);

/** The claim's fields (uid, reviewer, reviewer_uid, claimed_at, expires_at); the store adds audit_record. */
FirestoreFields encodeClaim(const CaseClaim& claim);

/** Invalid (naming the document and field) for a claim without uid, reviewer or times, or with fields of the wrong
 *  type; the version is the document's update time. */
Result<CaseClaim> decodeClaim(const FirestoreDocument& doc);

} // namespace fairuse::services
