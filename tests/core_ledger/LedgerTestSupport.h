#pragma once

// Readable QCOMPARE failures for the core types the ledger tests compare. (Plan has fairuse::toString() returning
// QString, which QCOMPARE finds by ADL before any QTest::toString specialisation: compare toString(plan) instead.)

#include "common/Domain.h"
#include "common/Result.h"

#include <QTest>

namespace QTest {

template <>
inline char* toString(const fairuse::ErrorKind& kind) {
    return qstrdup(QByteArray::number(static_cast<int>(kind)).prepend("ErrorKind ").constData());
}

template <>
inline char* toString(const fairuse::TimePoint& t) {
    return qstrdup(qPrintable(fairuse::formatRfc3339(t)));
}

} // namespace QTest
