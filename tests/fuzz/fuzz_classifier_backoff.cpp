// The enforcement service's classifier backoff as Redis hands it back ("failures:retry_at_ms"): read strictly, and
// whatever is read is a backoff the service can use (failures in 1..1000, a retry time it re-encodes to the same
// bytes).
#include "enforcement/ClassifierBackoffSchedule.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace fairuse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto entry = enforcement::decodeBackoff(bytes);
    if (!entry) {
        return 0;
    }
    if (entry->failures < 1 || entry->failures > 1000 || enforcement::encodeBackoff(*entry) != bytes) {
        // Leading zeros are the one way two spellings read alike; anything else read must re-encode exactly.
        if (!(bytes.startsWith('0') || bytes.contains(":0"))) {
            std::abort();
        }
    }
    const auto next = enforcement::nextBackoff(entry, entry->retryAt);
    if (next.failures < entry->failures || next.retryAt <= entry->retryAt) {
        std::abort();
    }
    return 0;
}
