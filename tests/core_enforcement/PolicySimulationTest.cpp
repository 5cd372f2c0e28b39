// The policy simulator's core: a user just under or over each cap, the score threshold's edges, the verdict
// assumption, empty histories, escalation over days, two policies side by side, and malformed policies.

#include "EnforcementTestSupport.h"

#include "enforcement/PolicySimulation.h"
#include "enforcement/ReplayTrack.h"
#include "metering/Metering.h"

#include <QTest>

#include <algorithm>
#include <atomic>

Q_DECLARE_METATYPE(fairuse::Caps)

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace fairuse::enforcement::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 3'600'000;

SimulationPeriod period() {
    return SimulationPeriod{t0(), 7};
}

/** `minutes` full minutes of speech starting one hour into day `day` of the period, then `extraMs` in the next
 *  minute (when positive). */
void speak(SimulationUser& u, int day, int minutes, std::int64_t extraMs = 0) {
    const std::int64_t first = unixMinute(period().from() + std::chrono::hours(24) * day + 1h);
    for (int i = 0; i < minutes; ++i) {
        u.minutes.append({first + i, kMinuteMs});
    }
    if (extraMs > 0) {
        u.minutes.append({first + minutes, extraMs});
    }
}

SimulationUser userWith(double score) {
    SimulationUser u;
    u.uid = QStringLiteral("u1");
    u.verdicts.append({period().from(), score, UsageType::Audiobook});
    return u;
}

Policy policyWithBasicCaps(const Caps& caps) {
    Policy p = Policy::forReview();
    p.basicCaps = caps;
    return p;
}

constexpr std::int64_t kHuge = 100 * kHourMs;

/**
 * The replay without the simulator's shortcut: every check that hits a cap goes through replayCheck(), with the
 * same check schedule (every checkInterval, and the last minute of each session). The reference for
 * skippingQuietChecksChangesNothing.
 */
UserOutcome referenceReplay(const Policy& policy, const SimulationUser& user, const SimulationPeriod& p) {
    QList<SpeechMinute> minutes = user.minutes;
    std::sort(minutes.begin(), minutes.end(), [](auto& a, auto& b) { return a.unixMinute < b.unixMinute; });
    metering::RollingMeter meter;
    ReplayTrack track;
    track.state.uid = user.uid;
    UserOutcome out;
    std::optional<TimePoint> last;
    for (qsizetype i = 0; i < minutes.size(); ++i) {
        const TimePoint start = fromUnixMinute(minutes[i].unixMinute);
        (void)meter.record(start, minutes[i].speechMs);
        const TimePoint at = start + 59s;
        const bool end = i + 1 == minutes.size() || minutes[i + 1].unixMinute > minutes[i].unixMinute + 1;
        if (last && at - *last < policy.checkInterval && !end) {
            continue;
        }
        last = at;
        const SpeechTotals totals = meter.totals(at);
        if (metering::capsHit(totals, policy.capsFor(user.plan)).isEmpty()) {
            continue;
        }
        ++out.capHits;
        EnforcementInput in;
        in.totals = totals;
        in.caps = policy.capsFor(user.plan);
        in.now = at;
        in.classifier = verdictAt(user, at);
        const Decision d = replayCheck(policy, track, in);
        out.violations += d.violationCounted ? 1 : 0;
        out.highest = std::max(out.highest, d.stageAfter);
    }
    Q_UNUSED(p)
    return out;
}

} // namespace

class PolicySimulationTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void capEdges_data();
    void capEdges();
    void thresholdEdges_data();
    void thresholdEdges();
    void emptyHistoryReachesNothing();
    void noVerdictNeverEscalates();
    void lastKnownVerdictIsUsedBeforeTheFirstCase();
    void laterVerdictIsNotUsedEarlier();
    void violationsOnThreeDaysRestrict();
    void unlimitedPlanHasHigherCaps();
    void exemptUsersStayAtNone();
    void disabledPolicyIsSimulatedAsEnforced();
    void junkAndOutOfPeriodMinutesAreIgnored();
    void dailyTotals();
    void skippingQuietChecksChangesNothing_data();
    void skippingQuietChecksChangesNothing();
    void stricterPolicyRestrictsAtLeastAsMany();
    void cancelledCompareStops();
    void malformedPolicy_data();
    void malformedPolicy();
};

