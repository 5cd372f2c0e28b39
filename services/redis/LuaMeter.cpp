#include "redis/LuaMeter.h"

#include "metering/Metering.h"
#include "redis/RedisUsageStore.h"

#include <QCryptographicHash>
#include <QPromise>

namespace fairuse::services {

namespace {

// KEYS[1] ring, KEYS[2] meta; ARGV[1] ms to add, ARGV[2] now in unix ms or "" for TIME, ARGV[3] TTL in ms.
// Returns {daily, threeDay, weekly, clipped, nowMs}.
// Window rule (the backend's, see metering/Metering.h): with nowSec = whole seconds, a minute m belongs to a
// window W when m * 60 >= nowSec - W and m <= nowMinute; so the first minute is ceil((nowSec - W) / 60).
// Invariant between calls: s[w] == sum of ring counters of minutes c[w] .. head.
constexpr const char* kScript = R"lua(
local R = 10200
local WIN = {86400, 259200, 604800}
local ring, meta = KEYS[1], KEYS[2]
local addMs = tonumber(ARGV[1])
local nowMs = tonumber(ARGV[2])
if nowMs == nil then
  local t = redis.call('TIME')
  nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local ttl = ARGV[3]
local function fmt(x) return string.format('%d', x) end

local function sumRange(a, b)
  -- sum of the counters of minutes a..b (b - a < R), read as at most two byte ranges
  local total = 0
  local function add(sa, sb)
    local bytes = redis.call('GETRANGE', ring, 2 * sa, 2 * sb + 1)
    for i = 1, #bytes - 1, 2 do
      local hi, lo = string.byte(bytes, i, i + 1)
      total = total + hi * 256 + lo
    end
  end
  local sa, sb = a % R, b % R
  if sa <= sb then add(sa, sb) else add(sa, R - 1); add(0, sb) end
  return total
end

local function zeroRange(a, b)
  if b - a + 1 >= R then
    redis.call('SET', ring, string.rep('\0', 2 * R))
    return
  end
  local sa, sb = a % R, b % R
  if sa <= sb then
    redis.call('SETRANGE', ring, 2 * sa, string.rep('\0', 2 * (sb - sa + 1)))
  else
    redis.call('SETRANGE', ring, 2 * sa, string.rep('\0', 2 * (R - sa)))
    redis.call('SETRANGE', ring, 0, string.rep('\0', 2 * (sb + 1)))
  end
end

local m = redis.call('HMGET', meta, 'head', 'last', 's1', 's2', 's3', 'c1', 'c2', 'c3')
local head, last = tonumber(m[1]), tonumber(m[2])
local s = {tonumber(m[3]), tonumber(m[4]), tonumber(m[5])}
local c = {tonumber(m[6]), tonumber(m[7]), tonumber(m[8])}
if last ~= nil and nowMs < last then nowMs = last end
local nowSec = math.floor(nowMs / 1000)
local nowMin = math.floor(nowSec / 60)
local first = {}
for w = 1, 3 do first[w] = math.ceil((nowSec - WIN[w]) / 60) end

local fresh = head == nil or last == nil or redis.call('STRLEN', ring) ~= 2 * R
for w = 1, 3 do if s[w] == nil or c[w] == nil then fresh = true end end
if fresh then
  redis.call('SET', ring, string.rep('\0', 2 * R))
  head = nowMin
  s = {0, 0, 0}
  c = {first[1], first[2], first[3]}
else
  for w = 1, 3 do
    if first[w] > c[w] then
      local hi = math.min(first[w] - 1, head)
      if hi >= head then
        s[w] = 0 -- everything up to head left the window
      elseif hi >= c[w] then
        s[w] = s[w] - sumRange(c[w], hi)
      end
      c[w] = first[w]
    end
  end
  if nowMin > head then
    zeroRange(head + 1, nowMin)
    head = nowMin
  end
end

local clipped = 0
if addMs > 0 then
  local slot = '#' .. fmt(nowMin % R)
  local r = redis.call('BITFIELD', ring, 'GET', 'u16', slot, 'OVERFLOW', 'SAT', 'INCRBY', 'u16', slot, fmt(addMs))
  local delta = r[2] - r[1]
  clipped = addMs - delta
  for w = 1, 3 do s[w] = s[w] + delta end
end

redis.call('HSET', meta, 'head', fmt(head), 'last', fmt(nowMs), 's1', fmt(s[1]), 's2', fmt(s[2]), 's3', fmt(s[3]),
  'c1', fmt(c[1]), 'c2', fmt(c[2]), 'c3', fmt(c[3]))
redis.call('PEXPIRE', ring, ttl)
redis.call('PEXPIRE', meta, ttl)
return {s[1], s[2], s[3], clipped, nowMs}
)lua";

Result<MeterReading> parseReading(const RedisReply& reply) {
    if (reply.isError()) {
        return Error::internal(QStringLiteral("the meter script failed: %1").arg(QString::fromUtf8(reply.text())));
    }
    const QList<RedisReply>& e = reply.elements();
    if (!reply.isArray() || e.size() != 5) {
        return Error::internal(QStringLiteral("the meter script returned an unexpected reply"));
    }
    for (const RedisReply& v : e) {
        if (!v.isInteger()) {
            return Error::internal(QStringLiteral("the meter script returned an unexpected reply"));
        }
    }
    MeterReading out;
    out.totals = SpeechTotals{e[0].integerValue(), e[1].integerValue(), e[2].integerValue()};
    out.clippedMs = e[3].integerValue();
    out.at = fromUnixMs(e[4].integerValue());
    return out;
}

} // namespace

