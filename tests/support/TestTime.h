#pragma once
// Times written the way a reader checks them: RFC 3339 text.

#include "common/Time.h"

#include <QString>

namespace fairuse::testing {

/** A time written as RFC 3339 in a test (must be valid). */
inline TimePoint at(const char* rfc3339) {
    return parseRfc3339(QString::fromLatin1(rfc3339)).value();
}

} // namespace fairuse::testing
