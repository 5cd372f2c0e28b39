#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/Policy.h"
#include "ledger/SttBudget.h"

#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

/**
 * @file
 * Graduated enforcement (SPEC 2.2) as a pure function: (policy, state, violation history, speech totals, caps,
 * classifier result, credits flag, now) -> Decision. No clock or RNG is read; everything comes in.
 *
 * Order of evaluation, at most one stage step per evaluation except where noted:
 *  1. Guards: kill switch, then disabled, then exempt (state.exempt or policy.exemptUids). Nothing changes.
 *  2. Free tier: a user on basic at `now` (common/Subscription.h: basic, legacy free, no subscription, or a paid
 *     plan whose period has ended) whose credits are exhausted is restricted directly, skipping steps and the
 *     classifier (restrictReason = kFreePlanRestrictReason, no restrictUntil). The stage in force is kept in
 *     previousStage (the backend's previous_stage) and its throttle end is kept. When the credits return, or the
 *     user is on a paid plan, that restriction (and only that one) is released to previousStage (none when absent),
 *     so an abuse throttle in force before it is in force again.
 *     A user already restricted for abuse whose free credits are exhausted stays as is (no expiry is processed
 *     while the credits are exhausted: the user is restricted either way).
 *  3. Expiry (applyExpiry): restrictUntil passed (now > restrictUntil, the backend's rule) falls back to throttle
 *     for a fresh throttleDuration; throttleUntil passed falls back to warning. Warning does not expire: a reviewer
 *     resolves or resets it. The stage after expiry is the effective stage for the rest of the evaluation.
 *  4. No cap hit: nothing else happens (a classifier result passed anyway is ignored: the classifier is consulted
 *     only on a cap hit).
 *  5. Cap hit inside the cooldown (now - lastClassifierAt < classifierCooldown; at exactly the cooldown it is over):
 *     not a new violation, classifier result ignored. A lastClassifierAt after now (clock skew, junk) is invalid
 *     and starts no cooldown.
 *  6. Cap hit inside the retry wait after failed classifier runs (now - classifierFailedAt <
 *     classifierRetryWait(policy, classifierFailures)): the classifier is not asked again yet. A classifierFailedAt
 *     after now is invalid and ignored.
 *  7. Cap hit, no classifier result: consultClassifier = true, nothing changes; the caller runs the classifier and
 *     evaluates again with its result. When the run failed (input.classifierFailed), the failure is recorded
 *     (classifierFailedAt = now, classifierFailures + 1) and nothing else: no violation, no cooldown.
 *  8. Cap hit with a classifier result: the cooldown starts (lastClassifierAt = now) and the failure count is
 *     cleared. Score below the threshold:
 *     legitimate heavy use, never escalates. Score at or above: a violation. With the history plus this violation,
 *     none -> warning; warning -> throttle when throttleViolations fall inside throttleWindow; throttle -> restrict
 *     when restrictViolations fall inside restrictWindow. When the rule does not fire the stage stays: at warning
 *     the warning is repeated, at throttle the throttle is extended to now + throttleDuration (so an active
 *     violator does not expire back to warning), at restrict the violation is recorded.
 *  Each counted violation (and each free-plan restriction) yields a case (FairUseEvent).
 */
