// packaging/firestore/firestore.rules on pinned notes (users/{uid}/fair_use_notes/{id}) and casework
// (fair_use_casework/{uid}: escalation, snooze), with ID tokens the Firebase Auth emulator minted. Each test sends a
// hostile commit first, which must be refused with PERMISSION_DENIED, then the genuine commit it was altered from
// (what the core and FirestoreCaseStore send), which must pass: the refusal is the alteration's doing. Actions are
// taken at the wall clock, since the rules compare a snooze's end with request.time.
#include "RequireBackend.h"
#include "RulesSupport.h"

#include "casework/Casework.h"
#include "enforcement/Policy.h"
#include "firestore/FirestoreCasework.h"

#include <QDateTime>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;
using namespace std::chrono_literals;

namespace {

TimePoint wallClock() {
    return fromUnixMs(QDateTime::currentMSecsSinceEpoch());
}

enforcement::ActionContext now(const Reviewer& r) {
    enforcement::ActionContext ctx = contextFor(r);
    ctx.now = wallClock();
    return ctx;
}

FirestoreWrite* noteWrite(QList<FirestoreWrite>& w) {
    for (auto& write : w) {
        if (write.path.contains(QStringLiteral("/fair_use_notes/"))) {
            return &write;
        }
    }
    return nullptr;
}

FirestoreWrite* caseworkWrite(QList<FirestoreWrite>& w) {
    return writeTo(w, QStringLiteral("fair_use_casework/"));
}

/** The same change sent in `who`'s name: the record and the document's actor fields re-stamped. */
ChangeSet restamped(ChangeSet cs, const Reviewer& who) {
    cs.audit.reviewer = who.email;
    cs.audit.reviewerUid = who.uid;
    cs.audit.role = who.role;
    if (cs.noteChange) {
        cs.noteChange->note.unpinnedBy = who.email;
    }
    if (cs.caseworkChange && cs.caseworkChange->casework) {
        Casework& c = *cs.caseworkChange->casework;
        if (c.escalated()) {
            c.escalatedBy = who.email;
            c.escalatedByUid = who.uid;
        }
    }
    return cs;
}

} // namespace

class CaseworkRulesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void aNoteInSomeoneElsesName();
    void aNoteWithAnotherAuthorUid();
    void aPinnedNoteWithoutItsRecord();
    void aNoteWhoseTextIsNotItsRecords();
    void aReviewerUnpinsSomeoneElsesNote();
    void anUnpinThatRewritesTheText();
    void anEscalationInAnotherReviewersName();
    void anEscalationWithAnotherReviewersUid();
    void anEscalationWithoutItsRecord();
    void anEscalationThatWritesTheStage();
    void aReviewerWithdrawsSomeoneElsesEscalation();
    void aReviewerWithdrawsSomeoneElsesEscalationUnderASnooze();
    void aSnoozeWithoutARecord();
    void aSnoozeInAnotherReviewersName();
    void aSnoozeBeyondAMonth();
    void aBareDeleteOfCasework();
    void aDeleteUnderAnUnrelatedRecord();

private:
    QString freshUser();
    /** The user's state, open case and casework, read with the owner's access. */
    struct Read {
        FairUseState state;
        FairUseEvent open;
        std::optional<Casework> casework;
    };
    Read read(const QString& uid);
    void refusedThenGenuinePasses(const Actor& sender, const QList<FirestoreWrite>& hostile, const Actor& owner,
                                  const QList<FirestoreWrite>& genuine);
    QList<FirestoreWrite> writesOf(const ChangeSet& change);
    void commitAs(const Actor& who, const Result<ChangeSet>& change);
    Result<ChangeSet> pin(const Actor& who, const QString& uid);
    Result<ChangeSet> escalate(const Actor& who, const QString& uid);
    Result<ChangeSet> snooze(const Actor& who, const QString& uid, std::optional<TimePoint> until);

    RulesProject m_rules;
    Actor m_reviewer;
    Actor m_other;
    Actor m_senior;
    int m_users = 0;
};

