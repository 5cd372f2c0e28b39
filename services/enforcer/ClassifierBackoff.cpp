#include "enforcer/ClassifierBackoff.h"

#include "common/Await.h"

namespace fairuse::services {

namespace {

constexpr std::chrono::seconds kKeyTtl = std::chrono::hours(24);

} // namespace

ClassifierBackoff::ClassifierBackoff(RedisCommands* redis, int timeoutMs)
    : m_redis(redis)
    , m_timeoutMs(timeoutMs) {}

QByteArray ClassifierBackoff::key(const QString& uid) {
    return QByteArrayLiteral("fair_use:enforcer:classifier_backoff:") + uid.toUtf8();
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
    return enforcement::decodeBackoff(r->text());
}

Result<ClassifierBackoff::Entry> ClassifierBackoff::recordFailure(const QString& uid,
                                                                  const std::optional<Entry>& previous, TimePoint now) {
    const Entry next = enforcement::nextBackoff(previous, now);
    const Result<RedisReply> r = awaitResult(
        m_redis->command({QByteArrayLiteral("SET"), key(uid), enforcement::encodeBackoff(next), QByteArrayLiteral("EX"),
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
