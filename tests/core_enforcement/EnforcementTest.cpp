// The graduated enforcement state machine (SPEC 2.2): transitions and their windows, cooldown, expiry, guards,
// and that legitimate heavy use never escalates (the free-tier path is FreeTierTest's).

#include "EnforcementTestSupport.h"

#include <QTest>

#include <cstdlib>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace fairuse::enforcement::testing;
using namespace std::chrono_literals;

class EnforcementTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void transitions_data();
    void transitions();
    void cooldownBoundary_data();
    void cooldownBoundary();
    void restrictExpiry_data();
    void restrictExpiry();
    void throttleExpiry_data();
    void throttleExpiry();
    void expiredRestrictCanReRestrict();
    void guards_data();
    void guards();
    void legitimateHeavyUserNeverEscalates();
    void oneStepAtATimeOverAHistory();
    void configurableCounts();
    void eventAndStateFields();
    void noEventWithoutViolation();
    void hardCapAndSttBudget();
    void violationHistoryFromCases();
    void violationHistoryReadsBackendCases();
    void actionNamesRoundTrip();
};

void EnforcementTest::transitions_data() {
    QTest::addColumn<Stage>("stage");
    QTest::addColumn<QList<qint64>>("historyMinutesAgo"); // past violations, minutes before now
    QTest::addColumn<qint64>("dailyMs");
    QTest::addColumn<double>("score"); // < 0: no classifier result
    QTest::addColumn<Stage>("expectedStage");
    QTest::addColumn<Action>("expectedAction");
    QTest::addColumn<bool>("violation");
    QTest::addColumn<bool>("consult");

    const qint64 over = kDailyCapMs + 1;
    const qint64 day = 24 * 60;
    const QList<qint64> none;

    QTest::newRow("no cap hit") << Stage::None << none << qint64(1000) << 0.95 << Stage::None << Action::None << false
                                << false;
    QTest::newRow("usage equal to cap is not a hit")
        << Stage::None << none << kDailyCapMs << 0.95 << Stage::None << Action::None << false << false;
    QTest::newRow("cap hit, no verdict yet")
        << Stage::None << none << over << -1.0 << Stage::None << Action::ConsultClassifier << false << true;
    QTest::newRow("first violation warns")
        << Stage::None << none << over << 0.9 << Stage::Warning << Action::Warn << true << true;
    QTest::newRow("score exactly at threshold is a violation")
        << Stage::None << none << over << 0.7 << Stage::Warning << Action::Warn << true << true;
    QTest::newRow("score just below threshold is legitimate")
        << Stage::None << none << over << 0.69 << Stage::None << Action::LegitimateUse << false << true;
    QTest::newRow("2nd violation exactly 7 days after the 1st throttles")
        << Stage::Warning << QList<qint64>{7 * day} << over << 0.9 << Stage::Throttle << Action::Throttle << true
        << true;
    QTest::newRow("2nd violation 7 days + 1 minute after repeats the warning")
        << Stage::Warning << QList<qint64>{7 * day + 1} << over << 0.9 << Stage::Warning << Action::Warn << true
        << true;
    QTest::newRow("3rd violation with the 1st exactly 30 days ago restricts")
        << Stage::Throttle << QList<qint64>{30 * day, 1 * day} << over << 0.9 << Stage::Restrict << Action::Restrict
        << true << true;
    QTest::newRow("3rd violation with the 1st 30 days + 1 minute ago extends the throttle")
        << Stage::Throttle << QList<qint64>{30 * day + 1, 1 * day} << over << 0.9 << Stage::Throttle
        << Action::ThrottleExtended << true << true;
    QTest::newRow("many past violations still move none only to warning")
        << Stage::None << QList<qint64>{12 * 60, 24 * 60, 36 * 60, 48 * 60} << over << 0.99 << Stage::Warning
        << Action::Warn << true << true;
    QTest::newRow("many past violations move warning only to throttle")
        << Stage::Warning << QList<qint64>{12 * 60, 24 * 60, 36 * 60, 48 * 60} << over << 0.99 << Stage::Throttle
        << Action::Throttle << true << true;
    QTest::newRow("violation while restricted is recorded")
        << Stage::Restrict << QList<qint64>{day, 2 * day} << over << 0.9 << Stage::Restrict << Action::ViolationRecorded
        << true << true;
    QTest::newRow("heavy use at warning with a low score stays")
        << Stage::Warning << QList<qint64>{day} << over << 0.2 << Stage::Warning << Action::LegitimateUse << false
        << true;
    QTest::newRow("future history entries are ignored")
        << Stage::Warning << QList<qint64>{-60} << over << 0.9 << Stage::Warning << Action::Warn << true << true;
}

