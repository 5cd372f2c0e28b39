// packaging/firestore/firestore.rules on claims (fair_use_claims/{uid}), with ID tokens the Firebase Auth emulator
// minted. Each test sends a hostile commit first, which must be refused with PERMISSION_DENIED, then the genuine
// commit it was altered from (what the core and FirestoreCaseStore send), which must pass: the refusal is the
// alteration's doing. Claims are taken at the wall clock, since the rules compare leases with request.time.
#include "RequireBackend.h"
#include "RulesSupport.h"

#include "casework/Claims.h"
#include "firestore/FirestoreClaims.h"

#include <QDateTime>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;

namespace {

TimePoint wallClock() {
    return fromUnixMs(QDateTime::currentMSecsSinceEpoch());
}

enforcement::ActionContext now(const Reviewer& r) {
    enforcement::ActionContext ctx = contextFor(r);
    ctx.now = wallClock();
    return ctx;
}

FirestoreWrite* claimWrite(QList<FirestoreWrite>& w) {
    return writeTo(w, QStringLiteral("fair_use_claims/"));
}

} // namespace

class ClaimRulesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void aClaimInAnotherReviewersName();
    void aClaimWithAnotherReviewersUid();
    void aClaimWithoutItsRecord();
    void aLeaseLongerThanThirtyMinutes();
    void aReviewerTakesOverALiveClaim();
    void aClaimOverSomeoneElsesLiveClaim();
    void aRenewalThatChangesTheHolder();
    void aRenewalBySomeoneElse();
    void deletingSomeoneElsesLiveClaim();
    void aBareDeleteWithoutARecord();

private:
    QString freshUser();
    /** The user's state and stored claim, read with the owner's access. */
    std::pair<FairUseState, std::optional<CaseClaim>> read(const QString& uid);
    /** Sends `hostile` as `sender` (must be refused), then `genuine` as `owner` (must pass). */
    void refusedThenGenuinePasses(const Actor& sender, const QList<FirestoreWrite>& hostile, const Actor& owner,
                                  const QList<FirestoreWrite>& genuine);
    QList<FirestoreWrite> writesOf(const ChangeSet& change);
    /** The genuine commit of `who` claiming the case of `uid` now. */
    QList<FirestoreWrite> claimCommit(const Actor& who, const QString& uid);
    /** A fresh user whose case `who` claimed (committed). */
    QString claimedBy(const Actor& who);

    RulesProject m_rules;
    Actor m_reviewer;
    Actor m_other;
    Actor m_senior;
    int m_users = 0;
};

void ClaimRulesTest::initTestCase() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    REQUIRE_AUTH_EMULATOR();
    QVERIFY(m_rules.create(host, QStringLiteral("claimrules")));
    const testing::AuthEmulator auth;
    auto reviewer = signIn(auth, m_rules.host, m_rules.project, QStringLiteral("claimer"), QStringLiteral("reviewer"));
    auto other = signIn(auth, m_rules.host, m_rules.project, QStringLiteral("colleague"), QStringLiteral("reviewer"));
    auto senior =
        signIn(auth, m_rules.host, m_rules.project, QStringLiteral("lead"), QStringLiteral("senior_reviewer"));
    VERIFY_OK(reviewer);
    VERIFY_OK(other);
    VERIFY_OK(senior);
    m_reviewer = *reviewer;
    m_other = *other;
    m_senior = *senior;
}

QString ClaimRulesTest::freshUser() {
    const QString uid = QStringLiteral("claimed%1").arg(++m_users);
    auto r = wait(m_rules.owner->commit(seedUser(uid, Stage::Restrict)));
    if (!r) {
        qWarning("seeding %s failed: %s", qPrintable(uid), qPrintable(why(r.error())));
    }
    return uid;
}

std::pair<FairUseState, std::optional<CaseClaim>> ClaimRulesTest::read(const QString& uid) {
    auto state = wait(m_rules.ownerStore->getState(uid));
    auto claim = wait(m_rules.ownerStore->getClaim(uid));
    if (!state || !claim) {
        qWarning("reading %s failed", qPrintable(uid));
        return {};
    }
    return {*state, *claim};
}

