#include "redis/LuaMeter.h"

#include "metering/Metering.h"
#include "redis/RedisUsageStore.h"

#include "common/Promise.h"

#include <QCryptographicHash>
#include <QPointer>

namespace fairuse::services {

namespace {

// KEYS[1] the meter; ARGV[1] ms to add, ARGV[2] now in unix ms or "" for TIME, ARGV[3] TTL in ms.
// Returns {daily, threeDay, weekly, clipped, nowMs}.
//
// Layout of the value (LEN = 31,298 bytes; big-endian; BITFIELD "#i" offsets count in units of the type's width):
//   [0, 30600)      R = 10,200 minute slots, u24: C(m), the running sum of minute m's hour up to and including m;
//   [30600, 31280)  HR = 170 hour slots, u32 (#7650 + h % HR): HP(h), the running total of all hours up to and
//                   including h, modulo 2^32 (a week's sum, at most 10,081 x 65,535, is far below 2^32, so the
//                   difference of two such totals is exact);
//   [31280, 31298)  header: magic 0xF3, last (i64 unix ms), headVal (u16, the newest minute's ms), cHead (u24, its C)
//                   and hpHead (u32, its hour's HP).
// R is a whole number of hours, so an hour's slots never wrap around the ring.
// Window rule (the backend's, see metering/Metering.h): with nowSec = whole seconds, a minute m belongs to a window W
// when m * 60 >= nowSec - W and m <= nowMinute; so the first minute is a = ceil((nowSec - W) / 60), and
//   sum(a .. nowMinute) = C(end of a's hour) - C(a - 1, or 0 when a starts its hour)
//                       + (HP(nowHour - 1) - HP(a's hour)) mod 2^32 + C(nowMinute),
// ten reads in one BITFIELD for the three windows, whatever the time since the previous call. Time passing costs
// one or two SETRANGEs: the minutes skipped get their hour's running sum (the rest of the newest hour) or 0 (later
// hours), the hours skipped keep the newest hour's total. Short skips are SET ops in the same BITFIELD.
// Invariant between calls: every minute slot in (head - R, head] and every hour slot in (headHour - HR, headHour]
// holds the value above; the header repeats the newest minute's and hour's so a call needs no read to extend them.
// A value of the wrong type or size, a bad header or sums that cannot be right (a damaged ring) start over.
constexpr const char* kScript = R"lua(
local R, HR, MB, HO, LEN, HSLOT = 10200, 170, 30600, 31280, 31298, 7650
local key = KEYS[1]
local addMs = tonumber(ARGV[1])
local nowMs = tonumber(ARGV[2])
if nowMs == nil then
  local t = redis.call('TIME')
  nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- One GETRANGE reads the header and checks the length: 18 bytes come back only from a value of exactly LEN bytes.
local hdr = redis.pcall('GETRANGE', key, HO, LEN)
local fresh = true
local magic, last, headVal, cHead, hpHead
if type(hdr) == 'string' and #hdr == 18 then
  magic, last, headVal, cHead, hpHead = struct.unpack('>Bi8HI3I4', hdr)
  fresh = magic ~= 243 or headVal > cHead or cHead > 3932100
end
if fresh then
  last, headVal, cHead, hpHead = nowMs, 0, 0, 0
  redis.call('SET', key, string.rep('\0', HO) .. struct.pack('>Bi8HI3I4', 243, nowMs, 0, 0, 0))
elseif nowMs < last then
  nowMs = last
end
local nowSec = math.floor(nowMs / 1000)
local nowMin = math.floor(nowSec / 60)
local nowHour = math.floor(nowMin / 60)
local head = math.floor(last / 60000)
local bf = {'BITFIELD', key}
local n = 2

local gap = nowMin - head
if gap > 0 then
  local headHour = math.floor(head / 60)
  if gap >= R then
    redis.call('SETRANGE', key, 0, string.rep('\0', MB) .. string.rep(struct.pack('>I4', hpHead), HR))
  else
    -- Minutes head+1 .. nowMin-1: the rest of head's hour keeps its running sum, later minutes start from 0.
    local carry = math.min(nowMin - 1, headHour * 60 + 59) - head
    if gap <= 5 then
      for m = head + 1, nowMin - 1 do
        bf[n + 1], bf[n + 2], bf[n + 3], bf[n + 4] = 'SET', 'u24', '#' .. (m % R), m - head <= carry and cHead or 0
        n = n + 4
      end
    else
      local fill = string.rep(struct.pack('>I3', cHead), carry) .. string.rep('\0\0\0', gap - 1 - carry)
      local s = (head + 1) % R
      if s + gap - 1 <= R then
        redis.call('SETRANGE', key, 3 * s, fill)
      else
        redis.call('SETRANGE', key, 3 * s, string.sub(fill, 1, 3 * (R - s)))
        redis.call('SETRANGE', key, 0, string.sub(fill, 3 * (R - s) + 1))
      end
    end
    -- Hours headHour+1 .. nowHour-1 had no speech: their running totals stay hpHead.
    local hours = nowHour - headHour - 1
    if hours <= 4 then
      for h = headHour + 1, nowHour - 1 do
        bf[n + 1], bf[n + 2], bf[n + 3], bf[n + 4] = 'SET', 'u32', '#' .. (HSLOT + h % HR), hpHead
        n = n + 4
      end
    else
      local fill = string.rep(struct.pack('>I4', hpHead), hours)
      local s = (headHour + 1) % HR
      if s + hours <= HR then
        redis.call('SETRANGE', key, MB + 4 * s, fill)
      else
        redis.call('SETRANGE', key, MB + 4 * s, string.sub(fill, 1, 4 * (HR - s)))
        redis.call('SETRANGE', key, MB, string.sub(fill, 4 * (HR - s) + 1))
      end
    end
  end
  headVal = 0
  if nowHour ~= headHour then cHead = 0 end
end

local delta = 0
if addMs > 0 then
  delta = math.min(addMs, 65535 - headVal)
  headVal = headVal + delta
  cHead = cHead + delta
  hpHead = (hpHead + delta) % 4294967296
end
local minuteSlot, hourSlot = '#' .. (nowMin % R), '#' .. (HSLOT + nowHour % HR)
bf[n + 1], bf[n + 2], bf[n + 3], bf[n + 4] = 'SET', 'u24', minuteSlot, cHead
bf[n + 5], bf[n + 6], bf[n + 7], bf[n + 8] = 'SET', 'u32', hourSlot, hpHead
bf[n + 9], bf[n + 10], bf[n + 11], bf[n + 12] = 'SET', 'i64', 8 * HO + 8, nowMs
bf[n + 13], bf[n + 14], bf[n + 15], bf[n + 16] = 'SET', 'u16', 8 * HO + 72, headVal
bf[n + 17], bf[n + 18], bf[n + 19], bf[n + 20] = 'SET', 'u24', 8 * HO + 88, cHead
bf[n + 21], bf[n + 22], bf[n + 23], bf[n + 24] = 'SET', 'u32', 8 * HO + 112, hpHead
n = n + 24
local sets = (n - 2) / 4
-- Per window: the running hour sum at the end of the first minute's hour and just before the first minute, and the
-- running total of that hour; then the running total of the hour before now.
local a1 = math.ceil((nowSec - 86400) / 60)
local a2 = math.ceil((nowSec - 259200) / 60)
local a3 = math.ceil((nowSec - 604800) / 60)
for _, a in ipairs({a1, a2, a3}) do
  local ah = math.floor(a / 60)
  bf[n + 1], bf[n + 2], bf[n + 3] = 'GET', 'u24', '#' .. ((ah * 60 + 59) % R)
  bf[n + 4], bf[n + 5], bf[n + 6] = 'GET', 'u24', '#' .. ((a - 1) % R)
  bf[n + 7], bf[n + 8], bf[n + 9] = 'GET', 'u32', '#' .. (HSLOT + ah % HR)
  n = n + 9
end
bf[n + 1], bf[n + 2], bf[n + 3] = 'GET', 'u32', '#' .. (HSLOT + (nowHour - 1) % HR)
local r = redis.call(unpack(bf))
local hpBefore = r[sets + 10]
local s = {}
local sane = true
for w, a in ipairs({a1, a2, a3}) do
  local i = sets + 3 * w - 3
  local toEnd, before = r[i + 1], r[i + 2]
  if a % 60 == 0 then before = 0 end
  s[w] = toEnd - before + (hpBefore - r[i + 3]) % 4294967296 + cHead
  sane = sane and toEnd <= 3932100 and before <= toEnd
end
if not (sane and s[1] >= cHead and s[1] <= s[2] and s[2] <= s[3] and s[3] <= 660658335) then
  -- A damaged value: start over rather than return sums that cannot be right.
  delta = addMs > 0 and math.min(addMs, 65535) or 0
  redis.call('SET', key, string.rep('\0', HO) .. struct.pack('>Bi8HI3I4', 243, nowMs, delta, delta, delta))
  redis.call('BITFIELD', key, 'SET', 'u24', minuteSlot, delta, 'SET', 'u32', hourSlot, delta)
  s = {delta, delta, delta}
end
redis.call('PEXPIRE', key, ARGV[3])
return {s[1], s[2], s[3], addMs - delta, nowMs}
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

QByteArray LuaMeter::key(const QString& uid) {
    return "fu3:{" + uid.toUtf8() + "}:meter";
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
    if (!m_client) {
        return QtFuture::makeReadyFuture(Out{Error::unavailable(QStringLiteral("the meter's Redis client is gone"))});
    }
    const QList<QByteArray> args{"1", key(uid), QByteArray::number(static_cast<qint64>(speechMs)),
                                 now ? QByteArray::number(static_cast<qint64>(toUnixMs(*now))) : QByteArray(),
                                 QByteArray::number(static_cast<qint64>(kTtl.count()) * 1000)};
    PromisePtr<MeterReading> promise = makePromise<MeterReading>();
    // No then(this, ...): Qt 6.4 asserts when the context dies with the future pending. The continuations run where
    // the client finishes its replies (this object's thread) and check that the meter still exists; either way the
    // promise gets exactly one result.
    const QPointer<LuaMeter> self(this);
    m_client->command(QList<QByteArray>{"EVALSHA", scriptSha1()} + args)
        .then([self, args, promise](Result<RedisReply> r) {
            if (!self) {
                finish(promise, Out{Error::unavailable(QStringLiteral("the meter was closed"))});
                return;
            }
            if (!r) {
                finish(promise, Out{r.error()});
                return;
            }
            if (r->errorCode() != "NOSCRIPT") {
                finish(promise, parseReading(*r));
                return;
            }
            if (!self->m_client) {
                finish(promise, Out{Error::unavailable(QStringLiteral("the meter's Redis client is gone"))});
                return;
            }
            // The server lost its script cache (restart, SCRIPT FLUSH, failover): EVAL loads it again, and the
            // next call's EVALSHA finds it under the same SHA-1.
            self->m_client->command(QList<QByteArray>{"EVAL", script()} + args)
                .then([self, promise](Result<RedisReply> r2) {
                    if (!self) {
                        finish(promise, Out{Error::unavailable(QStringLiteral("the meter was closed"))});
                    } else {
                        finish(promise, r2 ? parseReading(*r2) : Out{r2.error()});
                    }
                });
        });
    return promise->future();
}

} // namespace fairuse::services
