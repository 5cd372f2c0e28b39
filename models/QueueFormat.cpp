#include "QueueFormat.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace fairuse::models {

QString QueueFormat::utcText(TimePoint t) {
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch(t), Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString QueueFormat::utcTextCompact(TimePoint t, std::optional<TimePoint> now) {
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(msSinceEpoch(t), Qt::UTC);
    const int year = now ? QDateTime::fromMSecsSinceEpoch(msSinceEpoch(*now), Qt::UTC).date().year()
                         : QDateTime::currentDateTimeUtc().date().year();
    return at.toString(at.date().year() == year ? QStringLiteral("MM-dd HH:mm") : QStringLiteral("yyyy-MM-dd"));
}

QString QueueFormat::formatHoursCompact(std::int64_t ms) {
    return tr("%1h").arg(QLocale().toString(static_cast<double>(ms) / 3'600'000.0, 'f', 1));
}

QString QueueFormat::formatAge(std::int64_t ms) {
    const std::int64_t minutes = std::max<std::int64_t>(0, ms / 60'000);
    const std::int64_t days = minutes / (24 * 60);
    const std::int64_t hours = (minutes / 60) % 24;
    if (days > 0) {
        return tr("%1d %2h").arg(days).arg(hours);
    }
    if (hours > 0) {
        return tr("%1h %2m").arg(hours).arg(minutes % 60);
    }
    return tr("%1m").arg(minutes);
}

QString QueueFormat::speechCell(std::int64_t ms, std::int64_t capMs) {
    if (capMs <= 0) {
        return formatHoursCompact(ms);
    }
    const double share = 100.0 * static_cast<double>(ms) / static_cast<double>(capMs);
    return tr("%1 %2%").arg(formatHoursCompact(ms)).arg(std::llround(share));
}

} // namespace fairuse::models
