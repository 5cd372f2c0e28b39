// What the enforcement service writes for a decision of the core (enforcement/EnforcerChanges.h): deterministic case
// ids and references, the ChangeSet of a decision and of an expiry, and the `enforce` action that is the service's
// alone (Role::Service, never a reviewer's).
#include "EnforcementTestSupport.h"

#include "audit/AuditChain.h"
#include "audit/CaseRef.h"
#include "enforcement/EnforcerChanges.h"
#include "enforcement/ReviewerActions.h"

#include <QRegularExpression>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace fairuse::enforcement::testing;
using namespace std::chrono_literals;

namespace {

TimePoint t(const char* text) {
    return parseRfc3339(QString::fromLatin1(text)).value();
}

const ServiceIdentity kService{QStringLiteral("enforcer@fairuse.example"), QString(), QStringLiteral("test/1")};

/** A first violation of a user without a state document: the core's warn decision. */
Decision firstViolation(const Policy& policy, const FairUseState& state, TimePoint now, const QString& caseRef) {
    EnforcementInput in;
    in.state = state;
    in.totals = {8'000'000, 8'000'000, 8'000'000};
    in.now = now;
    in.caseRef = caseRef;
    ClassifierResult r;
    r.misuseScore = 0.9;
    r.usageType = UsageType::Audiobook;
    in.classifier = r;
    return evaluate(policy, in);
}

} // namespace

class EnforcerChangesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void caseIdIsOnePerCheckInterval_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("same");
        QTest::newRow("same second") << "2026-12-01T12:00:00Z"
                                     << "2026-12-01T12:00:00Z" << true;
        QTest::newRow("same 5 min") << "2026-12-01T12:00:00Z"
                                    << "2026-12-01T12:04:59.999Z" << true;
        QTest::newRow("next 5 min") << "2026-12-01T12:04:59Z"
                                    << "2026-12-01T12:05:00Z" << false;
        QTest::newRow("a day apart") << "2026-12-01T12:00:00Z"
                                     << "2026-12-02T12:00:00Z" << false;
    }
    void caseIdIsOnePerCheckInterval() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, same);
        const Policy policy;
        const QString idA =
            enforcerCaseId(QStringLiteral("u1"), CapWindow::Daily, parseRfc3339(a).value(), policy.checkInterval);
        const QString idB =
            enforcerCaseId(QStringLiteral("u1"), CapWindow::Daily, parseRfc3339(b).value(), policy.checkInterval);
        QCOMPARE(idA == idB, same);
        static const QRegularExpression shape(QStringLiteral("^enf_[0-9a-f]{24}$"));
        QVERIFY(shape.match(idA).hasMatch());
        QVERIFY(isValidCaseRef(enforcerCaseRef(idA)));
        QCOMPARE(enforcerCaseRef(idA) == enforcerCaseRef(idB), same);
    }

    void caseIdNamesUserAndTrigger() {
        const TimePoint now = t("2026-12-01T12:00:00Z");
        const QString base = enforcerCaseId(QStringLiteral("u1"), CapWindow::Daily, now, 300s);
        QVERIFY(base != enforcerCaseId(QStringLiteral("u2"), CapWindow::Daily, now, 300s));
        QVERIFY(base != enforcerCaseId(QStringLiteral("u1"), CapWindow::Weekly, now, 300s));
        QCOMPARE(enforcerCaseRef(QStringLiteral("not-an-id")), QString());
    }

    void violationOfANewUser() {
        const Policy policy = Policy::forReview();
        const TimePoint now = t("2026-12-01T12:00:00Z");
        FairUseState state;
        state.uid = QStringLiteral("u1");
        const QString id = enforcerCaseId(state.uid, CapWindow::Daily, now, policy.checkInterval);
        const Decision d = firstViolation(policy, state, now, enforcerCaseRef(id));
        QCOMPARE(nm(d.action), QStringLiteral("warn"));
        const Result<ChangeSet> cs = buildEnforcerChange(policy, state, d, kService, now, id);
        QVERIFY(cs.ok());
        QVERIFY(cs->newState && cs->newState->stage == Stage::Warning);
        QVERIFY(!cs->previousState); // a new document is written whole
        QCOMPARE(cs->expectedStateVersion, QString());
        QVERIFY(cs->newEvent);
        QCOMPARE(cs->newEvent->id, id);
        QCOMPARE(cs->newEvent->caseRef, enforcerCaseRef(id));
        QCOMPARE(cs->expectedEventVersion, QString());
        const AuditRecord& a = cs->audit;
        QCOMPARE(nm(a.action), QStringLiteral("enforce"));
        QCOMPARE(nm(a.role), QStringLiteral("service"));
        QCOMPARE(a.reviewer, kService.email);
        QCOMPARE(a.eventId, id);
        QCOMPARE(a.caseRef, enforcerCaseRef(id));
        QCOMPARE(nm(a.stageBefore), QStringLiteral("none"));
        QCOMPARE(nm(a.stageAfter), QStringLiteral("warning"));
        QVERIFY(a.reason.startsWith(QLatin1String("warn: Violation:")));
        QVERIFY(validateAuditRecord(a).ok());
        QVERIFY(cs->idempotencyKey.contains(id));
    }

    void existingStateKeepsItsVersion() {
        const Policy policy = Policy::forReview();
        const TimePoint now = t("2026-12-01T12:00:00Z");
        FairUseState state;
        state.uid = QStringLiteral("u1");
        state.stage = Stage::Warning;
        state.version = QStringLiteral("2026-11-30T10:00:00.000001Z");
        const QString id = enforcerCaseId(state.uid, CapWindow::Daily, now, policy.checkInterval);
        const Decision d = firstViolation(policy, state, now, enforcerCaseRef(id));
        const Result<ChangeSet> cs = buildEnforcerChange(policy, state, d, kService, now, id);
        QVERIFY(cs.ok());
        QCOMPARE(cs->expectedStateVersion, state.version);
        QVERIFY(cs->previousState); // only the changed fields are written
    }

    void refusals() {
        const Policy policy = Policy::forReview();
        const TimePoint now = t("2026-12-01T12:00:00Z");
        FairUseState state;
        state.uid = QStringLiteral("u1");
        const Decision d = firstViolation(policy, state, now, QString());
        QCOMPARE(buildEnforcerChange(policy, state, d, ServiceIdentity{}, now, QStringLiteral("enf_x")).error().kind,
                 ErrorKind::Invalid);
        QCOMPARE(buildEnforcerChange(policy, state, d, kService, now, QString()).error().kind, ErrorKind::Invalid);
        EnforcementInput quiet;
        quiet.state = state;
        quiet.now = now;
        const Decision nothing = evaluate(policy, quiet);
        QCOMPARE(buildEnforcerChange(policy, state, nothing, kService, now, QString()).error().kind,
                 ErrorKind::Invalid);
    }

    void expiry() {
        const Policy policy = Policy::forReview();
        FairUseState state;
        state.uid = QStringLiteral("u1");
        state.stage = Stage::Restrict;
        state.restrictUntil = t("2026-12-02T00:00:00Z");
        state.version = QStringLiteral("v1");
        const TimePoint now = t("2026-12-03T00:00:00Z");
        const Expiry x = applyExpiry(policy, state, now);
        const Result<ChangeSet> cs = buildExpiryChange(state, x, kService, now);
        QVERIFY(cs.ok());
        QCOMPARE(nm(cs->newState->stage), QStringLiteral("throttle"));
        QCOMPARE(cs->newState->throttleUntil, std::optional<TimePoint>(now + policy.throttleDuration));
        QVERIFY(!cs->newEvent);
        QVERIFY(cs->audit.reason.startsWith(QLatin1String("restrict_expired_to_throttle: ")));
        QVERIFY(cs->idempotencyKey.contains(QLatin1String("2026-12-02T00:00:00")));
        QCOMPARE(
            buildExpiryChange(state, applyExpiry(policy, state, t("2026-12-01T00:00:00Z")), kService, now).error().kind,
            ErrorKind::Invalid);
    }

    void enforceIsTheServicesAlone() {
        QCOMPARE(nm(roleNeeded(AuditAction::Enforce, Stage::None, Stage::Warning)), QStringLiteral("service"));
        for (const Role r : {Role::Reviewer, Role::SeniorReviewer, Role::Admin}) {
            QVERIFY(static_cast<int>(r) < static_cast<int>(roleNeeded(AuditAction::Enforce, Stage::None, Stage::None)));
        }
        // Never a reviewer's role from a token or a roles document; only read back from the service's records.
        QCOMPARE(roleFromString(QStringLiteral("service")), std::nullopt);
        QCOMPARE(auditRoleFromString(QStringLiteral("service")), std::optional<Role>(Role::Service));
        QCOMPARE(auditRoleFromString(QStringLiteral("admin")), std::optional<Role>(Role::Admin));
        QCOMPARE(auditActionFromString(QStringLiteral("enforce")), std::optional<AuditAction>(AuditAction::Enforce));

        AuditRecord r;
        r.reviewer = QStringLiteral("ada@example.com");
        r.uid = QStringLiteral("u1");
        r.role = Role::Admin;
        r.action = AuditAction::Enforce;
        QVERIFY(!validateAuditRecord(r).ok()); // a reviewer's enforce record
        r.role = Role::Service;
        QVERIFY(validateAuditRecord(r).ok());
        r.action = AuditAction::Resolve;
        QVERIFY(!validateAuditRecord(r).ok()); // the service taking a reviewer's action
    }
};

QTEST_GUILESS_MAIN(EnforcerChangesTest)
#include "EnforcerChangesTest.moc"
