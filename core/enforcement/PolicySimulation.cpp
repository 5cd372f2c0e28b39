#include "enforcement/PolicySimulation.h"

#include "enforcement/ReplayTrack.h"
#include "metering/Metering.h"

#include <algorithm>

namespace fairuse::enforcement {

namespace {

/** The period's minutes with real speech, ascending: junk (zero, negative, more than a minute) is left out. */
std::vector<SpeechMinute> periodMinutes(const SimulationUser& user, const SimulationPeriod& period) {
    const TimePoint from = period.from();
    std::vector<SpeechMinute> out;
    out.reserve(static_cast<std::size_t>(user.minutes.size()));
    for (const SpeechMinute& m : user.minutes) {
        const TimePoint start = fromUnixMinute(m.unixMinute);
        if (start < from || start >= period.now || m.speechMs <= 0 || m.speechMs > metering::kMaxSpeechMsPerMinute) {
            continue;
        }
        out.push_back(m);
    }
    std::sort(out.begin(), out.end(),
              [](const SpeechMinute& a, const SpeechMinute& b) { return a.unixMinute < b.unixMinute; });
    return out;
}

bool anyCapHit(const SpeechTotals& t, const Caps& c) {
    return t.dailyMs > c.dailyMs || t.threeDayMs > c.threeDayMs || t.weeklyMs > c.weeklyMs;
}

ClassifierResult asResult(const RecordedVerdict& v) {
    ClassifierResult r;
    r.misuseScore = v.misuseScore;
    r.usageType = v.usageType;
    r.model = QStringLiteral("recorded");
    return r;
}

/**
 * True when evaluate() at `at` would change nothing and count nothing: inside the classifier cooldown (step 5 of
 * Enforcement.h) with no restriction or throttle running out (step 3). Skipping those checks keeps the replay exact
 * and saves building their explanations, which is most of the work for a heavy user.
 */
bool quietInsideCooldown(const Policy& policy, const FairUseState& s, TimePoint at) {
    const bool inCooldown =
        s.lastClassifierAt && *s.lastClassifierAt <= at && at - *s.lastClassifierAt < policy.classifierCooldown;
    const bool expiring = (s.restrictUntil && at > *s.restrictUntil) || (s.throttleUntil && at > *s.throttleUntil);
    return inCooldown && !expiring;
}

UserOutcome simulateEnforced(const Policy& policy, const SimulationUser& user, const SimulationPeriod& period,
                             const std::vector<SpeechMinute>& minutes) {
    UserOutcome outcome;
    if (minutes.empty()) {
        return outcome;
    }
    const Caps caps = policy.capsFor(user.plan);
    const Milliseconds interval = policy.checkInterval;
    metering::RollingMeter meter;
    ReplayTrack track;
    track.state.uid = user.uid;
    std::optional<TimePoint> lastCheck;
    for (std::size_t i = 0; i < minutes.size(); ++i) {
        const SpeechMinute& m = minutes[i];
        const TimePoint start = fromUnixMinute(m.unixMinute);
        // Junk was filtered; a duplicate minute that would overflow the bucket is refused by the meter and skipped.
        (void)meter.record(start, m.speechMs);
        const TimePoint at = std::min(start + std::chrono::seconds(59), period.now - Milliseconds(1));
        // A session ends where the speech stops for a minute; its last minute is always checked.
        const bool sessionEnd = i + 1 == minutes.size() || minutes[i + 1].unixMinute > m.unixMinute + 1;
        if (lastCheck && at - *lastCheck < interval && !sessionEnd) {
            continue;
        }
        lastCheck = at;
        const SpeechTotals totals = meter.totals(at);
        if (!anyCapHit(totals, caps)) {
            continue;
        }
        ++outcome.capHits;
        if (quietInsideCooldown(policy, track.state, at)) {
            continue;
        }
        EnforcementInput in;
        in.totals = totals;
        in.caps = caps;
        in.now = at;
        in.classifier = verdictAt(user, at);
        const Decision d = replayCheck(policy, track, std::move(in));
        if (d.violationCounted) {
            ++outcome.violations;
        }
        outcome.highest = std::max(outcome.highest, d.stageAfter);
    }
    return outcome;
}

std::vector<std::int64_t> dailyTotals(const std::vector<SpeechMinute>& minutes, const SimulationPeriod& period) {
    std::vector<std::int64_t> days(static_cast<std::size_t>(std::max(period.days, 0)), 0);
    const TimePoint from = period.from();
    for (const SpeechMinute& m : minutes) {
        const auto day = static_cast<std::size_t>((fromUnixMinute(m.unixMinute) - from) / std::chrono::hours(24));
        if (day < days.size()) {
            days[day] += m.speechMs;
        }
    }
    return days;
}

} // namespace

std::optional<ClassifierResult> verdictAt(const SimulationUser& user, TimePoint at) {
    const RecordedVerdict* best = nullptr;
    for (const RecordedVerdict& v : user.verdicts) {
        if (v.at <= at && (best == nullptr || v.at > best->at)) {
            best = &v;
        }
    }
    if (best != nullptr) {
        return asResult(*best);
    }
    if (user.lastKnown) {
        return asResult(*user.lastKnown);
    }
    return std::nullopt;
}

Policy asEnforced(Policy policy) {
    policy.enabled = true;
    policy.killSwitch = false;
    return policy;
}

UserOutcome simulateUser(const Policy& policy, const SimulationUser& user, const SimulationPeriod& period) {
    if (!policy.enabled || policy.killSwitch) {
        return simulateEnforced(asEnforced(policy), user, period, periodMinutes(user, period));
    }
    return simulateEnforced(policy, user, period, periodMinutes(user, period));
}

std::vector<std::int64_t> dailySpeechMs(const SimulationUser& user, const SimulationPeriod& period) {
    return dailyTotals(periodMinutes(user, period), period);
}

void SimulationTally::add(const UserOutcome& outcome) {
    ++users;
    capHitUsers += outcome.capHits > 0 ? 1 : 0;
    warned += outcome.highest >= Stage::Warning ? 1 : 0;
    throttled += outcome.highest >= Stage::Throttle ? 1 : 0;
    restricted += outcome.highest >= Stage::Restrict ? 1 : 0;
}

SimulationTally& SimulationTally::operator+=(const SimulationTally& other) {
    users += other.users;
    capHitUsers += other.capHitUsers;
    warned += other.warned;
    throttled += other.throttled;
    restricted += other.restricted;
    return *this;
}

SimulationComparison& SimulationComparison::operator+=(const SimulationComparison& other) {
    current += other.current;
    edited += other.edited;
    peakDailyMs += other.peakDailyMs;
    return *this;
}

SimulationComparison compare(const Policy& current, const Policy& edited, const QList<SimulationUser>& users,
                             const SimulationPeriod& period, const std::atomic<bool>* cancelled) {
    const Policy a = asEnforced(current);
    const Policy b = asEnforced(edited);
    SimulationComparison out;
    out.peakDailyMs.reserve(users.size());
    for (const SimulationUser& user : users) {
        if (cancelled != nullptr && cancelled->load(std::memory_order_relaxed)) {
            break;
        }
        const std::vector<SpeechMinute> minutes = periodMinutes(user, period);
        out.current.add(simulateEnforced(a, user, period, minutes));
        out.edited.add(simulateEnforced(b, user, period, minutes));
        const std::vector<std::int64_t> days = dailyTotals(minutes, period);
        const std::int64_t peak = days.empty() ? 0 : *std::max_element(days.begin(), days.end());
        out.peakDailyMs.append({user.plan, peak});
    }
    return out;
}

std::optional<QString> simulationPolicyProblem(const Policy& policy) {
    const Result<Policy> checked = Policy::fromJson(policy.toJson());
    if (!checked) {
        return checked.error().message;
    }
    return std::nullopt;
}

} // namespace fairuse::enforcement
