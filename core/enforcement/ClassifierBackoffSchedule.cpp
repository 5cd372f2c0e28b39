#include "enforcement/ClassifierBackoffSchedule.h"

#include <algorithm>

namespace fairuse::enforcement {

namespace {

constexpr std::chrono::milliseconds kFirstDelay = std::chrono::minutes(5);
constexpr std::chrono::milliseconds kMaxDelay = std::chrono::hours(6);
constexpr int kMaxFailures = 1000;
constexpr qint64 kEarliestMs = 946'684'800'000LL; // 2000-01-01
constexpr qint64 kLatestMs = 7'258'118'400'000LL; // 2200-01-01

bool decimal(const QByteArray& text) {
    return !text.isEmpty() && text.size() <= 15 &&
           std::all_of(text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::chrono::milliseconds backoffDelayAfter(int failures) {
    std::chrono::milliseconds delay = kFirstDelay;
    for (int i = 1; i < failures && delay < kMaxDelay; ++i) {
        delay *= 2;
    }
    return std::min(delay, kMaxDelay);
}

BackoffEntry nextBackoff(const std::optional<BackoffEntry>& previous, TimePoint now) {
    BackoffEntry next;
    next.failures = std::min(kMaxFailures, (previous ? previous->failures : 0) + 1);
    next.retryAt = now + backoffDelayAfter(next.failures);
    return next;
}

QByteArray encodeBackoff(const BackoffEntry& entry) {
    return QByteArray::number(entry.failures) + ':' + QByteArray::number(entry.retryAt.time_since_epoch().count());
}

std::optional<BackoffEntry> decodeBackoff(const QByteArray& value) {
    const qsizetype colon = value.indexOf(':');
    if (colon < 0 || value.indexOf(':', colon + 1) >= 0) {
        return std::nullopt;
    }
    const QByteArray failures = value.left(colon);
    const QByteArray retryAt = value.mid(colon + 1);
    if (!decimal(failures) || !decimal(retryAt)) {
        return std::nullopt;
    }
    BackoffEntry e;
    e.failures = failures.toInt();
    const qint64 ms = retryAt.toLongLong();
    if (e.failures < 1 || e.failures > kMaxFailures || ms < kEarliestMs || ms > kLatestMs) {
        return std::nullopt;
    }
    e.retryAt = TimePoint(std::chrono::milliseconds(ms));
    return e;
}

} // namespace fairuse::enforcement
