#pragma once

#include "RedisBenchDriver.h"
#include "common/Domain.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace fairuse::bench {

inline constexpr std::int64_t kDayMinutes = 1'440;
inline constexpr std::int64_t kWeekSeconds = 7 * 24 * 3600;
inline constexpr std::int64_t kThreeDaySeconds = 3 * 24 * 3600;
inline constexpr std::int64_t kDaySeconds = 24 * 3600;

/** The minutes a user speaks in, as (unix minute, ms). Light: 13 minutes a day; heavy: 08:00-20:00 every day. */
std::vector<std::pair<std::int64_t, std::int64_t>> speechMinutes(bool heavy, std::int64_t firstDayMinute, int days);

inline const QList<QByteArray> kBackendCommands{"hincrby", "zadd", "expire", "zrangebyscore", "hmget"};
inline const QList<QByteArray> kOursCommands{"evalsha"};
inline const QList<QByteArray> kIncrbyCommands{"incrby"};

/** The backend's layout, driven through our client exactly as the backend drives redis-py. */
struct BackendLayout {
    services::RedisClient& client;
    QString uid;

    QByteArray bucket() const { return services::RedisUsageStore::bucketKey(uid); }
    QByteArray speech() const { return services::RedisUsageStore::speechKey(uid); }

    QList<QList<QByteArray>> recordCommands(std::int64_t minute, std::int64_t ms) const {
        const QByteArray m = num(minute);
        const QByteArray ttl = num(services::RedisUsageStore::kSpeechTtl.count());
        return {{"HINCRBY", bucket(), m, num(ms)},
                {"ZADD", speech(), num(minute * 60), m},
                {"EXPIRE", bucket(), ttl},
                {"EXPIRE", speech(), ttl}};
    }

    /** Round trip 1: ZRANGEBYSCORE over the week; round trip 2: HMGET of every minute found; sums three windows. */
    void check(std::int64_t nowSeconds, const std::function<void(bool, SpeechTotals)>& done) const {
        const QByteArray bucketKey = bucket();
        services::RedisClient* c = &client;
        client.command({"ZRANGEBYSCORE", speech(), num(nowSeconds - kWeekSeconds), num(nowSeconds)})
            .then(QtFuture::Launch::Sync, [c, bucketKey, nowSeconds, done](Result<services::RedisReply> r) {
                if (!r.ok() || !r.value().isArray()) {
                    done(false, {});
                    return;
                }
                const QList<services::RedisReply>& members = r.value().elements();
                if (members.isEmpty()) {
                    done(true, {});
                    return;
                }
                QList<QByteArray> hmget{"HMGET", bucketKey};
                hmget.reserve(members.size() + 2);
                for (const services::RedisReply& m : members) {
                    hmget.append(m.text());
                }
                c->command(std::move(hmget))
                    .then(QtFuture::Launch::Sync, [members, nowSeconds, done](Result<services::RedisReply> h) {
                        if (!h.ok() || !h.value().isArray() || h.value().elements().size() != members.size()) {
                            done(false, {});
                            return;
                        }
                        SpeechTotals t;
                        const QList<services::RedisReply>& values = h.value().elements();
                        for (qsizetype i = 0; i < values.size(); ++i) {
                            const std::int64_t score = members[i].text().toLongLong() * 60;
                            const std::int64_t ms = values[i].toInteger().value_or(0);
                            t.weeklyMs += ms;
                            if (score >= nowSeconds - kThreeDaySeconds) {
                                t.threeDayMs += ms;
                            }
                            if (score >= nowSeconds - kDaySeconds) {
                                t.dailyMs += ms;
                            }
                        }
                        done(true, t);
                    });
            });
    }

    void recordAndCheck(std::int64_t minute, std::int64_t ms, std::int64_t nowSeconds, const Done& done) const {
        BackendLayout self = *this;
        client.pipeline(recordCommands(minute, ms))
            .then(QtFuture::Launch::Sync, [self, nowSeconds, done](Result<QList<services::RedisReply>> r) {
                if (!r.ok()) {
                    done(false);
                    return;
                }
                self.check(nowSeconds, [done](bool ok, SpeechTotals) { done(ok); });
            });
    }
};

} // namespace fairuse::bench