void PolicySimulationTest::capEdges_data() {
    QTest::addColumn<Caps>("caps");
    QTest::addColumn<int>("days");
    QTest::addColumn<int>("minutesPerDay");
    QTest::addColumn<qint64>("extraMs");
    QTest::addColumn<Stage>("expected");

    const Caps defaults = Caps::forPlan(Plan::Basic);
    // Daily 2 h = 120 minutes on one day.
    QTest::newRow("daily equal") << defaults << 1 << 120 << qint64(0) << Stage::None;
    QTest::newRow("daily over by 1 ms") << defaults << 1 << 120 << qint64(1) << Stage::Warning;
    // 3-day 8 h = 480 minutes over three days of 160 (daily cap lifted).
    const Caps threeDay{kHuge, defaults.threeDayMs, kHuge};
    QTest::newRow("3day equal") << threeDay << 3 << 160 << qint64(0) << Stage::None;
    QTest::newRow("3day over by 1 ms") << threeDay << 3 << 160 << qint64(1) << Stage::Warning;
    // Weekly 10 h = 600 minutes over five days of 120 (daily and 3-day caps lifted).
    const Caps weekly{kHuge, kHuge, defaults.weeklyMs};
    QTest::newRow("weekly equal") << weekly << 5 << 120 << qint64(0) << Stage::None;
    QTest::newRow("weekly over by 1 ms") << weekly << 5 << 120 << qint64(1) << Stage::Warning;
}

void PolicySimulationTest::capEdges() {
    QFETCH(Caps, caps);
    QFETCH(int, days);
    QFETCH(int, minutesPerDay);
    QFETCH(qint64, extraMs);
    QFETCH(Stage, expected);

    SimulationUser u = userWith(0.9);
    for (int d = 0; d < days; ++d) {
        speak(u, d, minutesPerDay, d == days - 1 ? extraMs : 0);
    }
    const UserOutcome out = simulateUser(policyWithBasicCaps(caps), u, period());
    QCOMPARE(nm(out.highest), nm(expected));
    QCOMPARE(out.capHits > 0, expected != Stage::None);
}

void PolicySimulationTest::thresholdEdges_data() {
    QTest::addColumn<double>("threshold");
    QTest::addColumn<double>("score");
    QTest::addColumn<Stage>("expected");
    QTest::newRow("score equal to the threshold is a violation") << 0.7 << 0.7 << Stage::Warning;
    QTest::newRow("score just below") << 0.7 << 0.6999 << Stage::None;
    QTest::newRow("lower threshold catches it") << 0.5 << 0.6 << Stage::Warning;
    QTest::newRow("threshold 1 needs a certain score") << 1.0 << 0.99 << Stage::None;
    QTest::newRow("threshold 1, score 1") << 1.0 << 1.0 << Stage::Warning;
}

void PolicySimulationTest::thresholdEdges() {
    QFETCH(double, threshold);
    QFETCH(double, score);
    QFETCH(Stage, expected);
    Policy p = Policy::forReview();
    p.scoreThreshold = threshold;
    SimulationUser u = userWith(score);
    speak(u, 0, 121);
    const UserOutcome out = simulateUser(p, u, period());
    QCOMPARE(nm(out.highest), nm(expected));
    QVERIFY(out.capHits > 0);
}

void PolicySimulationTest::emptyHistoryReachesNothing() {
    const SimulationUser u = userWith(1.0);
    const UserOutcome out = simulateUser(Policy::forReview(), u, period());
    QCOMPARE(nm(out.highest), nm(Stage::None));
    QCOMPARE(out.capHits, 0);
    QCOMPARE(dailySpeechMs(u, period()), std::vector<std::int64_t>(7, 0));
    const SimulationComparison c = compare(Policy::forReview(), Policy::forReview(), {}, period());
    QCOMPARE(c.current, SimulationTally{});
    QVERIFY(c.peakDailyMs.isEmpty());
}

void PolicySimulationTest::noVerdictNeverEscalates() {
    SimulationUser u;
    u.uid = QStringLiteral("heavy");
    speak(u, 0, 300);
    const UserOutcome out = simulateUser(Policy::forReview(), u, period());
    QVERIFY(out.capHits > 0);
    QCOMPARE(nm(out.highest), nm(Stage::None));
    QCOMPARE(out.violations, 0);
}

void PolicySimulationTest::lastKnownVerdictIsUsedBeforeTheFirstCase() {
    SimulationUser u;
    u.uid = QStringLiteral("known");
    u.lastKnown = RecordedVerdict{t0() + 1h, 0.95, UsageType::Podcast};
    speak(u, 0, 121);
    QCOMPARE(nm(simulateUser(Policy::forReview(), u, period()).highest), nm(Stage::Warning));
    QCOMPARE(verdictAt(u, period().from())->misuseScore, 0.95);
}

