// The backend's documents as it writes them: the subscription on users/{uid}, its fair-use state's previous_stage,
// and its cases (action none with a high score, synthetic free_exhausted cases, no policy label).
#include "TestTime.h"
#include "enforcement/Enforcement.h"
#include "firestore/FirestoreMapping.h"
#include "firestore/UserDocument.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;

namespace {

FirestoreFields fields(const char* json) {
    const QJsonObject o = QJsonDocument::fromJson(QByteArray(json)).object();
    auto f = fieldsFromJson(o);
    if (!f) {
        qFatal("bad test fields: %s", json);
    }
    return *f;
}

FirestoreDocument docAt(const QString& path, FirestoreFields f) {
    FirestoreDocument d;
    d.name = QStringLiteral("projects/p/databases/(default)/documents/") + path;
    d.fields = std::move(f);
    d.updateTime = QStringLiteral("2026-03-20T10:15:00.123456Z");
    return d;
}

using fairuse::testing::at;

} // namespace

class BackendDocumentsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void subscription_data();
    void subscription();
    void subscriptionRoundTrip();
    void statePreviousStage();
    void backendCasesInTheHistory();
    void policyLabel();
};

void BackendDocumentsTest::subscription_data() {
    QTest::addColumn<QByteArray>("userFields");
    QTest::addColumn<bool>("present");
    QTest::addColumn<QString>("plan");
    QTest::addColumn<QString>("periodEnd"); // RFC 3339; empty: none

    QTest::newRow("unlimited, seconds") << QByteArray(R"({"subscription": {"mapValue": {"fields": {
        "plan": {"stringValue": "unlimited"}, "status": {"stringValue": "active"},
        "current_period_end": {"integerValue": "1777593600"}, "price_id": {"stringValue": "p"}}}}})")
                                        << true << QStringLiteral("unlimited")
                                        << QStringLiteral("2026-05-01T00:00:00Z");
    QTest::newRow("double seconds") << QByteArray(R"({"subscription": {"mapValue": {"fields": {
        "plan": {"stringValue": "unlimited"}, "current_period_end": {"doubleValue": 1777593600.5}}}}})")
                                    << true << QStringLiteral("unlimited")
                                    << QStringLiteral("2026-05-01T00:00:00.500Z");
    QTest::newRow("legacy free, null end") << QByteArray(R"({"subscription": {"mapValue": {"fields": {
        "plan": {"stringValue": "free"}, "status": {"stringValue": "active"},
        "current_period_end": {"nullValue": null}}}}})")
                                           << true << QStringLiteral("free") << QString();
    QTest::newRow("junk end") << QByteArray(R"({"subscription": {"mapValue": {"fields": {
        "plan": {"stringValue": "unlimited"}, "current_period_end": {"stringValue": "soon"}}}}})")
                              << true << QStringLiteral("unlimited") << QString();
    QTest::newRow("no subscription") << QByteArray(R"({"name": {"stringValue": "x"}})") << false << QString()
                                     << QString();
    QTest::newRow("subscription not a map")
        << QByteArray(R"({"subscription": {"stringValue": "unlimited"}})") << false << QString() << QString();
}

void BackendDocumentsTest::subscription() {
    QFETCH(QByteArray, userFields);
    QFETCH(bool, present);
    QFETCH(QString, plan);
    QFETCH(QString, periodEnd);
    const auto s = decodeSubscription(fields(userFields.constData()));
    QCOMPARE(s.has_value(), present);
    if (!s) {
        return;
    }
    QCOMPARE(s->plan, plan);
    QCOMPARE(s->currentPeriodEnd ? formatRfc3339(*s->currentPeriodEnd) : QString(),
             periodEnd.isEmpty() ? QString() : formatRfc3339(parseRfc3339(periodEnd).value()));
}

void BackendDocumentsTest::subscriptionRoundTrip() {
    const Subscription s{QStringLiteral("unlimited"), QStringLiteral("canceled"), at("2026-04-01T00:00:00Z")};
    const auto back = decodeSubscription({{QStringLiteral("subscription"), encodeSubscription(s)}});
    QVERIFY(back == s);
    // Unix seconds on the wire, as the backend writes them.
    QCOMPARE(encodeSubscription(s).toMap().value(QStringLiteral("current_period_end")).toInteger(),
             std::int64_t{1775001600});
}

