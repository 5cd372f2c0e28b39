#pragma once

#include "common/Domain.h"
#include "common/Time.h"

#include <QCoreApplication>
#include <QString>

#include <cstdint>
#include <optional>

namespace fairuse::models {

/**
 * Display strings of the queue's narrow cells: hours, ages and times as a reviewer reads them. Translated in the
 * queue model's context, so the cells and their headers share one catalogue. Stage names and hours outside the cells
 * are DetailFormat's, as everywhere else.
 */
class QueueFormat {
    Q_DECLARE_TR_FUNCTIONS(fairuse::models::QueueModel)
public:
    static qint64 msSinceEpoch(TimePoint t) { return t.time_since_epoch().count(); }
    /** "2026-03-20 10:00" (UTC). */
    static QString utcText(TimePoint t);
    /** "03-20 10:00" within the year of `now` (the cell is narrow), the date alone for older times; the tooltip has
     *  the full time. Without `now`, the current year. */
    static QString utcTextCompact(TimePoint t, std::optional<TimePoint> now);
    /** "2.4h" for table cells, where every column's pixel counts. */
    static QString formatHoursCompact(std::int64_t ms);
    /** "2d 3h", "3h 5m", "5m" */
    static QString formatAge(std::int64_t ms);
    /** "2.4h 120%": speech and its share of the cap, or the hours alone without a cap. */
    static QString speechCell(std::int64_t ms, std::int64_t capMs);
};

} // namespace fairuse::models