QList<FirestoreWrite> ClaimRulesTest::writesOf(const ChangeSet& change) {
    auto g = commitFor(*m_rules.owner, change);
    if (!g) {
        qWarning("building the commit failed: %s", qPrintable(why(g.error())));
        return {};
    }
    return g->writes;
}

void ClaimRulesTest::refusedThenGenuinePasses(const Actor& sender, const QList<FirestoreWrite>& hostile,
                                              const Actor& owner, const QList<FirestoreWrite>& genuine) {
    QVERIFY(!hostile.isEmpty());
    auto refused = wait(sender.client->commit(hostile));
    QVERIFY2(!refused.ok(), "the hostile commit passed");
    QVERIFY2(refused.error().kind == ErrorKind::Permission, qPrintable(why(refused.error())));
    auto passed = wait(owner.client->commit(genuine));
    QVERIFY2(passed.ok(), qPrintable(passed.ok() ? QString() : why(passed.error())));
}

QList<FirestoreWrite> ClaimRulesTest::claimCommit(const Actor& who, const QString& uid) {
    const auto [state, claim] = read(uid);
    auto cs = casework::buildClaim(state, claim, now(who.reviewer));
    if (!cs) {
        qWarning("the core refused the claim: %s", qPrintable(why(cs.error())));
        return {};
    }
    return writesOf(*cs);
}

QString ClaimRulesTest::claimedBy(const Actor& who) {
    const QString uid = freshUser();
    auto r = wait(who.client->commit(claimCommit(who, uid)));
    if (!r) {
        qWarning("the genuine claim failed: %s", qPrintable(why(r.error())));
    }
    return uid;
}

