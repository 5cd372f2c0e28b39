// Claims (core/casework/Claims.h): who holds a case at a time, the builders' roles and errors, lease bounds, and
// the release a decision carries. The stores' side is tests/conformance/ClaimConformance.h.

#include "casework/Claims.h"

#include "CaseworkTestSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::casework;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = parseRfc3339(QStringLiteral("2026-03-20T12:00:00Z")).value();

using testing::ana;
using testing::ben;
using testing::sam;

enforcement::ActionContext as(const Reviewer& r, TimePoint now = kT0) {
    return testing::actingAs(r, now);
}

FairUseState alice() {
    FairUseState s;
    s.uid = QStringLiteral("alice");
    s.stage = Stage::Restrict;
    s.version = QStringLiteral("v7");
    return s;
}

CaseClaim heldBy(const Reviewer& r, TimePoint since = kT0, std::chrono::seconds lease = kClaimLease) {
    CaseClaim c;
    c.uid = QStringLiteral("alice");
    c.reviewer = r.email;
    c.reviewerUid = r.uid;
    c.claimedAt = since;
    c.expiresAt = since + lease;
    c.version = QStringLiteral("c1");
    return c;
}

} // namespace

class ClaimsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void holder_data() {
        QTest::addColumn<bool>("claimed");
        QTest::addColumn<QString>("holder");
        QTest::addColumn<int>("minutesLater");
        QTest::addColumn<int>("expected");
        QTest::newRow("no claim") << false << QString() << 0 << int(ClaimHolder::Nobody);
        QTest::newRow("mine") << true << QStringLiteral("ana") << 1 << int(ClaimHolder::Me);
        QTest::newRow("someone else's") << true << QStringLiteral("ben") << 1 << int(ClaimHolder::SomeoneElse);
        QTest::newRow("mine, last second") << true << QStringLiteral("ana") << 14 << int(ClaimHolder::Me);
        QTest::newRow("run out exactly") << true << QStringLiteral("ben") << 15 << int(ClaimHolder::Nobody);
        QTest::newRow("run out") << true << QStringLiteral("ben") << 60 << int(ClaimHolder::Nobody);
    }
    void holder() {
        QFETCH(bool, claimed);
        QFETCH(QString, holder);
        QFETCH(int, minutesLater);
        QFETCH(int, expected);
        std::optional<CaseClaim> c;
        if (claimed) {
            c = heldBy(holder == QLatin1String("ana") ? ana() : ben());
        }
        QCOMPARE(int(holderOf(c, ana(), kT0 + std::chrono::minutes(minutesLater))), expected);
    }

    /** Without a uid on either side (the embedded demo's identity), the e-mail decides, in any case. */
    void holderByEmailWithoutUid() {
        CaseClaim c = heldBy(ana());
        c.reviewerUid.clear();
        Reviewer me = ana();
        me.email = QStringLiteral("Ana@Example.com");
        QCOMPARE(int(holderOf(c, me, kT0)), int(ClaimHolder::Me));
    }

    void claimWritesClaimAndRecord() {
        FairUseState s = alice();
        enforcement::ActionContext ctx = as(ana());
        ctx.caseRef = QStringLiteral("FU-0A1B2C3D4E5F");
        auto cs = buildClaim(s, std::nullopt, ctx);
        QVERIFY(cs.ok());
        QVERIFY(cs->claimChange.has_value());
        QVERIFY(cs->claimChange->claim.has_value());
        QVERIFY(!cs->claimChange->release);
        QCOMPARE(cs->claimChange->expectedVersion, QString());
        QCOMPARE(cs->claimChange->claim->reviewer, ana().email);
        QCOMPARE(cs->claimChange->claim->reviewerUid, ana().uid);
        QCOMPARE(cs->claimChange->claim->expiresAt, kT0 + kClaimLease);
        QVERIFY(!cs->newState.has_value());
        QVERIFY(!cs->checkStateVersion);
        QCOMPARE(toString(cs->audit.action), QStringLiteral("claim"));
        QCOMPARE(cs->audit.caseRef, QStringLiteral("FU-0A1B2C3D4E5F"));
        QCOMPARE(cs->audit.stageBefore, std::optional<Stage>(Stage::Restrict));
        QCOMPARE(cs->audit.stageAfter, std::optional<Stage>(Stage::Restrict));
    }

    void claimAfterALapsedClaimExpectsItsVersion() {
        auto cs = buildClaim(alice(), heldBy(ben()), as(ana(), kT0 + 20min));
        QVERIFY(cs.ok());
        QCOMPARE(cs->claimChange->expectedVersion, QStringLiteral("c1"));
    }

    void leaseIsBounded_data() {
        QTest::addColumn<int>("leaseSeconds");
        QTest::addColumn<int>("expectedSeconds");
        QTest::newRow("default") << 900 << 900;
        QTest::newRow("short") << 60 << 60;
        QTest::newRow("too long") << 7200 << 1800;
        QTest::newRow("zero") << 0 << 900;
        QTest::newRow("negative") << -5 << 900;
    }
    void leaseIsBounded() {
        QFETCH(int, leaseSeconds);
        QFETCH(int, expectedSeconds);
        auto cs = buildClaim(alice(), std::nullopt, as(ana()), std::chrono::seconds(leaseSeconds));
        QVERIFY(cs.ok());
        QCOMPARE(cs->claimChange->claim->expiresAt, kT0 + std::chrono::seconds(expectedSeconds));
    }

    void claimErrors() {
        auto mine = buildClaim(alice(), heldBy(ana()), as(ana(), kT0 + 1min));
        QVERIFY(!mine.ok());
        QCOMPARE(mine.error().kind, ErrorKind::Conflict);
        QVERIFY(mine.error().message.contains(QStringLiteral("renew")));

        auto others = buildClaim(alice(), heldBy(ben()), as(ana(), kT0 + 1min));
        QVERIFY(!others.ok());
        QCOMPARE(others.error().kind, ErrorKind::Conflict);
        QVERIFY2(others.error().message.contains(QStringLiteral("being reviewed by ben@example.com since 12:00")),
                 qPrintable(others.error().message));

        Reviewer nobody = ana();
        nobody.email.clear();
        auto anonymous = buildClaim(alice(), std::nullopt, as(nobody));
        QVERIFY(!anonymous.ok());
        QCOMPARE(anonymous.error().kind, ErrorKind::Invalid);
    }

    void takeOver() {
        auto byReviewer = buildTakeOver(alice(), heldBy(ben()), QStringLiteral("ben left"), as(ana(), kT0 + 1min));
        QVERIFY(!byReviewer.ok());
        QCOMPARE(byReviewer.error().kind, ErrorKind::Permission);
        QVERIFY(byReviewer.error().message.contains(QStringLiteral("senior_reviewer")));

        auto noReason = buildTakeOver(alice(), heldBy(ben()), QStringLiteral("  "), as(sam(), kT0 + 1min));
        QVERIFY(!noReason.ok());
        QCOMPARE(noReason.error().kind, ErrorKind::Invalid);

        auto nobodyHolds = buildTakeOver(alice(), heldBy(ben()), QStringLiteral("x"), as(sam(), kT0 + 30min));
        QVERIFY(!nobodyHolds.ok());
        QCOMPARE(nobodyHolds.error().kind, ErrorKind::Conflict);

        auto ok = buildTakeOver(alice(), heldBy(ben()), QStringLiteral("ben left"), as(sam(), kT0 + 1min));
        QVERIFY(ok.ok());
        QCOMPARE(toString(ok->audit.action), QStringLiteral("take_over_claim"));
        QCOMPARE(ok->audit.reason, QStringLiteral("from ben@example.com: ben left"));
        QCOMPARE(ok->claimChange->expectedVersion, QStringLiteral("c1"));
        QCOMPARE(ok->claimChange->claim->reviewer, sam().email);
        QCOMPARE(ok->claimChange->claim->claimedAt, kT0 + 1min);
    }

    void release() {
        auto none = buildRelease(alice(), std::nullopt, as(ana()));
        QVERIFY(!none.ok());
        QCOMPARE(none.error().kind, ErrorKind::Invalid);
        auto notMine = buildRelease(alice(), heldBy(ben()), as(ana()));
        QVERIFY(!notMine.ok());
        QCOMPARE(notMine.error().kind, ErrorKind::Conflict);
        auto mine = buildRelease(alice(), heldBy(ana()), as(ana(), kT0 + 5min));
        QVERIFY(mine.ok());
        QVERIFY(mine->claimChange->release);
        QVERIFY(!mine->claimChange->claim.has_value());
        QCOMPARE(mine->claimChange->expectedVersion, QStringLiteral("c1"));
        QCOMPARE(toString(mine->audit.action), QStringLiteral("release_claim"));
    }

    void renewal() {
        auto r = renewed(heldBy(ana()), ana(), kT0 + 10min);
        QVERIFY(r.ok());
        QCOMPARE(r->expiresAt, kT0 + 10min + kClaimLease);
        QCOMPARE(r->claimedAt, kT0);
        QCOMPARE(r->version, QStringLiteral("c1"));
        // Renewing early never shortens the lease.
        auto early = renewed(heldBy(ana(), kT0, 30min), ana(), kT0 + 1min);
        QVERIFY(early.ok());
        QCOMPARE(early->expiresAt, kT0 + 30min);

        auto lapsed = renewed(heldBy(ana()), ana(), kT0 + 16min);
        QVERIFY(!lapsed.ok());
        QCOMPARE(lapsed.error().kind, ErrorKind::Conflict);
        auto taken = renewed(heldBy(ben()), ana(), kT0 + 1min);
        QVERIFY(!taken.ok());
        QVERIFY(taken.error().message.contains(QStringLiteral("ben@example.com")));
        auto gone = renewed(std::nullopt, ana(), kT0);
        QVERIFY(!gone.ok());
    }

    void aDecisionReleasesOnlyTheDecidersClaim() {
        ChangeSet decision;
        releaseOnDecision(decision, heldBy(ben()), ana(), kT0 + 1min);
        QVERIFY(!decision.claimChange.has_value());
        releaseOnDecision(decision, heldBy(ana()), ana(), kT0 + 20min); // run out: nothing to release
        QVERIFY(!decision.claimChange.has_value());
        releaseOnDecision(decision, std::nullopt, ana(), kT0);
        QVERIFY(!decision.claimChange.has_value());
        releaseOnDecision(decision, heldBy(ana()), ana(), kT0 + 1min);
        QVERIFY(decision.claimChange.has_value());
        QVERIFY(decision.claimChange->release);
        QCOMPARE(decision.claimChange->expectedVersion, QStringLiteral("c1"));
    }

    void rolesOfTheClaimActions() {
        QCOMPARE(toString(enforcement::roleNeeded(AuditAction::Claim, Stage::Restrict, Stage::Restrict)),
                 toString(Role::Reviewer));
        QCOMPARE(toString(enforcement::roleNeeded(AuditAction::ReleaseClaim, Stage::Warning, Stage::Warning)),
                 toString(Role::Reviewer));
        QCOMPARE(toString(enforcement::roleNeeded(AuditAction::TakeOverClaim, Stage::None, Stage::None)),
                 toString(Role::SeniorReviewer));
        for (const char* name : {"claim", "take_over_claim", "release_claim"}) {
            const auto a = auditActionFromString(QString::fromLatin1(name));
            QVERIFY(a.has_value());
            QCOMPARE(toString(*a), QString::fromLatin1(name));
        }
    }
};

QTEST_APPLESS_MAIN(ClaimsTest)
#include "ClaimsTest.moc"
