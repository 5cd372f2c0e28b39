#pragma once

#include "common/ClassifierLabel.h"
#include "common/Result.h"
#include "common/Stores.h"

#include <QSqlDatabase>

#include <optional>

/**
 * @file
 * The labels table of the embedded store (schema 6): one row per case, the newest reviewer verdict on its classifier
 * result, keyed by event id and paged on (labelled_at, event_id).
 */
namespace fairuse::services::embedded {

/** Writes (or replaces) the label of its case, with the audit sequence it was written under. */
Status writeLabel(QSqlDatabase& db, const ClassifierLabel& label, std::int64_t auditSequence);

/** One page of CaseStore::listLabels. */
Result<LabelPage> readLabels(QSqlDatabase& db, std::optional<TimePoint> since, const QString& cursor, int limit);

} // namespace fairuse::services::embedded
