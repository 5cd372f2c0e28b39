#include "enforcement/Enforcement.h"

#include "common/Subscription.h"
#include "common/WireNames.h"
#include "metering/Metering.h"

#include <QCoreApplication>

#include <algorithm>

namespace fairuse::enforcement {

namespace {

constexpr std::array kActions{
    std::pair{Action::None, "none"},
    std::pair{Action::ConsultClassifier, "consult_classifier"},
    std::pair{Action::ClassifierFailed, "classifier_failed"},
    std::pair{Action::ClassifierBackoff, "classifier_backoff"},
    std::pair{Action::CooldownSkip, "cooldown_skip"},
    std::pair{Action::LegitimateUse, "legitimate_use"},
    std::pair{Action::Warn, "warn"},
    std::pair{Action::Throttle, "throttle"},
    std::pair{Action::ThrottleExtended, "throttle_extended"},
    std::pair{Action::Restrict, "restrict"},
    std::pair{Action::ViolationRecorded, "violation_recorded"},
    std::pair{Action::RestrictExpiredToThrottle, "restrict_expired_to_throttle"},
    std::pair{Action::ThrottleExpiredToWarning, "throttle_expired_to_warning"},
    std::pair{Action::FreePlanRestrict, "free_plan_restrict"},
    std::pair{Action::FreePlanRelease, "free_plan_release"},
    std::pair{Action::Exempt, "exempt"},
    std::pair{Action::Disabled, "disabled"},
    std::pair{Action::KillSwitch, "kill_switch"},
    std::pair{Action::Override, "override"},
};

QString tr(const char* text) {
    return QCoreApplication::translate("fairuse::enforcement", text);
}

/** "7 days", "12 h", "90 s": how policy durations read in explanations. */
QString durationText(std::chrono::seconds s) {
    const auto n = s.count();
    if (n != 0 && n % 86400 == 0) {
        return n == 86400 ? QStringLiteral("1 day") : QStringLiteral("%1 days").arg(n / 86400);
    }
    if (n != 0 && n % 3600 == 0) {
        return QStringLiteral("%1 h").arg(n / 3600);
    }
    if (n != 0 && n % 60 == 0) {
        return QStringLiteral("%1 min").arg(n / 60);
    }
    return QStringLiteral("%1 s").arg(n);
}

QString capsText(const QList<CapWindow>& caps, const SpeechTotals& t, const Caps& c) {
    QStringList parts;
    for (const CapWindow w : caps) {
        std::int64_t used = 0;
        std::int64_t cap = 0;
        switch (w) {
        case CapWindow::Daily:
            used = t.dailyMs;
            cap = c.dailyMs;
            break;
        case CapWindow::ThreeDay:
            used = t.threeDayMs;
            cap = c.threeDayMs;
            break;
        case CapWindow::Weekly:
            used = t.weeklyMs;
            cap = c.weeklyMs;
            break;
        case CapWindow::LlmDaily:
        case CapWindow::LlmMonthly:
            continue; // spend caps are not speech caps (enforcement/SpendReview.h)
        }
        parts << QStringLiteral("%1 %2 ms > %3 ms").arg(toString(w)).arg(used).arg(cap);
    }
    return parts.join(QStringLiteral(", "));
}

int countWithin(const QList<TimePoint>& history, TimePoint now, std::chrono::seconds window) {
    // The edge is inclusive (now - t <= window), like the metering window rule: a violation exactly one window ago
    // still counts.
    return static_cast<int>(std::count_if(history.begin(), history.end(), [&](TimePoint t) {
        return t <= now && now - t <= std::chrono::duration_cast<Milliseconds>(window);
    }));
}

QString dateText(TimePoint t) {
    return formatRfc3339(t);
}

QString typeText(const ClassifierResult& r) {
    return toString(r.usageType);
}

bool guardsOn(const Policy& policy, const FairUseState& state) {
    return policy.killSwitch || !policy.enabled || state.exempt || policy.exemptUids.contains(state.uid);
}

/** A recorded time after now cannot be a past event (clock skew, junk): it is not used. */
bool validPast(const std::optional<TimePoint>& t, TimePoint now) {
    return t && *t <= now;
}

} // namespace

QString toString(Action a) {
    return wireName(kActions, a);
}

std::optional<Action> actionFromString(const QString& s) {
    return fromWireName(kActions, s);
}

bool countsViolation(Action a) {
    return a == Action::Warn || a == Action::Throttle || a == Action::ThrottleExtended || a == Action::Restrict ||
           a == Action::ViolationRecorded;
}

Stage stepDown(Stage s) {
    switch (s) {
    case Stage::Restrict:
        return Stage::Throttle;
    case Stage::Throttle:
        return Stage::Warning;
    case Stage::Warning:
    case Stage::None:
        break;
    }
    return Stage::None;
}

Decision evaluate(const Policy& policy, const EnforcementInput& in) {
    Decision d;
    d.state = in.state;
    d.stageBefore = in.state.stage;
    d.policy = policy.label();
    d.capsHit = metering::capsHit(in.totals, in.caps);
    if (!d.capsHit.isEmpty()) {
        d.trigger = d.capsHit.first();
    }
    FairUseState& s = d.state;
    const TimePoint now = in.now;
    const QString policyNote = QStringLiteral(" [policy %1]").arg(policy.label());
    const auto finish = [&](Action action, const QString& why) {
        d.action = action;
        d.stageAfter = s.stage;
        d.explanation = why + policyNote;
        if (d.stateChanged) {
            s.updatedAt = now;
        }
        return d;
    };
    const auto makeEvent = [&](Action action) {
        FairUseEvent e;
        e.uid = s.uid;
        e.createdAt = now;
        e.caseRef = in.caseRef;
        e.sessionId = in.sessionId;
        // The event's trigger is not optional in the backend's schema; a free-plan restriction without a cap hit
        // records daily.
        e.trigger = d.trigger.value_or(CapWindow::Daily);
        e.windowSpeech = in.totals;
        e.thresholds = in.caps;
        e.classifier = in.classifier;
        e.enforcementAction = toString(action);
        e.policy = policy.label();
        e.previousStage = d.stageBefore;
        e.newStage = s.stage;
        if (!in.caseRef.isEmpty()) {
            s.lastCaseRef = in.caseRef;
        }
        d.event = e;
    };

    // 1. Guards.
    if (policy.killSwitch) {
        return finish(Action::KillSwitch, QStringLiteral("Kill switch is on: no enforcement, no classifier."));
    }
    if (!policy.enabled) {
        return finish(Action::Disabled, QStringLiteral("Enforcement is disabled: no enforcement, no classifier."));
    }
    if (s.exempt || policy.exemptUids.contains(s.uid)) {
        return finish(Action::Exempt, QStringLiteral("User %1 is exempt: no enforcement, no classifier.").arg(s.uid));
    }

    // 2. Free tier (basic, or no subscription): credits, not the classifier, decide.
    const bool freePlanRestricted =
        s.stage == Stage::Restrict && s.restrictReason == QLatin1String(kFreePlanRestrictReason);
    const bool freeTier = onFreeTier(s.subscription, now);
    if (freeTier && in.freePlanCreditsExhausted) {
        if (s.stage == Stage::Restrict) {
            return finish(Action::None,
                          freePlanRestricted
                              ? QStringLiteral("Free-plan credits exhausted: the user stays restricted until credits "
                                               "return.")
                              : QStringLiteral("Free-plan credits exhausted; the user is already restricted (%1).")
                                    .arg(s.restrictReason));
        }
        // The stage in force and its timer are kept, to be restored when the credits return.
        s.previousStage = s.stage;
        s.stage = Stage::Restrict;
        s.restrictReason = QString::fromLatin1(kFreePlanRestrictReason);
        s.restrictUntil.reset();
        d.stateChanged = true;
        makeEvent(Action::FreePlanRestrict);
        d.notification = tr("You have used all of this month's free transcription credits. Transcription is paused "
                            "until your credits are renewed or you upgrade your plan.");
        return finish(Action::FreePlanRestrict,
                      QStringLiteral("Free-plan credits exhausted: restricted directly from %1, without the "
                                     "classifier (rule: free-plan credit restriction).")
                          .arg(toString(d.stageBefore)));
    }
    if (freePlanRestricted) {
        const Stage restored = s.previousStage.value_or(Stage::None);
        s.stage = restored;
        s.previousStage.reset();
        s.restrictReason.clear();
        s.restrictUntil.reset();
        if (restored != Stage::Throttle) {
            s.throttleUntil.reset();
        }
        d.stateChanged = true;
        d.notification = tr("Your transcription credits are available again.");
        return finish(Action::FreePlanRelease,
                      (freeTier ? QStringLiteral("Free-plan credits returned: credit restriction released to %1.")
                                : QStringLiteral("User is no longer on the free plan: credit restriction released to "
                                                 "%1."))
                          .arg(toString(restored)));
    }

    // 3. Expiry: the expired stage falls back one step and becomes the effective stage.
    Expiry expired = applyExpiry(policy, s, now);
    const std::optional<Action> expiry = expired.action;
    const QString expiryWhy = expired.explanation;
    if (expiry) {
        s = std::move(expired.state);
        d.stateChanged = true;
        d.notification = *expiry == Action::RestrictExpiredToThrottle
                             ? tr("Your restriction has ended. Transcription runs at the standard tier for a while.")
                             : tr("Your transcription is back to normal quality.");
    }
    const QString prefix = expiry ? expiryWhy + QLatin1Char(' ') : QString();
    const auto quiet = [&](Action action, const QString& why) {
        // An expiry is the more important thing that happened in this evaluation; its action wins.
        return finish(expiry.value_or(action), QString(prefix + why));
    };

    // 4. No cap hit.
    if (d.capsHit.isEmpty()) {
        return quiet(Action::None,
                     expiry ? QStringLiteral("No cap hit.") : QStringLiteral("No cap hit: nothing to do."));
    }
    const QString capsWhy = capsText(d.capsHit, in.totals, in.caps);

    // 5. Cooldown. A start after now is junk or clock skew: honouring it would cool the user down forever.
    const QString skewWhy =
        s.lastClassifierAt && !validPast(s.lastClassifierAt, now)
            ? QStringLiteral("Last classifier run at %1 is in the future: ignored. ").arg(dateText(*s.lastClassifierAt))
            : QString();
    if (validPast(s.lastClassifierAt, now) &&
        now - *s.lastClassifierAt < std::chrono::duration_cast<Milliseconds>(policy.classifierCooldown)) {
        return quiet(Action::CooldownSkip,
                     QStringLiteral("Cap hit (%1) inside the %2 classifier cooldown since %3: not a new violation.")
                         .arg(capsWhy, durationText(policy.classifierCooldown), dateText(*s.lastClassifierAt)));
    }

    // 6. Retry wait after failed classifier runs.
    const Milliseconds retryWait = classifierRetryWait(policy, s.classifierFailures);
    if (validPast(s.classifierFailedAt, now) && now - *s.classifierFailedAt < retryWait) {
        return quiet(
            Action::ClassifierBackoff,
            QString(skewWhy + QStringLiteral("Cap hit (%1); the classifier failed %2 time(s) in a row, last at "
                                             "%3: next attempt after %4.")
                                  .arg(capsWhy)
                                  .arg(s.classifierFailures)
                                  .arg(dateText(*s.classifierFailedAt), dateText(*s.classifierFailedAt + retryWait))));
    }

    // 7. No verdict yet, or the run failed.
    if (!in.classifier) {
        if (in.classifierFailed) {
            s.classifierFailures = std::clamp(s.classifierFailures, 0, 1'000'000) + 1;
            s.classifierFailedAt = now;
            d.stateChanged = true;
            return quiet(
                Action::ClassifierFailed,
                QString(skewWhy + QStringLiteral("Cap hit (%1); the classifier failed (%2 time(s) in a row): "
                                                 "no violation, no cooldown; next attempt after %3.")
                                      .arg(capsWhy)
                                      .arg(s.classifierFailures)
                                      .arg(dateText(now + classifierRetryWait(policy, s.classifierFailures)))));
        }
        d.consultClassifier = true;
        return quiet(Action::ConsultClassifier,
                     QString(skewWhy + QStringLiteral("Cap hit (%1): consult the classifier; no violation without its "
                                                      "verdict.")
                                           .arg(capsWhy)));
    }
    d.consultClassifier = true;

    // 8. Verdict.
    const ClassifierResult& r = *in.classifier;
    s.lastClassifierAt = now;
    s.classifierFailedAt.reset();
    s.classifierFailures = 0;
    s.lastClassifierScore = r.misuseScore;
    s.lastClassifierType = r.usageType;
    d.stateChanged = true;
    if (r.misuseScore < policy.scoreThreshold) {
        return quiet(Action::LegitimateUse,
                     QStringLiteral("Cap hit (%1) but misuse score %2 < threshold %3 (%4): legitimate use, no "
                                    "violation.")
                         .arg(capsWhy)
                         .arg(r.misuseScore)
                         .arg(policy.scoreThreshold)
                         .arg(typeText(r)));
    }

    d.violationCounted = true;
    QList<TimePoint> history = in.violationHistory;
    history.append(now);
    const int inThrottle = countWithin(history, now, policy.throttleWindow);
    const int inRestrict = countWithin(history, now, policy.restrictWindow);
    d.violationsInThrottleWindow = inThrottle;
    d.violationsInRestrictWindow = inRestrict;
    s.lastViolationAt = now;
    s.violationCount7d = inThrottle;
    s.violationCount30d = inRestrict;

    const QString violationWhy = QStringLiteral("Violation: cap hit (%1) and misuse score %2 >= %3 (%4); %5 "
                                                "violation(s) within %6, %7 within %8.")
                                     .arg(capsWhy)
                                     .arg(r.misuseScore)
                                     .arg(policy.scoreThreshold)
                                     .arg(typeText(r))
                                     .arg(inThrottle)
                                     .arg(durationText(policy.throttleWindow))
                                     .arg(inRestrict)
                                     .arg(durationText(policy.restrictWindow));
    Action action = Action::Warn;
    QString rule;
    switch (s.stage) {
    case Stage::None:
        s.stage = Stage::Warning;
        action = Action::Warn;
        rule = QStringLiteral("Rule: first violation -> warning.");
        break;
    case Stage::Warning:
        if (inThrottle >= policy.throttleViolations) {
            s.stage = Stage::Throttle;
            s.throttleUntil = now + policy.throttleDuration;
            action = Action::Throttle;
            rule = QStringLiteral("Rule: %1 violations within %2 -> throttle until %3.")
                       .arg(policy.throttleViolations)
                       .arg(durationText(policy.throttleWindow), dateText(*s.throttleUntil));
        } else {
            action = Action::Warn;
            rule = QStringLiteral("Rule: throttle needs %1 violations within %2; warning repeated.")
                       .arg(policy.throttleViolations)
                       .arg(durationText(policy.throttleWindow));
        }
        break;
    case Stage::Throttle:
        if (inRestrict >= policy.restrictViolations) {
            s.stage = Stage::Restrict;
            s.restrictUntil = now + policy.restrictDuration;
            s.restrictReason =
                QStringLiteral("%1 violations within %2").arg(inRestrict).arg(durationText(policy.restrictWindow));
            s.throttleUntil.reset();
            action = Action::Restrict;
            rule = QStringLiteral("Rule: %1 violations within %2 -> restrict until %3.")
                       .arg(policy.restrictViolations)
                       .arg(durationText(policy.restrictWindow), dateText(*s.restrictUntil));
        } else {
            s.throttleUntil = now + policy.throttleDuration;
            action = Action::ThrottleExtended;
            rule = QStringLiteral("Rule: restrict needs %1 violations within %2; throttle extended until %3.")
                       .arg(policy.restrictViolations)
                       .arg(durationText(policy.restrictWindow), dateText(*s.throttleUntil));
        }
        break;
    case Stage::Restrict:
        action = Action::ViolationRecorded;
        rule = QStringLiteral("Already restricted: violation recorded for review.");
        break;
    }

    switch (action) {
    case Action::Warn:
        d.notification = tr("Your recent usage looks like transcription of recorded media rather than your own "
                            "conversations. Omi is meant for conversations and meetings; please review our fair use "
                            "policy.");
        break;
    case Action::Throttle:
    case Action::ThrottleExtended:
        d.notification = tr("Because of repeated fair-use violations, transcription for your account runs at the "
                            "standard tier until %1.")
                             .arg(dateText(*s.throttleUntil));
        break;
    case Action::Restrict:
        d.notification = tr("Because of repeated fair-use violations, your speech is limited to your plan's caps "
                            "until %1, and continued access needs a manual review. Contact support to request one.")
                             .arg(dateText(*s.restrictUntil));
        break;
    default:
        break; // already restricted: the restriction notice stands
    }
    makeEvent(action);
    return finish(action, QString(prefix + violationWhy + QLatin1Char(' ') + rule));
}

Role roleNeededForOverride(Stage current, Stage target) {
    if (target == Stage::Warning && (current == Stage::None || current == Stage::Warning)) {
        return Role::Reviewer;
    }
    return Role::SeniorReviewer;
}

Result<Decision> applyOverride(const Policy& policy, const FairUseState& state, Stage target, const Reviewer& reviewer,
                               const QString& reason, TimePoint now) {
    if (reviewer.email.trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("the reviewer's identity is missing; sign in with a named credential"));
    }
    if (reason.trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("a reason is required to override a stage"));
    }
    const Role needed = roleNeededForOverride(state.stage, target);
    if (static_cast<int>(reviewer.role) < static_cast<int>(needed)) {
        return Error::permission(QStringLiteral("setting stage %1 on a user at stage %2 needs the %3 role; %4 has the "
                                                "%5 role")
                                     .arg(toString(target), toString(state.stage), toString(needed), reviewer.email,
                                          toString(reviewer.role)));
    }
    Decision d;
    d.state = state;
    d.stageBefore = state.stage;
    d.policy = policy.label();
    FairUseState& s = d.state;
    s.stage = target;
    switch (target) {
    case Stage::Restrict:
        s.restrictUntil = now + policy.restrictDuration;
        s.restrictReason = QString(QStringLiteral("manual override: ") + reason.trimmed());
        s.throttleUntil.reset();
        d.notification = tr("After a manual review, your speech is limited to your plan's caps until %1.")
                             .arg(dateText(*s.restrictUntil));
        break;
    case Stage::Throttle:
        s.throttleUntil = now + policy.throttleDuration;
        s.restrictUntil.reset();
        s.restrictReason.clear();
        d.notification = tr("After a manual review, transcription for your account runs at the standard tier until "
                            "%1.")
                             .arg(dateText(*s.throttleUntil));
        break;
    case Stage::Warning:
    case Stage::None:
        s.throttleUntil.reset();
        s.restrictUntil.reset();
        s.restrictReason.clear();
        if (target < state.stage) {
            d.notification = tr("After a manual review, the limits on your account have been lifted.");
        } else if (target == Stage::Warning && state.stage != Stage::Warning) {
            d.notification = tr("After a manual review, we are reminding you of our fair use policy: Omi is meant "
                                "for your own conversations and meetings.");
        }
        break;
    }
    s.updatedAt = now;
    d.stateChanged = true;
    d.stageAfter = target;
    d.action = Action::Override;
    d.explanation = QStringLiteral("Manual override by %1 (%2): %3 -> %4. Reason: %5 [policy %6]")
                        .arg(reviewer.email, toString(reviewer.role), toString(state.stage), toString(target),
                             reason.trimmed(), policy.label());
    return d;
}

