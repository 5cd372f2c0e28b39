#include "enforcer/SpeechUserScan.h"

#include "common/Await.h"
#include "common/Domain.h"

#include <QSet>

#include <algorithm>

namespace fairuse::services {

namespace {

const QByteArray kLegacyPrefix = QByteArrayLiteral("fair_use:bucket:");
const QByteArray kV2Prefix = QByteArrayLiteral("fair_use:v2:bucket:");

/** One pattern scanned to the end; the keys it matched are added to `keys`. */
Status scanPattern(RedisCommands& redis, const QString& node, const QByteArray& pattern, int count, int timeoutMs,
                   QList<QByteArray>& keys) {
    QByteArray cursor = QByteArrayLiteral("0");
    do {
        const Result<RedisReply> r =
            awaitResult(redis.commandAt(node, {QByteArrayLiteral("SCAN"), cursor, QByteArrayLiteral("MATCH"), pattern,
                                               QByteArrayLiteral("COUNT"), QByteArray::number(count)}),
                        timeoutMs);
        if (!r) {
            return r.error();
        }
        if (r->isError()) {
            return redis.replyError(*r, QStringLiteral("SCAN %1").arg(QString::fromLatin1(pattern)));
        }
        if (!r->isArray() || r->elements().size() != 2 || !r->elements().at(1).isArray()) {
            return Error::internal(QStringLiteral("SCAN answered something that is not a cursor and a key list"));
        }
        cursor = r->elements().at(0).text();
        for (const RedisReply& key : r->elements().at(1).elements()) {
            keys.append(key.text());
        }
    } while (cursor != "0" && !cursor.isEmpty());
    return {};
}

} // namespace

Result<SpeechUsers> scanSpeechUsers(RedisCommands& redis, int count, int timeoutMs) {
    const Result<QStringList> nodes = awaitResult(redis.keyNodes(), timeoutMs);
    if (!nodes) {
        return nodes.error();
    }
    QList<QByteArray> keys;
    for (const QString& node : *nodes) {
        for (const QByteArray& pattern : {QByteArray(kLegacyPrefix + '*'), QByteArray(kV2Prefix + '*')}) {
            if (Status ok = scanPattern(redis, node, pattern, count, timeoutMs, keys); !ok) {
                return ok.error();
            }
        }
    }
    SpeechUsers found;
    found.keys = static_cast<int>(keys.size());
    QSet<QString> seen; // SCAN may return a key more than once, and a user has keys in both layouts
    for (const QByteArray& key : keys) {
        const QString uid = uidOfBucketKey(key);
        if (uid.isEmpty() || uid.contains(QLatin1Char('/'))) {
            ++found.junkKeys;
            continue;
        }
        seen.insert(uid);
    }
    found.uids = QStringList(seen.cbegin(), seen.cend());
    std::sort(found.uids.begin(), found.uids.end());
    return found;
}

} // namespace fairuse::services
