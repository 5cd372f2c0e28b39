#pragma once

#include "common/Result.h"

#include <QString>

#include <cstdint>

namespace fairuse::services {

/** The opaque cursor of CaseStore::listAuditPage: the sequence of the last record a page holds, so the next page
 *  starts after it. The stores share the encoding, so a cursor names a place in the chain, not a store. */
QString encodeAuditCursor(std::int64_t sequence);
/** The sequence of a cursor encodeAuditCursor() made; ErrorKind::Invalid for any other text. */
Result<std::int64_t> decodeAuditCursor(const QString& cursor);

} // namespace fairuse::services