void CaseworkRulesTest::initTestCase() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    REQUIRE_AUTH_EMULATOR();
    QVERIFY(m_rules.create(host, QStringLiteral("caseworkrules")));
    const testing::AuthEmulator auth;
    auto reviewer = signIn(auth, m_rules.host, m_rules.project, QStringLiteral("noter"), QStringLiteral("reviewer"));
    auto other = signIn(auth, m_rules.host, m_rules.project, QStringLiteral("peer"), QStringLiteral("reviewer"));
    auto senior =
        signIn(auth, m_rules.host, m_rules.project, QStringLiteral("chief"), QStringLiteral("senior_reviewer"));
    VERIFY_OK(reviewer);
    VERIFY_OK(other);
    VERIFY_OK(senior);
    m_reviewer = *reviewer;
    m_other = *other;
    m_senior = *senior;
}

QString CaseworkRulesTest::freshUser() {
    const QString uid = QStringLiteral("worked%1").arg(++m_users);
    auto r = wait(m_rules.owner->commit(seedUser(uid, Stage::Throttle)));
    if (!r) {
        qWarning("seeding %s failed: %s", qPrintable(uid), qPrintable(why(r.error())));
    }
    return uid;
}

CaseworkRulesTest::Read CaseworkRulesTest::read(const QString& uid) {
    Read out;
    auto state = wait(m_rules.ownerStore->getState(uid));
    auto events = wait(m_rules.ownerStore->listEvents(uid));
    auto casework = wait(m_rules.ownerStore->getCasework(uid));
    if (!state || !events || !casework) {
        qWarning("reading %s failed", qPrintable(uid));
        return out;
    }
    out.state = *state;
    for (const FairUseEvent& e : *events) {
        if (!e.resolved) {
            out.open = e;
        }
    }
    out.casework = *casework;
    return out;
}

QList<FirestoreWrite> CaseworkRulesTest::writesOf(const ChangeSet& change) {
    auto g = commitFor(*m_rules.owner, change);
    if (!g) {
        qWarning("building the commit failed: %s", qPrintable(why(g.error())));
        return {};
    }
    return g->writes;
}

void CaseworkRulesTest::refusedThenGenuinePasses(const Actor& sender, const QList<FirestoreWrite>& hostile,
                                                 const Actor& owner, const QList<FirestoreWrite>& genuine) {
    QVERIFY(!hostile.isEmpty());
    QVERIFY(!genuine.isEmpty());
    auto refused = wait(sender.client->commit(hostile));
    QVERIFY2(!refused.ok(), "the hostile commit passed");
    QVERIFY2(refused.error().kind == ErrorKind::Permission, qPrintable(why(refused.error())));
    auto passed = wait(owner.client->commit(genuine));
    QVERIFY2(passed.ok(), qPrintable(passed.ok() ? QString() : why(passed.error())));
}

void CaseworkRulesTest::commitAs(const Actor& who, const Result<ChangeSet>& change) {
    VERIFY_OK(change);
    auto r = wait(who.client->commit(writesOf(*change)));
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : why(r.error())));
}

Result<ChangeSet> CaseworkRulesTest::pin(const Actor& who, const QString& uid) {
    const Read r = read(uid);
    enforcement::ActionContext ctx = now(who.reviewer);
    ctx.caseRef = r.open.caseRef;
    return casework::buildPinNote(r.state, QStringLiteral("reads audiobooks for a blind relative"), ctx);
}

Result<ChangeSet> CaseworkRulesTest::escalate(const Actor& who, const QString& uid) {
    const Read r = read(uid);
    return casework::buildEscalate(r.state, r.casework, r.open, QStringLiteral("looks commercial"), now(who.reviewer));
}

Result<ChangeSet> CaseworkRulesTest::snooze(const Actor& who, const QString& uid, std::optional<TimePoint> until) {
    const Read r = read(uid);
    return casework::buildSnooze(r.state, r.casework, r.open, until, now(who.reviewer));
}

