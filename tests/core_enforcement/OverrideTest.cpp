// Manual overrides (SPEC 2.5): every role against every target, from a user at none and from a restricted user;
// reasons are required; permission errors name the role needed.

#include "EnforcementTestSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace fairuse::enforcement::testing;
using namespace std::chrono_literals;

class OverrideTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roles_data();
    void roles();
    void reasonRequired_data();
    void reasonRequired();
    void identityRequired();
    void timersFollowTheTarget();
};

void OverrideTest::roles_data() {
    QTest::addColumn<Role>("role");
    QTest::addColumn<Stage>("current");
    QTest::addColumn<Stage>("target");
    QTest::addColumn<bool>("allowed");

    // The SPEC 2.5 table written out by hand: a reviewer may only warn; a senior reviewer may override any stage
    // and lift restrictions; an admin may do everything.
    const struct {
        Role role;
        Stage current;
        Stage target;
        bool allowed;
    } rows[] = {
        {Role::Reviewer, Stage::None, Stage::None, false},
        {Role::Reviewer, Stage::None, Stage::Warning, true},
        {Role::Reviewer, Stage::None, Stage::Throttle, false},
        {Role::Reviewer, Stage::None, Stage::Restrict, false},
        {Role::Reviewer, Stage::Warning, Stage::Warning, true},
        {Role::Reviewer, Stage::Warning, Stage::None, false},
        {Role::Reviewer, Stage::Restrict, Stage::None, false},
        {Role::Reviewer, Stage::Restrict, Stage::Warning, false}, // lifting a restriction
        {Role::Reviewer, Stage::Restrict, Stage::Throttle, false},
        {Role::Reviewer, Stage::Restrict, Stage::Restrict, false},
        {Role::SeniorReviewer, Stage::None, Stage::None, true},
        {Role::SeniorReviewer, Stage::None, Stage::Warning, true},
        {Role::SeniorReviewer, Stage::None, Stage::Throttle, true},
        {Role::SeniorReviewer, Stage::None, Stage::Restrict, true},
        {Role::SeniorReviewer, Stage::Restrict, Stage::None, true},
        {Role::SeniorReviewer, Stage::Restrict, Stage::Warning, true},
        {Role::SeniorReviewer, Stage::Restrict, Stage::Throttle, true},
        {Role::SeniorReviewer, Stage::Restrict, Stage::Restrict, true},
        {Role::Admin, Stage::None, Stage::None, true},
        {Role::Admin, Stage::None, Stage::Warning, true},
        {Role::Admin, Stage::None, Stage::Throttle, true},
        {Role::Admin, Stage::None, Stage::Restrict, true},
        {Role::Admin, Stage::Restrict, Stage::None, true},
        {Role::Admin, Stage::Restrict, Stage::Warning, true},
        {Role::Admin, Stage::Restrict, Stage::Throttle, true},
        {Role::Admin, Stage::Restrict, Stage::Restrict, true},
    };
    for (const auto& r : rows) {
        const QByteArray name =
            QStringLiteral("%1: %2 -> %3").arg(toString(r.role), toString(r.current), toString(r.target)).toUtf8();
        QTest::newRow(name.constData()) << r.role << r.current << r.target << r.allowed;
    }
}

void OverrideTest::roles() {
    QFETCH(Role, role);
    QFETCH(Stage, current);
    QFETCH(Stage, target);
    QFETCH(bool, allowed);

    const Reviewer who{QStringLiteral("ana@example.com"), role};
    const auto r = applyOverride(Policy::forReview(), stateAt(current), target, who, QStringLiteral("checked"), t0());
    QCOMPARE(r.ok(), allowed);
    if (allowed) {
        QCOMPARE(nm(r->stageBefore), nm(current));
        QCOMPARE(nm(r->stageAfter), nm(target));
        QCOMPARE(nm(r->state.stage), nm(target));
        QCOMPARE(nm(r->action), nm(Action::Override));
        QVERIFY(r->explanation.contains(QStringLiteral("ana@example.com")));
        QVERIFY(r->explanation.contains(QStringLiteral("checked")));
        QCOMPARE(*r->state.updatedAt, t0());
    } else {
        QCOMPARE(r.error().kind, ErrorKind::Permission);
        QVERIFY2(r.error().message.contains(QStringLiteral("senior_reviewer")), qPrintable(r.error().message));
        QVERIFY(r.error().message.contains(QStringLiteral("ana@example.com")));
    }
}

void OverrideTest::reasonRequired_data() {
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << QString();
    QTest::newRow("blank") << QStringLiteral("   \t\n");
}

void OverrideTest::reasonRequired() {
    QFETCH(QString, reason);
    const Reviewer admin{QStringLiteral("root@example.com"), Role::Admin};
    const auto r = applyOverride(Policy::forReview(), stateAt(Stage::Restrict), Stage::None, admin, reason, t0());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Invalid);
    QVERIFY(r.error().message.contains(QStringLiteral("reason")));
}

void OverrideTest::identityRequired() {
    const Reviewer nobody{QString(), Role::Admin};
    const auto r =
        applyOverride(Policy::forReview(), stateAt(Stage::None), Stage::Warning, nobody, QStringLiteral("x"), t0());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Invalid);
}

void OverrideTest::timersFollowTheTarget() {
    Policy p = Policy::forReview();
    p.throttleDuration = 3 * 24h;
    p.restrictDuration = 10 * 24h;
    const Reviewer senior{QStringLiteral("sam@example.com"), Role::SeniorReviewer};

    auto r = applyOverride(p, stateAt(Stage::None), Stage::Restrict, senior, QStringLiteral("book farm"), t0());
    QVERIFY(r.ok());
    QCOMPARE(*r->state.restrictUntil, t0() + 10 * 24h);
    QVERIFY(r->state.restrictReason.contains(QStringLiteral("book farm")));
    QVERIFY(!r->state.throttleUntil.has_value());

    r = applyOverride(p, r->state, Stage::Throttle, senior, QStringLiteral("reviewed"), t0());
    QVERIFY(r.ok());
    QCOMPARE(*r->state.throttleUntil, t0() + 3 * 24h);
    QVERIFY(!r->state.restrictUntil.has_value());
    QVERIFY(r->state.restrictReason.isEmpty());

    r = applyOverride(p, r->state, Stage::None, senior, QStringLiteral("cleared"), t0());
    QVERIFY(r.ok());
    QVERIFY(!r->state.throttleUntil.has_value());
    QVERIFY(!r->notification.isEmpty()); // the user hears that limits were lifted
}

QTEST_GUILESS_MAIN(OverrideTest)
#include "OverrideTest.moc"