Expiry applyExpiry(const Policy& policy, const FairUseState& state, TimePoint now) {
    Expiry e{state, std::nullopt, {}};
    FairUseState& s = e.state;
    if (s.stage == Stage::Restrict && s.restrictUntil && now > *s.restrictUntil) {
        e.explanation = QStringLiteral("Restriction ended at %1: back to throttle until %2.")
                            .arg(dateText(*s.restrictUntil), dateText(now + policy.throttleDuration));
        s.stage = Stage::Throttle;
        s.restrictUntil.reset();
        s.restrictReason.clear();
        s.throttleUntil = now + policy.throttleDuration;
        e.action = Action::RestrictExpiredToThrottle;
    } else if (s.stage == Stage::Throttle && s.throttleUntil && now > *s.throttleUntil) {
        e.explanation = QStringLiteral("Throttle ended at %1: back to warning.").arg(dateText(*s.throttleUntil));
        s.stage = Stage::Warning;
        s.throttleUntil.reset();
        e.action = Action::ThrottleExpiredToWarning;
    }
    return e;
}

Milliseconds classifierRetryWait(const Policy& policy, int failures) {
    if (failures <= 0) {
        return Milliseconds{0};
    }
    const Milliseconds cap = std::chrono::duration_cast<Milliseconds>(policy.classifierCooldown);
    Milliseconds wait = std::chrono::duration_cast<Milliseconds>(policy.classifierRetryAfter);
    // Doubling stops at the cap (or at once for a zero wait), so a long run of failures cannot overflow.
    for (int i = 1; i < failures && wait < cap && wait.count() > 0; ++i) {
        wait *= 2;
    }
    return std::min(wait, cap);
}

