// Times recorded in the state that enforcement must not trust blindly: a classifier cooldown that starts in the
// future, a restriction that has ended, and the retry wait after failed classifier runs.

#include "EnforcementTestSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace fairuse::enforcement::testing;
using namespace std::chrono_literals;

namespace {

TimePoint at(const char* text) {
    return parseRfc3339(QString::fromLatin1(text)).value();
}

/** Restricted for abuse until 2026-04-19. */
FairUseState restrictedUntilApril19() {
    FairUseState s = stateAt(Stage::Restrict);
    s.restrictUntil = at("2026-04-19T00:00:00Z");
    s.restrictReason = QStringLiteral("3 violations within 30 days");
    return s;
}

} // namespace

class EnforcementTimingTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void futureCooldownStartIsIgnored_data();
    void futureCooldownStartIsIgnored();
    void expiredRestrictionNeitherBlocksNorBudgets();
    void expiryIsTheSameEverywhere();
    void failedRunIsRecordedWithoutCooldown();
    void retryWaitDoublesUpToTheCooldown_data();
    void retryWaitDoublesUpToTheCooldown();
    void backoffAfterFailures();
    void goodRunClearsTheFailures();
    void futureFailureTimeIsIgnored();
};

void EnforcementTimingTest::futureCooldownStartIsIgnored_data() {
    QTest::addColumn<qint64>("msAhead");
    QTest::newRow("1 ms ahead") << qint64(1);
    QTest::newRow("an hour ahead (clock skew)") << qint64(3600 * 1000);
    QTest::newRow("a year ahead (junk)") << qint64(365LL * 24 * 3600 * 1000);
}

void EnforcementTimingTest::futureCooldownStartIsIgnored() {
    QFETCH(qint64, msAhead);
    FairUseState s = stateAt(Stage::None);
    s.lastClassifierAt = t0() + Milliseconds(msAhead);

    // Without a verdict: the classifier is asked, not skipped as cooling down.
    Decision d = evaluate(Policy::forReview(), input(s, overDailyCap(), std::nullopt));
    QCOMPARE(nm(d.action), nm(Action::ConsultClassifier));
    QVERIFY(d.consultClassifier);
    QVERIFY2(d.explanation.contains(QStringLiteral("in the future")), qPrintable(d.explanation));

    // With a verdict: the violation counts and the cooldown restarts from now.
    d = evaluate(Policy::forReview(), input(s, overDailyCap(), verdict(0.95)));
    QCOMPARE(nm(d.action), nm(Action::Warn));
    QVERIFY(d.violationCounted);
    QCOMPARE(*d.state.lastClassifierAt, t0());
}

void EnforcementTimingTest::expiredRestrictionNeitherBlocksNorBudgets() {
    const Policy p = Policy::forReview();
    const FairUseState s = restrictedUntilApril19();
    const TimePoint april18 = at("2026-04-18T12:00:00Z");
    const TimePoint april25 = at("2026-04-25T12:00:00Z");

    QVERIFY(hardCapBlocks(p, s, overDailyCap(), Caps{}, april18));
    QVERIFY(sttBudgetFor(p, s, april18).has_value());
    // The restriction ended on 04-19: on 04-25 the user is throttled, which neither blocks nor budgets.
    QVERIFY(!hardCapBlocks(p, s, overDailyCap(), Caps{}, april25));
    QVERIFY(!sttBudgetFor(p, s, april25).has_value());
    // At the end instant the restriction still holds (the backend expires strictly after it).
    QVERIFY(hardCapBlocks(p, s, overDailyCap(), Caps{}, *s.restrictUntil));
    QVERIFY(sttBudgetFor(p, s, *s.restrictUntil).has_value());
}

void EnforcementTimingTest::expiryIsTheSameEverywhere() {
    const Policy p = Policy::forReview();
    const FairUseState s = restrictedUntilApril19();
    const TimePoint april25 = at("2026-04-25T12:00:00Z");

    const Expiry e = applyExpiry(p, s, april25);
    QCOMPARE(nm(e.action), nm(Action::RestrictExpiredToThrottle));
    QCOMPARE(nm(e.state.stage), nm(Stage::Throttle));
    QCOMPARE(*e.state.throttleUntil, april25 + p.throttleDuration);
    QVERIFY(!e.state.restrictUntil.has_value());

    // evaluate() reaches the same state through the same rule.
    const Decision d = evaluate(p, input(s, SpeechTotals{}, std::nullopt, april25));
    QCOMPARE(nm(d.action), nm(Action::RestrictExpiredToThrottle));
    QCOMPARE(nm(d.state.stage), nm(e.state.stage));
    QCOMPARE(d.state.throttleUntil, e.state.throttleUntil);
    QVERIFY(d.explanation.startsWith(e.explanation));

    // Nothing expired: the state comes back as it was.
    const Expiry none = applyExpiry(p, s, at("2026-04-18T12:00:00Z"));
    QVERIFY(!none.action.has_value());
    QCOMPARE(nm(none.state.stage), nm(Stage::Restrict));
    QVERIFY(none.explanation.isEmpty());
}

