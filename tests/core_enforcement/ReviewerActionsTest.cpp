// Reviewer-action ChangeSet builders (SPEC 2.5): audit fields filled from the credential and the inputs, expected
// versions, roles, required reasons, and refusing to resolve a case twice.

#include "EnforcementTestSupport.h"

#include "enforcement/ReviewerActions.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace fairuse::enforcement::testing;
using namespace std::chrono_literals;

namespace {

ActionContext ctx(Role role, const QString& email = QStringLiteral("rita@example.com")) {
    ActionContext c;
    c.reviewer = Reviewer{email, role};
    c.now = t0() + 5min;
    c.clientVersion = QStringLiteral("console 0.1.0");
    c.idempotencyKey = QStringLiteral("bulk-42:ev-1");
    return c;
}

FairUseEvent openCase(const QString& uid = QStringLiteral("u1")) {
    FairUseEvent e;
    e.id = QStringLiteral("ev-1");
    e.uid = uid;
    e.caseRef = QStringLiteral("FU-ABCDEF012345");
    e.createdAt = t0() - 1h;
    e.enforcementAction = QStringLiteral("throttle");
    e.version = QStringLiteral("ev-v3");
    return e;
}

} // namespace

class ReviewerActionsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void resolve_data();
    void resolve();
    void resolveTwiceIsAConflict();
    void resolveChecks();
    void overrideStage();
    void reset_data();
    void reset();
    void exempt_data();
    void exempt();
    void notes();
    void rerunClassifier();
    void identityNeverAPlaceholder();

private:
    static void checkAudit(const ChangeSet& cs, const ActionContext& c, AuditAction action, Stage before, Stage after);
};

void ReviewerActionsTest::checkAudit(const ChangeSet& cs, const ActionContext& c, AuditAction action, Stage before,
                                     Stage after) {
    QCOMPARE(cs.uid, QStringLiteral("u1"));
    QCOMPARE(cs.idempotencyKey, c.idempotencyKey);
    QCOMPARE(cs.audit.reviewer, c.reviewer.email);
    QCOMPARE(nm(cs.audit.role), nm(c.reviewer.role));
    QCOMPARE(nm(cs.audit.action), nm(action));
    QCOMPARE(cs.audit.uid, QStringLiteral("u1"));
    QCOMPARE(nm(cs.audit.stageBefore), nm(before));
    QCOMPARE(nm(cs.audit.stageAfter), nm(after));
    QCOMPARE(cs.audit.clientVersion, c.clientVersion);
    QCOMPARE(cs.audit.at, c.now);
    // The store chains these; a builder must leave them alone.
    QCOMPARE(cs.audit.sequence, std::int64_t(0));
    QVERIFY(cs.audit.prevHash.isEmpty());
    QVERIFY(cs.audit.hash.isEmpty());
}

void ReviewerActionsTest::resolve_data() {
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<Stage>("stage");
    QTest::addColumn<Role>("role");
    QTest::addColumn<bool>("exempt");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<Stage>("stageAfter");

    QTest::newRow("confirmed keeps throttle")
        << Outcome::Confirmed << Stage::Throttle << Role::Reviewer << false << true << Stage::Throttle;
    QTest::newRow("no action keeps warning")
        << Outcome::NoAction << Stage::Warning << Role::Reviewer << false << true << Stage::Warning;
    QTest::newRow("false positive lowers throttle to warning")
        << Outcome::FalsePositive << Stage::Throttle << Role::Reviewer << false << true << Stage::Warning;
    QTest::newRow("false positive lowers warning to none")
        << Outcome::FalsePositive << Stage::Warning << Role::Reviewer << false << true << Stage::None;
    QTest::newRow("false positive at none stays none")
        << Outcome::FalsePositive << Stage::None << Role::Reviewer << false << true << Stage::None;
    QTest::newRow("reviewer may not lift a restriction")
        << Outcome::FalsePositive << Stage::Restrict << Role::Reviewer << false << false << Stage::Restrict;
    QTest::newRow("senior lifts restrict to throttle")
        << Outcome::FalsePositive << Stage::Restrict << Role::SeniorReviewer << false << true << Stage::Throttle;
    QTest::newRow("reviewer may confirm a restriction")
        << Outcome::Confirmed << Stage::Restrict << Role::Reviewer << false << true << Stage::Restrict;
    QTest::newRow("reviewer may not exempt")
        << Outcome::FalsePositive << Stage::Warning << Role::Reviewer << true << false << Stage::Warning;
    QTest::newRow("senior exempts on false positive")
        << Outcome::FalsePositive << Stage::Warning << Role::SeniorReviewer << true << true << Stage::None;
    QTest::newRow("exempt only with false positive")
        << Outcome::Confirmed << Stage::Warning << Role::Admin << true << false << Stage::Warning;
}