bool hardCapBlocks(const Policy& policy, const FairUseState& state, const SpeechTotals& totals, const Caps& caps,
                   TimePoint now) {
    if (guardsOn(policy, state)) {
        return false;
    }
    return applyExpiry(policy, state, now).state.stage == Stage::Restrict && !metering::capsHit(totals, caps).isEmpty();
}

std::optional<SttBudget> sttBudgetFor(const Policy& policy, const FairUseState& state, TimePoint now) {
    if (guardsOn(policy, state) || applyExpiry(policy, state, now).state.stage != Stage::Restrict) {
        return std::nullopt;
    }
    return SttBudget(policy.restrictedDailySttMs);
}

QList<TimePoint> violationHistory(const QList<FairUseEvent>& events, const FairUseState& state, double scoreThreshold) {
    QList<TimePoint> out;
    for (const FairUseEvent& e : events) {
        if (e.freeCreditsExhausted) {
            continue; // the backend's credit case: no abuse
        }
        // The backend names a case's action after the stage it set (warning, throttle, restrict), or "none" when a
        // violation left the stage as it was; its classifier score tells that violation from legitimate use. Ours
        // name the Action ("none" is never written on our cases).
        bool violation = false;
        if (e.enforcementAction == QLatin1String("none")) {
            violation = e.classifier && e.classifier->misuseScore >= scoreThreshold;
        } else if (const auto action = actionFromString(e.enforcementAction)) {
            violation = countsViolation(*action);
        } else if (const auto stage = stageFromString(e.enforcementAction)) {
            violation = *stage != Stage::None;
        }
        if (!violation) {
            continue;
        }
        if (e.outcome == Outcome::FalsePositive) {
            continue;
        }
        if (state.resetAt && e.createdAt <= *state.resetAt) {
            continue;
        }
        out.append(e.createdAt);
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace fairuse::enforcement
