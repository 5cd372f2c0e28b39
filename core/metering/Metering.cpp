#include "metering/Metering.h"

namespace fairuse::metering {

namespace {

constexpr std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

} // namespace

Status validateSpeechMs(std::int64_t speechMs) {
    if (speechMs < 0) {
        return Error::invalid(QStringLiteral("speech of %1 ms is negative").arg(speechMs));
    }
    if (speechMs > kMaxSpeechMsPerMinute) {
        return Error::invalid(QStringLiteral("speech of %1 ms in one record is more than the %2 ms a minute can hold")
                                  .arg(speechMs)
                                  .arg(kMaxSpeechMsPerMinute));
    }
    return {};
}

std::int64_t windowFirstMinute(TimePoint now, std::chrono::minutes window) {
    // The backend compares against int(time.time()), so the edge is decided in whole seconds.
    const std::int64_t nowSeconds = floorDiv(toUnixMs(now), 1000);
    const std::int64_t nowMinute = floorDiv(nowSeconds, 60);
    const bool onWholeMinute = nowSeconds - nowMinute * 60 == 0;
    return nowMinute - window.count() + (onWholeMinute ? 0 : 1);
}

SpeechTotals sumWindows(const std::map<std::int64_t, std::int64_t>& minuteBuckets, TimePoint now) {
    const std::int64_t last = unixMinute(now);
    const std::int64_t dailyFirst = windowFirstMinute(now, kDailyWindow);
    const std::int64_t threeDayFirst = windowFirstMinute(now, kThreeDayWindow);
    const std::int64_t weeklyFirst = windowFirstMinute(now, kWeeklyWindow);

    SpeechTotals totals;
    // One scan of the week, as the backend's ZRANGEBYSCORE + HMGET does on every check.
    for (auto it = minuteBuckets.lower_bound(weeklyFirst); it != minuteBuckets.end() && it->first <= last; ++it) {
        totals.weeklyMs += it->second;
        if (it->first >= threeDayFirst) {
            totals.threeDayMs += it->second;
        }
        if (it->first >= dailyFirst) {
            totals.dailyMs += it->second;
        }
    }
    return totals;
}

QList<CapWindow> capsHit(const SpeechTotals& totals, const Caps& caps) {
    QList<CapWindow> hit;
    if (totals.dailyMs > caps.dailyMs) {
        hit.append(CapWindow::Daily);
    }
    if (totals.threeDayMs > caps.threeDayMs) {
        hit.append(CapWindow::ThreeDay);
    }
    if (totals.weeklyMs > caps.weeklyMs) {
        hit.append(CapWindow::Weekly);
    }
    return hit;
}

} // namespace fairuse::metering
