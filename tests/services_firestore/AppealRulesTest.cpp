// packaging/firestore/firestore.rules on appeals (users/{uid}/fair_use_appeals/{id}), with ID tokens the Firebase Auth
// emulator minted: each hostile commit is refused with PERMISSION_DENIED, then the genuine decision it was altered
// from (what the core and FirestoreCaseStore send) passes.
#include "RequireBackend.h"
#include "RulesSupport.h"

#include "casework/Appeals.h"
#include "firestore/FirestoreAppeals.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;

using fairuse::testing::wait;
using fairuse::testing::why;

class AppealRulesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void aReviewerWithoutTheRoleDecides();
    void aDecisionInAnotherReviewersName();
    void aDecisionWithoutItsRecord();
    void aRecordThatNamesAnotherAppeal();
    void anAppealDecidedTwice();
    void anOverturnRestoresTheStageBefore();

private:
    /** A restricted user with one open appeal `ap1` (contesting the stage in force). */
    QString appealingUser();
    /** The senior's genuine decision on the user's open appeal, as the console would commit it. */
    Genuine decision(const QString& uid, AppealDecision d, const Reviewer& as);
    void refusedThenGenuinePasses(const Actor& sender, const QList<FirestoreWrite>& hostile,
                                  const QList<FirestoreWrite>& genuine);

    RulesProject m_rules;
    Actor m_reviewer;
    Actor m_senior;
    int m_users = 0;
};

void AppealRulesTest::initTestCase() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    REQUIRE_AUTH_EMULATOR();
    QVERIFY(m_rules.create(host, QStringLiteral("appealrules")));
    const testing::AuthEmulator auth;
    auto reviewer =
        signIn(auth, m_rules.host, m_rules.project, QStringLiteral("appeal-rev"), QStringLiteral("reviewer"));
    auto senior =
        signIn(auth, m_rules.host, m_rules.project, QStringLiteral("appeal-lead"), QStringLiteral("senior_reviewer"));
    VERIFY_OK(reviewer);
    VERIFY_OK(senior);
    m_reviewer = *reviewer;
    m_senior = *senior;
}

QString AppealRulesTest::appealingUser() {
    const QString uid = QStringLiteral("appealing%1").arg(++m_users);
    QList<FirestoreWrite> writes = seedUser(uid, Stage::Restrict);
    Appeal a;
    a.uid = uid;
    a.id = QStringLiteral("ap1");
    a.createdAt = actionTime() - std::chrono::hours(3);
    a.message = QStringLiteral("I record the lectures I attend.");
    a.channel = QStringLiteral("app");
    writes.append(FirestoreWrite::set(appealPath(uid, a.id), encodeAppeal(a)));
    auto r = wait(m_rules.owner->commit(writes));
    if (!r) {
        qWarning("seeding %s failed: %s", qPrintable(uid), qPrintable(why(r.error())));
    }
    return uid;
}

Genuine AppealRulesTest::decision(const QString& uid, AppealDecision d, const Reviewer& as) {
    auto state = wait(m_rules.ownerStore->getState(uid));
    auto appeals = wait(m_rules.ownerStore->listAppeals(uid));
    if (!state || !appeals || appeals->isEmpty()) {
        qWarning("reading %s failed", qPrintable(uid));
        return {};
    }
    auto cs =
        casework::buildDecideAppeal(enforcement::Policy::forReview(), *state, appeals->first(), std::nullopt, d,
                                    QStringLiteral("classifier_error"), QStringLiteral("second look"), contextFor(as));
    if (!cs) {
        qWarning("the core refused: %s", qPrintable(why(cs.error())));
        return {};
    }
    auto g = commitFor(*m_rules.owner, *cs);
    if (!g) {
        qWarning("building the commit failed: %s", qPrintable(why(g.error())));
        return {};
    }
    return *g;
}

void AppealRulesTest::refusedThenGenuinePasses(const Actor& sender, const QList<FirestoreWrite>& hostile,
                                               const QList<FirestoreWrite>& genuine) {
    QVERIFY(!hostile.isEmpty());
    auto refused = wait(sender.client->commit(hostile));
    QVERIFY2(!refused.ok(), "the hostile commit passed");
    QVERIFY2(refused.error().kind == ErrorKind::Permission, qPrintable(why(refused.error())));
    auto passed = wait(m_senior.client->commit(genuine));
    QVERIFY2(passed.ok(), qPrintable(passed.ok() ? QString() : why(passed.error())));
}

