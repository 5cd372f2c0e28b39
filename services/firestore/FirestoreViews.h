#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

#include <QString>

/**
 * @file
 * fair_use_views/{id} documents (docs/data-model.md): a reviewer's saved queue filter, shared with the team or
 * personal (casework/SavedViews.h); the version is the document's update time.
 */
namespace fairuse::services {

/** "fair_use_views". */
QString viewsCollection();
/** "fair_use_views/{id}". */
QString viewPath(const QString& id);
/** Whether `id` is a view id as casework::newViewId makes them: "v" and 19 lower-case hex digits (the rules refuse
 *  any other). */
bool isViewId(const QString& id);

/** The view's fields (name, owner, owner_uid, shared, filter, created_at, updated_at, updated_by); the store adds
 *  audit_record. */
FirestoreFields encodeView(const SavedView& view);

/** Invalid (naming the document and field) for a document that is not fair_use_views/{view id}, or without a name,
 *  owner, `shared`, filter or the two times, or with a field of the wrong type. The filter is kept as text:
 *  casework::parseViewFilter reads it when the view is applied. */
Result<SavedView> decodeView(const FirestoreDocument& doc);

} // namespace fairuse::services
