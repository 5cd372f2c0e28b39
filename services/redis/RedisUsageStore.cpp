#include "redis/RedisUsageStore.h"

#include "redis/SpeechBuckets.h"

#include "common/Guarded.h"
#include "logging/Logging.h"
#include "metering/Metering.h"

#include <QHash>
#include <QLoggingCategory>

#include <array>
#include <cmath>
#include <map>
#include <memory>

namespace fairuse::services {

namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

/** Compare-and-delete: only the holder of the token may release the lock. */
constexpr const char* kReleaseLockScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

/** The three layouts readSpeech adds up: the legacy keys, then the v2 keys of the enforced sources. */
struct Layout {
    QByteArray zsetKey;
    QByteArray hashKey;
};

std::array<Layout, 3> enforcedLayouts(const QString& uid) {
    return {Layout{RedisUsageStore::speechKey(uid), RedisUsageStore::bucketKey(uid)},
            Layout{RedisUsageStore::v2SpeechKey(SpeechSource::Realtime, uid),
                   RedisUsageStore::v2BucketKey(SpeechSource::Realtime, uid)},
            Layout{RedisUsageStore::v2SpeechKey(SpeechSource::SyncFresh, uid),
                   RedisUsageStore::v2BucketKey(SpeechSource::SyncFresh, uid)}};
}

QByteArray sourceKeyName(SpeechSource s) {
    return toString(s).toUtf8();
}

using Reply = Result<RedisReply>;
using Replies = Result<QList<RedisReply>>;

/**
 * One command on `key`, run while `context` lives: a failed request is its error, an error reply is
 * RedisClient::replyError() naming what was done to the key (`verb`), and any other reply goes to `interpret`.
 */
template <typename T, typename Interpret>
Async<T> keyCommand(QObject* context, RedisCommands* client, QList<QByteArray> command, const QByteArray& key,
                    const QString& verb, Interpret interpret) {
    return client->command(std::move(command))
        .then(guarded(context, [client, key, verb, interpret](Reply r) -> Result<T> {
            if (!r) {
                return r.error();
            }
            if (r->isError()) {
                return client->replyError(*r, QStringLiteral("%1 %2").arg(verb, QString::fromUtf8(key)));
            }
            return interpret(*r);
        }));
}

/** Floor division for possibly negative millisecond counts. */
std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        --q;
    }
    return q;
}

/** WRONGTYPE means a key holds something other than the backend's type: junk, skipped and counted. */
bool isWrongType(const RedisReply& reply) {
    return reply.isError() && reply.text().contains("WRONGTYPE");
}

/**
 * Joins one layout's two replies (ZRANGEBYSCORE ... WITHSCORES and HGETALL) into buckets with joinSpeechBuckets,
 * skipping and counting junk as the backend's HMGET of the zset's members would see it: only members in the range are
 * looked up, so hash fields outside it (or without a member) are never read, whatever they hold. A key of the wrong
 * type counts once per layout. Any other error reply is a real failure (the ACL user may not read the key, out of
 * memory, ...) and is returned as RedisClient::replyError() words it.
 */
Status collectBuckets(const RedisCommands& client, const RedisReply& zreply, const RedisReply& hreply,
                      const Layout& layout, QList<SpeechBucket>& out, int& skipped) {
    for (const RedisReply* reply : {&zreply, &hreply}) {
        if (reply->isError() && !isWrongType(*reply)) {
            const QByteArray& key = reply == &zreply ? layout.zsetKey : layout.hashKey;
            return client.replyError(*reply, QStringLiteral("read %1").arg(QString::fromUtf8(key)));
        }
    }
    if (isWrongType(zreply) || isWrongType(hreply)) {
        qCWarning(lcRedis).noquote() << "skipping" << layout.zsetKey << "/" << layout.hashKey
                                     << ": a key has the wrong Redis type";
        ++skipped;
        return {};
    }
    if (Status s = joinSpeechBuckets(zreply, hreply, out, skipped); !s) {
        return Error::internal(
            QStringLiteral("unexpected reply shape reading %1").arg(QString::fromUtf8(layout.zsetKey)));
    }
    return {};
}

/**
 * The reads of the layouts for one pipeline, each layout as two single-key commands. The backend's keys carry no
 * hash tag, so on a Redis Cluster the zset and the hash of one user sit on different slots and no script or
 * transaction may touch both (CROSSSLOT). HMGET of the zset's members would need the zset's answer first (a second
 * round trip); HGETALL needs nothing, so both commands go out in the same pipeline and are joined by
 * layoutsBuckets(). The hash is bounded by the backend's 8-day expiry
 * (at most 11,520 minute fields).
 */