void BackendDocumentsTest::statePreviousStage() {
    FairUseState s;
    s.uid = QStringLiteral("u1");
    s.stage = Stage::Restrict;
    s.restrictReason = QString::fromLatin1(enforcement::kFreePlanRestrictReason);
    s.previousStage = Stage::Throttle;
    auto back = decodeState(docAt(QStringLiteral("users/u1/fair_use_state/current"), encodeState(s)));
    QVERIFY(back.ok());
    QVERIFY(back->previousStage == Stage::Throttle);
    // The state document has no plan: the plan is the user document's.
    QVERIFY(!encodeState(s).contains(QStringLiteral("plan")));
    QVERIFY(!back->subscription.has_value());
}

void BackendDocumentsTest::backendCasesInTheHistory() {
    // Three of the backend's cases: a violation that left the stage alone (action none, score 0.82), a legitimate
    // heavy user (none, 0.2), and its synthetic credit case (warning, usage type free_exhausted).
    const auto backendCase = [](const char* id, const char* created, const char* action, double score,
                                const char* type) {
        FirestoreFields f = fields(R"({"case_ref": {"stringValue": "FU-0123456789AB"}, "trigger": {"stringValue":
            "daily"}, "previous_stage": {"stringValue": "warning"}, "new_stage": {"stringValue": "warning"},
            "resolved": {"booleanValue": false}})");
        f.insert(QStringLiteral("created_at"), FirestoreValue::timestamp(at(created)));
        f.insert(QStringLiteral("enforcement_action"), FirestoreValue::string(QString::fromLatin1(action)));
        f.insert(QStringLiteral("classifier"),
                 FirestoreValue::map({{QStringLiteral("misuse_score"), FirestoreValue::number(score)},
                                      {QStringLiteral("usage_type"), FirestoreValue::string(QString::fromLatin1(type))},
                                      {QStringLiteral("confidence"), FirestoreValue::number(0.9)}}));
        auto e = decodeEvent(docAt(QStringLiteral("users/u1/fair_use_events/%1").arg(QString::fromLatin1(id)), f));
        if (!e) {
            qFatal("case did not decode: %s", qPrintable(e.error().message));
        }
        return *e;
    };
    const QList<FairUseEvent> events{
        backendCase("a", "2026-03-18T10:00:00Z", "none", 0.82, "audiobook"),
        backendCase("b", "2026-03-18T22:00:00Z", "none", 0.2, "none"),
        backendCase("c", "2026-03-19T10:00:00Z", "warning", 0.1, "free_exhausted"),
    };
    QVERIFY(!events.at(0).freeCreditsExhausted);
    QVERIFY(events.at(2).freeCreditsExhausted);
    FairUseState s;
    s.uid = QStringLiteral("u1");
    s.stage = Stage::Warning;
    QCOMPARE(enforcement::violationHistory(events, s, enforcement::Policy::forReview().scoreThreshold),
             QList<TimePoint>{at("2026-03-18T10:00:00Z")});
}

void BackendDocumentsTest::policyLabel() {
    FairUseEvent e;
    e.uid = QStringLiteral("u1");
    e.id = QStringLiteral("e1");
    e.createdAt = at("2026-03-20T10:00:00Z");
    e.caseRef = QStringLiteral("FU-0123456789AB");
    e.policy = QStringLiteral("requested v1");
    auto back = decodeEvent(docAt(QStringLiteral("users/u1/fair_use_events/e1"), encodeEvent(e)));
    QVERIFY(back.ok());
    QCOMPARE(back->policy, QStringLiteral("requested v1"));
    e.policy.clear(); // the backend's cases carry no label
    back = decodeEvent(docAt(QStringLiteral("users/u1/fair_use_events/e1"), encodeEvent(e)));
    QVERIFY(back.ok());
    QVERIFY(back->policy.isEmpty());
}

QTEST_GUILESS_MAIN(BackendDocumentsTest)
#include "BackendDocumentsTest.moc"