void ReviewerActionsTest::resolve() {
    QFETCH(Outcome, outcome);
    QFETCH(Stage, stage);
    QFETCH(Role, role);
    QFETCH(bool, exempt);
    QFETCH(bool, allowed);
    QFETCH(Stage, stageAfter);

    FairUseState s = stateAt(stage);
    s.throttleUntil = stage == Stage::Throttle ? std::optional<TimePoint>(t0() + 24h) : std::nullopt;
    s.restrictUntil = stage == Stage::Restrict ? std::optional<TimePoint>(t0() + 24h) : std::nullopt;
    const ActionContext c = ctx(role);
    const auto r = buildResolve(Policy::forReview(), s, openCase(), outcome, QStringLiteral("classifier_error"),
                                QStringLiteral("looked at evidence"), exempt, c);
    QCOMPARE(r.ok(), allowed);
    if (!allowed) {
        QVERIFY(r.error().kind == ErrorKind::Permission || r.error().kind == ErrorKind::Invalid);
        if (r.error().kind == ErrorKind::Permission) {
            QVERIFY2(r.error().message.contains(QStringLiteral("senior_reviewer")), qPrintable(r.error().message));
        }
        return;
    }
    const ChangeSet& cs = *r;
    checkAudit(cs, c, AuditAction::Resolve, stage, stageAfter);
    QCOMPARE(cs.audit.caseRef, QStringLiteral("FU-ABCDEF012345"));
    QCOMPARE(cs.audit.eventId, QStringLiteral("ev-1"));
    QCOMPARE(cs.audit.reason, QStringLiteral("classifier_error: looked at evidence"));

    QVERIFY(cs.newEvent.has_value());
    QVERIFY(cs.newEvent->resolved);
    QCOMPARE(*cs.newEvent->resolvedAt, c.now);
    QCOMPARE(cs.newEvent->resolvedBy, c.reviewer.email);
    QCOMPARE(nm(cs.newEvent->outcome), nm(outcome));
    QVERIFY(cs.newEvent->adminNotes.contains(QStringLiteral("looked at evidence")));
    QCOMPARE(cs.expectedEventVersion, QStringLiteral("ev-v3"));
    QCOMPARE(cs.expectedStateVersion, QStringLiteral("v1"));
    QVERIFY(cs.checkStateVersion);

    QCOMPARE(cs.newState.has_value(), stageAfter != stage);
    if (cs.newState) {
        QCOMPARE(nm(cs.newState->stage), nm(stageAfter));
        QCOMPARE(*cs.newState->updatedAt, c.now);
        if (stageAfter == Stage::Throttle) {
            QVERIFY(!cs.newState->restrictUntil.has_value());
            QVERIFY(cs.newState->throttleUntil.has_value());
        }
        if (stageAfter == Stage::Warning) {
            QVERIFY(!cs.newState->throttleUntil.has_value());
        }
    }
    QCOMPARE(cs.exempt.has_value(), exempt);
}

