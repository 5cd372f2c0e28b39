#include "common/AuditCursor.h"

#include <QByteArray>

namespace fairuse::services {

namespace {
const QByteArray kCursorPrefix = QByteArrayLiteral("audit:");
} // namespace

QString encodeAuditCursor(std::int64_t sequence) {
    const QByteArray raw = kCursorPrefix + QByteArray::number(static_cast<qlonglong>(sequence));
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<std::int64_t> decodeAuditCursor(const QString& cursor) {
    const auto decoded = QByteArray::fromBase64Encoding(cursor.toLatin1(), QByteArray::Base64UrlEncoding |
                                                                               QByteArray::AbortOnBase64DecodingErrors);
    bool ok = false;
    const qlonglong sequence = decoded && decoded.decoded.startsWith(kCursorPrefix)
                                   ? decoded.decoded.mid(kCursorPrefix.size()).toLongLong(&ok)
                                   : 0;
    if (!ok || sequence <= 0) {
        return Error::invalid(QStringLiteral("the audit cursor is not one this store produced"));
    }
    return static_cast<std::int64_t>(sequence);
}

} // namespace fairuse::services
