#pragma once

#include "common/Result.h"

#include <QString>

namespace fairuse::testsupport {

/** Readable name of an ErrorKind, so QCOMPARE failures print "Quota" instead of a number. */
inline QString kindName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Invalid:
        return QStringLiteral("Invalid");
    case ErrorKind::NotFound:
        return QStringLiteral("NotFound");
    case ErrorKind::Conflict:
        return QStringLiteral("Conflict");
    case ErrorKind::Permission:
        return QStringLiteral("Permission");
    case ErrorKind::Unavailable:
        return QStringLiteral("Unavailable");
    case ErrorKind::Quota:
        return QStringLiteral("Quota");
    case ErrorKind::Internal:
        return QStringLiteral("Internal");
    }
    return QStringLiteral("?");
}

} // namespace fairuse::testsupport