void EnforcementTest::transitions() {
    QFETCH(Stage, stage);
    QFETCH(QList<qint64>, historyMinutesAgo);
    QFETCH(qint64, dailyMs);
    QFETCH(double, score);
    QFETCH(Stage, expectedStage);
    QFETCH(Action, expectedAction);
    QFETCH(bool, violation);
    QFETCH(bool, consult);

    EnforcementInput in = input(stateAt(stage), SpeechTotals{dailyMs, dailyMs, dailyMs},
                                score < 0 ? std::nullopt : std::optional<ClassifierResult>(verdict(score)));
    for (const qint64 m : historyMinutesAgo) {
        in.violationHistory.append(t0() - std::chrono::minutes(m));
    }
    const Decision d = evaluate(Policy::forReview(), in);
    QCOMPARE(nm(d.stageBefore), nm(stage));
    QCOMPARE(nm(d.stageAfter), nm(expectedStage));
    QCOMPARE(nm(d.state.stage), nm(expectedStage));
    QCOMPARE(nm(d.action), nm(expectedAction));
    QCOMPARE(d.violationCounted, violation);
    QCOMPARE(d.consultClassifier, consult);
    QCOMPARE(d.event.has_value(), violation);
    QVERIFY2(d.explanation.contains(QStringLiteral("requested v1")), qPrintable(d.explanation));
    // Automatic decisions never move more than one step.
    QVERIFY(std::abs(static_cast<int>(d.stageAfter) - static_cast<int>(d.stageBefore)) <= 1);
}

void EnforcementTest::cooldownBoundary_data() {
    QTest::addColumn<qint64>("msSinceClassifier");
    QTest::addColumn<Action>("expectedAction");
    QTest::addColumn<Stage>("expectedStage");

    const qint64 cooldown = 12LL * 3600 * 1000;
    QTest::newRow("just consulted") << qint64(0) << Action::CooldownSkip << Stage::None;
    QTest::newRow("12 h - 1 ms: still cooling down") << cooldown - 1 << Action::CooldownSkip << Stage::None;
    QTest::newRow("12 h exactly: cooldown over") << cooldown << Action::Warn << Stage::Warning;
    QTest::newRow("13 h") << cooldown + 3600 * 1000 << Action::Warn << Stage::Warning;
}

void EnforcementTest::cooldownBoundary() {
    QFETCH(qint64, msSinceClassifier);
    QFETCH(Action, expectedAction);
    QFETCH(Stage, expectedStage);

    FairUseState s = stateAt(Stage::None);
    s.lastClassifierAt = t0() - Milliseconds(msSinceClassifier);
    const Decision d = evaluate(Policy::forReview(), input(s, overDailyCap(), verdict(0.95)));
    QCOMPARE(nm(d.action), nm(expectedAction));
    QCOMPARE(nm(d.stageAfter), nm(expectedStage));
    const bool inCooldown = expectedAction == Action::CooldownSkip;
    QCOMPARE(d.violationCounted, !inCooldown);
    QCOMPARE(d.consultClassifier, !inCooldown);
    // The cooldown restarts only when the classifier is actually used.
    QCOMPARE(*d.state.lastClassifierAt, inCooldown ? *s.lastClassifierAt : t0());
}

void EnforcementTest::restrictExpiry_data() {
    QTest::addColumn<qint64>("msPastUntil"); // now - restrictUntil
    QTest::addColumn<Stage>("expectedStage");
    QTest::addColumn<Action>("expectedAction");

    QTest::newRow("before the end") << qint64(-1) << Stage::Restrict << Action::None;
    QTest::newRow("at the end instant (backend: strictly after)") << qint64(0) << Stage::Restrict << Action::None;
    QTest::newRow("1 ms after the end") << qint64(1) << Stage::Throttle << Action::RestrictExpiredToThrottle;
    QTest::newRow("long after the end: still one step")
        << qint64(90LL * 86400 * 1000) << Stage::Throttle << Action::RestrictExpiredToThrottle;
}

