// The backend's Redis speech values: the replies to ZRANGEBYSCORE ... WITHSCORES and HGETALL (two RESP replies),
// joined into minute buckets and summed into the three windows.
#include "redis/RedisReplyReader.h"
#include "redis/SpeechBuckets.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace fairuse;
using namespace fairuse::services;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    (void)parseStrictInt64(bytes);
    auto replies = parseRedisReplies(bytes, RedisReplyReader::Limits{100'000, 1 << 20});
    if (!replies || replies->size() < 2) {
        return 0;
    }
    QList<SpeechBucket> buckets;
    int skipped = 0;
    if (!joinSpeechBuckets(replies->at(0), replies->at(1), buckets, skipped)) {
        return 0;
    }
    SpeechTotals totals;
    for (const SpeechBucket& b : buckets) {
        if (b.ms < 0 || b.ms > kMaxSpeechBucketMs) {
            std::abort(); // junk must have been skipped
        }
        addSpeechBucket(totals, b, 1'000, 2'000);
    }
    if (totals.dailyMs > totals.threeDayMs || totals.threeDayMs > totals.weeklyMs) {
        std::abort(); // the windows nest
    }
    return 0;
}