namespace fairuse::enforcement {

/** What a decision did. Wire names (toString) are what `fairuse replay` prints and events store. */
enum class Action {
    None,                      ///< "none": no cap hit, nothing to do
    ConsultClassifier,         ///< "consult_classifier": cap hit, run the classifier and evaluate again
    ClassifierFailed,          ///< "classifier_failed": the classifier run failed; recorded, retried after a wait
    ClassifierBackoff,         ///< "classifier_backoff": cap hit inside the retry wait after failed runs
    CooldownSkip,              ///< "cooldown_skip": cap hit inside the classifier cooldown
    LegitimateUse,             ///< "legitimate_use": cap hit, score below threshold
    Warn,                      ///< "warn": violation, stage warning (entered or repeated)
    Throttle,                  ///< "throttle": violation, warning -> throttle
    ThrottleExtended,          ///< "throttle_extended": violation at throttle, restrict rule not met
    Restrict,                  ///< "restrict": violation, throttle -> restrict
    ViolationRecorded,         ///< "violation_recorded": violation while already restricted
    RestrictExpiredToThrottle, ///< "restrict_expired_to_throttle"
    ThrottleExpiredToWarning,  ///< "throttle_expired_to_warning"
    FreePlanRestrict,          ///< "free_plan_restrict"
    FreePlanRelease,           ///< "free_plan_release"
    Exempt,                    ///< "exempt": user exempt, nothing evaluated
    Disabled,                  ///< "disabled": enforcement off
    KillSwitch,                ///< "kill_switch": kill switch on
    Override,                  ///< "override": a reviewer set the stage
};
QString toString(Action a);
std::optional<Action> actionFromString(const QString& s);

/** The restrictReason that marks a free-plan credit restriction, which is released when credits return. */
inline constexpr char kFreePlanRestrictReason[] = "free_plan_credits_exhausted";

/** Everything one evaluation reads. */
struct EnforcementInput {
    FairUseState state;
    /** Times of past counted violations (not including this check). Later than now is ignored. */
    QList<TimePoint> violationHistory;
    SpeechTotals totals;
    Caps caps;
    /** The classifier's verdict for this check; absent: no violation is possible. */
    std::optional<ClassifierResult> classifier;
    /** The classifier was run for this check and failed (outage, malformed or refused answer); ignored when
     *  `classifier` is set. */
    bool classifierFailed = false;
    /** The backend's has_transcription_credits() is false; only read for users on the free tier (basic). */
    bool freePlanCreditsExhausted = false;
    TimePoint now{};
    /** Case reference to put on an event this decision creates (fairuse::makeCaseRef in audit/CaseRef.h); may be empty.
     */
    QString caseRef;
    QString sessionId;
};

/** The result of one evaluation. */
struct Decision {
    FairUseState state; ///< the new state (equal to the input state when nothing changed)
    bool stateChanged = false;
    Stage stageBefore = Stage::None;
    Stage stageAfter = Stage::None;
    QList<CapWindow> capsHit;
    std::optional<CapWindow> trigger; ///< first cap hit, in order daily, 3day, weekly
    bool violationCounted = false;
    bool consultClassifier = false;
    Action action = Action::None;
    /** Human-readable: which rule fired, with the counts, and the policy label. */
    QString explanation;
    /** The case to create, for counted violations and free-plan restrictions. */
    std::optional<FairUseEvent> event;
    /** Text for the user's notification; empty when the user is not to be notified. */
    QString notification;
    QString policy;                     ///< Policy::label() of the policy used
    int violationsInThrottleWindow = 0; ///< including this violation, when one was counted
    int violationsInRestrictWindow = 0;
};

/** Evaluates one check. Pure and deterministic. */
Decision evaluate(const Policy& policy, const EnforcementInput& input);

/**
 * A reviewer sets the stage (SPEC 2.5). Reason required (Invalid when empty or blank). Roles: a reviewer may only
 * set warning on a user at none or warning; a senior reviewer may set any stage (escalate, lift, restrict); an admin
 * may do everything. Missing role -> Permission naming the role needed. Manual overrides may jump stages (the
 * one-step rule is for automatic decisions). Timers follow the target: throttle gets now + throttleDuration,
 * restrict now + restrictDuration with restrictReason "manual override: <reason>", lower stages clear them.
 */
Result<Decision> applyOverride(const Policy& policy, const FairUseState& state, Stage target, const Reviewer& reviewer,
                               const QString& reason, TimePoint now);

/** What expiry made of a state (step 3 of evaluate()). */
struct Expiry {
    FairUseState state;           ///< the state with expiry applied; equal to the input when nothing expired
    std::optional<Action> action; ///< RestrictExpiredToThrottle or ThrottleExpiredToWarning; nullopt: nothing expired
    QString explanation;          ///< empty when nothing expired
};

/**
 * Applies expiry to a state at `now`, the one place where it is decided: an expired restriction (now >
 * restrictUntil) falls back to throttle until now + throttleDuration, an expired throttle to warning. At most one
 * step. Used by evaluate() and by every helper that asks what is in force now.
 */
Expiry applyExpiry(const Policy& policy, const FairUseState& state, TimePoint now);

/** How long to wait after `failures` failed classifier runs in a row: classifierRetryAfter doubled per further
 *  failure, never longer than classifierCooldown; zero without failures. */
Milliseconds classifierRetryWait(const Policy& policy, int failures);

/** The least role that may set `target` on a user at stage `current`. */
Role roleNeededForOverride(Stage current, Stage target);

/** The stage one step below (none stays none). */
Stage stepDown(Stage s);

/**
 * While restricted, the soft caps are hard caps (SPEC 2.2): true when the stage in force at `now` (after
 * applyExpiry) is restrict and a cap is exceeded. Guards (disabled, kill switch, exempt) never block.
 */
bool hardCapBlocks(const Policy& policy, const FairUseState& state, const SpeechTotals& totals, const Caps& caps,
                   TimePoint now);

/**
 * The daily STT budget that applies to the user at `now` (SPEC 2.2): users restricted at `now` (after applyExpiry)
 * get policy.restrictedDailySttMs a UTC day; nullopt when no budget applies (not restricted, or a guard is on).
 */
std::optional<SttBudget> sttBudgetFor(const Policy& policy, const FairUseState& state, TimePoint now);

/**
 * The violation history for evaluate() from a user's cases: creation times of cases that counted a violation,
 * excluding cases resolved as false_positive and cases created at or before the state's resetAt. The backend's
 * cases count when their action names a stage above none, or is "none" with a classifier score at or above
 * `scoreThreshold` (a violation that did not move the stage); its synthetic free-credit cases never count.
 */
QList<TimePoint> violationHistory(const QList<FairUseEvent>& events, const FairUseState& state,
                                  double scoreThreshold = Policy{}.scoreThreshold);

/** True for the actions that count a violation. */
bool countsViolation(Action a);

} // namespace fairuse::enforcement
