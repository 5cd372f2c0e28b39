#pragma once
// fair_use_shadow/{uid}_{interval start}: what the enforcement service would have done in shadow mode
// (docs/data-model.md). The service writes it with its own credentials; reviewers read it (the console's Shadow
// comparison), nobody writes it through the client SDK (packaging/firestore/firestore.rules).

#include "common/Result.h"
#include "common/ShadowDecision.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

namespace fairuse::services {

/** The shadow decisions' collection. */
inline const QString kShadowCollection = QStringLiteral("fair_use_shadow");

/** "fair_use_shadow/{id}". */
QString shadowDecisionPath(const QString& id);
FirestoreFields encodeShadowDecision(const ShadowDecision& d);
/**
 * Strict: Invalid, naming the document and the field, when a required field (uid, pass_at, interval_start, instance,
 * action, stage_before, stage_after) is missing, a field has another type, a name is unknown (action, stages, trigger,
 * usage type), a total is negative, the score is outside [0, 1], or the document's id is not the one its uid and
 * interval name (enforcement::shadowDecisionId).
 */
Result<ShadowDecision> decodeShadowDecision(const FirestoreDocument& doc);

} // namespace fairuse::services