QList<QList<QByteArray>> readLayoutsCommands(const std::array<Layout, 3>& layouts, const QByteArray& minScore,
                                             const QByteArray& maxScore) {
    QList<QList<QByteArray>> commands;
    for (const Layout& layout : layouts) {
        commands.append({"ZRANGEBYSCORE", layout.zsetKey, minScore, maxScore, "WITHSCORES"});
        commands.append({"HGETALL", layout.hashKey});
    }
    return commands;
}

/** The buckets of every layout from the replies to readLayoutsCommands(), junk skipped and counted in `skipped`. */
Result<QList<SpeechBucket>> layoutsBuckets(const RedisCommands& client, const QList<RedisReply>& replies,
                                           const std::array<Layout, 3>& layouts, int& skipped) {
    if (replies.size() != 2 * static_cast<qsizetype>(layouts.size())) {
        return Error::internal(
            QStringLiteral("Redis answered %1 replies to %2 commands").arg(replies.size()).arg(2 * layouts.size()));
    }
    QList<SpeechBucket> buckets;
    for (size_t i = 0; i < layouts.size(); ++i) {
        const auto at = static_cast<qsizetype>(2 * i);
        if (Status s = collectBuckets(client, replies.at(at), replies.at(at + 1), layouts[i], buckets, skipped); !s) {
            return s.error();
        }
    }
    return buckets;
}

} // namespace

RedisUsageStore::RedisUsageStore(RedisCommands* client, QObject* parent)
    : QObject(parent)
    , m_client(client) {}

Status RedisUsageStore::validateUid(const QString& uid) {
    if (uid.isEmpty() || uid.size() > 256) {
        return Error::invalid(QStringLiteral("a user id must have 1 to 256 characters"));
    }
    for (const QChar c : uid) {
        if (c.isSpace() || c.category() == QChar::Other_Control) {
            return Error::invalid(QStringLiteral("a user id cannot contain spaces or control characters"));
        }
    }
    return {};
}

QByteArray RedisUsageStore::bucketKey(const QString& uid) {
    return "fair_use:bucket:" + uid.toUtf8();
}

QByteArray RedisUsageStore::speechKey(const QString& uid) {
    return "fair_use:speech:" + uid.toUtf8();
}

QByteArray RedisUsageStore::v2BucketKey(SpeechSource source, const QString& uid) {
    return "fair_use:v2:bucket:" + sourceKeyName(source) + ':' + uid.toUtf8();
}

QByteArray RedisUsageStore::v2SpeechKey(SpeechSource source, const QString& uid) {
    return "fair_use:v2:speech:" + sourceKeyName(source) + ':' + uid.toUtf8();
}

QByteArray RedisUsageStore::stageKey(const QString& uid) {
    return "fair_use:stage:" + uid.toUtf8();
}

QByteArray RedisUsageStore::classifierLockKey(const QString& uid) {
    return "fair_use:classifier_lock:" + uid.toUtf8();
}

QByteArray RedisUsageStore::sttBudgetKey(const QString& uid, TimePoint day) {
    return "fair_use:dg_budget:" + uid.toUtf8() + ':' + utcDayKey(day).toUtf8();
}

QString RedisUsageStore::describe() const {
    return m_client->describe();
}

Async<SpeechReading> RedisUsageStore::readSpeech(const QString& uid, TimePoint now) {
    return readSpeechAfter({}, uid, now).then([](Result<SpeechReadingAfter> r) -> Result<SpeechReading> {
        if (!r) {
            return r.error();
        }
        return r->reading;
    });
}

Async<RedisUsageStore::SpeechReadingAfter> RedisUsageStore::readSpeechAfter(QList<QByteArray> first, const QString& uid,
                                                                            TimePoint now) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<SpeechReadingAfter>{s.error()});
    }
    // The backend truncates time.time() to whole seconds and compares bucket scores (minute * 60) against it.
    const std::int64_t nowSeconds = floorDiv(toUnixMs(now), 1000);
    const std::int64_t dailyFrom = nowSeconds - duration_cast<seconds>(metering::kDailyWindow).count();
    const std::int64_t threeDayFrom = nowSeconds - duration_cast<seconds>(metering::kThreeDayWindow).count();
    const std::int64_t weeklyFrom = nowSeconds - duration_cast<seconds>(metering::kWeeklyWindow).count();
    const auto layouts = enforcedLayouts(uid);
    QList<QList<QByteArray>> commands =
        readLayoutsCommands(layouts, QByteArray::number(weeklyFrom), QByteArray::number(nowSeconds));
    const bool withFirst = !first.isEmpty();
    if (withFirst) {
        commands.prepend(std::move(first));
    }
    return m_client->pipeline(std::move(commands))
        .then(guarded(
            this, [c = m_client, layouts, dailyFrom, threeDayFrom, withFirst](Replies r) -> Result<SpeechReadingAfter> {
                if (!r) {
                    return r.error();
                }
                SpeechReadingAfter out;
                if (withFirst && !r->isEmpty()) {
                    out.first = r->takeFirst();
                }
                const Result<QList<SpeechBucket>> buckets = layoutsBuckets(*c, *r, layouts, out.reading.skippedValues);
                if (!buckets) {
                    return buckets.error();
                }
                for (const SpeechBucket& b : *buckets) {
                    addSpeechBucket(out.reading.totals, b, threeDayFrom, dailyFrom);
                }
                return out;
            }));
}

