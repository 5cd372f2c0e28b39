// The policy simulator's replay (core/enforcement/PolicySimulation) on a synthetic population: 10,000 users x 7 days
// of per-minute speech by default, replayed under the requested policy and a stricter edited copy, as the
// simulator dialog does. Prints the wall time of one policy and of the side-by-side comparison; the target is under
// 10 s for the comparison in a Release build (docs/performance.md).
//
//   fairuse_bench_simulator [--users N] [--days D] [--runs R]

#include "common/Time.h"
#include "enforcement/PolicySimulation.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

using namespace fairuse;
using namespace fairuse::enforcement;

namespace {

constexpr std::int64_t kMinuteMs = 60'000;

/**
 * Deterministic population: 70 % light users (20-90 min a day), 20 % heavy legitimate users (2-5 h a day, low
 * scores), 10 % abusers (5-11 h a day, high scores). Each day's speech comes in sessions of 20-120 minutes at 60 %
 * to 100 % speech per minute; every user has one or two recorded verdicts.
 */
QList<SimulationUser> population(int users, const SimulationPeriod& period) {
    std::mt19937_64 rng(20261205);
    const auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const std::int64_t firstMinute = unixMinute(period.from());
    QList<SimulationUser> out;
    out.reserve(users);
    for (int i = 0; i < users; ++i) {
        SimulationUser u;
        u.uid = QStringLiteral("bench-%1").arg(i);
        u.plan = i % 4 == 0 ? Plan::Unlimited : Plan::Basic;
        const int kind = i % 10; // 0: abuser, 1-2: heavy, else light
        const int dailyMin = kind == 0 ? 300 : kind <= 2 ? 120 : 20;
        const int dailyMax = kind == 0 ? 660 : kind <= 2 ? 300 : 90;
        const double score = kind == 0 ? 0.75 + 0.2 * uniform(0, 100) / 100.0 : 0.1 + 0.5 * uniform(0, 100) / 100.0;
        u.verdicts.append({period.from() + std::chrono::hours(uniform(0, 24 * period.days - 1)), score,
                           kind == 0 ? UsageType::Audiobook : UsageType::None});
        u.lastKnown = RecordedVerdict{period.from(), score, UsageType::Unknown};
        for (int d = 0; d < period.days; ++d) {
            int left = uniform(dailyMin, dailyMax);
            std::int64_t minute = firstMinute + std::int64_t(d) * 1440 + uniform(0, 300);
            while (left > 0) {
                const int session = std::min(left, uniform(20, 120));
                for (int m = 0; m < session; ++m) {
                    u.minutes.append({minute + m, kMinuteMs * uniform(60, 100) / 100});
                }
                left -= session;
                minute += session + uniform(10, 90);
            }
        }
        out.append(std::move(u));
    }
    return out;
}

double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

} // namespace

int main(int argc, char** argv) {
    int users = 10'000;
    int days = 7;
    int runs = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--users") == 0) {
            users = std::atoi(argv[i + 1]);
        } else if (std::strcmp(argv[i], "--days") == 0) {
            days = std::atoi(argv[i + 1]);
        } else if (std::strcmp(argv[i], "--runs") == 0) {
            runs = std::atoi(argv[i + 1]);
        }
    }
    const SimulationPeriod period{parseRfc3339(QStringLiteral("2026-12-05T00:00:00Z")).value(), days};
    const auto built = std::chrono::steady_clock::now();
    const QList<SimulationUser> population = ::population(users, period);
    std::int64_t minutes = 0;
    for (const SimulationUser& u : population) {
        minutes += u.minutes.size();
    }
    std::printf("population: %d users x %d days, %lld speech minutes (built in %.2f s)\n", users, days,
                static_cast<long long>(minutes), seconds(std::chrono::steady_clock::now() - built));

    const Policy current = Policy::forReview();
    Policy strict = current;
    strict.name = QStringLiteral("strict");
    strict.basicCaps.dailyMs = 3'600'000;
    strict.scoreThreshold = 0.6;

    double bestOne = 1e9;
    double bestBoth = 1e9;
    SimulationComparison last;
    for (int r = 0; r < runs; ++r) {
        auto t = std::chrono::steady_clock::now();
        SimulationTally one;
        for (const SimulationUser& u : population) {
            one.add(simulateUser(current, u, period));
        }
        bestOne = std::min(bestOne, seconds(std::chrono::steady_clock::now() - t));
        t = std::chrono::steady_clock::now();
        last = compare(current, strict, population, period);
        bestBoth = std::min(bestBoth, seconds(std::chrono::steady_clock::now() - t));
    }
    std::printf("%-34s %8s\n", "replay (best of runs)", "seconds");
    std::printf("%-34s %8.2f\n", "one policy", bestOne);
    std::printf("%-34s %8.2f\n", "two policies side by side + chart", bestBoth);
    std::printf("counts   current: warn %d throttle %d restrict %d | strict: warn %d throttle %d restrict %d\n",
                last.current.warned, last.current.throttled, last.current.restricted, last.edited.warned,
                last.edited.throttled, last.edited.restricted);
    const bool met = bestBoth < 10.0;
    std::printf("target (< 10 s for the comparison): %s\n", met ? "met" : "MISSED");
    return met ? 0 : 1;
}
