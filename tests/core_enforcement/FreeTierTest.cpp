// The free-tier path (SPEC 2.2): a user on basic (or with no subscription, or whose paid period ended) whose
// credits are exhausted is restricted directly, without the classifier, and released to the stage in force before
// when the credits return; the backend's own free-tier test is reproduced here.

#include "EnforcementTestSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace fairuse::enforcement::testing;
using namespace std::chrono_literals;

class FreeTierTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void freePlan_data();
    void freePlan();
    void backendFreeTierScenario_data();
    void backendFreeTierScenario();
    void creditReleaseRestoresStageInForce();
};

void FreeTierTest::freePlan_data() {
    QTest::addColumn<QString>("plan"); // stored subscription plan; empty: no subscription
    QTest::addColumn<bool>("periodCurrent");
    QTest::addColumn<Stage>("stage");
    QTest::addColumn<QString>("restrictReason");
    QTest::addColumn<bool>("exhausted");
    QTest::addColumn<Stage>("expectedStage");
    QTest::addColumn<Action>("expectedAction");

    const QString credit = QString::fromLatin1(kFreePlanRestrictReason);
    const QString basic = QStringLiteral("basic");
    const QString unlimited = QStringLiteral("unlimited");
    QTest::newRow("legacy free exhausted at none: restricted directly")
        << QStringLiteral("free") << true << Stage::None << QString() << true << Stage::Restrict
        << Action::FreePlanRestrict;
    QTest::newRow("basic exhausted at warning: restricted directly")
        << basic << true << Stage::Warning << QString() << true << Stage::Restrict << Action::FreePlanRestrict;
    QTest::newRow("no subscription exhausted: restricted directly")
        << QString() << true << Stage::None << QString() << true << Stage::Restrict << Action::FreePlanRestrict;
    QTest::newRow("lapsed paid plan is basic: restricted directly")
        << unlimited << false << Stage::None << QString() << true << Stage::Restrict << Action::FreePlanRestrict;
    QTest::newRow("still exhausted: stays")
        << basic << true << Stage::Restrict << credit << true << Stage::Restrict << Action::None;
    QTest::newRow("credits back: released")
        << basic << true << Stage::Restrict << credit << false << Stage::None << Action::FreePlanRelease;
    QTest::newRow("upgraded to a paid plan: released")
        << unlimited << true << Stage::Restrict << credit << true << Stage::None << Action::FreePlanRelease;
    QTest::newRow("abuse restriction is not released by credits")
        << basic << true << Stage::Restrict << QStringLiteral("3 violations within 30 days") << false << Stage::Restrict
        << Action::None;
    QTest::newRow("flag ignored for a paid plan in its period")
        << unlimited << true << Stage::None << QString() << true << Stage::None << Action::None;
}

void FreeTierTest::freePlan() {
    QFETCH(QString, plan);
    QFETCH(bool, periodCurrent);
    QFETCH(Stage, stage);
    QFETCH(QString, restrictReason);
    QFETCH(bool, exhausted);
    QFETCH(Stage, expectedStage);
    QFETCH(Action, expectedAction);

    FairUseState s = stateAt(stage);
    if (!plan.isEmpty()) {
        const TimePoint end = periodCurrent ? t0() + std::chrono::days(10) : t0() - std::chrono::seconds(1);
        s.subscription = Subscription{plan, QStringLiteral("active"), end};
    }
    s.restrictReason = restrictReason;
    if (stage == Stage::Restrict && restrictReason != QLatin1String(kFreePlanRestrictReason)) {
        s.restrictUntil = t0() + std::chrono::days(3);
    }
    EnforcementInput in = input(s, SpeechTotals{}, std::nullopt);
    in.freePlanCreditsExhausted = exhausted;
    in.caseRef = QStringLiteral("FU-00000000000A");
    const Decision d = evaluate(Policy::forReview(), in);
    QCOMPARE(nm(d.stageAfter), nm(expectedStage));
    QCOMPARE(nm(d.action), nm(expectedAction));
    QVERIFY(!d.consultClassifier); // never the classifier on this path
    QVERIFY(!d.violationCounted);
    if (expectedAction == Action::FreePlanRestrict) {
        QCOMPARE(d.state.restrictReason, QString::fromLatin1(kFreePlanRestrictReason));
        QVERIFY(!d.state.restrictUntil.has_value()); // released by credits, not by time
        QVERIFY(d.event.has_value());
        QCOMPARE(d.event->caseRef, QStringLiteral("FU-00000000000A"));
        QCOMPARE(nm(d.event->previousStage), nm(stage));
        QCOMPARE(nm(d.event->newStage), nm(Stage::Restrict));
        QCOMPARE(d.state.lastCaseRef, QStringLiteral("FU-00000000000A"));
        QVERIFY(!d.notification.isEmpty());
    }
    if (expectedAction == Action::FreePlanRelease) {
        QVERIFY(d.state.restrictReason.isEmpty());
        QVERIFY(!d.event.has_value());
        QVERIFY(!d.notification.isEmpty());
    }
}