void EnforcementTest::restrictExpiry() {
    QFETCH(qint64, msPastUntil);
    QFETCH(Stage, expectedStage);
    QFETCH(Action, expectedAction);

    FairUseState s = stateAt(Stage::Restrict);
    s.restrictUntil = t0() - Milliseconds(msPastUntil);
    s.restrictReason = QStringLiteral("3 violations within 30 days");
    const Decision d = evaluate(Policy::forReview(), input(s, SpeechTotals{}, std::nullopt));
    QCOMPARE(nm(d.stageAfter), nm(expectedStage));
    QCOMPARE(nm(d.action), nm(expectedAction));
    if (expectedStage == Stage::Throttle) {
        QVERIFY(!d.state.restrictUntil.has_value());
        QVERIFY(d.state.restrictReason.isEmpty());
        QCOMPARE(*d.state.throttleUntil, t0() + std::chrono::days(7));
        QVERIFY(d.stateChanged);
        QVERIFY(!d.notification.isEmpty());
        QVERIFY(!d.event.has_value());
    } else {
        QVERIFY(!d.stateChanged);
        QCOMPARE(d.state.restrictUntil, s.restrictUntil);
    }
}

void EnforcementTest::throttleExpiry_data() {
    QTest::addColumn<qint64>("msPastUntil");
    QTest::addColumn<Stage>("expectedStage");

    QTest::newRow("before the end") << qint64(-1) << Stage::Throttle;
    QTest::newRow("at the end instant") << qint64(0) << Stage::Throttle;
    QTest::newRow("1 ms after the end") << qint64(1) << Stage::Warning;
}

void EnforcementTest::throttleExpiry() {
    QFETCH(qint64, msPastUntil);
    QFETCH(Stage, expectedStage);

    FairUseState s = stateAt(Stage::Throttle);
    s.throttleUntil = t0() - Milliseconds(msPastUntil);
    const Decision d = evaluate(Policy::forReview(), input(s, SpeechTotals{}, std::nullopt));
    QCOMPARE(nm(d.stageAfter), nm(expectedStage));
    if (expectedStage == Stage::Warning) {
        QCOMPARE(nm(d.action), nm(Action::ThrottleExpiredToWarning));
        QVERIFY(!d.state.throttleUntil.has_value());
        // Warning itself never expires.
        const Decision later =
            evaluate(Policy::forReview(), input(d.state, SpeechTotals{}, std::nullopt, t0() + std::chrono::days(400)));
        QCOMPARE(nm(later.stageAfter), nm(Stage::Warning));
    }

    // A throttle without an end (set by hand in the backend) does not expire.
    FairUseState open = stateAt(Stage::Throttle);
    QCOMPARE(nm(evaluate(Policy::forReview(), input(open, SpeechTotals{}, std::nullopt)).stageAfter),
             nm(Stage::Throttle));
}

void EnforcementTest::expiredRestrictCanReRestrict() {
    // The expired stage is the effective stage: throttle, and a 3rd violation in 30 days restricts again.
    FairUseState s = stateAt(Stage::Restrict);
    s.restrictUntil = t0() - 1min;
    EnforcementInput in = input(s, overDailyCap(), verdict(0.9));
    in.violationHistory = {t0() - std::chrono::days(2), t0() - std::chrono::days(1)};
    const Decision d = evaluate(Policy::forReview(), in);
    QCOMPARE(nm(d.action), nm(Action::Restrict));
    QCOMPARE(nm(d.stageAfter), nm(Stage::Restrict));
    QCOMPARE(*d.state.restrictUntil, t0() + std::chrono::days(30));
    QVERIFY(d.explanation.contains(QStringLiteral("Restriction ended")));
}

void EnforcementTest::guards_data() {
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<bool>("killSwitch");
    QTest::addColumn<bool>("stateExempt");
    QTest::addColumn<bool>("listExempt");
    QTest::addColumn<Action>("expectedAction");

    QTest::newRow("disabled") << false << false << false << false << Action::Disabled;
    QTest::newRow("kill switch") << true << true << false << false << Action::KillSwitch;
    QTest::newRow("kill switch wins over disabled") << false << true << false << false << Action::KillSwitch;
    QTest::newRow("exempt in state") << true << false << true << false << Action::Exempt;
    QTest::newRow("exempt by policy list") << true << false << false << true << Action::Exempt;
}