void AppealRulesTest::aReviewerWithoutTheRoleDecides() {
    const QString uid = appealingUser();
    const Genuine g = decision(uid, AppealDecision::Upheld, m_senior.reviewer);
    QList<FirestoreWrite> hostile = g.writes;
    FirestoreWrite* record = writeTo(hostile, QStringLiteral("fair_use_audit/"));
    FirestoreWrite* appeal = writeTo(hostile, appealPath(uid, QStringLiteral("ap1")));
    QVERIFY(record && appeal);
    setField(record, QStringLiteral("reviewer"), V::string(m_reviewer.reviewer.email));
    setField(record, QStringLiteral("reviewer_uid"), V::string(m_reviewer.reviewer.uid));
    setField(record, QStringLiteral("role"), V::string(QStringLiteral("reviewer")));
    setField(appeal, QStringLiteral("decided_by"), V::string(m_reviewer.reviewer.email));
    refusedThenGenuinePasses(m_reviewer, hostile, g.writes);
}

void AppealRulesTest::aDecisionInAnotherReviewersName() {
    const QString uid = appealingUser();
    const Genuine g = decision(uid, AppealDecision::Upheld, m_senior.reviewer);
    QList<FirestoreWrite> hostile = g.writes;
    FirestoreWrite* appeal = writeTo(hostile, appealPath(uid, QStringLiteral("ap1")));
    QVERIFY(appeal);
    setField(appeal, QStringLiteral("decided_by"), V::string(QStringLiteral("someone.else@example.com")));
    refusedThenGenuinePasses(m_senior, hostile, g.writes);
}

void AppealRulesTest::aDecisionWithoutItsRecord() {
    const QString uid = appealingUser();
    const Genuine g = decision(uid, AppealDecision::Upheld, m_senior.reviewer);
    QList<FirestoreWrite> all = g.writes;
    FirestoreWrite* appeal = writeTo(all, appealPath(uid, QStringLiteral("ap1")));
    QVERIFY(appeal);
    refusedThenGenuinePasses(m_senior, {*appeal}, g.writes);
}

void AppealRulesTest::aRecordThatNamesAnotherAppeal() {
    const QString uid = appealingUser();
    const Genuine g = decision(uid, AppealDecision::Upheld, m_senior.reviewer);
    QList<FirestoreWrite> hostile = g.writes;
    FirestoreWrite* record = writeTo(hostile, QStringLiteral("fair_use_audit/"));
    QVERIFY(record);
    setField(record, QStringLiteral("reason"),
             V::string(QStringLiteral("appeal ap9 upheld: classifier_error: second look")));
    refusedThenGenuinePasses(m_senior, hostile, g.writes);
}

void AppealRulesTest::anAppealDecidedTwice() {
    const QString uid = appealingUser();
    const Genuine first = decision(uid, AppealDecision::Upheld, m_senior.reviewer);
    VERIFY_OK(wait(m_senior.client->commit(first.writes)));
    // A second decision of the decided appeal, at its current version (the core would refuse to build it).
    auto appeals = wait(m_rules.ownerStore->listAppeals(uid));
    auto state = wait(m_rules.ownerStore->getState(uid));
    VERIFY_OK(appeals);
    VERIFY_OK(state);
    Appeal reopened = appeals->first();
    reopened.decision.reset();
    auto cs = casework::buildDecideAppeal(enforcement::Policy::forReview(), *state, reopened, std::nullopt,
                                          AppealDecision::Overturned, QStringLiteral("other"),
                                          QStringLiteral("changed my mind"), contextFor(m_senior.reviewer));
    VERIFY_OK(cs);
    auto g = commitFor(*m_rules.owner, *cs);
    VERIFY_OK(g);
    auto refused = wait(m_senior.client->commit(g->writes));
    QVERIFY2(!refused.ok(), "a second decision passed");
    QCOMPARE(refused.error().kind, ErrorKind::Permission);
}

void AppealRulesTest::anOverturnRestoresTheStageBefore() {
    const QString uid = appealingUser();
    const Genuine g = decision(uid, AppealDecision::Overturned, m_senior.reviewer);
    // The hostile commit writes a stage other than the one its record names.
    QList<FirestoreWrite> hostile = g.writes;
    FirestoreWrite* state = writeTo(hostile, FirestoreCaseStore::statePath(uid));
    QVERIFY(state);
    setField(state, QStringLiteral("stage"), V::string(QStringLiteral("none")));
    refusedThenGenuinePasses(m_senior, hostile, g.writes);
    auto stored = wait(m_rules.ownerStore->getState(uid));
    VERIFY_OK(stored);
    QCOMPARE(toString(stored->stage), QStringLiteral("throttle"));
}

QTEST_GUILESS_MAIN(AppealRulesTest)
#include "AppealRulesTest.moc"
