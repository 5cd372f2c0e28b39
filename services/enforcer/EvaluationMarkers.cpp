#include "enforcer/EvaluationMarkers.h"

#include "common/Await.h"
#include "enforcer/RangeLeases.h"

namespace fairuse::services {

namespace {

// KEYS[1] the marker; ARGV[1] this instance's pending value, ARGV[2] its expiry in ms. 1 taken, 2 done, 0 held.
const KeyScript kClaimScript{R"lua(
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == 'done' then return 2 end
if v == ARGV[1] then return 1 end
return 0
)lua"};

const KeyScript kReleaseScript{R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua"};

} // namespace

EvaluationMarkers::EvaluationMarkers(RedisCommands* redis, TimePoint epoch, QByteArray token,
                                     std::chrono::milliseconds pendingTtl, std::chrono::milliseconds doneTtl,
                                     int timeoutMs)
    : m_redis(redis)
    , m_epoch(epoch)
    , m_pending(QByteArrayLiteral("pending:") + token)
    , m_pendingTtl(pendingTtl)
    , m_doneTtl(doneTtl)
    , m_timeoutMs(timeoutMs) {}

QByteArray EvaluationMarkers::key(TimePoint epoch, const QString& uid) {
    return QByteArrayLiteral("fair_use:enforcer:evaluated:") + QByteArray::number(epoch.time_since_epoch().count()) +
           ':' + uid.toUtf8();
}

Result<long long> EvaluationMarkers::run(const KeyScript& script, const QString& uid, const QByteArray& ttlMs) {
    return runKeyScript(*m_redis, script, key(m_epoch, uid), m_pending, ttlMs, m_timeoutMs, QStringLiteral("marker"));
}

namespace {

Result<EvaluationMarkers::Claim> claimOf(const Result<long long>& r) {
    if (!r) {
        return r.error();
    }
    return *r == 1 ? EvaluationMarkers::Claim::Taken
                   : (*r == 2 ? EvaluationMarkers::Claim::Done : EvaluationMarkers::Claim::Held);
}

} // namespace

Result<EvaluationMarkers::Claim> EvaluationMarkers::claim(const QString& uid) {
    return claimOf(run(kClaimScript, uid, QByteArray::number(m_pendingTtl.count())));
}

QList<QByteArray> EvaluationMarkers::claimCommand(const QString& uid) const {
    return keyScriptCommand(kClaimScript, key(m_epoch, uid), m_pending, QByteArray::number(m_pendingTtl.count()));
}

Result<EvaluationMarkers::Claim> EvaluationMarkers::claimFrom(const RedisReply& reply, const QString& uid) {
    if (reply.errorCode() == "NOSCRIPT") {
        return claim(uid);
    }
    return claimOf(keyScriptAnswer(*m_redis, reply, key(m_epoch, uid), QStringLiteral("marker")));
}

Status EvaluationMarkers::finish(const QString& uid) {
    // Done whoever held it, the evaluation happened: a plain SET, no script.
    const QByteArray k = key(m_epoch, uid);
    const Result<RedisReply> r =
        awaitResult(m_redis->command({QByteArrayLiteral("SET"), k, QByteArrayLiteral("done"), QByteArrayLiteral("PX"),
                                      QByteArray::number(static_cast<qint64>(m_doneTtl.count()))}),
                    m_timeoutMs);
    if (!r) {
        return r.error();
    }
    if (r->isError()) {
        return m_redis->replyError(*r, QStringLiteral("mark %1 done").arg(QString::fromUtf8(k)));
    }
    return {};
}

Status EvaluationMarkers::release(const QString& uid) {
    const Result<long long> r = run(kReleaseScript, uid, QByteArray());
    if (!r) {
        return r.error();
    }
    return {};
}

} // namespace fairuse::services
