#pragma once
// The claim contract of CaseStore, one body for every implementation: claims are taken, taken over and released in
// one commit with their audit record; a stale claim is a conflict; renewing changes only the holder's lease; a
// decision releases the decider's own claim and never replaces the case's own preconditions.

#include "ConformanceSupport.h"

#include "casework/Claims.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"

#include <QObject>

namespace fairuse::conformance {

class ClaimConformance : public QObject, SuiteSubject<CaseStoreSubject> {
    Q_OBJECT
public:
    using SuiteSubject::SuiteSubject;

private:
    static Reviewer ana() { return Reviewer{QStringLiteral("ana@example.com"), Role::Reviewer, QStringLiteral("ana")}; }
    static Reviewer ben() { return Reviewer{QStringLiteral("ben@example.com"), Role::Reviewer, QStringLiteral("ben")}; }
    static TimePoint t0() { return at("2026-03-20T12:00:00Z"); }

    static enforcement::ActionContext as(const Reviewer& r, TimePoint now) {
        enforcement::ActionContext ctx;
        ctx.reviewer = r;
        ctx.now = now;
        ctx.clientVersion = QStringLiteral("conformance");
        return ctx;
    }

    Result<std::optional<CaseClaim>> claimOf(const QString& uid) { return wait(store().getClaim(uid)); }

    /** `who` claims alice's case at `now` from what the store holds now. */
    Result<CommitResult> claim(const Reviewer& who, TimePoint now) {
        auto state = wait(store().getState(QStringLiteral("alice")));
        if (!state) {
            return state.error();
        }
        auto current = claimOf(QStringLiteral("alice"));
        if (!current) {
            return current.error();
        }
        auto cs = casework::buildClaim(*state, *current, as(who, now));
        if (!cs) {
            return cs.error();
        }
        return wait(store().apply(*cs));
    }

    /** `who` resolves alice's open case as confirmed at `now`, from the state and case read before. */
    Result<ChangeSet> resolution(const Reviewer& who, TimePoint now) {
        auto state = wait(store().getState(QStringLiteral("alice")));
        auto events = wait(store().listEvents(QStringLiteral("alice")));
        auto current = claimOf(QStringLiteral("alice"));
        if (!state || !events || !current) {
            return Error::internal(QStringLiteral("reading alice failed"));
        }
        auto cs =
            enforcement::buildResolve(enforcement::Policy::forReview(), *state, events->first(), Outcome::Confirmed,
                                      QStringLiteral("media_confirmed"), QString(), false, as(who, now));
        if (cs) {
            casework::releaseOnDecision(*cs, *current, who, now);
        }
        return cs;
    }

    int auditCount(AuditAction action) {
        services::AuditFilter f;
        f.action = action;
        f.limit = 0;
        auto records = wait(store().listAudit(f));
        return records ? int(records->size()) : -1;
    }

private Q_SLOTS:
    void init() {
        CONFORM_OK(renewSubject());
        CONFORM_OK(m_subject.seed(standardPopulation()));
    }
    void cleanup() { m_subject = {}; }

    void claimIsStoredWithItsRecord() {
        auto none = claimOf(QStringLiteral("alice"));
        CONFORM_OK(none);
        QVERIFY(!none->has_value());
        auto r = claim(ana(), t0());
        CONFORM_OK(r);
        QVERIFY(!r->claimVersion.isEmpty());
        QCOMPARE(toString(r->audit.action), QStringLiteral("claim"));
        QCOMPARE(r->audit.reviewer, ana().email);
        auto c = claimOf(QStringLiteral("alice"));
        CONFORM_OK(c);
        QVERIFY(c->has_value());
        QCOMPARE((*c)->reviewer, ana().email);
        QCOMPARE((*c)->reviewerUid, ana().uid);
        QCOMPARE((*c)->claimedAt, t0());
        QCOMPARE((*c)->expiresAt, t0() + casework::kClaimLease);
        QCOMPARE((*c)->version, r->claimVersion);
        QCOMPARE(auditCount(AuditAction::Claim), 1);
    }

    void liveClaimsLeaveOutTheExpired() {
        CONFORM_OK(claim(ana(), t0()));
        auto live = wait(store().listLiveClaims(t0() + std::chrono::minutes(5)));
        CONFORM_OK(live);
        QCOMPARE(live->size(), 1);
        QCOMPARE(live->first().uid, QStringLiteral("alice"));
        auto later = wait(store().listLiveClaims(t0() + casework::kClaimLease + std::chrono::seconds(1)));
        CONFORM_OK(later);
        QVERIFY(later->isEmpty());
    }

    /** Two consoles read "unclaimed" at once: the second commit finds the claim changed and writes nothing. */
    void aClaimFromAStaleReadConflicts() {
        auto state = wait(store().getState(QStringLiteral("alice")));
        CONFORM_OK(state);
        auto anaClaim = casework::buildClaim(*state, std::nullopt, as(ana(), t0()));
        auto benClaim = casework::buildClaim(*state, std::nullopt, as(ben(), t0()));
        CONFORM_OK(anaClaim);
        CONFORM_OK(benClaim);
        CONFORM_OK(wait(store().apply(*anaClaim)));
        auto second = wait(store().apply(*benClaim));
        QVERIFY(!second.ok());
        QCOMPARE(second.error().kind, ErrorKind::Conflict);
        auto c = claimOf(QStringLiteral("alice"));
        CONFORM_OK(c);
        QCOMPARE((*c)->reviewer, ana().email);
        QCOMPARE(auditCount(AuditAction::Claim), 1);
    }

