#include "CheckModels.h"

#include "common/Await.h"
#include "common/Subscription.h"
#include "enforcement/EnforcerChanges.h"
#include "metering/Metering.h"
#include "redis/RedisUsageStore.h"

#include <chrono>

namespace fairuse::bench {

using services::RedisReply;
using services::RedisUsageStore;

namespace {

struct KeyPair {
    QByteArray zset;
    QByteArray hash;
};

QList<KeyPair> layoutsOf(const QString& uid, bool all) {
    QList<KeyPair> keys{{RedisUsageStore::speechKey(uid), RedisUsageStore::bucketKey(uid)}};
    if (all) {
        for (const SpeechSource s : {SpeechSource::Realtime, SpeechSource::SyncFresh}) {
            keys.append({RedisUsageStore::v2SpeechKey(s, uid), RedisUsageStore::v2BucketKey(s, uid)});
        }
    }
    return keys;
}

} // namespace

Result<CheckReading> backendCheck(services::RedisCommands& redis, const QString& uid, TimePoint now,
                                  bool allEnforcedLayouts, int timeoutMs) {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    // The backend truncates time.time() to whole seconds; a bucket's score is its minute * 60.
    const std::int64_t nowSeconds = toUnixMs(now) / 1000;
    const std::int64_t weeklyFrom = nowSeconds - duration_cast<seconds>(metering::kWeeklyWindow).count();
    const std::int64_t threeDayFrom = nowSeconds - duration_cast<seconds>(metering::kThreeDayWindow).count();
    const std::int64_t dailyFrom = nowSeconds - duration_cast<seconds>(metering::kDailyWindow).count();
    const QList<KeyPair> keys = layoutsOf(uid, allEnforcedLayouts);

    QList<QList<QByteArray>> ranges;
    for (const KeyPair& k : keys) {
        ranges.append({"ZRANGEBYSCORE", k.zset, QByteArray::number(static_cast<qint64>(weeklyFrom)),
                       QByteArray::number(static_cast<qint64>(nowSeconds))});
    }
    QList<RedisReply> members;
    if (ranges.size() == 1) {
        Result<RedisReply> r = awaitResult(redis.command(ranges.first()), timeoutMs);
        if (!r) {
            return r.error();
        }
        members.append(*r);
    } else {
        Result<QList<RedisReply>> r = awaitResult(redis.pipeline(ranges), timeoutMs);
        if (!r) {
            return r.error();
        }
        members = *r;
    }
    CheckReading reading;
    reading.roundTrips = 1;

    QList<QList<QByteArray>> hmgets;
    QList<const RedisReply*> asked;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const RedisReply& m = members.at(i);
        if (m.isError() || !m.isArray()) {
            return redis.replyError(m, QStringLiteral("ZRANGEBYSCORE %1").arg(QString::fromUtf8(keys[i].zset)));
        }
        if (m.elements().isEmpty()) {
            continue; // redis-py refuses an HMGET without fields: the backend asks only when there are minutes
        }
        QList<QByteArray> hmget{"HMGET", keys[i].hash};
        hmget.reserve(m.elements().size() + 2);
        for (const RedisReply& e : m.elements()) {
            hmget.append(e.text());
        }
        hmgets.append(std::move(hmget));
        asked.append(&m);
    }
    if (hmgets.isEmpty()) {
        return reading;
    }
    QList<RedisReply> values;
    if (hmgets.size() == 1) {
        Result<RedisReply> r = awaitResult(redis.command(hmgets.first()), timeoutMs);
        if (!r) {
            return r.error();
        }
        values.append(*r);
    } else {
        Result<QList<RedisReply>> r = awaitResult(redis.pipeline(hmgets), timeoutMs);
        if (!r) {
            return r.error();
        }
        values = *r;
    }
    reading.roundTrips = 2;
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QList<RedisReply>& minutes = asked.at(i)->elements();
        const RedisReply& v = values.at(i);
        if (!v.isArray() || v.elements().size() != minutes.size()) {
            return Error::internal(QStringLiteral("HMGET of %1 answered %2 values for %3 minutes")
                                       .arg(uid)
                                       .arg(v.elements().size())
                                       .arg(minutes.size()));
        }
        for (qsizetype j = 0; j < minutes.size(); ++j) {
            const std::int64_t score = minutes[j].text().toLongLong() * 60;
            const std::int64_t ms = v.elements()[j].toInteger().value_or(0);
            reading.totals.weeklyMs += ms;
            reading.totals.threeDayMs += score >= threeDayFrom ? ms : 0;
            reading.totals.dailyMs += score >= dailyFrom ? ms : 0;
        }
    }
    return reading;
}

enforcement::Action decide(const enforcement::Policy& policy, const QString& uid, const SpeechTotals& totals,
                           TimePoint now) {
    enforcement::EnforcementInput input;
    input.state.uid = uid;
    input.totals = totals;
    input.caps = policy.capsFor(effectivePlan(input.state.subscription, now));
    input.now = now;
    const QList<CapWindow> hits = metering::capsHit(input.totals, input.caps);
    if (!hits.isEmpty()) {
        const QString caseId = enforcement::enforcerCaseId(uid, hits.first(), now, policy.checkInterval);
        input.caseRef = enforcement::enforcerCaseRef(caseId);
    }
    return enforcement::evaluate(policy, input).action;
}

} // namespace fairuse::bench
