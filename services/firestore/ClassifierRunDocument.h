#pragma once
// fair_use_classifier_runs/{auditRecordId}: the enforcement service's answer to a reviewer's `rerun_classifier`
// audit record (docs/data-model.md). The service writes it with its own credentials; reviewers read it (the console's
// ServiceRerunClassifier), nobody writes it through the client SDK (packaging/firestore/firestore.rules).

#include "common/Domain.h"
#include "common/Result.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

#include <cstdint>
#include <optional>

namespace fairuse::services {

/** The results' collection. */
inline const QString kClassifierRunCollection = QStringLiteral("fair_use_classifier_runs");

/** One answered re-run request. */
struct ClassifierRun {
    QString auditRecordId;              ///< the request: the `rerun_classifier` record's id (from the path)
    QString uid;                        ///< the user classified
    QString requestedBy;                ///< the reviewer's e-mail of the request's record
    std::int64_t requestedSequence = 0; ///< the request's audit sequence
    TimePoint finishedAt{};
    bool ok = false;                            ///< status `ok` (else `failed`)
    QString error;                              ///< why it failed (status `failed`)
    std::optional<ClassifierResult> classifier; ///< the verdict (status `ok`)
    QString instance;                           ///< the service instance that answered
};

/** "fair_use_classifier_runs/{auditRecordId}". */
QString classifierRunPath(const QString& auditRecordId);
/** The fields: uid, requested_by, requested_sequence, finished_at, status (`ok` | `failed`), error, classifier (the
 *  map encodeClassifier writes; null when failed), instance. */
FirestoreFields encodeClassifierRun(const ClassifierRun& run);
/**
 * Strict: Invalid, naming the document and the field, when uid, requested_sequence, finished_at or status is missing
 * or of another type, when status is neither `ok` nor `failed`, when an `ok` run has no classifier map or its
 * misuse_score or confidence is missing or outside 0..1, or when a `failed` run names no error.
 */
Result<ClassifierRun> decodeClassifierRun(const FirestoreDocument& doc);

} // namespace fairuse::services