void EnforcementTest::guards() {
    QFETCH(bool, enabled);
    QFETCH(bool, killSwitch);
    QFETCH(bool, stateExempt);
    QFETCH(bool, listExempt);
    QFETCH(Action, expectedAction);

    Policy p;
    p.enabled = enabled;
    p.killSwitch = killSwitch;
    if (listExempt) {
        p.exemptUids = {QStringLiteral("other"), QStringLiteral("u1")};
    }
    for (const Stage stage : {Stage::None, Stage::Warning, Stage::Throttle}) {
        FairUseState s = stateAt(stage);
        s.exempt = stateExempt;
        s.throttleUntil = t0() - 1h; // even an expiry is not processed
        EnforcementInput in = input(s, overDailyCap(), verdict(1.0));
        in.violationHistory = {t0() - 1h};
        const Decision d = evaluate(p, in);
        QCOMPARE(nm(d.action), nm(expectedAction));
        QCOMPARE(nm(d.stageAfter), nm(stage));
        QVERIFY(!d.stateChanged);
        QVERIFY(!d.violationCounted);
        QVERIFY(!d.consultClassifier);
        QVERIFY(!d.event.has_value());
        QVERIFY(d.notification.isEmpty());
        QCOMPARE(d.state.lastClassifierAt, s.lastClassifierAt);
    }
    // Guards never hard-block or budget a restricted user either.
    FairUseState r = stateAt(Stage::Restrict);
    r.exempt = stateExempt;
    QVERIFY(!hardCapBlocks(p, r, overDailyCap(), Caps{}, t0()));
    QVERIFY(!sttBudgetFor(p, r, t0()).has_value());
}

void EnforcementTest::legitimateHeavyUserNeverEscalates() {
    // A user in back-to-back meetings: over every cap at every check for 60 days, the classifier always says low.
    FairUseState s = stateAt(Stage::None);
    s.subscription = Subscription{QStringLiteral("unlimited"), QStringLiteral("active"), t0() + std::chrono::days(90)};
    const Policy p = Policy::forReview();
    QList<TimePoint> history;
    int consulted = 0;
    for (TimePoint now = t0(); now < t0() + std::chrono::days(60); now += 5min) {
        EnforcementInput in = input(s, SpeechTotals{100'000'000, 100'000'000, 100'000'000}, std::nullopt, now);
        in.violationHistory = history;
        Decision d = evaluate(p, in);
        if (d.consultClassifier) {
            ++consulted;
            in.classifier = verdict(0.35, UsageType::None);
            d = evaluate(p, in);
        }
        QVERIFY(!d.violationCounted);
        QCOMPARE(nm(d.stageAfter), nm(Stage::None));
        QVERIFY(d.notification.isEmpty());
        s = d.state;
    }
    // The classifier ran once per cooldown, not once per check.
    QCOMPARE(consulted, 60 * 2);
}

void EnforcementTest::oneStepAtATimeOverAHistory() {
    // A persistent abuser checked every 5 minutes: the stage climbs one step per counted violation, violations are
    // at least one cooldown apart, and the sequence is none -> warning -> throttle -> restrict.
    FairUseState s = stateAt(Stage::None);
    const Policy p = Policy::forReview();
    QList<TimePoint> history;
    QList<Stage> stages{Stage::None};
    for (TimePoint now = t0(); now < t0() + std::chrono::days(3); now += 5min) {
        EnforcementInput in = input(s, overDailyCap(), std::nullopt, now);
        in.violationHistory = history;
        Decision d = evaluate(p, in);
        if (d.consultClassifier) {
            in.classifier = verdict(0.95);
            d = evaluate(p, in);
        }
        QVERIFY(std::abs(static_cast<int>(d.stageAfter) - static_cast<int>(d.stageBefore)) <= 1);
        if (d.violationCounted) {
            if (!history.isEmpty()) {
                QVERIFY(now - history.last() >= 12h);
            }
            history.append(now);
        }
        if (d.stageAfter != stages.last()) {
            stages.append(d.stageAfter);
        }
        s = d.state;
    }
    QCOMPARE(nm(stages), nm(QList<Stage>{Stage::None, Stage::Warning, Stage::Throttle, Stage::Restrict}));
    QCOMPARE(history.size(), 6);         // t0, +12 h, ..., +60 h
    QCOMPARE(history.at(2), t0() + 24h); // the 3rd violation restricted
}

