#include "embedded/DemoPopulation.h"

#include <numeric>

namespace fairuse::services {

QString toString(DemoProfile p) {
    switch (p) {
    case DemoProfile::Ordinary:
        return QStringLiteral("ordinary");
    case DemoProfile::Audiobook:
        return QStringLiteral("audiobook");
    case DemoProfile::Podcast:
        return QStringLiteral("podcast");
    case DemoProfile::TvMovie:
        return QStringLiteral("tv_movie");
    case DemoProfile::Commercial:
        return QStringLiteral("commercial");
    case DemoProfile::LegitimateHeavy:
        return QStringLiteral("legitimate_heavy");
    }
    return {};
}

SpeechTotals DemoUser::totalsAtReference() const {
    SpeechTotals t;
    t.dailyMs = dailySpeechMs[0];
    t.threeDayMs = dailySpeechMs[0] + dailySpeechMs[1] + dailySpeechMs[2];
    t.weeklyMs = std::accumulate(dailySpeechMs.begin(), dailySpeechMs.end(), std::int64_t{0});
    return t;
}

} // namespace fairuse::services