LuaMeter::LuaMeter(RedisClient* client, QObject* parent)
    : QObject(parent)
    , m_client(client) {}

QByteArray LuaMeter::ringKey(const QString& uid) {
    return "fu2:{" + uid.toUtf8() + "}:ring";
}

QByteArray LuaMeter::metaKey(const QString& uid) {
    return "fu2:{" + uid.toUtf8() + "}:meta";
}

QByteArray LuaMeter::script() {
    return QByteArray(kScript);
}

QByteArray LuaMeter::scriptSha1() {
    static const QByteArray sha = QCryptographicHash::hash(script(), QCryptographicHash::Sha1).toHex();
    return sha;
}

Async<MeterReading> LuaMeter::recordAndCheck(const QString& uid, std::int64_t speechMs, std::optional<TimePoint> now) {
    using Out = Result<MeterReading>;
    if (Status s = RedisUsageStore::validateUid(uid); !s) {
        return QtFuture::makeReadyFuture(Out{s.error()});
    }
    if (uid.contains(QLatin1Char('{')) || uid.contains(QLatin1Char('}'))) {
        return QtFuture::makeReadyFuture(
            Out{Error::invalid(QStringLiteral("a user id with braces would break the meter's hash tag"))});
    }
    if (Status s = metering::validateSpeechMs(speechMs); !s) {
        return QtFuture::makeReadyFuture(Out{s.error()});
    }
    const QList<QByteArray> args{"2",
                                 ringKey(uid),
                                 metaKey(uid),
                                 QByteArray::number(static_cast<qint64>(speechMs)),
                                 now ? QByteArray::number(static_cast<qint64>(toUnixMs(*now))) : QByteArray(),
                                 QByteArray::number(static_cast<qint64>(kTtl.count()) * 1000)};
    auto promise = std::make_shared<QPromise<Out>>();
    QFuture<Out> future = promise->future();
    promise->start();
    auto finish = [promise](Out r) {
        promise->addResult(std::move(r));
        promise->finish();
    };
    m_client->command(QList<QByteArray>{"EVALSHA", scriptSha1()} + args)
        .then(this, [this, args, finish](Result<RedisReply> r) {
            if (!r) {
                finish(r.error());
                return;
            }
            if (r->errorCode() != "NOSCRIPT") {
                finish(parseReading(*r));
                return;
            }
            // The server lost its script cache (restart, SCRIPT FLUSH, failover): EVAL loads it again, and the
            // next call's EVALSHA finds it under the same SHA-1.
            m_client->command(QList<QByteArray>{"EVAL", script()} + args).then(this, [finish](Result<RedisReply> r2) {
                if (!r2) {
                    finish(r2.error());
                    return;
                }
                finish(parseReading(*r2));
            });
        });
    return future;
}

} // namespace fairuse::services
