// The policy table: defaults are the requested policy, JSON overrides field by field, malformed input is rejected
// with a message naming the key.

#include "EnforcementTestSupport.h"

#include "enforcement/Policy.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace std::chrono_literals;

class PolicyTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreTheRequestedPolicy();
    void overridesFieldByField();
    void overridesOnABase();
    void roundTrip();
    void malformed_data();
    void malformed();
};

void PolicyTest::defaultsAreTheRequestedPolicy() {
    const Policy p;
    QVERIFY(!p.enabled); // backend deployment default
    QVERIFY(Policy::forReview().enabled);
    QVERIFY(!p.killSwitch);
    QVERIFY(p.exemptUids.isEmpty());
    QCOMPARE(p.scoreThreshold, 0.7);
    QCOMPARE(p.throttleViolations, 2);
    QCOMPARE(p.throttleWindow, std::chrono::seconds(7 * 24h));
    QCOMPARE(p.restrictViolations, 3);
    QCOMPARE(p.restrictWindow, std::chrono::seconds(30 * 24h));
    QCOMPARE(p.throttleDuration, std::chrono::seconds(7 * 24h));
    QCOMPARE(p.restrictDuration, std::chrono::seconds(30 * 24h));
    QCOMPARE(p.classifierCooldown, std::chrono::seconds(12h));
    QCOMPARE(p.checkInterval, std::chrono::seconds(5min));
    QCOMPARE(p.restrictedDailySttMs, std::int64_t(30 * 60 * 1000));
    QCOMPARE(p.capsFor(Plan::Basic), (Caps{2 * 3'600'000, 8 * 3'600'000, 10 * 3'600'000}));
    QCOMPARE(p.capsFor(Plan::Unlimited), (Caps{4 * 3'600'000, 16 * 3'600'000, 20 * 3'600'000}));
    QCOMPARE(p.label(), QStringLiteral("requested v1"));
}

void PolicyTest::overridesFieldByField() {
    const auto r = Policy::fromJson(R"({"enabled": true, "score_threshold": 0.8, "throttle_window_seconds": 3600,
        "exempt_uids": ["a", "b"], "caps": {"basic": {"daily_ms": 1000}}, "name": "strict", "version": "7"})");
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    const Policy& p = *r;
    QVERIFY(p.enabled);
    QCOMPARE(p.scoreThreshold, 0.8);
    QCOMPARE(p.throttleWindow, std::chrono::seconds(3600));
    QCOMPARE(p.exemptUids, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(p.basicCaps.dailyMs, std::int64_t(1000));
    QCOMPARE(p.label(), QStringLiteral("strict v7"));
    // Untouched fields keep the defaults.
    const Policy d;
    QCOMPARE(p.basicCaps.threeDayMs, d.basicCaps.threeDayMs);
    QCOMPARE(p.unlimitedCaps, d.unlimitedCaps);
    QCOMPARE(p.restrictWindow, d.restrictWindow);
    QCOMPARE(p.throttleViolations, d.throttleViolations);

    const auto empty = Policy::fromJson("{}");
    QVERIFY(empty.ok());
    QCOMPARE(*empty, Policy{});
}

void PolicyTest::overridesOnABase() {
    // Replay and the console start from forReview(): a file that says nothing about enabled keeps it on.
    auto r = Policy::fromJson(R"({"score_threshold": 0.9})", Policy::forReview());
    QVERIFY(r.ok());
    QVERIFY(r->enabled);
    r = Policy::fromJson(R"({"enabled": false})", Policy::forReview());
    QVERIFY(r.ok());
    QVERIFY(!r->enabled);
}

void PolicyTest::roundTrip() {
    Policy p = Policy::forReview();
    p.name = QStringLiteral("trial");
    p.killSwitch = true;
    p.exemptUids = {QStringLiteral("x")};
    p.scoreThreshold = 0.85;
    p.restrictViolations = 4;
    p.restrictDuration = 86400s;
    p.basicCaps.weeklyMs = 123;
    const auto back = Policy::fromJson(p.toJson());
    QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().message));
    QCOMPARE(*back, p);
}

