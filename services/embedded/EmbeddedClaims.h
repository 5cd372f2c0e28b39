#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

/**
 * @file
 * The claims table of the embedded store (schema 5): one row per claimed user, its version bumped on every write.
 */
namespace fairuse::services::embedded {

Result<std::optional<CaseClaim>> readClaim(QSqlDatabase& db, const QString& uid);
Result<QList<CaseClaim>> readLiveClaims(QSqlDatabase& db, TimePoint now);
/** Conflict unless the user's claim still has change.expectedVersion ("" = none may exist). Writes nothing. */
Status checkClaimPrecondition(QSqlDatabase& db, const QString& uid, const ChangeSet::ClaimChange& change);
/** Writes change.claim (version + 1) or deletes the user's claim; returns the new version ("" after a delete). */
Result<QString> writeClaimChange(QSqlDatabase& db, const QString& uid, const ChangeSet::ClaimChange& change);
/** Sets expires_at of the stored claim when it still has claim.version; Conflict otherwise. */
Result<CaseClaim> renewStoredClaim(QSqlDatabase& db, const CaseClaim& claim);

} // namespace fairuse::services::embedded
