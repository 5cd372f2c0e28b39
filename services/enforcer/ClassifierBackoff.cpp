#include "enforcer/ClassifierBackoff.h"

#include "common/Await.h"

#include <algorithm>

namespace fairuse::services {

namespace {

constexpr std::chrono::milliseconds kFirstDelay = std::chrono::minutes(5);
constexpr std::chrono::milliseconds kMaxDelay = std::chrono::hours(6);
constexpr std::chrono::seconds kKeyTtl = std::chrono::hours(24);

bool decimal(const QByteArray& text) {
    return !text.isEmpty() && text.size() <= 15 &&
           std::all_of(text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

ClassifierBackoff::ClassifierBackoff(RedisCommands* redis, int timeoutMs)
    : m_redis(redis)
    , m_timeoutMs(timeoutMs) {}

std::chrono::milliseconds ClassifierBackoff::delayAfter(int failures) {
    std::chrono::milliseconds delay = kFirstDelay;
    for (int i = 1; i < failures && delay < kMaxDelay; ++i) {
        delay *= 2;
    }
    return std::min(delay, kMaxDelay);
}

QByteArray ClassifierBackoff::key(const QString& uid) {
    return QByteArrayLiteral("fair_use:enforcer:classifier_backoff:") + uid.toUtf8();
}

QByteArray ClassifierBackoff::encode(const Entry& entry) {
    return QByteArray::number(entry.failures) + ':' + QByteArray::number(entry.retryAt.time_since_epoch().count());
}

std::optional<ClassifierBackoff::Entry> ClassifierBackoff::decode(const QByteArray& value) {
    const qsizetype colon = value.indexOf(':');
    if (colon < 0 || value.indexOf(':', colon + 1) >= 0) {
        return std::nullopt;
    }
    const QByteArray failures = value.left(colon);
    const QByteArray retryAt = value.mid(colon + 1);
    if (!decimal(failures) || !decimal(retryAt)) {
        return std::nullopt;
    }
    Entry e;
    e.failures = failures.toInt();
    const qint64 ms = retryAt.toLongLong();
    // 2000-01-01 .. 2200-01-01
    if (e.failures < 1 || e.failures > 1000 || ms < 946'684'800'000LL || ms > 7'258'118'400'000LL) {
        return std::nullopt;
    }
    e.retryAt = TimePoint(std::chrono::milliseconds(ms));
    return e;
}

Result<std::optional<ClassifierBackoff::Entry>> ClassifierBackoff::read(const QString& uid) {
    const Result<RedisReply> r = awaitResult(m_redis->command({QByteArrayLiteral("GET"), key(uid)}), m_timeoutMs);
    if (!r) {
        return r.error();
    }
    if (r->isError()) {
        return m_redis->replyError(*r, QStringLiteral("read the classifier backoff of %1").arg(uid));
    }
    if (r->isNil()) {
        return std::optional<Entry>();
    }
    return decode(r->text());
}

Result<ClassifierBackoff::Entry> ClassifierBackoff::recordFailure(const QString& uid,
                                                                  const std::optional<Entry>& previous, TimePoint now) {
    Entry next;
    next.failures = std::min(1000, (previous ? previous->failures : 0) + 1);
    next.retryAt = now + delayAfter(next.failures);
    const Result<RedisReply> r =
        awaitResult(m_redis->command({QByteArrayLiteral("SET"), key(uid), encode(next), QByteArrayLiteral("EX"),
                                      QByteArray::number(static_cast<qint64>(kKeyTtl.count()))}),
                    m_timeoutMs);
    if (!r) {
        return r.error();
    }
    if (r->isError()) {
        return m_redis->replyError(*r, QStringLiteral("write the classifier backoff of %1").arg(uid));
    }
    return next;
}

Status ClassifierBackoff::clear(const QString& uid) {
    const Result<RedisReply> r = awaitResult(m_redis->command({QByteArrayLiteral("DEL"), key(uid)}), m_timeoutMs);
    if (!r) {
        return r.error();
    }
    if (r->isError()) {
        return m_redis->replyError(*r, QStringLiteral("clear the classifier backoff of %1").arg(uid));
    }
    return {};
}

} // namespace fairuse::services