void PolicyTest::malformed_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mentions"); // the message must name this

    QTest::newRow("not JSON") << QByteArray("{enabled: true}") << QStringLiteral("not valid JSON");
    QTest::newRow("truncated") << QByteArray(R"({"enabled": tr)") << QStringLiteral("not valid JSON");
    QTest::newRow("empty input") << QByteArray() << QStringLiteral("not valid JSON");
    QTest::newRow("array at top") << QByteArray("[1,2]") << QStringLiteral("JSON object");
    QTest::newRow("unknown key") << QByteArray(R"({"enable": true})") << QStringLiteral("\"enable\"");
    QTest::newRow("bool as string") << QByteArray(R"({"enabled": "true"})") << QStringLiteral("\"enabled\"");
    QTest::newRow("threshold as string") << QByteArray(R"({"score_threshold": "0.7"})")
                                         << QStringLiteral("\"score_threshold\"");
    QTest::newRow("threshold above 1") << QByteArray(R"({"score_threshold": 1.5})")
                                       << QStringLiteral("\"score_threshold\"");
    QTest::newRow("threshold zero") << QByteArray(R"({"score_threshold": 0})") << QStringLiteral("\"score_threshold\"");
    QTest::newRow("fractional count") << QByteArray(R"({"throttle_violations": 2.5})")
                                      << QStringLiteral("\"throttle_violations\"");
    QTest::newRow("zero count") << QByteArray(R"({"restrict_violations": 0})")
                                << QStringLiteral("\"restrict_violations\"");
    QTest::newRow("negative window") << QByteArray(R"({"throttle_window_seconds": -1})")
                                     << QStringLiteral("\"throttle_window_seconds\"");
    QTest::newRow("huge duration") << QByteArray(R"({"restrict_duration_seconds": 1e300})")
                                   << QStringLiteral("\"restrict_duration_seconds\"");
    QTest::newRow("null value") << QByteArray(R"({"kill_switch": null})") << QStringLiteral("\"kill_switch\"");
    QTest::newRow("exempt not an array") << QByteArray(R"({"exempt_uids": "u1"})") << QStringLiteral("\"exempt_uids\"");
    QTest::newRow("exempt with a number")
        << QByteArray(R"({"exempt_uids": ["u1", 2]})") << QStringLiteral("\"exempt_uids\"[1]");
    QTest::newRow("empty name") << QByteArray(R"({"name": "  "})") << QStringLiteral("\"name\"");
    QTest::newRow("unknown plan") << QByteArray(R"({"caps": {"pro": {"daily_ms": 1}}})") << QStringLiteral("caps.pro");
    QTest::newRow("free is basic") << QByteArray(R"({"caps": {"free": {"daily_ms": 1}}})")
                                   << QStringLiteral("legacy name of the basic plan");
    QTest::newRow("unknown cap key") << QByteArray(R"({"caps": {"basic": {"monthly_ms": 1}}})")
                                     << QStringLiteral("caps.basic.monthly_ms");
    QTest::newRow("cap zero") << QByteArray(R"({"caps": {"basic": {"daily_ms": 0}}})")
                              << QStringLiteral("caps.basic.daily_ms");
    QTest::newRow("caps not an object") << QByteArray(R"({"caps": [1]})") << QStringLiteral("\"caps\"");
    QTest::newRow("throttle needs more than restrict")
        << QByteArray(R"({"throttle_violations": 5})") << QStringLiteral("restrict_violations");
}

void PolicyTest::malformed() {
    QFETCH(QByteArray, json);
    QFETCH(QString, mentions);
    const auto r = Policy::fromJson(json);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Invalid);
    QVERIFY2(r.error().message.contains(mentions), qPrintable(r.error().message));
}

QTEST_GUILESS_MAIN(PolicyTest)
#include "PolicyTest.moc"