void CaseworkRulesTest::aNoteInSomeoneElsesName() {
    auto cs = pin(m_reviewer, freshUser());
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    QVERIFY(noteWrite(hostile));
    setField(noteWrite(hostile), QStringLiteral("author"), V::string(m_other.reviewer.email));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::aNoteWithAnotherAuthorUid() {
    auto cs = pin(m_reviewer, freshUser());
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(noteWrite(hostile), QStringLiteral("author_uid"), V::string(m_other.reviewer.uid));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::aPinnedNoteWithoutItsRecord() {
    auto cs = pin(m_reviewer, freshUser());
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> all = genuine;
    QVERIFY(noteWrite(all));
    const QList<FirestoreWrite> hostile{*noteWrite(all)}; // the note alone: no record, no head
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::aNoteWhoseTextIsNotItsRecords() {
    auto cs = pin(m_reviewer, freshUser());
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(noteWrite(hostile), QStringLiteral("text"), V::string(QStringLiteral("something else entirely")));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::aReviewerUnpinsSomeoneElsesNote() {
    const QString uid = freshUser();
    commitAs(m_other, pin(m_other, uid));
    auto notes = wait(m_rules.ownerStore->listNotes(uid));
    VERIFY_OK(notes);
    QCOMPARE(notes->size(), 1);
    const Read r = read(uid);
    // The core refuses a reviewer's unpin of a colleague's note; a client that sends one anyway re-stamps a senior's.
    QCOMPARE(casework::buildUnpinNote(r.state, notes->first(), {}, now(m_reviewer.reviewer)).error().kind,
             ErrorKind::Permission);
    auto cs = casework::buildUnpinNote(r.state, notes->first(), QStringLiteral("outdated"), now(m_senior.reviewer));
    VERIFY_OK(cs);
    refusedThenGenuinePasses(m_reviewer, writesOf(restamped(*cs, m_reviewer.reviewer)), m_senior, writesOf(*cs));
    auto after = wait(m_rules.ownerStore->listNotes(uid));
    VERIFY_OK(after);
    QVERIFY(!after->first().pinned);
    QCOMPARE(after->first().unpinnedBy, m_senior.reviewer.email);
}

void CaseworkRulesTest::anUnpinThatRewritesTheText() {
    const QString uid = freshUser();
    commitAs(m_reviewer, pin(m_reviewer, uid));
    auto notes = wait(m_rules.ownerStore->listNotes(uid));
    VERIFY_OK(notes);
    auto cs = casework::buildUnpinNote(read(uid).state, notes->first(), {}, now(m_reviewer.reviewer));
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(noteWrite(hostile), QStringLiteral("text"), V::string(QStringLiteral("rewritten")));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::anEscalationInAnotherReviewersName() {
    auto cs = escalate(m_reviewer, freshUser());
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    QVERIFY(caseworkWrite(hostile));
    setField(caseworkWrite(hostile), QStringLiteral("escalated_by"), V::string(m_other.reviewer.email));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::anEscalationWithAnotherReviewersUid() {
    auto cs = escalate(m_reviewer, freshUser());
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(caseworkWrite(hostile), QStringLiteral("escalated_by_uid"), V::string(m_other.reviewer.uid));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::anEscalationWithoutItsRecord() {
    auto cs = escalate(m_reviewer, freshUser());
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> all = genuine;
    QVERIFY(caseworkWrite(all));
    const QList<FirestoreWrite> hostile{*caseworkWrite(all)};
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::anEscalationThatWritesTheStage() {
    auto cs = escalate(m_reviewer, freshUser());
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(caseworkWrite(hostile), QStringLiteral("stage"), V::string(QStringLiteral("none")));
    setField(caseworkWrite(hostile), QStringLiteral("last_classifier_score"), V::number(0.0));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::aReviewerWithdrawsSomeoneElsesEscalation() {
    const QString uid = freshUser();
    commitAs(m_other, escalate(m_other, uid));
    const Read r = read(uid);
    QVERIFY(r.casework && r.casework->escalated());
    QCOMPARE(casework::buildDeEscalate(r.state, r.casework, {}, now(m_reviewer.reviewer)).error().kind,
             ErrorKind::Permission);
    auto cs = casework::buildDeEscalate(r.state, r.casework, QStringLiteral("handled"), now(m_senior.reviewer));
    VERIFY_OK(cs);
    refusedThenGenuinePasses(m_reviewer, writesOf(restamped(*cs, m_reviewer.reviewer)), m_senior, writesOf(*cs));
    QVERIFY(!read(uid).casework.has_value());
}

/** With a snooze on the case, withdrawing the escalation rewrites the document instead of deleting it. */
void CaseworkRulesTest::aReviewerWithdrawsSomeoneElsesEscalationUnderASnooze() {
    const QString uid = freshUser();
    commitAs(m_other, escalate(m_other, uid));
    commitAs(m_reviewer, snooze(m_reviewer, uid, wallClock() + 24h));
    const Read r = read(uid);
    QVERIFY(r.casework && r.casework->escalated() && r.casework->snoozed());
    auto cs = casework::buildDeEscalate(r.state, r.casework, QStringLiteral("handled"), now(m_senior.reviewer));
    VERIFY_OK(cs);
    QVERIFY(cs->caseworkChange && cs->caseworkChange->casework);
    refusedThenGenuinePasses(m_reviewer, writesOf(restamped(*cs, m_reviewer.reviewer)), m_senior, writesOf(*cs));
    const Read after = read(uid);
    QVERIFY(after.casework && !after.casework->escalated() && after.casework->snoozed());
}

void CaseworkRulesTest::aSnoozeWithoutARecord() {
    auto cs = snooze(m_reviewer, freshUser(), wallClock() + 48h);
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> all = genuine;
    QVERIFY(caseworkWrite(all));
    const QList<FirestoreWrite> hostile{*caseworkWrite(all)};
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::aSnoozeInAnotherReviewersName() {
    auto cs = snooze(m_reviewer, freshUser(), std::nullopt);
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(caseworkWrite(hostile), QStringLiteral("snoozed_by"), V::string(m_other.reviewer.email));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::aSnoozeBeyondAMonth() {
    auto cs = snooze(m_reviewer, freshUser(), wallClock() + 24h * 20);
    VERIFY_OK(cs);
    const QList<FirestoreWrite> genuine = writesOf(*cs);
    QList<FirestoreWrite> hostile = genuine;
    setField(caseworkWrite(hostile), QStringLiteral("snoozed_until"), V::timestamp(wallClock() + 24h * 90));
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, genuine);
}

void CaseworkRulesTest::aBareDeleteOfCasework() {
    const QString uid = freshUser();
    commitAs(m_reviewer, escalate(m_reviewer, uid));
    const Read r = read(uid);
    auto cs = casework::buildDeEscalate(r.state, r.casework, {}, now(m_reviewer.reviewer));
    VERIFY_OK(cs);
    const QList<FirestoreWrite> hostile{
        FirestoreWrite::remove(caseworkPath(uid), Precondition::version(r.casework->version))};
    refusedThenGenuinePasses(m_reviewer, hostile, m_reviewer, writesOf(*cs));
}

/** Deleting a colleague's escalation under a record that decides nothing (a re-run request) is refused; a resolution
 *  clears it in its own commit. */
void CaseworkRulesTest::aDeleteUnderAnUnrelatedRecord() {
    const QString uid = freshUser();
    commitAs(m_other, escalate(m_other, uid));
    const Read r = read(uid);
    auto rerun = enforcement::buildRerunClassifier(r.state, {}, now(m_reviewer.reviewer));
    VERIFY_OK(rerun);
    ChangeSet hostile = *rerun;
    hostile.caseworkChange = ChangeSet::CaseworkChange{std::nullopt, r.casework->version};
    auto resolve = enforcement::buildResolve(enforcement::Policy::forReview(), r.state, r.open, Outcome::Confirmed,
                                             QStringLiteral("media_confirmed"), {}, false, now(m_reviewer.reviewer));
    VERIFY_OK(resolve);
    casework::closeOnDecision(*resolve, r.casework);
    QVERIFY(resolve->caseworkChange.has_value());
    refusedThenGenuinePasses(m_reviewer, writesOf(hostile), m_reviewer, writesOf(*resolve));
    QVERIFY(!read(uid).casework.has_value());
}

QTEST_GUILESS_MAIN(CaseworkRulesTest)
#include "CaseworkRulesTest.moc"