void ClaimRulesTest::aClaimInAnotherReviewersName() {
    const QList<FirestoreWrite> genuine = claimCommit(m_reviewer, freshUser());
    QList<FirestoreWrite> hostile = genuine;
    setField(claimWrite(hostile), QStringLiteral("reviewer"), V::string(m_other.reviewer.email));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void ClaimRulesTest::aClaimWithAnotherReviewersUid() {
    const QList<FirestoreWrite> genuine = claimCommit(m_reviewer, freshUser());
    QList<FirestoreWrite> hostile = genuine;
    setField(claimWrite(hostile), QStringLiteral("reviewer_uid"), V::string(m_other.reviewer.uid));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void ClaimRulesTest::aClaimWithoutItsRecord() {
    const QList<FirestoreWrite> genuine = claimCommit(m_reviewer, freshUser());
    QList<FirestoreWrite> all = genuine;
    QVERIFY(claimWrite(all));
    const QList<FirestoreWrite> hostile{*claimWrite(all)}; // the claim alone: no record, no head
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void ClaimRulesTest::aLeaseLongerThanThirtyMinutes() {
    const QList<FirestoreWrite> genuine = claimCommit(m_reviewer, freshUser());
    QList<FirestoreWrite> hostile = genuine;
    setField(claimWrite(hostile), QStringLiteral("expires_at"), V::timestamp(wallClock() + std::chrono::hours(2)));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void ClaimRulesTest::aReviewerTakesOverALiveClaim() {
    const QString uid = claimedBy(m_other);
    QVERIFY(read(uid).second.has_value());
    const auto [state, claim] = read(uid);
    // The core refuses a reviewer's take-over; a client that sends one anyway builds it as a senior would.
    QCOMPARE(casework::buildTakeOver(state, claim, QStringLiteral("mine now"), now(m_reviewer.reviewer)).error().kind,
             ErrorKind::Permission);
    auto cs = casework::buildTakeOver(state, claim, QStringLiteral("colleague is away"), now(m_senior.reviewer));
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    FirestoreWrite* record = writeTo(hostile, QStringLiteral("fair_use_audit/"));
    QVERIFY(record);
    setField(record, QStringLiteral("reviewer"), V::string(m_reviewer.reviewer.email));
    setField(record, QStringLiteral("reviewer_uid"), V::string(m_reviewer.reviewer.uid));
    setField(record, QStringLiteral("role"), V::string(QStringLiteral("reviewer")));
    setField(claimWrite(hostile), QStringLiteral("reviewer"), V::string(m_reviewer.reviewer.email));
    setField(claimWrite(hostile), QStringLiteral("reviewer_uid"), V::string(m_reviewer.reviewer.uid));
    refusedThenGenuinePasses(m_reviewer, hostile, m_senior, genuine);
}

void ClaimRulesTest::aClaimOverSomeoneElsesLiveClaim() {
    const QString uid = claimedBy(m_other);
    QVERIFY(read(uid).second.has_value());
    const auto [state, claim] = read(uid);
    // A plain `claim` record over a live claim, with the precondition of the claim it replaces.
    auto lapsed = claim;
    QVERIFY(lapsed.has_value());
    lapsed->expiresAt = wallClock() - std::chrono::minutes(1);
    auto cs = casework::buildClaim(state, lapsed, now(m_reviewer.reviewer));
    VERIFY_OK(cs);
    auto refused = wait(m_reviewer.client->commit(writesOf(*cs)));
    QVERIFY2(!refused.ok(), "a claim over a live claim passed");
    QCOMPARE(refused.error().kind, ErrorKind::Permission);
    auto stored = read(uid).second;
    QCOMPARE(stored->reviewer, m_other.reviewer.email);
}

void ClaimRulesTest::aRenewalThatChangesTheHolder() {
    const QString uid = claimedBy(m_reviewer);
    const auto stored = read(uid).second;
    auto renewed = casework::renewed(stored, m_reviewer.reviewer, wallClock() + std::chrono::minutes(1));
    VERIFY_OK(renewed);
    const QList<FirestoreWrite> genuine{
        FirestoreWrite::update(claimPath(uid), {{QStringLiteral("expires_at"), V::timestamp(renewed->expiresAt)}},
                               {QStringLiteral("expires_at")}, Precondition::version(stored->version))};
    QList<FirestoreWrite> hostile = genuine;
    setField(&hostile.first(), QStringLiteral("reviewer"), V::string(m_other.reviewer.email));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void ClaimRulesTest::aRenewalBySomeoneElse() {
    const QString uid = claimedBy(m_reviewer);
    const auto stored = read(uid).second;
    const QList<FirestoreWrite> genuine{FirestoreWrite::update(
        claimPath(uid), {{QStringLiteral("expires_at"), V::timestamp(wallClock() + std::chrono::minutes(20))}},
        {QStringLiteral("expires_at")}, Precondition::version(stored->version))};
    refusedThenGenuinePasses(m_other, genuine, m_reviewer, genuine);
}

void ClaimRulesTest::deletingSomeoneElsesLiveClaim() {
    const QString uid = claimedBy(m_reviewer);
    const auto [stateNow, stored] = read(uid);
    auto release = casework::buildRelease(stateNow, stored, now(m_reviewer.reviewer));
    VERIFY_OK(release);
    const QList<FirestoreWrite> genuine = writesOf(*release);
    // The colleague sends the same release in their own name.
    ChangeSet theirs = *release;
    theirs.audit.reviewer = m_other.reviewer.email;
    theirs.audit.reviewerUid = m_other.reviewer.uid;
    refusedThenGenuinePasses(m_other, writesOf(theirs), m_reviewer, genuine);
    QVERIFY(!read(uid).second.has_value());
}

void ClaimRulesTest::aBareDeleteWithoutARecord() {
    const QString uid = claimedBy(m_reviewer);
    const auto [stateNow, stored] = read(uid);
    auto release = casework::buildRelease(stateNow, stored, now(m_reviewer.reviewer));
    VERIFY_OK(release);
    const QList<FirestoreWrite> genuine = writesOf(*release);
    const QList<FirestoreWrite> hostile{FirestoreWrite::remove(claimPath(uid), Precondition::version(stored->version))};
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

QTEST_GUILESS_MAIN(ClaimRulesTest)
#include "ClaimRulesTest.moc"
