#include "enforcer/RangeLeases.h"

#include "common/Await.h"
#include "redis/ClusterSlots.h"

#include <QCryptographicHash>

namespace fairuse::services {

namespace {

// KEYS[1] the lease; ARGV[1] the token, ARGV[2] the expiry in ms. 1 taken, 2 done, 0 held by another instance.
const KeyScript kClaimScript{R"lua(
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == 'done' then return 2 end
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua"};

// 1 when the lease was still this instance's and is extended.
const KeyScript kRenewScript{R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua"};

// ARGV[2] is the done marker's expiry. 1 when this instance held the lease and the range is now done.
const KeyScript kFinishScript{R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0
)lua"};

const KeyScript kReleaseScript{R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua"};

} // namespace

RangeLeases::RangeLeases(RedisCommands* redis, TimePoint epoch, QByteArray token, std::chrono::milliseconds ttl,
                         std::chrono::milliseconds doneTtl, int timeoutMs)
    : m_redis(redis)
    , m_epoch(epoch)
    , m_token(std::move(token))
    , m_ttl(ttl)
    , m_doneTtl(doneTtl)
    , m_timeoutMs(timeoutMs) {}

int RangeLeases::rangeOf(const QString& uid) {
    return keySlot(uid.toUtf8()) * kRanges / kClusterSlots;
}

TimePoint RangeLeases::epochOf(TimePoint now, std::chrono::seconds checkInterval) {
    const std::int64_t ms = now.time_since_epoch().count();
    const std::int64_t step = std::max<std::int64_t>(1, checkInterval.count() * 1000);
    const std::int64_t floored = ms >= 0 ? ms - ms % step : ms - (step + ms % step) % step;
    return TimePoint(std::chrono::milliseconds(floored));
}

QByteArray RangeLeases::key(TimePoint epoch, int range) {
    return QByteArrayLiteral("fair_use:enforcer:range:") + QByteArray::number(epoch.time_since_epoch().count()) + ':' +
           (range == kSweep   ? QByteArrayLiteral("sweep")
            : range == kSpend ? QByteArrayLiteral("spend")
                              : QByteArray::number(range));
}

KeyScript::KeyScript(const char* text)
    : body(text)
    , sha(QCryptographicHash::hash(body, QCryptographicHash::Sha1).toHex()) {}

QList<QByteArray> keyScriptCommand(const KeyScript& script, const QByteArray& key, const QByteArray& token,
                                   const QByteArray& arg) {
    // EVALSHA sends 40 bytes where EVAL sends the whole script.
    return {QByteArrayLiteral("EVALSHA"), script.sha, QByteArrayLiteral("1"), key, token, arg};
}

Result<long long> keyScriptAnswer(const RedisCommands& redis, const RedisReply& reply, const QByteArray& key,
                                  const QString& what) {
    const QString name = QString::fromUtf8(key);
    if (reply.isError()) {
        return redis.replyError(reply, QStringLiteral("run the %1 script on %2").arg(what, name));
    }
    if (!reply.isInteger()) {
        return Error::internal(
            QStringLiteral("the %1 script on %2 answered something that is not a number").arg(what, name));
    }
    return reply.integerValue();
}

Result<long long> runKeyScript(RedisCommands& redis, const KeyScript& script, const QByteArray& key,
                               const QByteArray& token, const QByteArray& arg, int timeoutMs, const QString& what) {
    Result<RedisReply> r = awaitResult(redis.command(keyScriptCommand(script, key, token, arg)), timeoutMs);
    if (r && r->errorCode() == "NOSCRIPT") {
        // The server lost its script cache (restart, SCRIPT FLUSH, a failover to a replica that never ran it): EVAL
        // runs the script and caches it again.
        r = awaitResult(
            redis.command({QByteArrayLiteral("EVAL"), script.body, QByteArrayLiteral("1"), key, token, arg}),
            timeoutMs);
    }
    if (!r) {
        return r.error();
    }
    return keyScriptAnswer(redis, *r, key, what);
}

Result<long long> RangeLeases::run(const KeyScript& script, int range, const QByteArray& arg) {
    return runKeyScript(*m_redis, script, key(m_epoch, range), m_token, arg, m_timeoutMs, QStringLiteral("lease"));
}

Result<RangeLeases::Claim> RangeLeases::claim(int range) {
    const Result<long long> r = run(kClaimScript, range, QByteArray::number(m_ttl.count()));
    if (!r) {
        return r.error();
    }
    return *r == 1 ? Claim::Taken : (*r == 2 ? Claim::Done : Claim::Held);
}

Result<bool> RangeLeases::renew(int range) {
    const Result<long long> r = run(kRenewScript, range, QByteArray::number(m_ttl.count()));
    return r ? Result<bool>(*r == 1) : Result<bool>(r.error());
}

Result<bool> RangeLeases::finish(int range) {
    const Result<long long> r = run(kFinishScript, range, QByteArray::number(m_doneTtl.count()));
    return r ? Result<bool>(*r == 1) : Result<bool>(r.error());
}

Result<bool> RangeLeases::release(int range) {
    const Result<long long> r = run(kReleaseScript, range, QByteArray());
    return r ? Result<bool>(*r == 1) : Result<bool>(r.error());
}

} // namespace fairuse::services
