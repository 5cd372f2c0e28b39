#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "common/Stores.h"

#include <QSqlDatabase>

namespace fairuse::services::embedded {

/**
 * Applies one reviewer change set inside the caller's transaction: a known idempotency key answers alreadyApplied
 * with the audit record it wrote; otherwise the expected state and event versions are checked (ErrorKind::Conflict
 * naming both when they moved), the state and the event are written with their next versions and the audit record is
 * chained onto the newest one. The body of EmbeddedCaseStore::apply() and applyBatch().
 */
Result<CommitResult> applyChangeSet(QSqlDatabase& db, ChangeSet change);

} // namespace fairuse::services::embedded
