// fair_use_shadow/{id} (firestore/ShadowDecisionDocument.h): the round trip of every field, strict decoding of
// malformed documents (each refused with the document and the field named, never a crash), and the decision a shadow
// pass's line describes (enforcer/ShadowRecorder.h).
#include "TestTime.h"

#include "enforcement/ShadowComparison.h"
#include "enforcer/ShadowRecorder.h"
#include "firestore/ShadowDecisionDocument.h"

#include <QJsonObject>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;
using fairuse::testing::at;

namespace {

using V = FirestoreValue;

const TimePoint kPass = at("2026-12-01T12:02:00Z");
const TimePoint kInterval = at("2026-12-01T12:00:00Z");

ShadowDecision full() {
    ShadowDecision d;
    d.uid = QStringLiteral("u042");
    d.passAt = kPass;
    d.intervalStart = kInterval;
    d.id = enforcement::shadowDecisionId(d.uid, d.intervalStart);
    d.instance = QStringLiteral("shadow-a");
    d.action = QStringLiteral("throttle");
    d.outcome = QStringLiteral("would_write");
    d.stageBefore = Stage::Warning;
    d.stageAfter = Stage::Throttle;
    d.trigger = CapWindow::ThreeDay;
    d.totals = SpeechTotals{7'200'000, 21'600'000, 30'000'000};
    d.score = 0.87;
    d.usageType = UsageType::Podcast;
    d.caseId = QStringLiteral("enf_0123456789abcdef01234567");
    d.caseRef = QStringLiteral("FU-0123456789AB");
    d.explanation = QStringLiteral("Violation: cap hit (3day)");
    return d;
}

FirestoreDocument document(const FirestoreFields& fields, const QString& id) {
    FirestoreDocument doc;
    doc.name = QStringLiteral("projects/p/databases/(default)/documents/") + shadowDecisionPath(id);
    doc.fields = fields;
    return doc;
}

} // namespace

class ShadowDecisionDocumentTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip() {
        const ShadowDecision d = full();
        QCOMPARE(d.id, QStringLiteral("u042_1796126400"));
        const Result<ShadowDecision> back = decodeShadowDecision(document(encodeShadowDecision(d), d.id));
        QVERIFY2(back.ok(), qPrintable(back ? QString() : back.error().message));
        QCOMPARE(back->id, d.id);
        QCOMPARE(back->uid, d.uid);
        QVERIFY(back->passAt == d.passAt && back->intervalStart == d.intervalStart);
        QCOMPARE(back->instance, d.instance);
        QCOMPARE(back->action, d.action);
        QCOMPARE(back->outcome, d.outcome);
        QVERIFY(back->stageBefore == Stage::Warning && back->stageAfter == Stage::Throttle);
        QVERIFY(back->trigger == CapWindow::ThreeDay);
        QVERIFY(back->totals == d.totals);
        QVERIFY(back->score == 0.87);
        QVERIFY(back->usageType == UsageType::Podcast);
        QCOMPARE(back->caseId, d.caseId);
        QCOMPARE(back->caseRef, d.caseRef);
        QCOMPARE(back->explanation, d.explanation);
        QVERIFY(!back->expiry);
        QVERIFY(back->wouldAct());
        QVERIFY(encodeShadowDecision(d).value(QStringLiteral("would_act")).toBool());
    }

    void anExpiryOfTheSweepHasNoTotals() {
        ShadowDecision d = full();
        d.action = QStringLiteral("throttle_expired_to_warning");
        d.stageBefore = Stage::Throttle;
        d.stageAfter = Stage::Warning;
        d.trigger.reset();
        d.totals.reset();
        d.score.reset();
        d.usageType.reset();
        d.caseId.clear();
        d.caseRef.clear();
        d.expiry = true;
        const Result<ShadowDecision> back = decodeShadowDecision(document(encodeShadowDecision(d), d.id));
        QVERIFY2(back.ok(), qPrintable(back ? QString() : back.error().message));
        QVERIFY(!back->totals && !back->trigger && !back->score && !back->usageType);
        QVERIFY(back->caseId.isEmpty());
        QVERIFY(back->expiry);
        QVERIFY(back->wouldAct());
    }

    void malformedIsRefused_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<FirestoreValue>("value"); // null: the field removed
        QTest::addColumn<QString>("message");
        QTest::newRow("no uid") << QStringLiteral("uid") << V::null() << QStringLiteral("field uid is required");
        QTest::newRow("uid a number") << QStringLiteral("uid") << V::integer(42) << QStringLiteral("field uid");
        QTest::newRow("no pass time") << QStringLiteral("pass_at") << V::null() << QStringLiteral("pass_at");
        QTest::newRow("pass time a string")
            << QStringLiteral("pass_at") << V::string(QStringLiteral("yesterday")) << QStringLiteral("pass_at");
        QTest::newRow("no instance") << QStringLiteral("instance") << V::null() << QStringLiteral("instance");
        QTest::newRow("unknown action") << QStringLiteral("action") << V::string(QStringLiteral("ban"))
                                        << QStringLiteral("action has unknown value \"ban\"");
        QTest::newRow("unknown stage") << QStringLiteral("stage_after") << V::string(QStringLiteral("jail"))
                                       << QStringLiteral("stage_after has unknown value");
        QTest::newRow("no stage before") << QStringLiteral("stage_before") << V::null()
                                         << QStringLiteral("stage_before is required");
        QTest::newRow("unknown trigger") << QStringLiteral("trigger") << V::string(QStringLiteral("hourly"))
                                         << QStringLiteral("trigger has unknown value");
        QTest::newRow("unknown usage type") << QStringLiteral("usage_type") << V::string(QStringLiteral("opera"))
                                            << QStringLiteral("usage_type has unknown value");
        QTest::newRow("score above 1") << QStringLiteral("misuse_score") << V::number(1.5)
                                       << QStringLiteral("misuse_score is outside [0, 1]");
        QTest::newRow("score NaN") << QStringLiteral("misuse_score") << V::number(std::nan(""))
                                   << QStringLiteral("misuse_score is outside [0, 1]");
        QTest::newRow("score a string") << QStringLiteral("misuse_score") << V::string(QStringLiteral("high"))
                                        << QStringLiteral("misuse_score");
        QTest::newRow("negative total") << QStringLiteral("window_speech_ms")
                                        << V::map({{QStringLiteral("daily_ms"), V::integer(-1)},
                                                   {QStringLiteral("three_day_ms"), V::integer(0)},
                                                   {QStringLiteral("weekly_ms"), V::integer(0)}})
                                        << QStringLiteral("negative total");
        QTest::newRow("totals missing a window")
            << QStringLiteral("window_speech_ms") << V::map({{QStringLiteral("daily_ms"), V::integer(1)}})
            << QStringLiteral("three_day_ms is required");
        QTest::newRow("totals a list") << QStringLiteral("window_speech_ms") << V::string(QStringLiteral("[1,2,3]"))
                                       << QStringLiteral("window_speech_ms");
        QTest::newRow("expiry a string") << QStringLiteral("expiry") << V::string(QStringLiteral("yes"))
                                         << QStringLiteral("expiry");
        QTest::newRow("another user's id") << QStringLiteral("uid") << V::string(QStringLiteral("u043"))
                                           << QStringLiteral("name document u043_1796126400, not u042_1796126400");
        QTest::newRow("another interval's id")
            << QStringLiteral("interval_start") << V::timestamp(kInterval + 5min) << QStringLiteral("not u042_");
    }
    void malformedIsRefused() {
        QFETCH(QString, field);
        QFETCH(FirestoreValue, value);
        QFETCH(QString, message);
        const ShadowDecision d = full();
        FirestoreFields fields = encodeShadowDecision(d);
        if (value.isNull()) {
            fields.remove(field);
        } else {
            fields.insert(field, value);
        }
        const Result<ShadowDecision> decoded = decodeShadowDecision(document(fields, d.id));
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.error().kind, ErrorKind::Invalid);
        QVERIFY2(decoded.error().message.contains(message), qPrintable(decoded.error().message));
        QVERIFY2(decoded.error().message.contains(QStringLiteral("fair_use_shadow/u042_1796126400")),
                 qPrintable(decoded.error().message));
    }

    void fromAShadowPassLine() {
        const QJsonObject line{{QStringLiteral("uid"), QStringLiteral("u042")},
                               {QStringLiteral("stage_before"), QStringLiteral("warning")},
                               {QStringLiteral("stage_after"), QStringLiteral("throttle")},
                               {QStringLiteral("action"), QStringLiteral("throttle")},
                               {QStringLiteral("trigger"), QStringLiteral("3day")},
                               {QStringLiteral("daily_ms"), 7'200'000.0},
                               {QStringLiteral("three_day_ms"), 21'600'000.0},
                               {QStringLiteral("weekly_ms"), 30'000'000.0},
                               {QStringLiteral("score"), 0.87},
                               {QStringLiteral("usage_type"), QStringLiteral("podcast")},
                               {QStringLiteral("case_id"), QStringLiteral("enf_0123456789abcdef01234567")},
                               {QStringLiteral("case_ref"), QStringLiteral("FU-0123456789AB")},
                               {QStringLiteral("outcome"), QStringLiteral("would_write")},
                               {QStringLiteral("explanation"), QStringLiteral("Violation: cap hit (3day)")}};
        const std::optional<ShadowDecision> d = shadowDecisionFromLine(line, kPass, 300s, QStringLiteral("shadow-a"));
        QVERIFY(d);
        const ShadowDecision x = full();
        QCOMPARE(d->id, x.id);
        QVERIFY(d->intervalStart == kInterval);
        QCOMPARE(encodeShadowDecision(*d), encodeShadowDecision(x));

        // A sweep's expiry: no totals, no trigger.
        const std::optional<ShadowDecision> sweep = shadowDecisionFromLine(
            QJsonObject{{QStringLiteral("uid"), QStringLiteral("x1")},
                        {QStringLiteral("stage_before"), QStringLiteral("restrict")},
                        {QStringLiteral("action"), QStringLiteral("restrict_expired_to_throttle")},
                        {QStringLiteral("stage_after"), QStringLiteral("throttle")},
                        {QStringLiteral("sweep"), true},
                        {QStringLiteral("outcome"), QStringLiteral("would_write")}},
            kPass, 300s, QStringLiteral("shadow-a"));
        QVERIFY(sweep);
        QVERIFY(sweep->expiry && !sweep->totals && !sweep->trigger && !sweep->score);
        QVERIFY(sweep->stageAfter == Stage::Throttle);

        // A rerun's case the live service wrote already is not one this decision would write.
        QJsonObject rerun = line;
        rerun.insert(QStringLiteral("action"), QStringLiteral("cooldown_skip"));
        rerun.insert(QStringLiteral("stage_after"), QStringLiteral("warning"));
        rerun.insert(QStringLiteral("outcome"), QStringLiteral("already_written"));
        const std::optional<ShadowDecision> again = shadowDecisionFromLine(rerun, kPass, 300s, QStringLiteral("s"));
        QVERIFY(again && again->caseId.isEmpty() && !again->wouldAct());

        // A range's line names no user.
        QVERIFY(!shadowDecisionFromLine(QJsonObject{{QStringLiteral("range"), 3}}, kPass, 300s, QString()));
    }
};

QTEST_GUILESS_MAIN(ShadowDecisionDocumentTest)
#include "ShadowDecisionDocumentTest.moc"
