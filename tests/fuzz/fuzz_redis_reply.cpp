// RESP replies from a Redis server, read by RedisReplyReader (hiredis' reader with our limits), fed in chunks of the
// size the first byte picks, as a socket would deliver them.
#include "redis/RedisReplyReader.h"

#include <cstddef>
#include <cstdint>

using fairuse::services::RedisReply;
using fairuse::services::RedisReplyReader;

namespace {

void touch(const RedisReply& r) {
    (void)r.errorCode();
    (void)r.toInteger();
    for (const RedisReply& e : r.elements()) {
        touch(e);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::size_t chunk = 1 + data[0] % 64;
    ++data;
    --size;
    // Small limits so that the fuzzer reaches them with small inputs.
    RedisReplyReader reader(RedisReplyReader::Limits{1000, 4096});
    for (std::size_t at = 0; at < size; at += chunk) {
        const std::size_t n = size - at < chunk ? size - at : chunk;
        if (!reader.feed(reinterpret_cast<const char*>(data + at), n)) {
            return 0;
        }
        for (;;) {
            auto next = reader.next();
            if (!next || !next->has_value()) {
                break;
            }
            touch(**next);
        }
    }
    return 0;
}