void PolicySimulationTest::laterVerdictIsNotUsedEarlier() {
    SimulationUser u;
    u.uid = QStringLiteral("later");
    u.verdicts.append({period().from() + 48h, 0.9, UsageType::Audiobook});
    speak(u, 0, 121); // day 0: before the verdict
    QCOMPARE(nm(simulateUser(Policy::forReview(), u, period()).highest), nm(Stage::None));
    speak(u, 3, 121); // day 3: after it
    QCOMPARE(nm(simulateUser(Policy::forReview(), u, period()).highest), nm(Stage::Warning));
    // The newest verdict at or before the time wins.
    u.verdicts.append({period().from() + 72h, 0.1, UsageType::None});
    QCOMPARE(verdictAt(u, period().from() + 60h)->misuseScore, 0.9);
    QCOMPARE(verdictAt(u, period().from() + 100h)->misuseScore, 0.1);
    QVERIFY(!verdictAt(u, period().from()).has_value());
}

void PolicySimulationTest::violationsOnThreeDaysRestrict() {
    SimulationUser u = userWith(0.9);
    speak(u, 0, 121);
    QCOMPARE(nm(simulateUser(Policy::forReview(), u, period()).highest), nm(Stage::Warning));
    speak(u, 1, 121);
    QCOMPARE(nm(simulateUser(Policy::forReview(), u, period()).highest), nm(Stage::Throttle));
    speak(u, 2, 121);
    const UserOutcome out = simulateUser(Policy::forReview(), u, period());
    QCOMPARE(nm(out.highest), nm(Stage::Restrict));
    QCOMPARE(out.violations, 3); // one a day: the 12 h cooldown keeps each day's session to one violation
}

void PolicySimulationTest::unlimitedPlanHasHigherCaps() {
    SimulationUser u = userWith(0.9);
    u.plan = Plan::Unlimited;
    speak(u, 0, 200);
    QCOMPARE(nm(simulateUser(Policy::forReview(), u, period()).highest), nm(Stage::None));
    speak(u, 1, 241);
    QCOMPARE(nm(simulateUser(Policy::forReview(), u, period()).highest), nm(Stage::Warning));
}

void PolicySimulationTest::exemptUsersStayAtNone() {
    SimulationUser u = userWith(0.9);
    speak(u, 0, 121);
    Policy p = Policy::forReview();
    p.exemptUids = {u.uid};
    QCOMPARE(nm(simulateUser(p, u, period()).highest), nm(Stage::None));
}

void PolicySimulationTest::disabledPolicyIsSimulatedAsEnforced() {
    SimulationUser u = userWith(0.9);
    speak(u, 0, 121);
    Policy p; // enabled = false, as deployed
    p.killSwitch = true;
    QCOMPARE(nm(simulateUser(p, u, period()).highest), nm(Stage::Warning));
}

void PolicySimulationTest::junkAndOutOfPeriodMinutesAreIgnored() {
    SimulationUser u = userWith(0.9);
    const std::int64_t first = unixMinute(period().from());
    u.minutes.append({first - 1, kMinuteMs});                // before the period
    u.minutes.append({unixMinute(period().now), kMinuteMs}); // the minute of now has not ended
    u.minutes.append({first + 10, -5});                      // negative
    u.minutes.append({first + 11, kMinuteMs + 1});           // more than a minute
    u.minutes.append({first + 12, 1234});
    std::vector<std::int64_t> expected(7, 0);
    expected[0] = 1234;
    QCOMPARE(dailySpeechMs(u, period()), expected);
}

void PolicySimulationTest::dailyTotals() {
    SimulationUser u = userWith(0.9);
    speak(u, 0, 10);
    speak(u, 6, 3, 500);
    // Given out of order: the simulator sorts.
    std::reverse(u.minutes.begin(), u.minutes.end());
    std::vector<std::int64_t> expected(7, 0);
    expected[0] = 10 * kMinuteMs;
    expected[6] = 3 * kMinuteMs + 500;
    QCOMPARE(dailySpeechMs(u, period()), expected);
}

void PolicySimulationTest::skippingQuietChecksChangesNothing_data() {
    QTest::addColumn<int>("cooldownHours");
    QTest::addColumn<int>("throttleDays");
    QTest::addColumn<int>("restrictDays");
    QTest::newRow("requested policy") << 12 << 7 << 30;
    QTest::newRow("short throttle, expiring inside cooldowns") << 12 << 1 << 1;
    QTest::newRow("cooldown longer than a day") << 30 << 1 << 2;
    QTest::newRow("no cooldown") << 0 << 1 << 1;
}