void EnforcementTimingTest::failedRunIsRecordedWithoutCooldown() {
    const Policy p = Policy::forReview();
    FairUseState s = stateAt(Stage::Warning);
    s.lastClassifierAt = t0() - 13h;
    EnforcementInput in = input(s, overDailyCap(), std::nullopt);
    in.classifierFailed = true;

    const Decision d = evaluate(p, in);
    QCOMPARE(nm(d.action), nm(Action::ClassifierFailed));
    QVERIFY(!d.violationCounted);
    QVERIFY(!d.consultClassifier);
    QVERIFY(!d.event.has_value());
    QVERIFY(d.notification.isEmpty());
    QCOMPARE(nm(d.stageAfter), nm(Stage::Warning));
    // The attempt is recorded; the cooldown is not burnt.
    QVERIFY(d.stateChanged);
    QCOMPARE(d.state.classifierFailures, 1);
    QCOMPARE(*d.state.classifierFailedAt, t0());
    QCOMPARE(*d.state.lastClassifierAt, *s.lastClassifierAt);
    QVERIFY(!d.state.lastClassifierScore.has_value());

    // Without a cap hit a failure flag means nothing: the classifier is consulted only on a cap hit.
    in.totals = SpeechTotals{};
    QCOMPARE(nm(evaluate(p, in).action), nm(Action::None));
}

void EnforcementTimingTest::retryWaitDoublesUpToTheCooldown_data() {
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("expectedMinutes");
    QTest::newRow("none") << 0 << qint64(0);
    QTest::newRow("1") << 1 << qint64(15);
    QTest::newRow("2") << 2 << qint64(30);
    QTest::newRow("3") << 3 << qint64(60);
    QTest::newRow("6") << 6 << qint64(480);
    QTest::newRow("7: the 12 h cooldown bounds it") << 7 << qint64(720);
    QTest::newRow("a million") << 1'000'000 << qint64(720);
}

void EnforcementTimingTest::retryWaitDoublesUpToTheCooldown() {
    QFETCH(int, failures);
    QFETCH(qint64, expectedMinutes);
    QCOMPARE(classifierRetryWait(Policy::forReview(), failures).count(), expectedMinutes * 60 * 1000);
}

void EnforcementTimingTest::backoffAfterFailures() {
    const Policy p = Policy::forReview();
    FairUseState s = stateAt(Stage::None);
    // Live checks every 5 minutes while the classifier service is down.
    TimePoint now = t0();
    QList<QString> actions;
    int asked = 0;
    for (int check = 0; check < 24; ++check, now += 5min) { // two hours
        EnforcementInput in = input(s, overDailyCap(), std::nullopt, now);
        Decision d = evaluate(p, in);
        if (d.consultClassifier) {
            ++asked;
            in.classifierFailed = true; // the run fails
            d = evaluate(p, in);
        }
        actions << nm(d.action);
        s = d.state;
    }
    // Asked at 0, 15, 45 and 105 min (waits of 15, 30 and 60 min), not at every one of the 24 checks.
    QCOMPARE(asked, 4);
    QCOMPARE(s.classifierFailures, 4);
    QCOMPARE(*s.classifierFailedAt, t0() + 105min);
    QCOMPARE(actions.at(0), nm(Action::ClassifierFailed));
    QCOMPARE(actions.at(1), nm(Action::ClassifierBackoff));
    QCOMPARE(actions.at(3), nm(Action::ClassifierFailed));
    QCOMPARE(nm(s.stage), nm(Stage::None));
    QVERIFY(!s.lastClassifierAt.has_value());

    // The next attempt is due 2 h after the last failure, and not a millisecond earlier.
    Decision early = evaluate(p, input(s, overDailyCap(), std::nullopt, t0() + 105min + 120min - 1ms));
    QCOMPARE(nm(early.action), nm(Action::ClassifierBackoff));
    QVERIFY(!early.consultClassifier);
    QVERIFY(!early.stateChanged);
    QVERIFY2(early.explanation.contains(QStringLiteral("failed 4 time(s)")), qPrintable(early.explanation));
    Decision due = evaluate(p, input(s, overDailyCap(), std::nullopt, t0() + 105min + 120min));
    QCOMPARE(nm(due.action), nm(Action::ConsultClassifier));
}

void EnforcementTimingTest::goodRunClearsTheFailures() {
    FairUseState s = stateAt(Stage::None);
    s.classifierFailures = 3;
    s.classifierFailedAt = t0() - 2h;
    const Decision d = evaluate(Policy::forReview(), input(s, overDailyCap(), verdict(0.2)));
    QCOMPARE(nm(d.action), nm(Action::LegitimateUse));
    QCOMPARE(d.state.classifierFailures, 0);
    QVERIFY(!d.state.classifierFailedAt.has_value());
    QCOMPARE(*d.state.lastClassifierAt, t0());
}

void EnforcementTimingTest::futureFailureTimeIsIgnored() {
    FairUseState s = stateAt(Stage::None);
    s.classifierFailures = 9;
    s.classifierFailedAt = t0() + std::chrono::days(30);
    const Decision d = evaluate(Policy::forReview(), input(s, overDailyCap(), std::nullopt));
    QCOMPARE(nm(d.action), nm(Action::ConsultClassifier));
}

QTEST_GUILESS_MAIN(EnforcementTimingTest)
#include "EnforcementTimingTest.moc"