Async<QList<MinuteSample>> RedisUsageStore::readMinutes(const QString& uid, TimePoint from, TimePoint to) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<QList<MinuteSample>>{s.error()});
    }
    const std::int64_t fromMs = toUnixMs(from);
    const std::int64_t toMs = toUnixMs(to);
    if (toMs <= fromMs) {
        return ready(Result<QList<MinuteSample>>{QList<MinuteSample>{}});
    }
    // Scores are whole seconds: ask for a slightly wider range and cut exactly on milliseconds below.
    const QByteArray minScore = QByteArray::number(floorDiv(fromMs, 1000));
    const QByteArray maxScore = QByteArray::number(floorDiv(toMs, 1000) + 1);
    const auto layouts = enforcedLayouts(uid);
    return m_client->pipeline(readLayoutsCommands(layouts, minScore, maxScore))
        .then(guarded(this, [c = m_client, layouts, fromMs, toMs](Replies r) -> Result<QList<MinuteSample>> {
            if (!r) {
                return r.error();
            }
            int skipped = 0;
            const Result<QList<SpeechBucket>> buckets = layoutsBuckets(*c, *r, layouts, skipped);
            if (!buckets) {
                return buckets.error();
            }
            std::map<std::int64_t, std::int64_t> byMinute;
            for (const SpeechBucket& b : *buckets) {
                const double startMs = b.scoreSeconds * 1000.0;
                if (startMs >= static_cast<double>(fromMs) && startMs < static_cast<double>(toMs)) {
                    byMinute[b.minute] += b.ms;
                }
            }
            QList<MinuteSample> out;
            out.reserve(static_cast<qsizetype>(byMinute.size()));
            for (const auto& [minute, ms] : byMinute) {
                out.append(MinuteSample{minute, ms});
            }
            return out;
        }));
}

Async<bool> RedisUsageStore::recordSpeech(const QString& uid, TimePoint at, std::int64_t speechMs,
                                          SpeechSource source) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<bool>{s.error()});
    }
    if (Status s = metering::validateSpeechMs(speechMs); !s) {
        return ready(Result<bool>{s.error()});
    }
    const std::int64_t minute = unixMinute(at);
    const QByteArray field = QByteArray::number(minute);
    const QByteArray hashKey = m_writeLayout == WriteLayout::Legacy ? bucketKey(uid) : v2BucketKey(source, uid);
    const QByteArray zsetKey = m_writeLayout == WriteLayout::Legacy ? speechKey(uid) : v2SpeechKey(source, uid);
    const QByteArray ttl = QByteArray::number(static_cast<qint64>(kSpeechTtl.count()));
    // No MULTI/EXEC: the hash and the zset are on different Redis Cluster slots, where a transaction over both is
    // refused (CROSSSLOT). One pipeline still costs one round trip. The hash is written first, so a write cut short
    // leaves at most a hash field without its zset member, which readers never look up (and a later record of the
    // same minute indexes, counting both), never a member that points at nothing.
    QList<QList<QByteArray>> commands{
        {"HINCRBY", hashKey, field, QByteArray::number(speechMs)},
        {"ZADD", zsetKey, QByteArray::number(minute * 60), field},
        {"EXPIRE", hashKey, ttl},
        {"EXPIRE", zsetKey, ttl},
    };
    return m_client->pipeline(std::move(commands))
        .then(guarded(this, [c = m_client, hashKey](Replies r) -> Result<bool> {
            if (!r) {
                return r.error();
            }
            for (const RedisReply& reply : *r) {
                if (reply.isError()) {
                    return c->replyError(reply, QStringLiteral("record speech in %1").arg(QString::fromUtf8(hashKey)));
                }
            }
            return true;
        }));
}

Async<std::int64_t> RedisUsageStore::readSttBudgetUsedMs(const QString& uid, TimePoint day) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<std::int64_t>{s.error()});
    }
    const QByteArray key = sttBudgetKey(uid, day);
    return keyCommand<std::int64_t>(
        this, m_client, {"GET", key}, key, QStringLiteral("read"),
        [key](const RedisReply& reply) -> Result<std::int64_t> {
            if (reply.isNil()) {
                return std::int64_t{0};
            }
            const std::optional<std::int64_t> v = reply.toInteger();
            if (!v || *v < 0) {
                return Error::invalid(
                    QStringLiteral("%1 holds a value that is not a count of milliseconds").arg(QString::fromUtf8(key)));
            }
            return *v;
        });
}

