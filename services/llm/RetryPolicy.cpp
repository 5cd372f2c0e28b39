#include "llm/RetryPolicy.h"

#include <QLocale>
#include <QString>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fairuse::services {

namespace {

// Anything beyond a day is a broken header, not a plan; clamping keeps the double -> integer conversion defined.
constexpr double kMaxHeaderMs = 24.0 * 3600.0 * 1000.0;

std::optional<double> parseNonNegativeNumber(const QByteArray& raw) {
    const QByteArray trimmed = raw.trimmed();
    if (trimmed.isEmpty()) {
        return std::nullopt;
    }
    // Only digits and one decimal point: toDouble() would also accept "1e3", "inf", "nan", " +5".
    int dots = 0;
    for (const char c : trimmed) {
        if (c == '.') {
            ++dots;
        } else if (c < '0' || c > '9') {
            return std::nullopt;
        }
    }
    if (dots > 1 || trimmed == ".") {
        return std::nullopt;
    }
    bool ok = false;
    const double value = trimmed.toDouble(&ok);
    if (!ok || !std::isfinite(value)) {
        // Only digits got here, so a failed conversion is an overflow: a huge wait, clamped by the caller.
        return std::numeric_limits<double>::infinity();
    }
    return value;
}

std::chrono::milliseconds clampedMs(double ms) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(std::min(ms, kMaxHeaderMs))));
}

std::optional<QDateTime> parseHttpDate(const QByteArray& raw) {
    // The weekday is redundant and Qt rejects a date whose weekday does not match, so parse what follows it.
    // Formats: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" (the only one senders may generate), and the obsolete
    // RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994" that recipients must accept.
    const QString text = QString::fromLatin1(raw).simplified();
    const qsizetype comma = text.indexOf(QLatin1Char(','));
    const qsizetype space = text.indexOf(QLatin1Char(' '));
    struct Form {
        QString rest;
        QString format;
    };
    const Form forms[] = {
        {comma > 0 ? text.mid(comma + 1).trimmed() : QString(), QStringLiteral("dd MMM yyyy HH:mm:ss 'GMT'")},
        {comma > 0 ? text.mid(comma + 1).trimmed() : QString(), QStringLiteral("dd-MMM-yy HH:mm:ss 'GMT'")},
        {comma < 0 && space > 0 ? text.mid(space + 1) : QString(), QStringLiteral("MMM d HH:mm:ss yyyy")},
    };
    const QLocale c = QLocale::c();
    for (const Form& form : forms) {
        if (form.rest.isEmpty()) {
            continue;
        }
        QDateTime parsed = c.toDateTime(form.rest, form.format);
        if (!parsed.isValid()) {
            continue;
        }
        // Two-digit years: RFC 9110 reads them as the most recent matching past year; 1900-based is wrong today.
        if (parsed.date().year() < 1970) {
            parsed = parsed.addYears(100);
        }
        // Reinterpret the wall time as UTC (all three forms are GMT).
        return QDateTime(parsed.date(), parsed.time(), Qt::UTC);
    }
    return std::nullopt;
}

} // namespace

std::optional<std::chrono::milliseconds> RetryPolicy::serverRequestedWait(const QByteArray& retryAfterMs,
                                                                          const QByteArray& retryAfter,
                                                                          const QDateTime& nowUtc) {
    if (const auto ms = parseNonNegativeNumber(retryAfterMs)) {
        return clampedMs(*ms);
    }
    if (const auto seconds = parseNonNegativeNumber(retryAfter)) {
        return clampedMs(*seconds * 1000.0);
    }
    if (retryAfter.trimmed().isEmpty()) {
        return std::nullopt;
    }
    if (const auto date = parseHttpDate(retryAfter)) {
        const qint64 deltaMs = nowUtc.msecsTo(*date);
        return clampedMs(static_cast<double>(std::max<qint64>(deltaMs, 0)));
    }
    return std::nullopt;
}

std::chrono::milliseconds RetryPolicy::backoff(int retryIndex, double unitRandom) const {
    const double r = std::isfinite(unitRandom) ? std::clamp(unitRandom, 0.0, 1.0) : 0.5;
    const double cap = static_cast<double>(std::max<std::int64_t>(maxBackoff.count(), 0));
    // 2^31 steps of any positive initial backoff exceed any sane cap; bounding the exponent keeps pow finite.
    const double step = std::min(cap, static_cast<double>(std::max<std::int64_t>(initialBackoff.count(), 0)) *
                                          std::pow(2.0, std::clamp(retryIndex, 0, 31)));
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(step / 2.0 + r * step / 2.0)));
}

} // namespace fairuse::services
