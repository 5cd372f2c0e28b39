#pragma once

#include "common/Domain.h"
#include "common/Time.h"
#include "enforcement/Policy.h"

#include <QList>
#include <QString>

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

/**
 * @file
 * The policy simulator's core: replays each user's recorded speech over the last N days through metering and the
 * enforcement state machine (replayCheck(), the same step as `fairuse replay`) under a policy, and tallies how many
 * users the policy would warn, throttle and restrict. Pure: the period's end (`now`) comes in.
 *
 * The replay of one user:
 *   - starts at the period's beginning from a clean state (stage none, no violation history, no cooldown), so the
 *     counts say what the policy alone would do over the period;
 *   - evaluates the policy as enforced (enabled, kill switch off); its exempt list still applies;
 *   - checks at the end of a minute that holds speech once policy.checkInterval has passed since the last check, and
 *     at the end of every session (the last minute before a minute without speech), as the backend checks every few
 *     minutes of a live session; without speech no cap can newly be hit, and expiry is applied by the next check,
 *     which is when it matters;
 *   - on a cap hit consults the "classifier" by looking up the verdict the user really got (see verdictAt()).
 */
namespace fairuse::enforcement {

/** Speech of one minute bucket (unix minute -> VAD speech milliseconds), as the usage store keeps it. */
struct SpeechMinute {
    std::int64_t unixMinute = 0;
    std::int64_t speechMs = 0;
};

/** A classifier verdict the user really got: a case's classifier result at the case's creation. */
struct RecordedVerdict {
    TimePoint at{};
    double misuseScore = 0.0;
    UsageType usageType = UsageType::None;
};

/** What the simulator knows of one user. */
struct SimulationUser {
    QString uid;
    Plan plan = Plan::Basic;         ///< the plan in force at the period's end, held for the whole period
    QList<SpeechMinute> minutes;     ///< any order; minutes outside the period and junk (negative, > 60 s) are ignored
    QList<RecordedVerdict> verdicts; ///< any order
    /** The state's last classifier score and type, for a cap hit before the first recorded verdict. */
    std::optional<RecordedVerdict> lastKnown;
};

/**
 * The verdict assumed for a cap hit at `at`: the newest recorded verdict at or before `at`; before the first one,
 * the state's last classifier result (lastKnown, whatever its time: it is what the classifier thought of this user);
 * without either, none. No verdict means no violation: the simulator never escalates a user the classifier has
 * never judged (escalation needs both a cap hit and a high score, SPEC 2.2).
 */
std::optional<ClassifierResult> verdictAt(const SimulationUser& user, TimePoint at);

/** The period replayed: `days` whole days of 24 h ending at `now`. */
struct SimulationPeriod {
    TimePoint now{};
    int days = 7;
    TimePoint from() const { return now - std::chrono::hours(24) * days; }
};

/** One user under one policy. */
struct UserOutcome {
    Stage highest = Stage::None; ///< the highest stage reached during the period
    int capHits = 0;             ///< checks that hit a cap
    int violations = 0;          ///< violations counted
};

/** Replays one user under `policy` over `period`. */
UserOutcome simulateUser(const Policy& policy, const SimulationUser& user, const SimulationPeriod& period);

/**
 * Speech per day of the period, oldest first: day i covers [from + i * 24 h, from + (i + 1) * 24 h). Junk minutes
 * are ignored as in simulateUser().
 */
std::vector<std::int64_t> dailySpeechMs(const SimulationUser& user, const SimulationPeriod& period);

/** Users a policy would move to each stage: a user counts under every stage up to the highest reached. */
struct SimulationTally {
    int users = 0;
    int capHitUsers = 0; ///< users with at least one cap hit
    int warned = 0;      ///< reached warning or above
    int throttled = 0;   ///< reached throttle or above
    int restricted = 0;  ///< reached restrict
    bool operator==(const SimulationTally&) const = default;

    void add(const UserOutcome& outcome);
    SimulationTally& operator+=(const SimulationTally& other);
};

/** Two policies side by side over the same users, and the users' peak daily speech (policy independent). */
struct SimulationComparison {
    SimulationTally current;
    SimulationTally edited;
    /** Per user, in input order: the largest daily total of the period, with the user's plan. */
    QList<std::pair<Plan, std::int64_t>> peakDailyMs;

    SimulationComparison& operator+=(const SimulationComparison& other);
};

/** Replays every user under both policies. `cancelled`, when given, is polled between users (a cancelled run
 *  returns what it has so far). */
SimulationComparison compare(const Policy& current, const Policy& edited, const QList<SimulationUser>& users,
                             const SimulationPeriod& period, const std::atomic<bool>* cancelled = nullptr);

/** The policy as the simulator evaluates it: enforcement enabled and the kill switch off. */
Policy asEnforced(Policy policy);

/** The bounds an edited policy must keep, the ones Policy::fromJson() enforces: nullopt when fine, else why not. */
std::optional<QString> simulationPolicyProblem(const Policy& policy);

} // namespace fairuse::enforcement
