// The plan in force from the backend's subscription record: legacy free, expired paid plans, the period's edge.

#include "common/Subscription.h"
#include "TestTime.h"

#include <QTest>

#include <chrono>
#include <optional>

using namespace fairuse;

namespace {

using fairuse::testing::at;

} // namespace

class SubscriptionTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void effectivePlan_data();
    void effectivePlan();
    void legacyFreeReadsAsBasic();
};

void SubscriptionTest::effectivePlan_data() {
    QTest::addColumn<bool>("hasSubscription");
    QTest::addColumn<QString>("plan");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("periodEnd"); // RFC 3339, empty: none
    QTest::addColumn<QString>("expectedPlan");
    QTest::addColumn<bool>("freeTier");
    QTest::addColumn<QString>("expectedCycleEnd");
    QTest::addColumn<bool>("lapsed");

    const QString active = QStringLiteral("active");
    const QString before = QStringLiteral("2026-04-30T23:59:59Z"); // now is 2026-04-20T12:00:00Z
    const QString past = QStringLiteral("2026-04-01T00:00:00Z");
    const QString edge = QStringLiteral("2026-04-20T12:00:00Z");
    const QString u = QStringLiteral("unlimited");
    const QString b = QStringLiteral("basic");
    QTest::newRow("no subscription: basic")
        << false << QString() << QString() << QString() << b << true << QString() << false;
    QTest::newRow("basic") << true << b << active << QString() << b << true << QString() << false;
    QTest::newRow("basic with a period end: still basic")
        << true << b << active << before << b << true << QString() << false;
    QTest::newRow("legacy free: basic") << true << QStringLiteral("free") << active << QString() << b << true
                                        << QString() << false;
    QTest::newRow("unlimited in its period") << true << u << active << before << u << false << before << false;
    QTest::newRow("unlimited cancelled, period not over")
        << true << u << QStringLiteral("canceled") << before << u << false << before << false;
    QTest::newRow("unlimited at the period's last second")
        << true << u << active << edge << u << false << edge << false;
    QTest::newRow("unlimited expired: basic") << true << u << active << past << b << true << QString() << true;
    QTest::newRow("unlimited without an end: basic")
        << true << u << active << QString() << b << true << QString() << true;
    QTest::newRow("another paid plan in its period: paid caps")
        << true << QStringLiteral("pro") << active << before << u << false << before << false;
    QTest::newRow("empty plan name: basic") << true << QString() << active << before << b << true << QString() << false;
}

void SubscriptionTest::effectivePlan() {
    QFETCH(bool, hasSubscription);
    QFETCH(QString, plan);
    QFETCH(QString, status);
    QFETCH(QString, periodEnd);
    QFETCH(QString, expectedPlan);
    QFETCH(bool, freeTier);
    QFETCH(QString, expectedCycleEnd);
    QFETCH(bool, lapsed);

    std::optional<Subscription> sub;
    if (hasSubscription) {
        sub = Subscription{plan, status, std::nullopt};
        if (!periodEnd.isEmpty()) {
            sub->currentPeriodEnd = parseRfc3339(periodEnd).value();
        }
    }
    const TimePoint now = at("2026-04-20T12:00:00Z");
    QCOMPARE(toString(fairuse::effectivePlan(sub, now)), expectedPlan);
    QCOMPARE(onFreeTier(sub, now), freeTier);
    QCOMPARE(paidPlanLapsed(sub, now), lapsed);
    const auto cycleEnd = billingCycleEnd(sub, now);
    QCOMPARE(cycleEnd ? formatRfc3339(*cycleEnd) : QString(),
             expectedCycleEnd.isEmpty() ? QString() : formatRfc3339(parseRfc3339(expectedCycleEnd).value()));
    // One millisecond after the end, every paid plan is basic.
    if (sub && sub->currentPeriodEnd) {
        const TimePoint after = *sub->currentPeriodEnd + std::chrono::milliseconds(1);
        QCOMPARE(toString(fairuse::effectivePlan(sub, after)), QStringLiteral("basic"));
        QVERIFY(onFreeTier(sub, after));
    }
}

void SubscriptionTest::legacyFreeReadsAsBasic() {
    QCOMPARE(planFromString(QStringLiteral("free")), std::optional<Plan>(Plan::Basic));
    QCOMPARE(planFromString(QStringLiteral("basic")), std::optional<Plan>(Plan::Basic));
    QCOMPARE(planFromString(QStringLiteral("unlimited")), std::optional<Plan>(Plan::Unlimited));
    QCOMPARE(toString(Plan::Basic), QStringLiteral("basic"));
    QVERIFY(!planFromString(QStringLiteral("pro")).has_value());
}

QTEST_GUILESS_MAIN(SubscriptionTest)
#include "SubscriptionTest.moc"
