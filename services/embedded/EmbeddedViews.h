#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"

#include <QList>
#include <QSqlDatabase>

/**
 * @file
 * The saved_views table of the embedded store (schema 8): the team's named queue filters (casework/SavedViews.h),
 * their versions bumped on every write.
 */
namespace fairuse::services::embedded {

/** Every shared view and `reader`'s own personal ones (by uid when the view has one, else by e-mail). */
Result<QList<SavedView>> readViews(QSqlDatabase& db, const Reviewer& reader);

/** Conflict unless the view still has change.expectedVersion ("" = must not exist yet); NotFound when a view to
 *  change or delete is gone. */
Status checkViewPrecondition(QSqlDatabase& db, const ChangeSet::ViewChange& change);

/** Writes change.view (version + 1) or deletes the view; returns the new version ("" after a delete). */
Result<QString> writeViewChange(QSqlDatabase& db, const ChangeSet::ViewChange& change);

} // namespace fairuse::services::embedded