    void aLiveClaimOfSomeoneElseIsRefusedByTheCore() {
        CONFORM_OK(claim(ana(), t0()));
        auto r = claim(ben(), t0() + std::chrono::minutes(1));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Conflict);
        QVERIFY2(r.error().message.contains(QStringLiteral("being reviewed by ana@example.com since 12:00")),
                 qPrintable(r.error().message));
    }

    void anExpiredClaimCanBeClaimed() {
        CONFORM_OK(claim(ana(), t0()));
        auto r = claim(ben(), t0() + casework::kClaimLease + std::chrono::minutes(1));
        CONFORM_OK(r);
        auto c = claimOf(QStringLiteral("alice"));
        CONFORM_OK(c);
        QCOMPARE((*c)->reviewer, ben().email);
    }

    void aSeniorTakesOverWithARecord() {
        CONFORM_OK(claim(ana(), t0()));
        auto before = claimOf(QStringLiteral("alice"));
        CONFORM_OK(before);
        auto state = wait(store().getState(QStringLiteral("alice")));
        CONFORM_OK(state);
        const TimePoint later = t0() + std::chrono::minutes(3);
        auto notSenior = casework::buildTakeOver(*state, *before, QStringLiteral("ana is away"), as(ben(), later));
        QVERIFY(!notSenior.ok());
        QCOMPARE(notSenior.error().kind, ErrorKind::Permission);
        auto cs = casework::buildTakeOver(*state, *before, QStringLiteral("ana is away"), as(actingReviewer(), later));
        CONFORM_OK(cs);
        auto r = wait(store().apply(*cs));
        CONFORM_OK(r);
        QCOMPARE(toString(r->audit.action), QStringLiteral("take_over_claim"));
        QVERIFY(r->audit.reason.contains(ana().email));
        auto after = claimOf(QStringLiteral("alice"));
        CONFORM_OK(after);
        QCOMPARE((*after)->reviewer, actingReviewer().email);
        // ana's console still holds the old claim: renewing it is a conflict, not a silent take-back.
        auto renewal = casework::renewed(*before, ana(), later);
        CONFORM_OK(renewal);
        auto renewed = wait(store().renewClaim(*renewal));
        QVERIFY(!renewed.ok());
        QCOMPARE(renewed.error().kind, ErrorKind::Conflict);
    }

    void renewingMovesOnlyTheEnd() {
        CONFORM_OK(claim(ana(), t0()));
        auto c = claimOf(QStringLiteral("alice"));
        CONFORM_OK(c);
        const TimePoint later = t0() + std::chrono::minutes(10);
        auto renewal = casework::renewed(*c, ana(), later);
        CONFORM_OK(renewal);
        auto stored = wait(store().renewClaim(*renewal));
        CONFORM_OK(stored);
        QVERIFY(stored->version != (*c)->version);
        auto again = claimOf(QStringLiteral("alice"));
        CONFORM_OK(again);
        QCOMPARE((*again)->expiresAt, later + casework::kClaimLease);
        QCOMPARE((*again)->claimedAt, t0());
        QCOMPARE((*again)->version, stored->version);
        // The version renewed from is gone.
        auto stale = wait(store().renewClaim(*renewal));
        QVERIFY(!stale.ok());
        QCOMPARE(stale.error().kind, ErrorKind::Conflict);
        QCOMPARE(auditCount(AuditAction::Claim), 1);
    }

    void aDecisionReleasesTheDecidersClaim() {
        CONFORM_OK(claim(ana(), t0()));
        auto cs = resolution(ana(), t0() + std::chrono::minutes(2));
        CONFORM_OK(cs);
        QVERIFY(cs->claimChange.has_value());
        auto r = wait(store().apply(*cs));
        CONFORM_OK(r);
        auto c = claimOf(QStringLiteral("alice"));
        CONFORM_OK(c);
        QVERIFY(!c->has_value());
    }

    /** A claim warns; it does not replace the preconditions: ben may still decide, and ana's decision from the
     *  versions she read before is then a conflict. */
    void aClaimNeverReplacesThePreconditions() {
        CONFORM_OK(claim(ana(), t0()));
        auto anas = resolution(ana(), t0() + std::chrono::minutes(1));
        auto bens = resolution(ben(), t0() + std::chrono::minutes(1));
        CONFORM_OK(anas);
        CONFORM_OK(bens);
        QVERIFY(!bens->claimChange.has_value());
        CONFORM_OK(wait(store().apply(*bens)));
        auto c = claimOf(QStringLiteral("alice"));
        CONFORM_OK(c);
        QCOMPARE((*c)->reviewer, ana().email);
        auto second = wait(store().apply(*anas));
        QVERIFY(!second.ok());
        QCOMPARE(second.error().kind, ErrorKind::Conflict);
    }

    void releaseDeletesTheClaim() {
        CONFORM_OK(claim(ana(), t0()));
        auto state = wait(store().getState(QStringLiteral("alice")));
        auto c = claimOf(QStringLiteral("alice"));
        CONFORM_OK(state);
        CONFORM_OK(c);
        auto notMine = casework::buildRelease(*state, *c, as(ben(), t0()));
        QVERIFY(!notMine.ok());
        QCOMPARE(notMine.error().kind, ErrorKind::Conflict);
        auto cs = casework::buildRelease(*state, *c, as(ana(), t0() + std::chrono::minutes(1)));
        CONFORM_OK(cs);
        auto r = wait(store().apply(*cs));
        CONFORM_OK(r);
        QCOMPARE(toString(r->audit.action), QStringLiteral("release_claim"));
        auto after = claimOf(QStringLiteral("alice"));
        CONFORM_OK(after);
        QVERIFY(!after->has_value());
        // Releasing again from the same read: the claim is gone, so the commit conflicts.
        auto again = wait(store().apply(*cs));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().kind, ErrorKind::Conflict);
    }
};

} // namespace fairuse::conformance
