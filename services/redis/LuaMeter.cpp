#include "redis/LuaMeter.h"

#include "common/Guarded.h"

#include "metering/Metering.h"
#include "redis/RedisUsageStore.h"

#include "common/Promise.h"

#include <QCryptographicHash>

namespace fairuse::services {

namespace {

// KEYS[1] the meter; ARGV[1] ms to add, ARGV[2] now in unix ms or "" for TIME, ARGV[3] TTL in ms.
// Returns {daily, threeDay, weekly, clipped, nowMs}.
//
// Two forms share the key; GETRANGE of the dense header tells them apart (a sparse value is far shorter than 31,280
// bytes, so it returns less than 18 bytes, and the script then GETs the whole short value).
//
// Sparse (users with at most N = 160 minutes of speech in the weekly window): magic 0xF5, last (i64 unix ms), then
// (minute u40, ms u16) pairs, 7 bytes each, ascending, ms from 1 to 65,535, only minutes still inside the weekly
// window (the first minute of the week's window only moves forward, so a dropped pair is never needed again). A
// call unpacks the pairs in chunks of 32, drops the ones before the week, adds to the newest pair or appends one,
// sums the three windows over the pairs and SETs the value back with the TTL (renewed on every call). A light user
// (13 minutes a day) costs 9 + 91 x 7 = 646 bytes of value, about 840 bytes of MEMORY USAGE. When more than N pairs
// are left, the same call builds the dense value from the pairs (minutes that already left the week count as 0,
// which no later window can see) and SETs it. A dense value stays dense.
//
// Dense, 31,298 bytes, big-endian:
//   [0, 30600)      R = 10,200 minute slots, u24 (bit offset 24 * (m % R)): C(m), the running sum of minute m's hour
//                   up to and including m;
//   [30600, 31280)  HR = 170 hour slots, u32 (bit offset 244,800 + 32 * (h % HR)): HP(h), the running total of all
//                   hours up to and including h, modulo 2^32 (a week's sum, at most 10,081 x 65,535, is far below
//                   2^32, so the difference of two such totals is exact);
//   [31280, 31298)  header: magic 0xF3, last (i64 unix ms, bit 250,248), headVal (u16, the newest minute's ms) and
//                   cHead (u24, its C) as one u40 at bit 250,312, hpPrev (u32 at bit 250,352: HP of the hour before
//                   the newest minute's).
// The newest minute and hour live only in the header; their slots are written when time moves past them ("closed").
// R is a whole number of hours, so an hour's slots never wrap around the ring.
//
// Window rule (the backend's, see metering/Metering.h): with nowSec = whole seconds, a minute m belongs to a window W
// when m * 60 >= nowSec - W and m <= nowMinute; so the first minute is a = ceil((nowSec - W) / 60). With P(m) the
// total of all minutes up to m, P(m) = HP(hour(m) - 1) + C(m), and the window's sum is
//   P(now) - P(a - 1) = (hpPrev - HP(hour(a) - 1)) mod 2^32 - C(a - 1, or 0 when a starts its hour) + cHead:
// two reads per window, six in one BITFIELD with the header's update, whatever the time since the previous call.
// Time passing closes the minutes skipped (the rest of the newest hour keeps its running sum, later minutes 0) and
// the hours skipped (all carry the newest hour's final total): one BITFIELD SET each for a step of one minute or
// one hour, a SETRANGE of a string.rep otherwise. Numbers go to redis.call as numbers, never formatted in Lua (each
// '#' .. n costs about 0.2 us there: most of this script's time is such per-value overhead, not Redis commands).
// The TTL (ARGV[3]: 8 days + 1 hour) is renewed once per hour, so the key lives 8 days to 8 days + 1 hour after the
// last call. A value of the wrong type or size, a bad header, sums that cannot be right (a damaged ring), or sparse
// pairs that are not ascending, zero or after the last call start over from empty, in the sparse form.
constexpr const char* kScript = R"lua(
local R, HR, N = 10200, 170, 160
local key = KEYS[1]
local addMs = tonumber(ARGV[1])
local nowMs = tonumber(ARGV[2])
if nowMs == nil then
  local t = redis.call('TIME')
  nowMs = tonumber(t[1]) * 1000 + (tonumber(t[2]) - tonumber(t[2]) % 1000) / 1000
end

-- The first minute of a window of W seconds ending at nowSec: ceil((nowSec - W) / 60).
local function first(nowSec, w)
  local x = nowSec - w
  return (x - x % 60) / 60 + (x % 60 > 0 and 1 or 0)
end

-- Repeats a packed piece per run of minutes (or hours) and rotates the result so that index 0 is slot 0.
local function rotate(seq, width, slots, firstIndex)
  local i0 = (slots - firstIndex % slots) % slots
  return string.sub(seq, width * i0 + 1) .. string.sub(seq, 1, width * i0)
end

-- The dense value holding the pairs mins[f..k] / vals[f..k] (ascending minutes, all <= head), its newest minute
-- head and last call nowMs: the ring of the R minutes up to head, the HR hours up to head's, and the header.
local function dense(mins, vals, f, k, head)
  local L = head - R + 1
  local parts, np = {}, 0
  local pos, cur, curEnd, headVal = L, 0, L - 1, 0
  local function fill(upTo) -- minutes pos .. upTo - 1 carry cur within cur's hour, 0 after it
    local e = curEnd
    if e > upTo - 1 then e = upTo - 1 end
    if e >= pos then
      np = np + 1
      parts[np] = string.rep(struct.pack('>I3', cur), e - pos + 1)
      pos = e + 1
    end
    if pos < upTo then
      np = np + 1
      parts[np] = string.rep('\0\0\0', upTo - pos)
      pos = upTo
    end
  end
  for j = f, k do
    local m = mins[j]
    if m >= L then
      fill(m)
      if m > curEnd then cur, curEnd = 0, m - m % 60 + 59 end
      cur = cur + vals[j]
      np = np + 1
      parts[np] = struct.pack('>I3', cur)
      pos = m + 1
      if m == head then headVal = vals[j] end
    end
  end
  fill(head + 1)
  local cHead = 0
  if curEnd >= head then cHead = cur end
  local headHour = (head - head % 60) / 60
  local LH = headHour - HR + 1
  local hp, hpPrev, hs, j = 0, 0, {}, f
  for h = LH, headHour do
    while j <= k and (mins[j] - mins[j] % 60) / 60 <= h do
      hp = hp + vals[j]
      j = j + 1
    end
    hs[h - LH + 1] = hp
    if h == headHour - 1 then hpPrev = hp end
  end
  return rotate(table.concat(parts), 3, R, L) ..
    rotate(struct.pack('>' .. string.rep('I4', HR), unpack(hs, 1, HR)), 4, HR, LH) ..
    struct.pack('>Bi8HI3I4', 243, nowMs, headVal, cHead, hpPrev)
end

-- The sparse value: magic 0xF5, last (i64 unix ms), then up to N pairs (minute u40, ms u16, 7 bytes), ascending
-- minutes, every ms from 1 to 65,535, only minutes still inside the weekly window. Returns the reading and writes
-- the value back (dense once more than N pairs are left), or nil when v is not a sound sparse value.
local chunk = '>' .. string.rep('I5H', 32)
local function sparse(v)
  local len = #v
  if len < 9 or len > 9 + 7 * N or (len - 9) % 7 ~= 0 then return nil end
  local magic, last = struct.unpack('>Bi8', v)
  if magic ~= 245 or last < 0 or last > 1e15 then return nil end
  local k = (len - 9) / 7
  local now = nowMs
  if now < last then now = last end
  local nowSec = (now - now % 1000) / 1000
  local nowMin = (nowSec - nowSec % 60) / 60
  local a1, a2, a3 = first(nowSec, 86400), first(nowSec, 259200), first(nowSec, 604800)
  -- One pass: check, count the pairs before the week (all at the front) and sum the windows.
  local s1, s2, s3, drop, newest = 0, 0, 0, 0, 0
  local pos, i, prev = 10, 0, -1
  while i < k do
    local c = k - i
    local t
    if c >= 32 then
      c = 32
      t = {struct.unpack(chunk, v, pos)}
    else
      t = {struct.unpack('>' .. string.rep('I5H', c), v, pos)}
    end
    for q = 2, 2 * c, 2 do
      local m, ms = t[q - 1], t[q]
      if m <= prev or ms < 1 then return nil end
      prev = m
      if m < a3 then
        drop = drop + 1
      else
        s3 = s3 + ms
        if m >= a2 then
          s2 = s2 + ms
          if m >= a1 then s1 = s1 + ms end
        end
      end
    end
    newest = t[2 * c]
    i = i + c
    pos = t[2 * c + 1]
  end
  if prev > (last - last % 60000) / 60000 then return nil end
  nowMs = now
  local delta, tail, cut, kept = 0, '', len, k - drop
  if addMs > 0 then
    if prev == nowMin then
      delta = 65535 - newest
      if addMs < delta then delta = addMs end
      tail, cut = struct.pack('>I5H', nowMin, newest + delta), len - 7
    else
      delta = addMs
      if delta > 65535 then delta = 65535 end
      kept = kept + 1
      tail = struct.pack('>I5H', nowMin, delta)
    end
    s1, s2, s3 = s1 + delta, s2 + delta, s3 + delta
  end
  local body = string.sub(v, 10 + 7 * drop, cut) .. tail
  if kept > N then
    -- Rare: the kept pairs once more, as tables, for the dense form.
    local mins, vals = {}, {}
    for j = 1, kept do
      mins[j], vals[j] = struct.unpack('>I5H', body, 7 * j - 6)
    end
    redis.call('SET', key, dense(mins, vals, 1, kept, nowMin), 'PX', ARGV[3])
  else
    redis.call('SET', key, struct.pack('>Bi8', 245, nowMs) .. body, 'PX', ARGV[3])
  end
  return {s1, s2, s3, addMs - delta, nowMs}
end

-- The header; 18 bytes come back only from a value of exactly 31,298 bytes.
local hdr = redis.pcall('GETRANGE', key, '31280', '31298')
local last, headVal, cHead, hpPrev
if type(hdr) == 'string' and #hdr == 18 then
  local magic
  magic, last, headVal, cHead, hpPrev = struct.unpack('>Bi8HI3I4', hdr)
  if magic ~= 243 or headVal > cHead or cHead > 3932100 or last < 0 or last > 1e15 then last = nil end
end
local sums
if type(hdr) == 'string' and #hdr ~= 18 then
  -- Shorter than a dense value: sparse, new, or damaged.
  local v = redis.call('GET', key)
  if v then sums = sparse(v) end
end
if last ~= nil then
  if nowMs < last then nowMs = last end
  local nowSec = (nowMs - nowMs % 1000) / 1000
  local nowMin = (nowSec - nowSec % 60) / 60
  local nowHour = (nowMin - nowMin % 60) / 60
  local head = (last - last % 60000) / 60000
  local headHour = (head - head % 60) / 60
  local gap, hourGap = nowMin - head, nowHour - headHour
  -- Sized once (a table that grows rehashes at every power of two): at most 40 arguments.
  local bf, n = {'BITFIELD', key, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 2
  if gap > 0 then
    -- Close the head minute and the minutes skipped: the rest of head's hour keeps its running sum, later ones 0.
    local closed = (hpPrev + cHead) % 4294967296
    if gap >= R then
      redis.call('SETRANGE', key, '0', string.rep('\0', 30600) .. string.rep(struct.pack('>I4', closed), HR))
    else
      if gap == 1 then
        bf[3], bf[4], bf[5], bf[6] = 'SET', 'u24', 24 * (head % R), cHead
        n = 6
      else
        local carry = headHour * 60 + 60 - head
        if carry > gap then carry = gap end
        local fill = string.rep(struct.pack('>I3', cHead), carry)
        if gap > carry then fill = fill .. string.rep('\0\0\0', gap - carry) end
        local s = head % R
        if s + gap <= R then
          redis.call('SETRANGE', key, 3 * s, fill)
        else
          redis.call('SETRANGE', key, 3 * s, string.sub(fill, 1, 3 * (R - s)))
          redis.call('SETRANGE', key, '0', string.sub(fill, 3 * (R - s) + 1))
        end
      end
      -- Close head's hour and the hours skipped: all carry the running total at the end of head's hour.
      if hourGap == 1 then
        bf[n + 1], bf[n + 2], bf[n + 3], bf[n + 4] = 'SET', 'u32', 244800 + 32 * (headHour % HR), closed
        n = n + 4
      elseif hourGap > 1 then
        local fill = string.rep(struct.pack('>I4', closed), hourGap)
        local s = headHour % HR
        if s + hourGap <= HR then
          redis.call('SETRANGE', key, 30600 + 4 * s, fill)
        else
          redis.call('SETRANGE', key, 30600 + 4 * s, string.sub(fill, 1, 4 * (HR - s)))
          redis.call('SETRANGE', key, '30600', string.sub(fill, 4 * (HR - s) + 1))
        end
      end
    end
    if hourGap > 0 then
      hpPrev, cHead = closed, 0
    end
    headVal = 0
  end
  local k = (n - 2) / 4
  local delta = 0
  if addMs > 0 then
    delta = 65535 - headVal
    if addMs < delta then delta = addMs end
    headVal, cHead = headVal + delta, cHead + delta
  end
  -- Per window, the first minute a: the running total before a's hour and a's hour's running sum before a.
  local x1, x2, x3 = nowSec - 86400, nowSec - 259200, nowSec - 604800
  local a1 = (x1 - x1 % 60) / 60 + (x1 % 60 > 0 and 1 or 0)
  local a2 = (x2 - x2 % 60) / 60 + (x2 % 60 > 0 and 1 or 0)
  local a3 = (x3 - x3 % 60) / 60 + (x3 % 60 > 0 and 1 or 0)
  local h1, h2, h3 = (a1 - a1 % 60) / 60 - 1, (a2 - a2 % 60) / 60 - 1, (a3 - a3 % 60) / 60 - 1
  bf[n + 1], bf[n + 2], bf[n + 3] = 'GET', 'u32', 244800 + 32 * (h1 % HR)
  bf[n + 4], bf[n + 5], bf[n + 6] = 'GET', 'u24', 24 * ((a1 - 1) % R)
  bf[n + 7], bf[n + 8], bf[n + 9] = 'GET', 'u32', 244800 + 32 * (h2 % HR)
  bf[n + 10], bf[n + 11], bf[n + 12] = 'GET', 'u24', 24 * ((a2 - 1) % R)
  bf[n + 13], bf[n + 14], bf[n + 15] = 'GET', 'u32', 244800 + 32 * (h3 % HR)
  bf[n + 16], bf[n + 17], bf[n + 18] = 'GET', 'u24', 24 * ((a3 - 1) % R)
  bf[n + 19], bf[n + 20], bf[n + 21], bf[n + 22] = 'SET', 'i64', '250248', nowMs
  bf[n + 23], bf[n + 24], bf[n + 25], bf[n + 26] = 'SET', 'u40', '250312', headVal * 16777216 + cHead
  n = n + 26
  if hourGap > 0 then
    bf[n + 1], bf[n + 2], bf[n + 3], bf[n + 4] = 'SET', 'u32', '250352', hpPrev
    n = n + 4
  end
  local r = redis.call(unpack(bf, 1, n))
  local c1, c2, c3 = r[k + 2], r[k + 4], r[k + 6]
  if c1 <= 3932100 and c2 <= 3932100 and c3 <= 3932100 then
    if a1 % 60 == 0 then c1 = 0 end
    if a2 % 60 == 0 then c2 = 0 end
    if a3 % 60 == 0 then c3 = 0 end
    local s1 = (hpPrev - r[k + 1]) % 4294967296 - c1 + cHead
    local s2 = (hpPrev - r[k + 3]) % 4294967296 - c2 + cHead
    local s3 = (hpPrev - r[k + 5]) % 4294967296 - c3 + cHead
    if s1 >= cHead and s1 <= s2 and s2 <= s3 and s3 <= 660658335 then
      sums = {s1, s2, s3, addMs - delta, nowMs}
    end
  end
  if hourGap > 0 and sums then
    redis.call('PEXPIRE', key, ARGV[3])
  end
end
if sums == nil then
  -- A new value, or a damaged one (wrong type or size, bad header, sums that cannot be right): start over, sparse.
  local delta, v = 0, struct.pack('>Bi8', 245, nowMs)
  if addMs > 0 then
    delta = math.min(addMs, 65535)
    local nowSec = (nowMs - nowMs % 1000) / 1000
    v = v .. struct.pack('>I5H', (nowSec - nowSec % 60) / 60, delta)
  end
  redis.call('SET', key, v, 'PX', ARGV[3])
  return {delta, delta, delta, addMs - delta, nowMs}
end
return sums
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
        return ready(Out{s.error()});
    }
    if (uid.contains(QLatin1Char('{')) || uid.contains(QLatin1Char('}'))) {
        return ready(Out{Error::invalid(QStringLiteral("a user id with braces would break the meter's hash tag"))});
    }
    if (Status s = metering::validateSpeechMs(speechMs); !s) {
        return ready(Out{s.error()});
    }
    if (now && (toUnixMs(*now) < 0 || toUnixMs(*now) > kLatestUnixMs)) {
        // The script keeps times as Lua doubles and rejects a stored time outside this range as damage.
        return ready(Out{Error::invalid(QStringLiteral("the meter's time must lie between 1970 and the year 33658"))});
    }
    if (!m_client) {
        return ready(Out{Error::unavailable(QStringLiteral("the meter's Redis client is gone"))});
    }
    const QList<QByteArray> args{"1", key(uid), QByteArray::number(static_cast<qint64>(speechMs)),
                                 now ? QByteArray::number(static_cast<qint64>(toUnixMs(*now))) : QByteArray(),
                                 QByteArray::number(static_cast<qint64>((kTtl + kTtlSlack).count()) * 1000)};
    PromisePtr<MeterReading> promise = makePromise<MeterReading>();
    // Either way the promise gets exactly one result: a meter closed with the call in flight answers "closed".
    const auto closed = [promise] { finish(promise, Out{Error::unavailable(QStringLiteral("the meter was closed"))}); };
    m_client->command(QList<QByteArray>{"EVALSHA", scriptSha1()} + args)
        .then(guardedOr(
            this,
            [this, args, promise, closed](Result<RedisReply> r) {
                if (!r) {
                    finish(promise, Out{r.error()});
                    return;
                }
                if (r->errorCode() != "NOSCRIPT") {
                    finish(promise, parseReading(*r));
                    return;
                }
                if (!m_client) {
                    finish(promise, Out{Error::unavailable(QStringLiteral("the meter's Redis client is gone"))});
                    return;
                }
                // The server lost its script cache (restart, SCRIPT FLUSH, failover): EVAL loads it again, and the
                // next call's EVALSHA finds it under the same SHA-1.
                m_client->command(QList<QByteArray>{"EVAL", script()} + args)
                    .then(guardedOr(
                        this,
                        [promise](Result<RedisReply> r2) { finish(promise, r2 ? parseReading(*r2) : Out{r2.error()}); },
                        closed));
            },
            closed));
    return promise->future();
}

} // namespace fairuse::services