void PolicySimulationTest::skippingQuietChecksChangesNothing() {
    QFETCH(int, cooldownHours);
    QFETCH(int, throttleDays);
    QFETCH(int, restrictDays);
    Policy p = Policy::forReview();
    p.classifierCooldown = std::chrono::hours(cooldownHours);
    p.throttleDuration = std::chrono::hours(24 * throttleDays);
    p.restrictDuration = std::chrono::hours(24 * restrictDays);
    for (int variant = 0; variant < 12; ++variant) {
        SimulationUser u = userWith(0.6 + 0.03 * variant);
        for (int d = 0; d < 7; ++d) {
            if ((d + variant) % 3 != 0) {
                speak(u, d, 100 + 20 * ((d * variant) % 7));
            }
        }
        const UserOutcome fast = simulateUser(p, u, period());
        const UserOutcome reference = referenceReplay(p, u, period());
        QCOMPARE(nm(fast.highest), nm(reference.highest));
        QCOMPARE(fast.violations, reference.violations);
        QCOMPARE(fast.capHits, reference.capHits);
    }
}

void PolicySimulationTest::stricterPolicyRestrictsAtLeastAsMany() {
    QList<SimulationUser> users;
    for (int i = 0; i < 40; ++i) {
        SimulationUser u = userWith(0.5 + 0.0125 * i);
        u.uid = QStringLiteral("u%1").arg(i);
        u.plan = i % 5 == 0 ? Plan::Unlimited : Plan::Basic;
        for (int d = 0; d < 7; ++d) {
            speak(u, d, 60 + 7 * ((i + d) % 13));
        }
        users.append(u);
    }
    const Policy current = Policy::forReview();
    Policy strict = current;
    strict.basicCaps.dailyMs = kHourMs;
    strict.unlimitedCaps.dailyMs = 2 * kHourMs;
    strict.scoreThreshold = 0.6;
    const SimulationComparison c = compare(current, strict, users, period());
    QCOMPARE(c.current.users, 40);
    QCOMPARE(c.edited.users, 40);
    QCOMPARE(c.peakDailyMs.size(), 40);
    QVERIFY(c.edited.warned >= c.current.warned);
    QVERIFY(c.edited.throttled >= c.current.throttled);
    QVERIFY(c.edited.restricted >= c.current.restricted);
    QVERIFY(c.edited.restricted > 0);
    QVERIFY(c.current.warned >= c.current.throttled && c.current.throttled >= c.current.restricted);

    // The comparison is the sum of its parts, so a runner may simulate page by page.
    SimulationComparison halves = compare(current, strict, users.mid(0, 17), period());
    halves += compare(current, strict, users.mid(17), period());
    QCOMPARE(halves.current, c.current);
    QCOMPARE(halves.edited, c.edited);
}

void PolicySimulationTest::cancelledCompareStops() {
    QList<SimulationUser> users(5, userWith(0.9));
    std::atomic<bool> cancelled{true};
    const SimulationComparison c = compare(Policy::forReview(), Policy::forReview(), users, period(), &cancelled);
    QCOMPARE(c.current.users, 0);
}

void PolicySimulationTest::malformedPolicy_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not JSON") << QByteArray("{\"caps\": ") << QStringLiteral("not valid JSON");
    QTest::newRow("threshold 0") << QByteArray(R"({"score_threshold": 0})") << QStringLiteral("score_threshold");
    QTest::newRow("cap of zero") << QByteArray(R"({"caps": {"basic": {"daily_ms": 0}}})")
                                 << QStringLiteral("caps.basic.daily_ms");
    QTest::newRow("throttle above restrict") << QByteArray(R"({"throttle_violations": 4, "restrict_violations": 3})")
                                             << QStringLiteral("throttle_violations");
    QTest::newRow("window of zero") << QByteArray(R"({"throttle_window_seconds": 0})")
                                    << QStringLiteral("throttle_window_seconds");
}

void PolicySimulationTest::malformedPolicy() {
    QFETCH(QByteArray, json);
    QFETCH(QString, mentions);
    const Result<Policy> parsed = Policy::fromJson(json, Policy::forReview());
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::Invalid);
    QVERIFY2(parsed.error().message.contains(mentions), qPrintable(parsed.error().message));

    // An edited policy that breaks the same bounds is refused before a run, with the parser's message.
    Policy bad = Policy::forReview();
    bad.throttleViolations = 4;
    bad.restrictViolations = 3;
    const std::optional<QString> problem = simulationPolicyProblem(bad);
    QVERIFY(problem.has_value());
    QVERIFY(problem->contains(QStringLiteral("throttle_violations")));
    QVERIFY(!simulationPolicyProblem(Policy::forReview()).has_value());
}

QTEST_GUILESS_MAIN(PolicySimulationTest)
#include "PolicySimulationTest.moc"
