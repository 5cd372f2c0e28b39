#pragma once

#include "common/Result.h"
#include "common/Time.h"

#include <QString>

#include <utility>

namespace fairuse::services {

/** The opaque cursor of CaseStore::listLabels: labelled_at and event id of the last label a page holds, so the next
 *  page starts after it. Both stores share the encoding. */
QString encodeLabelCursor(TimePoint labelledAt, const QString& eventId);
/** What encodeLabelCursor() encoded; ErrorKind::Invalid for any other text. */
Result<std::pair<TimePoint, QString>> decodeLabelCursor(const QString& cursor);

} // namespace fairuse::services
