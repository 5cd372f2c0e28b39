#include "common/Time.h"

#include <QDateTime>
#include <QRegularExpression>

namespace fairuse {

Result<TimePoint> parseRfc3339(const QString& text) {
    // Strict RFC 3339: date, 'T' or 't' or space, time, optional fraction, mandatory zone.
    static const QRegularExpression re(QStringLiteral(
        R"(^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$)"));
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch()) {
        return Error::invalid(QStringLiteral("not an RFC 3339 time: \"%1\"").arg(text.left(64)));
    }
    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    const QTime time(m.captured(4).toInt(), m.captured(5).toInt(), m.captured(6).toInt());
    if (!date.isValid() || !time.isValid()) {
        return Error::invalid(QStringLiteral("date or time out of range: \"%1\"").arg(text.left(64)));
    }
    int offsetSeconds = 0;
    const QString zone = m.captured(8);
    if (zone != QLatin1String("Z") && zone != QLatin1String("z")) {
        const int sign = zone.startsWith(QLatin1Char('-')) ? -1 : 1;
        const int hours = zone.mid(1, 2).toInt();
        const int minutes = zone.mid(4, 2).toInt();
        if (hours > 23 || minutes > 59) {
            return Error::invalid(QStringLiteral("bad zone offset in \"%1\"").arg(text.left(64)));
        }
        offsetSeconds = sign * (hours * 3600 + minutes * 60);
    }
    const QDateTime dt(date, time, Qt::UTC);
    std::int64_t ms = dt.toMSecsSinceEpoch() - std::int64_t{offsetSeconds} * 1000;
    const QString fraction = m.captured(7);
    if (!fraction.isEmpty()) {
        ms += QString(fraction + QStringLiteral("00")).left(3).toLongLong();
    }
    return fromUnixMs(ms);
}

QString formatRfc3339(TimePoint t) {
    return QDateTime::fromMSecsSinceEpoch(toUnixMs(t), Qt::UTC).toString(Qt::ISODateWithMs);
}

QString utcDayKey(TimePoint t) {
    return QDateTime::fromMSecsSinceEpoch(toUnixMs(t), Qt::UTC).date().toString(QStringLiteral("yyyyMMdd"));
}

TimePoint nextUtcMidnight(TimePoint t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    return TimePoint{day + std::chrono::days{1}};
}

} // namespace fairuse
