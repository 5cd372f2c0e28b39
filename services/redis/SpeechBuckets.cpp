#include "redis/SpeechBuckets.h"

#include <QHash>

#include <cmath>

namespace fairuse::services {

Status joinSpeechBuckets(const RedisReply& zreply, const RedisReply& hreply, QList<SpeechBucket>& out, int& skipped) {
    if (!zreply.isArray() || !hreply.isArray() || zreply.elements().size() % 2 != 0 ||
        hreply.elements().size() % 2 != 0) {
        return Error::invalid(QStringLiteral("the speech keys' replies are not arrays of pairs"));
    }
    const QList<RedisReply>& z = zreply.elements();
    if (z.isEmpty()) {
        return {};
    }
    QHash<QByteArray, const RedisReply*> hash;
    const QList<RedisReply>& h = hreply.elements();
    hash.reserve(h.size() / 2);
    for (qsizetype i = 0; i + 1 < h.size(); i += 2) {
        hash.insert(h[i].text(), &h[i + 1]);
    }
    for (qsizetype i = 0; i + 1 < z.size(); i += 2) {
        const std::optional<std::int64_t> minute = z[i].toInteger();
        bool scoreOk = false;
        const double score = z[i + 1].text().toDouble(&scoreOk);
        const RedisReply* value = hash.value(z[i].text(), nullptr);
        const std::optional<std::int64_t> ms = value != nullptr ? value->toInteger() : std::nullopt;
        if (!minute || !scoreOk || !std::isfinite(score) || !ms || *ms < 0 || *ms > kMaxSpeechBucketMs) {
            ++skipped;
            continue;
        }
        out.append(SpeechBucket{*minute, score, *ms});
    }
    return {};
}

void addSpeechBucket(SpeechTotals& totals, const SpeechBucket& bucket, std::int64_t threeDayFromSeconds,
                     std::int64_t dailyFromSeconds) {
    totals.weeklyMs += bucket.ms;
    if (bucket.scoreSeconds >= static_cast<double>(threeDayFromSeconds)) {
        totals.threeDayMs += bucket.ms;
    }
    if (bucket.scoreSeconds >= static_cast<double>(dailyFromSeconds)) {
        totals.dailyMs += bucket.ms;
    }
}

QString uidOfBucketKey(const QByteArray& key) {
    const QByteArray legacy(kLegacyBucketPrefix);
    const QByteArray v2(kV2BucketPrefix);
    if (key.startsWith(v2)) {
        const QByteArray rest = key.mid(v2.size());
        const qsizetype colon = rest.indexOf(':');
        if (colon <= 0 || !speechSourceFromString(QString::fromUtf8(rest.left(colon)))) {
            return {};
        }
        return QString::fromUtf8(rest.mid(colon + 1));
    }
    if (key.startsWith(legacy)) {
        return QString::fromUtf8(key.mid(legacy.size()));
    }
    return {};
}

} // namespace fairuse::services
