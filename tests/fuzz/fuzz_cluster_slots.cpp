// Redis Cluster's routing replies (any cluster node sends them): CLUSTER SLOTS read into a slot map, and MOVED / ASK
// errors read into a redirection; both as RESP bytes.
#include "redis/ClusterSlots.h"
#include "redis/RedisReplyReader.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace fairuse;
using namespace fairuse::services;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    (void)keySlot(bytes);
    if (keySlot(bytes) < 0 || keySlot(bytes) >= kClusterSlots) {
        std::abort();
    }
    auto replies = parseRedisReplies(bytes, RedisReplyReader::Limits{100'000, 1 << 20});
    if (!replies) {
        return 0;
    }
    for (const RedisReply& reply : *replies) {
        if (const auto redirect = parseRedirection(reply)) {
            if (redirect->slot < 0 || redirect->slot >= kClusterSlots || redirect->node.port == 0) {
                std::abort(); // a redirection read is always usable
            }
        }
        const auto map = parseClusterSlots(reply);
        if (!map) {
            continue;
        }
        for (qsizetype i = 0; i < map->size(); ++i) {
            const SlotRange& r = map->at(i);
            if (r.first < 0 || r.last >= kClusterSlots || r.first > r.last || r.master.port == 0 ||
                (i > 0 && map->at(i - 1).last >= r.first)) {
                std::abort(); // a map read is sorted, in range and without overlaps
            }
        }
    }
    return 0;
}
