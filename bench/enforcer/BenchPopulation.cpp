#include "BenchPopulation.h"

#include "common/Await.h"
#include "metering/Metering.h"
#include "redis/RedisUsageStore.h"

#include <chrono>
#include <utility>

namespace fairuse::bench {

using services::RedisUsageStore;

namespace {

/** splitmix64: every user's choices follow from its index alone. */
struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /** In [lo, hi]. */
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
};

constexpr std::int64_t kDay = 1'440; // minutes

const std::int64_t kNowMinute = unixMinute(kBenchNow);

/** `length` speech minutes from `start` of `lo`-`hi` ms each; a minute already written keeps its value. */
void session(std::map<std::int64_t, std::int64_t>& into, Rng& rng, std::int64_t start, std::int64_t length,
             std::int64_t lo, std::int64_t hi) {
    for (std::int64_t m = start; m < start + length && m < kNowMinute; ++m) {
        into.emplace(m, rng.between(lo, hi));
    }
}

void addWindows(SpeechTotals& t, const std::map<std::int64_t, std::int64_t>& buckets) {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    const std::int64_t nowSeconds = kNowMinute * 60;
    const std::int64_t dailyFrom = nowSeconds - duration_cast<seconds>(metering::kDailyWindow).count();
    const std::int64_t threeDayFrom = nowSeconds - duration_cast<seconds>(metering::kThreeDayWindow).count();
    const std::int64_t weeklyFrom = nowSeconds - duration_cast<seconds>(metering::kWeeklyWindow).count();
    for (const auto& [minute, ms] : buckets) {
        const std::int64_t score = minute * 60;
        if (score > nowSeconds || score < weeklyFrom) {
            continue;
        }
        t.weeklyMs += ms;
        t.threeDayMs += score >= threeDayFrom ? ms : 0;
        t.dailyMs += score >= dailyFrom ? ms : 0;
    }
}

void layoutCommands(QList<QList<QByteArray>>& out, const std::map<std::int64_t, std::int64_t>& buckets,
                    const QByteArray& hashKey, const QByteArray& zsetKey) {
    if (buckets.empty()) {
        return;
    }
    constexpr int kFieldsPerCommand = 1'000;
    QList<QByteArray> hset{"HSET", hashKey};
    QList<QByteArray> zadd{"ZADD", zsetKey};
    const auto flush = [&] {
        out.append(std::exchange(hset, {"HSET", hashKey}));
        out.append(std::exchange(zadd, {"ZADD", zsetKey}));
    };
    for (const auto& [minute, ms] : buckets) {
        const QByteArray m = QByteArray::number(static_cast<qint64>(minute));
        hset << m << QByteArray::number(static_cast<qint64>(ms));
        zadd << QByteArray::number(static_cast<qint64>(minute * 60)) << m;
        if (hset.size() >= 2 + 2 * kFieldsPerCommand) {
            flush();
        }
    }
    if (hset.size() > 2) {
        flush();
    }
    const QByteArray ttl = QByteArray::number(static_cast<qint64>(RedisUsageStore::kSpeechTtl.count()));
    out.append({"EXPIRE", hashKey, ttl});
    out.append({"EXPIRE", zsetKey, ttl});
}

} // namespace