void ReviewerActionsTest::resolveTwiceIsAConflict() {
    const FairUseState s = stateAt(Stage::Warning);
    const auto first = buildResolve(Policy::forReview(), s, openCase(), Outcome::Confirmed,
                                    QStringLiteral("media_confirmed"), QString(), false, ctx(Role::Reviewer));
    QVERIFY(first.ok());
    QVERIFY(first->newEvent->adminNotes.isEmpty()); // no notes given, none invented
    QCOMPARE(first->audit.reason, QStringLiteral("media_confirmed"));
    const auto second =
        buildResolve(Policy::forReview(), s, *first->newEvent, Outcome::FalsePositive, QStringLiteral("other"),
                     QStringLiteral("changed my mind"), false, ctx(Role::Admin, QStringLiteral("other@example.com")));
    QVERIFY(!second.ok());
    QCOMPARE(second.error().kind, ErrorKind::Conflict);
    QVERIFY(second.error().message.contains(QStringLiteral("rita@example.com")));
}

void ReviewerActionsTest::resolveChecks() {
    const FairUseState s = stateAt(Stage::Warning);
    auto r = buildResolve(Policy::forReview(), s, openCase(QStringLiteral("someone-else")), Outcome::Confirmed,
                          QStringLiteral("media_confirmed"), QString(), false, ctx(Role::Admin));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Invalid);

    FairUseEvent noId = openCase();
    noId.id.clear();
    r = buildResolve(Policy::forReview(), s, noId, Outcome::Confirmed, QStringLiteral("media_confirmed"), QString(),
                     false, ctx(Role::Admin));
    QVERIFY(!r.ok());
}

void ReviewerActionsTest::overrideStage() {
    ActionContext c = ctx(Role::SeniorReviewer);
    c.caseRef = QStringLiteral("FU-ABCDEF012345");
    c.eventId = QStringLiteral("ev-1");
    auto r = buildOverrideStage(Policy::forReview(), stateAt(Stage::Throttle), Stage::Restrict,
                                QStringLiteral("media_confirmed"), QStringLiteral("audiobooks every night"), c);
    QVERIFY(r.ok());
    checkAudit(*r, c, AuditAction::OverrideStage, Stage::Throttle, Stage::Restrict);
    QCOMPARE(r->audit.reason, QStringLiteral("media_confirmed: audiobooks every night"));
    QCOMPARE(r->audit.caseRef, c.caseRef);
    QCOMPARE(r->audit.eventId, c.eventId);
    QCOMPARE(nm(r->newState->stage), nm(Stage::Restrict));
    QCOMPARE(r->expectedStateVersion, QStringLiteral("v1"));
    QVERIFY(r->checkStateVersion);
    QVERIFY(!r->newEvent.has_value());

    // A free-text reason is no reason code: refused, naming the codes there are.
    r = buildOverrideStage(Policy::forReview(), stateAt(Stage::Throttle), Stage::Restrict,
                           QStringLiteral("audiobooks every night"), QString(), c);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Invalid);
    QVERIFY2(r.error().message.contains(QStringLiteral("media_confirmed, legitimate_use")),
             qPrintable(r.error().message));
    r = buildOverrideStage(Policy::forReview(), stateAt(Stage::Throttle), Stage::Restrict, QStringLiteral(" "),
                           QStringLiteral("notes alone"), c);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Invalid);

    r = buildOverrideStage(Policy::forReview(), stateAt(Stage::Throttle), Stage::None, QStringLiteral("legitimate_use"),
                           QStringLiteral("ok"), ctx(Role::Reviewer));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Permission);
}

void ReviewerActionsTest::reset_data() {
    QTest::addColumn<Role>("role");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("expectedError"); // -1: ok, else ErrorKind

    QTest::newRow("reviewer") << Role::Reviewer << QStringLiteral("user_contacted")
                              << static_cast<int>(ErrorKind::Permission);
    QTest::newRow("senior") << Role::SeniorReviewer << QStringLiteral("user_contacted")
                            << static_cast<int>(ErrorKind::Permission);
    QTest::newRow("admin") << Role::Admin << QStringLiteral("user_contacted") << -1;
    QTest::newRow("admin without reason") << Role::Admin << QStringLiteral("") << static_cast<int>(ErrorKind::Invalid);
    QTest::newRow("admin with free text")
        << Role::Admin << QStringLiteral("appeal granted") << static_cast<int>(ErrorKind::Invalid);
}

