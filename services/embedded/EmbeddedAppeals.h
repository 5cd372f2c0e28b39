#pragma once

#include "common/Domain.h"
#include "common/Result.h"

#include <QList>
#include <QSqlDatabase>

/**
 * @file
 * The appeals table of the embedded store (schema 5): one row per appeal, status open, upheld or overturned, its
 * version bumped on every write.
 */
namespace fairuse::services::embedded {

/** Adds an appeal as the app writes it (the demo population and the seeders). */
Status insertAppeal(QSqlDatabase& db, const Appeal& appeal);
/** The user's appeals, newest first. */
Result<QList<Appeal>> readAppeals(QSqlDatabase& db, const QString& uid);
/** Open appeals of every user, oldest first, at most `limit`. */
Result<QList<Appeal>> readOpenAppeals(QSqlDatabase& db, int limit);
/** Conflict unless the appeal still has its version and is open. Writes nothing. */
Status checkAppealPrecondition(QSqlDatabase& db, const Appeal& decided);
/** Writes the decision; returns the new version. */
Result<QString> writeAppealDecision(QSqlDatabase& db, const Appeal& decided);

} // namespace fairuse::services::embedded