SeededUser seededUser(int index) {
    Rng rng{0xFA125EULL * 1'000'003ULL + static_cast<std::uint64_t>(index)};
    SeededUser u;
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 28; ++i) {
        u.uid.append(QLatin1Char(kAlphabet[rng.next() % 62]));
    }
    std::map<std::int64_t, std::int64_t> speech;
    const std::int64_t kind = rng.between(0, 99);
    if (kind < 80) {
        u.kind = UserKind::Light;
        for (std::int64_t s = rng.between(1, 3); s > 0; --s) {
            const std::int64_t start = kNowMinute - rng.between(0, 2) * kDay - rng.between(30, kDay - 30);
            session(speech, rng, start, rng.between(2, 10), 5'000, 50'000);
        }
    } else if (kind < 95) {
        u.kind = UserKind::Medium;
        for (std::int64_t d = rng.between(1, 3) - 1; d >= 0; --d) {
            const std::int64_t start = kNowMinute - d * kDay - rng.between(120, kDay - 120);
            session(speech, rng, start, rng.between(40, 90), 20'000, 45'000);
        }
    } else if (kind < 98) {
        u.kind = UserKind::Heavy;
        for (std::int64_t d = rng.between(3, 8) - 1; d >= 0; --d) {
            const std::int64_t minutes = rng.between(60, 360);
            // The day's listening ends before now on the last day and in the evening on the others.
            const std::int64_t end = d == 0 ? kNowMinute - 10 : kNowMinute - d * kDay + rng.between(-300, 300);
            session(speech, rng, end - minutes, minutes, 40'000, 60'000);
        }
    } else {
        u.kind = UserKind::Light;
        session(speech, rng, kNowMinute - rng.between(10, kDay - 10), 1, 1'000, 30'000);
    }

    const std::int64_t layout = rng.between(0, 99);
    if (layout < 12) {
        // A newer app: its speech in the v2 realtime keys; a third still have the legacy keys of the days before.
        const bool transition = layout < 4;
        for (const auto& [minute, ms] : speech) {
            (transition && minute < kNowMinute - kDay ? u.legacy : u.realtime).emplace(minute, ms);
        }
    } else {
        u.legacy = std::move(speech);
    }
    if (rng.between(0, 99) < 3) {
        session(u.syncFresh, rng, kNowMinute - rng.between(60, 2 * kDay), rng.between(5, 30), 10'000, 40'000);
    }
    if (rng.between(0, 99) < 1) {
        session(u.backfill, rng, kNowMinute - rng.between(2 * kDay, 6 * kDay), rng.between(10, 60), 10'000, 40'000);
    }
    addWindows(u.enforced, u.legacy);
    addWindows(u.enforced, u.realtime);
    addWindows(u.enforced, u.syncFresh);
    addWindows(u.legacyOnly, u.legacy);
    return u;
}

QList<QList<QByteArray>> seedCommands(const SeededUser& u) {
    QList<QList<QByteArray>> out;
    layoutCommands(out, u.legacy, RedisUsageStore::bucketKey(u.uid), RedisUsageStore::speechKey(u.uid));
    layoutCommands(out, u.realtime, RedisUsageStore::v2BucketKey(SpeechSource::Realtime, u.uid),
                   RedisUsageStore::v2SpeechKey(SpeechSource::Realtime, u.uid));
    layoutCommands(out, u.syncFresh, RedisUsageStore::v2BucketKey(SpeechSource::SyncFresh, u.uid),
                   RedisUsageStore::v2SpeechKey(SpeechSource::SyncFresh, u.uid));
    layoutCommands(out, u.backfill, RedisUsageStore::v2BucketKey(SpeechSource::SyncBackfill, u.uid),
                   RedisUsageStore::v2SpeechKey(SpeechSource::SyncBackfill, u.uid));
    return out;
}

Status seedUsers(services::RedisCommands& redis, int from, int to, int timeoutMs,
                 const std::function<void(const SeededUser&)>& each) {
    QList<QList<QByteArray>> batch;
    qsizetype arguments = 0;
    const auto flush = [&]() -> Status {
        if (batch.isEmpty()) {
            return {};
        }
        arguments = 0;
        const Result<QList<services::RedisReply>> r = awaitResult(redis.pipeline(std::exchange(batch, {})), timeoutMs);
        if (!r) {
            return r.error();
        }
        for (const services::RedisReply& x : *r) {
            if (x.isError()) {
                return redis.replyError(x, QStringLiteral("seed the benchmark's users"));
            }
        }
        return {};
    };
    for (int i = from; i < to; ++i) {
        const SeededUser u = seededUser(i);
        if (each) {
            each(u);
        }
        for (QList<QByteArray>& c : seedCommands(u)) {
            arguments += c.size();
            batch.append(std::move(c));
        }
        if (arguments >= 20'000) {
            if (Status s = flush(); !s) {
                return s;
            }
        }
    }
    return flush();
}

const char* kindName(UserKind kind) {
    switch (kind) {
    case UserKind::Light:
        return "light";
    case UserKind::Medium:
        return "medium";
    case UserKind::Heavy:
        return "heavy";
    }
    return "?";
}

} // namespace fairuse::bench