void ReviewerActionsTest::reset() {
    QFETCH(Role, role);
    QFETCH(QString, reason);
    QFETCH(int, expectedError);

    FairUseState s = stateAt(Stage::Restrict);
    s.restrictUntil = t0() + 24h;
    s.restrictReason = QStringLiteral("3 violations within 30 days");
    s.violationCount7d = 2;
    s.violationCount30d = 3;
    const ActionContext c = ctx(role);
    const auto r = buildReset(Policy::forReview(), s, reason, QStringLiteral("appeal granted"), c);
    if (expectedError >= 0) {
        QVERIFY(!r.ok());
        QCOMPARE(static_cast<int>(r.error().kind), expectedError);
        if (r.error().kind == ErrorKind::Permission) {
            QVERIFY(r.error().message.contains(QStringLiteral("admin role")));
        }
        return;
    }
    QVERIFY(r.ok());
    checkAudit(*r, c, AuditAction::Reset, Stage::Restrict, Stage::None);
    QCOMPARE(r->audit.reason, QStringLiteral("user_contacted: appeal granted"));
    const FairUseState& n = *r->newState;
    QCOMPARE(nm(n.stage), nm(Stage::None));
    QCOMPARE(n.resetBy, c.reviewer.email);
    QCOMPARE(*n.resetAt, c.now);
    QCOMPARE(n.violationCount7d, 0);
    QCOMPARE(n.violationCount30d, 0);
    QVERIFY(!n.restrictUntil.has_value());
    QVERIFY(n.restrictReason.isEmpty());
    QCOMPARE(r->expectedStateVersion, QStringLiteral("v1"));
}

void ReviewerActionsTest::exempt_data() {
    QTest::addColumn<Role>("role");
    QTest::addColumn<bool>("currentlyExempt");
    QTest::addColumn<bool>("exempt");
    QTest::addColumn<int>("expectedError");

    QTest::newRow("reviewer exempts") << Role::Reviewer << false << true << static_cast<int>(ErrorKind::Permission);
    QTest::newRow("reviewer un-exempts") << Role::Reviewer << true << false << static_cast<int>(ErrorKind::Permission);
    QTest::newRow("senior exempts") << Role::SeniorReviewer << false << true << -1;
    QTest::newRow("senior un-exempts") << Role::SeniorReviewer << true << false << -1;
    QTest::newRow("admin exempts") << Role::Admin << false << true << -1;
    QTest::newRow("already exempt") << Role::Admin << true << true << static_cast<int>(ErrorKind::Conflict);
    QTest::newRow("already not exempt") << Role::Admin << false << false << static_cast<int>(ErrorKind::Conflict);
}

void ReviewerActionsTest::exempt() {
    QFETCH(Role, role);
    QFETCH(bool, currentlyExempt);
    QFETCH(bool, exempt);
    QFETCH(int, expectedError);

    FairUseState s = stateAt(Stage::Warning);
    s.exempt = currentlyExempt;
    const ActionContext c = ctx(role);
    const auto r = buildExempt(Policy::forReview(), s, exempt, QStringLiteral("legitimate_use"),
                               QStringLiteral("conference organiser"), c);
    if (expectedError >= 0) {
        QVERIFY(!r.ok());
        QCOMPARE(static_cast<int>(r.error().kind), expectedError);
        return;
    }
    QVERIFY(r.ok());
    checkAudit(*r, c, exempt ? AuditAction::Exempt : AuditAction::Unexempt, Stage::Warning, Stage::Warning);
    QCOMPARE(*r->exempt, exempt);
    QVERIFY(!r->newState.has_value());
    QVERIFY(!r->checkStateVersion);
    QCOMPARE(r->audit.reason, QStringLiteral("legitimate_use: conference organiser"));

    const auto noReason = buildExempt(Policy::forReview(), s, exempt, QString(), QStringLiteral("notes only"), c);
    QVERIFY(!noReason.ok());
    QCOMPARE(noReason.error().kind, ErrorKind::Invalid);
    const auto otherWithoutNotes = buildExempt(Policy::forReview(), s, exempt, QStringLiteral("other"), QString(), c);
    QVERIFY(!otherWithoutNotes.ok());
    QCOMPARE(otherWithoutNotes.error().kind, ErrorKind::Invalid);
}

