// Record-and-check cost of RollingMeter against the backend's brute force (rescan every bucket of the week on every
// check, as ZRANGEBYSCORE + HMGET do), for a light and a heavy user in steady state (a week of history already in).
// Prints "heavy check speedup: NNNx" and "memory per heavy user: N bytes" after the runs.

#include "metering/Metering.h"
#include "metering/RollingMeter.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace fairuse;
using namespace fairuse::metering;

namespace {

constexpr std::int64_t kDayMinutes = 1'440;
constexpr std::int64_t kStartMinute = 29'500'000 - 29'500'000 % kDayMinutes; // a UTC midnight in 2026

/** One call a service makes: a record (then a check) or a check alone. */
struct Event {
    TimePoint at;
    std::int64_t speechMs = 0;
    bool isRecord = false;
};

enum class User { Light, Heavy };

/**
 * A user's day, repeated forever.
 * Light: 13 minutes of speech a day, one record per speech minute spread over the waking day, and a check every
 * 5 minutes all day (the backend checks on a timer while the device streams).
 * Heavy: 12 h of speech a day (08:00-20:00), one full-minute record and check per minute (the backend's 60 s loop).
 */
class Timeline {
public:
    explicit Timeline(User user)
        : m_user(user) {}

    Event next() {
        for (;;) {
            const std::int64_t minute = m_minute++;
            const std::int64_t ofDay = (minute - kStartMinute) % kDayMinutes;
            if (m_user == User::Heavy) {
                if (ofDay >= 8 * 60 && ofDay < 20 * 60) {
                    return {fromUnixMinute(minute) + Milliseconds{59'000}, kMaxSpeechMsPerMinute, true};
                }
                continue;
            }
            // Speech minutes at 08:02, 09:02 + ..., every 70 minutes: 13 of them between 08:00 and 23:00.
            const bool speaks = ofDay >= 8 * 60 && (ofDay - 8 * 60) % 70 == 2 && (ofDay - 8 * 60) / 70 < 13;
            const bool checks = ofDay % 5 == 0;
            if (speaks) {
                return {fromUnixMinute(minute) + Milliseconds{41'000}, 45'000, true};
            }
            if (checks) {
                return {fromUnixMinute(minute), 0, false}; // on the whole minute: the window's edge bucket counts
            }
        }
    }

    TimePoint time() const { return fromUnixMinute(m_minute); }

private:
    User m_user;
    std::int64_t m_minute = kStartMinute;
};

/** The backend's layout: one hash field per minute; every check scans the week (sumWindows is the same rule). */
class RescanMapMeter {
public:
    SpeechTotals recordAndCheck(TimePoint at, std::int64_t speechMs) {
        m_buckets[unixMinute(at)] += speechMs;
        // Redis expires the keys after 8 days; keep the map the same size.
        m_buckets.erase(m_buckets.begin(), m_buckets.lower_bound(unixMinute(at) - 8 * kDayMinutes));
        return totals(at);
    }
    SpeechTotals totals(TimePoint now) const { return sumWindows(m_buckets, now); }
    std::size_t buckets() const { return m_buckets.size(); }

private:
    std::map<std::int64_t, std::int64_t> m_buckets;
};

/** The strongest brute force: the week's buckets in one contiguous, time-ordered array, rescanned per check. */
class RescanVectorMeter {
public:
    SpeechTotals recordAndCheck(TimePoint at, std::int64_t speechMs) {
        const std::int64_t minute = unixMinute(at);
        if (!m_buckets.empty() && m_buckets.back().first == minute) {
            m_buckets.back().second += speechMs;
        } else {
            m_buckets.emplace_back(minute, speechMs); // records arrive in order in this benchmark
        }
        while (m_buckets.front().first < minute - 8 * kDayMinutes) {
            m_buckets.pop_front();
        }
        return totals(at);
    }
    SpeechTotals totals(TimePoint now) const {
        const std::int64_t last = unixMinute(now);
        const std::int64_t daily = windowFirstMinute(now, kDailyWindow);
        const std::int64_t threeDay = windowFirstMinute(now, kThreeDayWindow);
        const std::int64_t weekly = windowFirstMinute(now, kWeeklyWindow);
        SpeechTotals t;
        // Start at the week's first bucket (binary search), so the baseline scans no more than the backend does.
        auto it = std::lower_bound(m_buckets.begin(), m_buckets.end(), weekly,
                                   [](const auto& bucket, std::int64_t m) { return bucket.first < m; });
        for (; it != m_buckets.end() && it->first <= last; ++it) {
            const auto& [minute, ms] = *it;
            t.weeklyMs += ms;
            t.threeDayMs += minute >= threeDay ? ms : 0;
            t.dailyMs += minute >= daily ? ms : 0;
        }
        return t;
    }

private:
    std::deque<std::pair<std::int64_t, std::int64_t>> m_buckets;
};

template <typename Meter>
SpeechTotals call(Meter& meter, const Event& e) {
    return e.isRecord ? meter.recordAndCheck(e.at, e.speechMs) : meter.totals(e.at);
}

/** A meter and a timeline with a full week of history already recorded, so runs measure the steady state. */
template <typename Meter>
std::pair<Meter, Timeline> warmedUp(User user) {
    Meter meter;
    Timeline timeline(user);
    const TimePoint end = timeline.time() + std::chrono::days{7};
    while (timeline.time() < end) {
        benchmark::DoNotOptimize(call(meter, timeline.next()));
    }
    return {std::move(meter), timeline};
}

template <typename Meter>
void BM_Metering(benchmark::State& state, User user) {
    auto [meter, timeline] = warmedUp<Meter>(user);
    for (auto _ : state) {
        const Event e = timeline.next();
        SpeechTotals t = call(meter, e);
        benchmark::DoNotOptimize(t);
    }
    state.SetItemsProcessed(state.iterations());
}

/**
 * The worst single call: a heavy user comes back after 6 days 23 h of silence, so almost the whole week leaves the
 * windows in one advance (whole hours are read from the hour ring, and about 167 hours of slots are recycled).
 */
void BM_ReturnAfterIdle(benchmark::State& state) {
    auto [meter, timeline] = warmedUp<RollingMeter>(User::Heavy);
    TimePoint at = timeline.time();
    for (auto _ : state) {
        at += std::chrono::hours{6 * 24 + 23};
        SpeechTotals t = meter.recordAndCheck(at, kMaxSpeechMsPerMinute);
        benchmark::DoNotOptimize(t);
    }
}

/** Keeps every run's per-call CPU time while the console reporter prints as usual. */
class CapturingReporter : public benchmark::ConsoleReporter {
public:
    // Colour only on a terminal, so logs and CI output stay readable.
    CapturingReporter()
        : ConsoleReporter(isatty(fileno(stdout)) ? OO_ColorTabular : OO_Tabular) {}

    void ReportRuns(const std::vector<Run>& reports) override {
        for (const Run& run : reports) {
            if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
                m_cpuNs[run.benchmark_name()] = run.GetAdjustedCPUTime();
            }
        }
        ConsoleReporter::ReportRuns(reports);
    }
    double ns(const std::string& name) const {
        const auto it = m_cpuNs.find(name);
        return it == m_cpuNs.end() ? 0.0 : it->second;
    }

private:
    std::map<std::string, double> m_cpuNs;
};

} // namespace

int main(int argc, char** argv) {
    // Registered here rather than with BENCHMARK_CAPTURE, which cannot take a template name.
    for (const auto& [userName, user] : {std::pair{"light", User::Light}, std::pair{"heavy", User::Heavy}}) {
        const User u = user;
        benchmark::RegisterBenchmark((std::string("rolling/") + userName).c_str(),
                                     [u](benchmark::State& st) { BM_Metering<RollingMeter>(st, u); });
        benchmark::RegisterBenchmark((std::string("rescan_map/") + userName).c_str(),
                                     [u](benchmark::State& st) { BM_Metering<RescanMapMeter>(st, u); });
        benchmark::RegisterBenchmark((std::string("rescan_vector/") + userName).c_str(),
                                     [u](benchmark::State& st) { BM_Metering<RescanVectorMeter>(st, u); });
    }
    benchmark::RegisterBenchmark("rolling/return_after_6d23h_idle", BM_ReturnAfterIdle);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    CapturingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    const auto ratio = [](double baseline, double ours) { return ours > 0.0 ? baseline / ours : 0.0; };
    std::printf("\n%-8s %14s %16s %19s %12s %12s\n", "user", "ours ns/call", "rescan map ns", "rescan vector ns",
                "map/ours", "vector/ours");
    double heavyVectorSpeedup = 0.0;
    for (const char* user : {"light", "heavy"}) {
        const double ours = reporter.ns(std::string("rolling/") + user);
        const double map = reporter.ns(std::string("rescan_map/") + user);
        const double vec = reporter.ns(std::string("rescan_vector/") + user);
        std::printf("%-8s %14.1f %16.1f %19.1f %11.0fx %11.0fx\n", user, ours, map, vec, ratio(map, ours),
                    ratio(vec, ours));
        if (std::string(user) == "heavy") {
            heavyVectorSpeedup = ratio(vec, ours);
        }
    }

    auto [heavyMeter, heavyTimeline] = warmedUp<RollingMeter>(User::Heavy);
    auto [heavyMap, mapTimeline] = warmedUp<RescanMapMeter>(User::Heavy);
    (void)heavyTimeline;
    (void)mapTimeline;
    // Against the stronger (contiguous) baseline, so the figure is not flattered by std::map's pointer chasing.
    std::printf("heavy check speedup: %.0fx\n", heavyVectorSpeedup);
    std::printf("worst call (return after 6 d 23 h idle): %.1f ns\n", reporter.ns("rolling/return_after_6d23h_idle"));
    std::printf("memory per heavy user: %zu bytes (the rescan layout holds %zu minute buckets)\n",
                heavyMeter.memoryBytes(), heavyMap.buckets());
    return 0;
}
