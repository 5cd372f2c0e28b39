// The team dashboard's figures (core/casework/Dashboard.h): decisions per reviewer per day, claim-to-decision times
// and their median, the queue over time, SLA breaches, appeals and the overturn rate per usage type, with the period's
// edges.

#include "casework/Dashboard.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::casework;
using namespace std::chrono_literals;

namespace {

// Midnight UTC, so days are easy to read.
const TimePoint kDay0 = parseRfc3339(QStringLiteral("2026-04-01T00:00:00Z")).value();
const QString kAna = QStringLiteral("ana@example.com");
const QString kBo = QStringLiteral("bo@example.com");

AuditRecord record(AuditAction action, const QString& reviewer, const QString& uid, TimePoint at) {
    static std::int64_t sequence = 0;
    AuditRecord r;
    r.sequence = ++sequence;
    r.at = at;
    r.reviewer = reviewer;
    r.action = action;
    r.uid = uid;
    return r;
}

FairUseEvent openCase(const QString& id, TimePoint created, UsageType type = UsageType::Audiobook) {
    FairUseEvent e;
    e.id = id;
    e.uid = QStringLiteral("u-") + id;
    e.createdAt = created;
    ClassifierResult c;
    c.usageType = type;
    e.classifier = c;
    return e;
}

FairUseEvent resolvedCase(const QString& id, TimePoint created, TimePoint resolved, Outcome outcome,
                          UsageType type = UsageType::Audiobook) {
    FairUseEvent e = openCase(id, created, type);
    e.resolved = true;
    e.resolvedAt = resolved;
    e.outcome = outcome;
    return e;
}

Appeal decidedAppeal(const QString& id, AppealDecision decision, TimePoint at) {
    Appeal a;
    a.id = id;
    a.uid = QStringLiteral("u-") + id;
    a.createdAt = at - 1h;
    a.decision = decision;
    a.decidedAt = at;
    return a;
}

} // namespace

class DashboardTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dashboardActionsAreDecisionsAndClaims() {
        const QList<AuditAction> read = casework::dashboardActions();
        for (int a = 0; a <= static_cast<int>(AuditAction::ManualReview); ++a) {
            const auto action = static_cast<AuditAction>(a);
            const bool claim = action == AuditAction::Claim || action == AuditAction::TakeOverClaim ||
                               action == AuditAction::ReleaseClaim;
            QCOMPARE(read.contains(action), claim || casework::isDecision(action));
        }
    }

    void emptyInput() {
        const DashboardFigures f = computeDashboard({}, kDay0, kDay0 + 24h * 7);
        QCOMPARE(f.days.size(), 7);
        QCOMPARE(f.queue.size(), 7);
        QVERIFY(f.decisions.isEmpty());
        QCOMPARE(f.totalDecisions, 0);
        QVERIFY(!f.medianClaimToDecision);
        QCOMPARE(f.slaBreaches, 0);
        QCOMPARE(f.appealsUpheld + f.appealsOverturned, 0);
        QVERIFY(f.overturnByUsage.isEmpty());
        for (const QueuePoint& p : f.queue) {
            QCOMPARE(p.openCases, 0);
            QCOMPARE(p.oldestOpenAge, 0ms);
        }
    }

    void emptyPeriod() {
        const DashboardFigures f = computeDashboard({}, kDay0, kDay0);
        QVERIFY(f.days.isEmpty());
        QVERIFY(f.queue.isEmpty());
    }

    void daysCoverPartialEdges() {
        // From 18:00 on day 0 to 06:00 on day 2: three UTC days, the last queue point measured at the period's end.
        const DashboardFigures f = computeDashboard({}, kDay0 + 18h, kDay0 + 54h);
        QCOMPARE(f.days, (QList<TimePoint>{kDay0, kDay0 + 24h, kDay0 + 48h}));
        QCOMPARE(f.queue.last().at, kDay0 + 54h);
        QCOMPARE(f.queue.first().at, kDay0 + 24h);
    }

    void oneReviewerPerDay() {
        DashboardInput in;
        in.audit = {record(AuditAction::Resolve, kAna, QStringLiteral("u1"), kDay0 + 1h),
                    record(AuditAction::OverrideStage, kAna, QStringLiteral("u2"), kDay0 + 2h),
                    record(AuditAction::DecideAppeal, kAna, QStringLiteral("u3"), kDay0 + 26h),
                    // Not decisions:
                    record(AuditAction::AddNote, kAna, QStringLiteral("u1"), kDay0 + 3h),
                    record(AuditAction::Claim, kAna, QStringLiteral("u4"), kDay0 + 3h),
                    record(AuditAction::Reset, kAna, QStringLiteral("u4"), kDay0 + 4h)};
        const DashboardFigures f = computeDashboard(in, kDay0, kDay0 + 72h);
        QCOMPARE(f.decisions.size(), 1);
        QCOMPARE(f.decisions.first().reviewer, kAna);
        QCOMPARE(f.decisions.first().perDay, (QList<int>{2, 1, 0}));
        QCOMPARE(f.decisions.first().total, 3);
        QCOMPARE(f.totalDecisions, 3);
    }

    void decisionsAtPeriodEdges_data() {
        QTest::addColumn<Milliseconds>("offset");
        QTest::addColumn<int>("counted");
        QTest::newRow("1 ms before from") << Milliseconds(-1) << 0;
        QTest::newRow("at from") << Milliseconds(0) << 1;
        QTest::newRow("1 ms before to") << Milliseconds(std::chrono::hours(48) - 1ms) << 1;
        QTest::newRow("at to") << Milliseconds(std::chrono::hours(48)) << 0;
    }
    void decisionsAtPeriodEdges() {
        QFETCH(Milliseconds, offset);
        QFETCH(int, counted);
        DashboardInput in;
        in.audit = {record(AuditAction::Resolve, kBo, QStringLiteral("u1"), kDay0 + offset)};
        const DashboardFigures f = computeDashboard(in, kDay0, kDay0 + 48h);
        QCOMPARE(f.totalDecisions, counted);
        QCOMPARE(f.decisions.size(), counted);
    }

    void reviewersSortedByEmail() {
        DashboardInput in;
        in.audit = {record(AuditAction::Resolve, kBo, QStringLiteral("u1"), kDay0 + 1h),
                    record(AuditAction::Resolve, kAna, QStringLiteral("u2"), kDay0 + 2h)};
        const DashboardFigures f = computeDashboard(in, kDay0, kDay0 + 24h);
        QCOMPARE(f.decisions.size(), 2);
        QCOMPARE(f.decisions.at(0).reviewer, kAna);
        QCOMPARE(f.decisions.at(1).reviewer, kBo);
    }

    void median_data() {
        QTest::addColumn<QList<Milliseconds>>("samples");
        QTest::addColumn<std::optional<Milliseconds>>("expected");
        QTest::newRow("none") << QList<Milliseconds>{} << std::optional<Milliseconds>{};
        QTest::newRow("one") << QList<Milliseconds>{5ms} << std::optional<Milliseconds>{5ms};
        QTest::newRow("odd, unsorted") << QList<Milliseconds>{9ms, 1ms, 5ms} << std::optional<Milliseconds>{5ms};
        QTest::newRow("even: mean of the middle two")
            << QList<Milliseconds>{40ms, 10ms, 20ms, 30ms} << std::optional<Milliseconds>{25ms};
        QTest::newRow("even: rounded down") << QList<Milliseconds>{1ms, 2ms} << std::optional<Milliseconds>{1ms};
    }
    void median() {
        QFETCH(QList<Milliseconds>, samples);
        QFETCH(std::optional<Milliseconds>, expected);
        QCOMPARE(casework::median(samples), expected);
    }

    void claimToDecision() {
        const QString u1 = QStringLiteral("u1");
        const QString u2 = QStringLiteral("u2");
        const QString u3 = QStringLiteral("u3");
        const QString u4 = QStringLiteral("u4");
        DashboardInput in;
        in.audit = {
            // Claimed the evening before the period, decided inside it: counted (10 h).
            record(AuditAction::Claim, kAna, u1, kDay0 - 2h),
            record(AuditAction::Resolve, kAna, u1, kDay0 + 8h),
            // Released and claimed again: timed from the latest claim (30 min).
            record(AuditAction::Claim, kAna, u2, kDay0 + 1h),
            record(AuditAction::ReleaseClaim, kAna, u2, kDay0 + 2h),
            record(AuditAction::Claim, kAna, u2, kDay0 + 3h),
            record(AuditAction::Resolve, kAna, u2, kDay0 + 3h + 30min),
            // A second decision without a new claim is not timed.
            record(AuditAction::OverrideStage, kAna, u2, kDay0 + 5h),
            // Taken over by Bo: Ana's decision is not timed, Bo's is (1 h).
            record(AuditAction::Claim, kAna, u3, kDay0 + 1h),
            record(AuditAction::TakeOverClaim, kBo, u3, kDay0 + 2h),
            record(AuditAction::Resolve, kAna, u3, kDay0 + 2h + 1min),
            record(AuditAction::DecideAppeal, kBo, u3, kDay0 + 3h),
            // Decided without a claim: not timed.
            record(AuditAction::Resolve, kBo, u4, kDay0 + 4h),
        };
        QList<Milliseconds> times = claimToDecisionTimes(in.audit, kDay0, kDay0 + 24h);
        std::sort(times.begin(), times.end());
        QCOMPARE(times, (QList<Milliseconds>{30min, 1h, 10h}));
        const DashboardFigures f = computeDashboard(in, kDay0, kDay0 + 24h);
        QCOMPARE(f.claimToDecisionSamples, 3);
        QCOMPARE(f.medianClaimToDecision, std::optional<Milliseconds>(1h));
        // Records given newest first (as the store pages them) give the same answer.
        std::reverse(in.audit.begin(), in.audit.end());
        QCOMPARE(computeDashboard(in, kDay0, kDay0 + 24h).medianClaimToDecision, std::optional<Milliseconds>(1h));
    }

    void queueOverTime() {
        DashboardInput in;
        in.cases = {
            openCase(QStringLiteral("old"), kDay0 - 48h), // open throughout
            resolvedCase(QStringLiteral("r1"), kDay0 + 1h, kDay0 + 30h, Outcome::Confirmed),
            openCase(QStringLiteral("new"), kDay0 + 50h),
            resolvedCase(QStringLiteral("gone"), kDay0 - 10h, kDay0 + 12h, Outcome::NoAction),
        };
        const DashboardFigures f = computeDashboard(in, kDay0, kDay0 + 72h);
        QCOMPARE(f.queue.size(), 3);
        // End of day 0: old, r1 (gone closed at 12:00).
        QCOMPARE(f.queue.at(0).openCases, 2);
        QCOMPARE(f.queue.at(0).oldestOpenAge, Milliseconds(72h));
        // End of day 1: old only (r1 closed on day 1).
        QCOMPARE(f.queue.at(1).openCases, 1);
        // End of day 2: old and new.
        QCOMPARE(f.queue.at(2).openCases, 2);
        QCOMPARE(f.queue.at(2).oldestOpenAge, Milliseconds(120h));
    }

    void queueOldestSkipsResolved() {
        DashboardInput in;
        in.cases = {resolvedCase(QStringLiteral("a"), kDay0 - 5h, kDay0 + 1h, Outcome::Confirmed),
                    openCase(QStringLiteral("b"), kDay0 - 2h)};
        const DashboardFigures f = computeDashboard(in, kDay0, kDay0 + 24h);
        QCOMPARE(f.queue.at(0).openCases, 1);
        QCOMPARE(f.queue.at(0).oldestOpenAge, Milliseconds(26h));
    }

    void slaBreaches_data() {
        QTest::addColumn<Milliseconds>("createdOffset");
        QTest::addColumn<std::optional<Milliseconds>>("resolvedOffset");
        QTest::addColumn<int>("breaches");
        // Period [day0, day0 + 48 h), SLA 24 h.
        QTest::newRow("open, deadline inside") << Milliseconds(1h) << std::optional<Milliseconds>{} << 1;
        QTest::newRow("open, deadline after the period") << Milliseconds(30h) << std::optional<Milliseconds>{} << 0;
        QTest::newRow("open, deadline before the period") << Milliseconds(-30h) << std::optional<Milliseconds>{} << 0;
        QTest::newRow("deadline exactly at from") << Milliseconds(-24h) << std::optional<Milliseconds>{} << 1;
        QTest::newRow("deadline exactly at to") << Milliseconds(24h) << std::optional<Milliseconds>{} << 0;
        QTest::newRow("resolved at the deadline: no breach")
            << Milliseconds(1h) << std::optional<Milliseconds>{25h} << 0;
        QTest::newRow("resolved 1 ms late") << Milliseconds(1h) << std::optional<Milliseconds>{25h + 1ms} << 1;
    }
    void slaBreaches() {
        QFETCH(Milliseconds, createdOffset);
        QFETCH(std::optional<Milliseconds>, resolvedOffset);
        QFETCH(int, breaches);
        FairUseEvent c = openCase(QStringLiteral("c"), kDay0 + createdOffset);
        if (resolvedOffset) {
            c.resolved = true;
            c.resolvedAt = kDay0 + *resolvedOffset;
        }
        QCOMPARE(casework::slaBreaches({c}, kDay0, kDay0 + 48h, 24h), breaches);
        DashboardInput in;
        in.cases = {c};
        QCOMPARE(computeDashboard(in, kDay0, kDay0 + 48h).slaBreaches, breaches);
    }

    void appeals() {
        DashboardInput in;
        in.appeals = {decidedAppeal(QStringLiteral("a1"), AppealDecision::Upheld, kDay0 + 1h),
                      decidedAppeal(QStringLiteral("a1"), AppealDecision::Upheld, kDay0 + 1h), // duplicate
                      decidedAppeal(QStringLiteral("a2"), AppealDecision::Overturned, kDay0 + 2h),
                      decidedAppeal(QStringLiteral("a3"), AppealDecision::Overturned, kDay0 + 3h),
                      decidedAppeal(QStringLiteral("a4"), AppealDecision::Upheld, kDay0 - 1h)}; // before
        Appeal open;
        open.id = QStringLiteral("a5");
        in.appeals.append(open);
        const DashboardFigures f = computeDashboard(in, kDay0, kDay0 + 24h);
        QCOMPARE(f.appealsUpheld, 1);
        QCOMPARE(f.appealsOverturned, 2);
    }

    void overturnRatePerUsage() {
        DashboardInput in;
        const TimePoint c = kDay0 - 2h;
        in.cases = {
            resolvedCase(QStringLiteral("1"), c, kDay0 + 1h, Outcome::FalsePositive, UsageType::Podcast),
            resolvedCase(QStringLiteral("2"), c, kDay0 + 1h, Outcome::Confirmed, UsageType::Podcast),
            resolvedCase(QStringLiteral("3"), c, kDay0 + 1h, Outcome::NoAction, UsageType::Podcast),
            resolvedCase(QStringLiteral("4"), c, kDay0 + 1h, Outcome::FalsePositive, UsageType::Audiobook),
            resolvedCase(QStringLiteral("5"), c, kDay0 - 1h, Outcome::FalsePositive, UsageType::Commercial), // before
            openCase(QStringLiteral("6"), c, UsageType::Commercial),
        };
        FairUseEvent noClassifier = resolvedCase(QStringLiteral("7"), c, kDay0 + 2h, Outcome::Confirmed);
        noClassifier.classifier.reset();
        in.cases.append(noClassifier);
        FairUseEvent credits = resolvedCase(QStringLiteral("8"), c, kDay0 + 2h, Outcome::FalsePositive);
        credits.freeCreditsExhausted = true;
        in.cases.append(credits);

        const DashboardFigures f = computeDashboard(in, kDay0, kDay0 + 24h);
        QCOMPARE(f.overturnByUsage.size(), 3);
        QCOMPARE(toString(f.overturnByUsage.at(0).usageType), toString(UsageType::Audiobook));
        QCOMPARE(f.overturnByUsage.at(0).rate(), 1.0);
        QCOMPARE(toString(f.overturnByUsage.at(1).usageType), toString(UsageType::Podcast));
        QCOMPARE(f.overturnByUsage.at(1).resolved, 3);
        QCOMPARE(f.overturnByUsage.at(1).falsePositives, 1);
        QCOMPARE(toString(f.overturnByUsage.at(2).usageType), toString(UsageType::Unknown));
        QCOMPARE(f.overturnByUsage.at(2).rate(), 0.0);
    }
};

QTEST_GUILESS_MAIN(DashboardTest)
#include "DashboardTest.moc"