// The backend's own free-tier test (TestEnsureFreeExhaustedRestrict): basic is the free tier, so a basic user (or
// one with no subscription) whose credits are exhausted is restricted directly; when credits return, the stage that
// was in force before comes back; an abuse restriction is never released by credits.
void FreeTierTest::backendFreeTierScenario_data() {
    QTest::addColumn<Stage>("stage");
    QTest::addColumn<QString>("restrictReason");
    QTest::addColumn<Stage>("previousStage");
    QTest::addColumn<bool>("exhausted");
    QTest::addColumn<Stage>("expectedStage");
    QTest::addColumn<Action>("expectedAction");

    const QString credit = QString::fromLatin1(kFreePlanRestrictReason);
    const QString abuse = QStringLiteral("3 violations within 30 days");
    QTest::newRow("free exhausted sets restrict")
        << Stage::None << QString() << Stage::None << true << Stage::Restrict << Action::FreePlanRestrict;
    QTest::newRow("free exhausted from warning sets restrict")
        << Stage::Warning << QString() << Stage::None << true << Stage::Restrict << Action::FreePlanRestrict;
    QTest::newRow("free exhausted already restrict: no-op")
        << Stage::Restrict << credit << Stage::None << true << Stage::Restrict << Action::None;
    QTest::newRow("credits restored clears the credit restriction")
        << Stage::Restrict << credit << Stage::None << false << Stage::None << Action::FreePlanRelease;
    QTest::newRow("credits restored restores the previous abuse stage")
        << Stage::Restrict << credit << Stage::Warning << false << Stage::Warning << Action::FreePlanRelease;
    QTest::newRow("credits restored does not clear an abuse restriction")
        << Stage::Restrict << abuse << Stage::None << false << Stage::Restrict << Action::None;
    QTest::newRow("not exhausted, not restricted: no-op")
        << Stage::None << QString() << Stage::None << false << Stage::None << Action::None;
}

void FreeTierTest::backendFreeTierScenario() {
    QFETCH(Stage, stage);
    QFETCH(QString, restrictReason);
    QFETCH(Stage, previousStage);
    QFETCH(bool, exhausted);
    QFETCH(Stage, expectedStage);
    QFETCH(Action, expectedAction);

    for (const bool noSubscription : {false, true}) {
        FairUseState s = stateAt(stage);
        if (!noSubscription) {
            s.subscription = Subscription{QStringLiteral("basic"), QStringLiteral("active"), std::nullopt};
        }
        s.restrictReason = restrictReason;
        if (stage == Stage::Restrict && restrictReason == QLatin1String(kFreePlanRestrictReason)) {
            s.previousStage = previousStage;
        } else if (stage == Stage::Restrict) {
            s.restrictUntil = t0() + std::chrono::days(3);
        }
        EnforcementInput in = input(s, SpeechTotals{}, std::nullopt);
        in.freePlanCreditsExhausted = exhausted;
        const Decision d = evaluate(Policy::forReview(), in);
        QCOMPARE(nm(d.stageAfter), nm(expectedStage));
        QCOMPARE(nm(d.action), nm(expectedAction));
        QCOMPARE(d.stateChanged, expectedAction != Action::None);
        QVERIFY(!d.consultClassifier);
        if (expectedAction == Action::FreePlanRestrict) {
            QCOMPARE(d.state.restrictReason, QString::fromLatin1(kFreePlanRestrictReason));
            QCOMPARE(nm(d.state.previousStage), nm(std::optional<Stage>(stage)));
        }
        if (expectedAction == Action::FreePlanRelease) {
            QVERIFY(d.state.restrictReason.isEmpty());
            QVERIFY(!d.state.previousStage.has_value());
        }
    }
}

void FreeTierTest::creditReleaseRestoresStageInForce() {
    // Throttled for abuse at 14:00, credits exhausted at 15:00, credits back at 16:00: the throttle is in force again,
    // with its own end.
    const TimePoint at14 = parseRfc3339(QStringLiteral("2026-03-20T14:00:00Z")).value();
    const Policy p = Policy::forReview();
    FairUseState s = stateAt(Stage::Throttle);
    s.throttleUntil = at14 + p.throttleDuration;
    s.lastViolationAt = at14;

    EnforcementInput restrict = input(s, SpeechTotals{}, std::nullopt, at14 + 1h);
    restrict.freePlanCreditsExhausted = true;
    const Decision restricted = evaluate(p, restrict);
    QCOMPARE(nm(restricted.action), nm(Action::FreePlanRestrict));
    QCOMPARE(nm(restricted.stageAfter), nm(Stage::Restrict));

    EnforcementInput release = input(restricted.state, SpeechTotals{}, std::nullopt, at14 + 2h);
    release.freePlanCreditsExhausted = false;
    const Decision released = evaluate(p, release);
    QCOMPARE(nm(released.action), nm(Action::FreePlanRelease));
    QCOMPARE(nm(released.stageAfter), nm(Stage::Throttle));
    QCOMPARE(released.state.throttleUntil, std::optional<TimePoint>(at14 + p.throttleDuration));
    QVERIFY(released.state.restrictReason.isEmpty());
    QVERIFY(!released.state.restrictUntil.has_value());

    // The restored throttle still expires on time.
    const Decision later =
        evaluate(p, input(released.state, SpeechTotals{}, std::nullopt, at14 + std::chrono::days(8)));
    QCOMPARE(nm(later.action), nm(Action::ThrottleExpiredToWarning));
}

QTEST_GUILESS_MAIN(FreeTierTest)
#include "FreeTierTest.moc"