void ReviewerActionsTest::notes() {
    const FairUseState s = stateAt(Stage::Throttle);
    FairUseEvent e = openCase();
    e.adminNotes = QStringLiteral("earlier note");
    const ActionContext c = ctx(Role::Reviewer);
    auto r = buildAddNote(s, e, QStringLiteral("user replied by mail"), c);
    QVERIFY(r.ok());
    checkAudit(*r, c, AuditAction::AddNote, Stage::Throttle, Stage::Throttle);
    QVERIFY(r->newEvent->adminNotes.startsWith(QStringLiteral("earlier note\n")));
    QVERIFY(r->newEvent->adminNotes.contains(QStringLiteral("user replied by mail")));
    QVERIFY(r->newEvent->adminNotes.contains(c.reviewer.email));
    QCOMPARE(r->expectedEventVersion, QStringLiteral("ev-v3"));
    QVERIFY(!r->newState.has_value());
    QVERIFY(!r->checkStateVersion);
    QCOMPARE(r->audit.caseRef, e.caseRef);

    r = buildAddNote(s, e, QStringLiteral("  "), c);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Invalid);

    r = buildAddUserNote(s, QStringLiteral("called the user"), c);
    QVERIFY(r.ok());
    checkAudit(*r, c, AuditAction::AddNote, Stage::Throttle, Stage::Throttle);
    QVERIFY(!r->newEvent.has_value());
    QCOMPARE(r->audit.reason, QStringLiteral("called the user"));
    QVERIFY(!buildAddUserNote(s, QString(), c).ok());
}

void ReviewerActionsTest::rerunClassifier() {
    ActionContext c = ctx(Role::Reviewer);
    c.caseRef = QStringLiteral("FU-ABCDEF012345");
    const auto r = buildRerunClassifier(stateAt(Stage::Warning), QString(), c);
    QVERIFY(r.ok());
    checkAudit(*r, c, AuditAction::RerunClassifier, Stage::Warning, Stage::Warning);
    QCOMPARE(r->audit.caseRef, c.caseRef);
    QVERIFY(!r->newState.has_value());
    QVERIFY(!r->newEvent.has_value());
    QVERIFY(!r->exempt.has_value());
}

void ReviewerActionsTest::identityNeverAPlaceholder() {
    const ActionContext c = ctx(Role::Admin, QString());
    QVERIFY(!buildReset(Policy::forReview(), stateAt(Stage::Warning), QStringLiteral("other"), QStringLiteral("x"), c)
                 .ok());
    QVERIFY(!buildRerunClassifier(stateAt(Stage::Warning), QString(), c).ok());
    QVERIFY(!buildResolve(Policy::forReview(), stateAt(Stage::Warning), openCase(), Outcome::Confirmed,
                          QStringLiteral("media_confirmed"), QString(), false, c)
                 .ok());
    // Two different reviewers produce two different audit identities.
    const auto a = buildAddUserNote(stateAt(Stage::None), QStringLiteral("n"), ctx(Role::Reviewer));
    const auto b =
        buildAddUserNote(stateAt(Stage::None), QStringLiteral("n"), ctx(Role::Reviewer, QStringLiteral("bo@x.org")));
    QCOMPARE(a->audit.reviewer, QStringLiteral("rita@example.com"));
    QCOMPARE(b->audit.reviewer, QStringLiteral("bo@x.org"));
}

QTEST_GUILESS_MAIN(ReviewerActionsTest)
#include "ReviewerActionsTest.moc"