void EnforcementTest::configurableCounts() {
    // With throttle needing 3 violations in 2 days, two are not enough even inside the window.
    Policy p = Policy::forReview();
    p.throttleViolations = 3;
    p.throttleWindow = std::chrono::hours(48);
    EnforcementInput in = input(stateAt(Stage::Warning), overDailyCap(), verdict(0.9));
    in.violationHistory = {t0() - 1h};
    QCOMPARE(nm(evaluate(p, in).action), nm(Action::Warn));
    in.violationHistory = {t0() - 47h, t0() - 1h};
    QCOMPARE(nm(evaluate(p, in).action), nm(Action::Throttle));
    in.violationHistory = {t0() - 49h, t0() - 1h};
    QCOMPARE(nm(evaluate(p, in).action), nm(Action::Warn));

    // A lower threshold turns a mid score into a violation.
    p.scoreThreshold = 0.5;
    in = input(stateAt(Stage::None), overDailyCap(), verdict(0.55));
    QCOMPARE(nm(evaluate(p, in).action), nm(Action::Warn));
}

void EnforcementTest::eventAndStateFields() {
    FairUseState s = stateAt(Stage::Warning);
    EnforcementInput in = input(s, SpeechTotals{1000, 2000, 36'000'001}, verdict(0.85, UsageType::Podcast));
    in.violationHistory = {t0() - std::chrono::days(3)};
    in.caseRef = QStringLiteral("FU-0123456789AB");
    in.sessionId = QStringLiteral("session-7");
    const Decision d = evaluate(Policy::forReview(), in);
    QCOMPARE(nm(d.action), nm(Action::Throttle));
    QCOMPARE(nm(d.capsHit), nm(QList<CapWindow>{CapWindow::Weekly}));
    QCOMPARE(nm(*d.trigger), nm(CapWindow::Weekly));
    QVERIFY(d.event.has_value());
    const FairUseEvent& e = *d.event;
    QCOMPARE(e.uid, QStringLiteral("u1"));
    QCOMPARE(e.createdAt, t0());
    QCOMPARE(e.caseRef, QStringLiteral("FU-0123456789AB"));
    QCOMPARE(e.sessionId, QStringLiteral("session-7"));
    QCOMPARE(e.policy, QStringLiteral("requested v1")); // the policy that produced the case is recorded on it
    QCOMPARE(nm(e.trigger), nm(CapWindow::Weekly));
    QCOMPARE(e.windowSpeech, in.totals);
    QCOMPARE(e.thresholds, Caps{});
    QCOMPARE(e.enforcementAction, QStringLiteral("throttle"));
    QCOMPARE(nm(e.previousStage), nm(Stage::Warning));
    QCOMPARE(nm(e.newStage), nm(Stage::Throttle));
    QCOMPARE(nm(e.classifier->usageType), nm(UsageType::Podcast));
    QVERIFY(!e.resolved);

    QCOMPARE(d.state.lastCaseRef, QStringLiteral("FU-0123456789AB"));
    QCOMPARE(*d.state.lastViolationAt, t0());
    QCOMPARE(*d.state.lastClassifierAt, t0());
    QCOMPARE(*d.state.lastClassifierScore, 0.85);
    QCOMPARE(nm(*d.state.lastClassifierType), nm(UsageType::Podcast));
    QCOMPARE(d.state.violationCount7d, 2);
    QCOMPARE(d.state.violationCount30d, 2);
    QCOMPARE(*d.state.throttleUntil, t0() + std::chrono::days(7));
    QCOMPARE(*d.state.updatedAt, t0());
    QCOMPARE(d.state.version, s.version); // the store assigns versions
    QVERIFY(d.notification.contains(formatRfc3339(t0() + std::chrono::days(7))));
    QVERIFY(d.explanation.contains(QStringLiteral("2 violations within 7 days")));
}

void EnforcementTest::noEventWithoutViolation() {
    FairUseState s = stateAt(Stage::None);
    Decision d = evaluate(Policy::forReview(), input(s, SpeechTotals{}, std::nullopt));
    QVERIFY(!d.stateChanged);
    QVERIFY(!d.state.updatedAt.has_value());
    d = evaluate(Policy::forReview(), input(s, overDailyCap(), verdict(0.1)));
    QVERIFY(!d.event.has_value());
    QVERIFY(d.stateChanged); // the classifier run starts the cooldown
    QCOMPARE(*d.state.lastClassifierScore, 0.1);
}