Async<std::int64_t> RedisUsageStore::addSttBudgetUsage(const QString& uid, TimePoint day, std::int64_t ms) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<std::int64_t>{s.error()});
    }
    if (ms < 0) {
        return ready(Result<std::int64_t>{Error::invalid(QStringLiteral("STT usage cannot be negative"))});
    }
    const QByteArray key = sttBudgetKey(uid, day);
    // A relative TTL (the backend's longest, 25 h) rather than "next midnight": the store reads no clock, and an
    // absolute expiry computed from `day` would delete keys of days already past at once.
    QList<QList<QByteArray>> commands{
        {"INCRBY", key, QByteArray::number(ms)},
        {"EXPIRE", key, QByteArray::number(static_cast<qint64>(kSttBudgetTtl.count()))},
    };
    return m_client->pipeline(std::move(commands))
        .then(guarded(this, [c = m_client, key](Replies r) -> Result<std::int64_t> {
            if (!r) {
                return r.error();
            }
            const RedisReply& incr = r->first();
            if (incr.isError() && RedisClient::replyErrorKind(incr) == ErrorKind::Permission) {
                return c->replyError(incr, QStringLiteral("add to %1").arg(QString::fromUtf8(key)));
            }
            if (!incr.isInteger()) {
                return Error::invalid(QStringLiteral("the STT budget key holds a value that is not a number: %1")
                                          .arg(QString::fromUtf8(incr.text())));
            }
            return incr.integerValue();
        }));
}

Async<bool> RedisUsageStore::invalidateStageCache(const QString& uid) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<bool>{s.error()});
    }
    const QByteArray key = stageKey(uid);
    return keyCommand<bool>(
        this, m_client, {"DEL", key}, key, QStringLiteral("delete"), [](const RedisReply& reply) -> Result<bool> {
            if (!reply.isInteger()) {
                return Error::internal(
                    QStringLiteral("Redis refused to drop the stage cache: %1").arg(QString::fromUtf8(reply.text())));
            }
            return reply.integerValue() > 0;
        });
}

Async<QString> RedisUsageStore::readStageCache(const QString& uid) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<QString>{s.error()});
    }
    const QByteArray key = stageKey(uid);
    return keyCommand<QString>(
        this, m_client, {"GET", key}, key, QStringLiteral("read"),
        [](const RedisReply& reply) -> Result<QString> { return QString::fromUtf8(reply.text()); });
}

Async<bool> RedisUsageStore::writeStageCache(const QString& uid, Stage stage) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<bool>{s.error()});
    }
    const QByteArray key = stageKey(uid);
    const QByteArray ttl = QByteArray::number(static_cast<qint64>(kStageTtl.count()));
    return keyCommand<bool>(this, m_client, {"SET", key, toString(stage).toUtf8(), "EX", ttl}, key,
                            QStringLiteral("write"), [](const RedisReply&) -> Result<bool> { return true; });
}

Async<bool> RedisUsageStore::acquireClassifierLock(const QString& uid, const QByteArray& token,
                                                   std::chrono::milliseconds ttl) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<bool>{s.error()});
    }
    if (token.isEmpty() || ttl.count() <= 0) {
        return ready(Result<bool>{Error::invalid(QStringLiteral("a lock needs a token and a positive TTL"))});
    }
    const QByteArray key = classifierLockKey(uid);
    return keyCommand<bool>(this, m_client,
                            {"SET", key, token, "NX", "PX", QByteArray::number(static_cast<qint64>(ttl.count()))}, key,
                            QStringLiteral("take the lock"), [](const RedisReply& reply) -> Result<bool> {
                                return reply.isStatus(); // OK when acquired, nil when someone else holds it
                            });
}

Async<bool> RedisUsageStore::releaseClassifierLock(const QString& uid, const QByteArray& token) {
    if (Status s = validateUid(uid); !s) {
        return ready(Result<bool>{s.error()});
    }
    const QByteArray key = classifierLockKey(uid);
    return keyCommand<bool>(this, m_client, {"EVAL", kReleaseLockScript, "1", key, token}, key,
                            QStringLiteral("release the lock"), [](const RedisReply& reply) -> Result<bool> {
                                if (!reply.isInteger()) {
                                    return Error::internal(
                                        QStringLiteral("Redis refused to release the classifier lock: %1")
                                            .arg(QString::fromUtf8(reply.text())));
                                }
                                return reply.integerValue() == 1;
                            });
}

} // namespace fairuse::services
