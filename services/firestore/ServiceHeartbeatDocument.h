#pragma once
// fair_use_service/{instance}: the enforcement service's heartbeat document (docs/data-model.md). The service writes
// it with its own credentials after every pass; reviewers read it (the console's status bar), nobody writes it
// through the client SDK (packaging/firestore/firestore.rules).

#include "common/Result.h"
#include "common/ServiceHeartbeat.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

namespace fairuse::services {

/** The heartbeats' collection. */
inline const QString kServiceHeartbeatCollection = QStringLiteral("fair_use_service");

/** "fair_use_service/{instance}". */
QString serviceHeartbeatPath(const QString& instance);
FirestoreFields encodeServiceHeartbeat(const ServiceHeartbeat& h);
/** Invalid, naming the document and field, when a field is missing or of another type. */
Result<ServiceHeartbeat> decodeServiceHeartbeat(const FirestoreDocument& doc);

} // namespace fairuse::services