void EnforcementTest::hardCapAndSttBudget() {
    const Policy p = Policy::forReview();
    FairUseState r = stateAt(Stage::Restrict);
    QVERIFY(hardCapBlocks(p, r, overDailyCap(), Caps{}, t0()));
    QVERIFY(!hardCapBlocks(p, r, SpeechTotals{kDailyCapMs, 0, 0}, Caps{}, t0())); // equal is not over
    QVERIFY(!hardCapBlocks(p, stateAt(Stage::Throttle), overDailyCap(), Caps{}, t0()));

    const auto budget = sttBudgetFor(p, r, t0());
    QVERIFY(budget.has_value());
    QCOMPARE(budget->dailyLimitMs(), std::int64_t(30 * 60 * 1000));
    QVERIFY(budget->allowForward(0, 1'800'000));
    QVERIFY(!budget->allowForward(1'800'000, 1));
    QVERIFY(!sttBudgetFor(p, stateAt(Stage::Throttle), t0()).has_value());
    Policy tighter = p;
    tighter.restrictedDailySttMs = 60'000;
    QCOMPARE(sttBudgetFor(tighter, r, t0())->dailyLimitMs(), std::int64_t(60'000));
}

void EnforcementTest::violationHistoryFromCases() {
    const auto ev = [](const char* action, TimePoint at, std::optional<Outcome> outcome = std::nullopt) {
        FairUseEvent e;
        e.enforcementAction = QString::fromLatin1(action);
        e.createdAt = at;
        e.outcome = outcome;
        return e;
    };
    FairUseState s = stateAt(Stage::Warning);
    s.resetAt = t0() - std::chrono::days(10);
    const QList<FairUseEvent> events{
        ev("warn", t0() - std::chrono::days(1)),
        ev("throttle", t0() - std::chrono::days(2), Outcome::Confirmed),
        ev("restrict", t0() - std::chrono::days(3), Outcome::FalsePositive), // false positive: not a violation
        ev("free_plan_restrict", t0() - std::chrono::days(4)),               // credits, not a violation
        ev("warning", t0() - std::chrono::days(5)),                          // backend wording
        ev("warn", t0() - std::chrono::days(10)),                            // at the reset: forgotten
        ev("legitimate_use", t0() - std::chrono::days(6)),
    };
    const QList<TimePoint> h = violationHistory(events, s);
    QCOMPARE(h,
             (QList<TimePoint>{t0() - std::chrono::days(5), t0() - std::chrono::days(2), t0() - std::chrono::days(1)}));
}

void EnforcementTest::violationHistoryReadsBackendCases() {
    // The backend records a violation that did not move the stage as action "none" with the classifier's score; its
    // synthetic credit cases (usage type free_exhausted) are not abuse.
    const auto ev = [](const char* action, TimePoint at, double score, bool creditEvent = false) {
        FairUseEvent e;
        e.enforcementAction = QString::fromLatin1(action);
        e.createdAt = at;
        e.classifier = verdict(score);
        e.freeCreditsExhausted = creditEvent;
        return e;
    };
    const FairUseState s = stateAt(Stage::Warning);
    const QList<FairUseEvent> events{
        ev("none", t0() - std::chrono::days(1), 0.8),          // violation, stage unchanged
        ev("none", t0() - std::chrono::days(2), 0.7),          // at the threshold: a violation
        ev("none", t0() - std::chrono::days(3), 0.69),         // below: legitimate use
        ev("warning", t0() - std::chrono::days(4), 0.1, true), // credits exhausted, not abuse
        ev("restrict", t0() - std::chrono::days(5), 0.0, true), ev("warning", t0() - std::chrono::days(6), 0.9),
    };
    QCOMPARE(violationHistory(events, s, Policy::forReview().scoreThreshold),
             (QList<TimePoint>{t0() - std::chrono::days(6), t0() - std::chrono::days(2), t0() - std::chrono::days(1)}));
    Policy stricter = Policy::forReview();
    stricter.scoreThreshold = 0.75;
    QCOMPARE(violationHistory(events, s, stricter.scoreThreshold),
             (QList<TimePoint>{t0() - std::chrono::days(6), t0() - std::chrono::days(1)}));
}

void EnforcementTest::actionNamesRoundTrip() {
    for (int i = 0; i <= static_cast<int>(Action::Override); ++i) {
        const auto a = static_cast<Action>(i);
        QVERIFY(!toString(a).isEmpty());
        QCOMPARE(nm(actionFromString(toString(a))), nm(a));
    }
    QVERIFY(!actionFromString(QStringLiteral("escalate")).has_value());
}

QTEST_GUILESS_MAIN(EnforcementTest)
#include "EnforcementTest.moc"
