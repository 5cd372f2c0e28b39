#include "common/LabelCursor.h"

#include <QByteArray>

namespace fairuse::services {

namespace {
const QByteArray kCursorPrefix = QByteArrayLiteral("label:");
} // namespace

QString encodeLabelCursor(TimePoint labelledAt, const QString& eventId) {
    const QByteArray raw = kCursorPrefix +
                           QByteArray::number(static_cast<qlonglong>(labelledAt.time_since_epoch().count())) + ':' +
                           eventId.toUtf8();
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<std::pair<TimePoint, QString>> decodeLabelCursor(const QString& cursor) {
    const auto decoded = QByteArray::fromBase64Encoding(cursor.toLatin1(), QByteArray::Base64UrlEncoding |
                                                                               QByteArray::AbortOnBase64DecodingErrors);
    const Error bad = Error::invalid(QStringLiteral("the label cursor is not one this store produced"));
    if (!decoded || !decoded.decoded.startsWith(kCursorPrefix)) {
        return bad;
    }
    const QByteArray rest = decoded.decoded.mid(kCursorPrefix.size());
    const qsizetype colon = rest.indexOf(':');
    bool ok = false;
    const qlonglong ms = colon > 0 ? rest.left(colon).toLongLong(&ok) : 0;
    const QString eventId = colon > 0 ? QString::fromUtf8(rest.mid(colon + 1)) : QString();
    if (!ok || eventId.isEmpty()) {
        return bad;
    }
    return std::pair{TimePoint{std::chrono::milliseconds{ms}}, eventId};
}

} // namespace fairuse::services
