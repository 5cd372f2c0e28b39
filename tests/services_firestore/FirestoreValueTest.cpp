// Firestore REST value codec and the SPEC 4.2 document mapping: round trips and malformed input.
#include "firestore/FirestoreValue.h"
#include "TestTime.h"
#include "firestore/FirestoreMapping.h"
#include "firestore/FirestoreViews.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>
#include <limits>

using namespace fairuse;
using namespace fairuse::services;

namespace {

QJsonValue parse(const char* json) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + json + "]", &error);
    if (error.error != QJsonParseError::NoError) {
        qFatal("bad test JSON: %s", json);
    }
    return doc.array().at(0);
}

using fairuse::testing::at;

FirestoreDocument docAt(const QString& path, FirestoreFields fields) {
    FirestoreDocument d;
    d.name = QStringLiteral("projects/p/databases/(default)/documents/") + path;
    d.fields = std::move(fields);
    d.updateTime = QStringLiteral("2026-03-20T10:15:00.123456Z");
    return d;
}

} // namespace

class FirestoreValueTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesEachType_data();
    void parsesEachType();
    void specialDoubles();
    void rejectsMalformedValues_data();
    void rejectsMalformedValues();
    void stateRoundTrip();
    void eventRoundTrip();
    void conversationAuditSpendRoundTrip();
    /** Malformed documents: each row is a state document in REST JSON and the error it must produce (or, with an
     *  empty `mentions`, the documented default it must decode to). */
    void malformedState_data();
    void malformedState();
    void spendCaseRoundTrip();
    void malformedEvent_data();
    void malformedEvent();
    void malformedDocumentEnvelope();
    void viewRoundTrip();
    /** A saved view as anyone could leave it in fair_use_views: refused with the document and field named. */
    void malformedView_data();
    void malformedView();
};

void FirestoreValueTest::parsesEachType_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("reencoded"); // compact JSON after one round trip; empty = same as input

    using T = FirestoreValue::Type;
    QTest::newRow("null") << R"({"nullValue":null})" << int(T::Null) << QString();
    QTest::newRow("bool") << R"({"booleanValue":true})" << int(T::Boolean) << QString();
    QTest::newRow("int as string") << R"({"integerValue":"-9223372036854775808"})" << int(T::Integer) << QString();
    QTest::newRow("int as number") << R"({"integerValue":42})" << int(T::Integer) << R"({"integerValue":"42"})";
    QTest::newRow("double") << R"({"doubleValue":0.75})" << int(T::Double) << QString();
    QTest::newRow("double NaN") << R"({"doubleValue":"NaN"})" << int(T::Double) << QString();
    QTest::newRow("double +inf") << R"({"doubleValue":"Infinity"})" << int(T::Double) << QString();
    QTest::newRow("double -inf") << R"({"doubleValue":"-Infinity"})" << int(T::Double) << QString();
    // Parsed timestamps are written back verbatim (full precision for cursors); see specialDoubles for ms values.
    QTest::newRow("timestamp nanos kept verbatim")
        << R"({"timestampValue":"2026-03-20T10:15:00.123456789Z"})" << int(T::Timestamp) << QString();
    QTest::newRow("timestamp with offset kept verbatim")
        << R"({"timestampValue":"2026-03-20T12:15:00+02:00"})" << int(T::Timestamp) << QString();
    QTest::newRow("string") << R"({"stringValue":"héllo \"x\""})" << int(T::String) << QString();
    QTest::newRow("reference") << R"({"referenceValue":"projects/p/databases/(default)/documents/a/b"})"
                               << int(T::Reference) << QString();
    QTest::newRow("empty array has no values") << R"({"arrayValue":{}})" << int(T::Array) << QString();
    QTest::newRow("array") << R"({"arrayValue":{"values":[{"integerValue":"1"},{"stringValue":"a"}]}})" << int(T::Array)
                           << QString();
    QTest::newRow("empty map") << R"({"mapValue":{}})" << int(T::Map) << R"({"mapValue":{"fields":{}}})";
    QTest::newRow("nested map") << R"({"mapValue":{"fields":{"a":{"mapValue":{"fields":{"b":{"arrayValue":{}}}}}}}})"
                                << int(T::Map) << QString();
    QTest::newRow("bytes kept verbatim") << R"({"bytesValue":"AAEC"})" << int(T::Other) << QString();
}

void FirestoreValueTest::parsesEachType() {
    QFETCH(QString, json);
    QFETCH(int, type);
    QFETCH(QString, reencoded);
    const auto parsed = FirestoreValue::fromJson(parse(json.toUtf8().constData()));
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
    QCOMPARE(int(parsed->type()), type);
    const QString out = QString::fromUtf8(QJsonDocument(parsed->toJson()).toJson(QJsonDocument::Compact));
    const QString expected =
        reencoded.isEmpty() ? QString::fromUtf8(QJsonDocument::fromJson(json.toUtf8()).toJson(QJsonDocument::Compact))
                            : reencoded;
    QCOMPARE(out, expected);
    // And the encoded form parses back to an equal value.
    const auto again = FirestoreValue::fromJson(parsed->toJson());
    QVERIFY(again.ok());
    QVERIFY(*again == *parsed);
}

void FirestoreValueTest::specialDoubles() {
    // Constructed timestamps are written with microseconds; parsed ones are read at millisecond precision.
    QCOMPARE(FirestoreValue::timestamp(at("2026-03-20T12:15:00.5+02:00"))
                 .toJson()
                 .value(QStringLiteral("timestampValue"))
                 .toString(),
             QStringLiteral("2026-03-20T10:15:00.500000Z"));
    QVERIFY(FirestoreValue::fromJson(parse(R"({"timestampValue":"2026-03-20T10:15:00.123999999Z"})"))->toTimestamp() ==
            at("2026-03-20T10:15:00.123Z"));
    QVERIFY(std::isnan(FirestoreValue::fromJson(parse(R"({"doubleValue":"NaN"})"))->toDouble()));
    QCOMPARE(FirestoreValue::fromJson(parse(R"({"doubleValue":"-Infinity"})"))->toDouble(),
             -std::numeric_limits<double>::infinity());
    QCOMPARE(FirestoreValue::fromJson(parse(R"({"integerValue":"9007199254740993"})"))->toInteger(),
             std::int64_t{9007199254740993});
}

void FirestoreValueTest::rejectsMalformedValues_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not an object") << R"("x")"
                                   << "JSON object";
    QTest::newRow("no type key") << R"({})"
                                 << "exactly one";
    QTest::newRow("two type keys") << R"({"stringValue":"a","integerValue":"1"})"
                                   << "exactly one";
    QTest::newRow("unknown type") << R"({"floatValue":1})"
                                  << "unknown value type";
    QTest::newRow("bool as string") << R"({"booleanValue":"true"})"
                                    << "booleanValue";
    QTest::newRow("int not a number") << R"({"integerValue":"12a"})"
                                      << "integer";
    QTest::newRow("int fraction") << R"({"integerValue":1.5})"
                                  << "exact integer";
    QTest::newRow("int overflow") << R"({"integerValue":"99999999999999999999"})"
                                  << "64-bit";
    QTest::newRow("int as bool") << R"({"integerValue":true})"
                                 << "string or a number";
    QTest::newRow("double junk") << R"({"doubleValue":"lots"})"
                                 << "not a number";
    QTest::newRow("double as object") << R"({"doubleValue":{}})"
                                      << "doubleValue";
    QTest::newRow("timestamp junk") << R"({"timestampValue":"yesterday"})"
                                    << "RFC 3339";
    QTest::newRow("timestamp bad month") << R"({"timestampValue":"2026-13-01T00:00:00Z"})"
                                         << "out of range";
    QTest::newRow("timestamp as number") << R"({"timestampValue":1700000000})"
                                         << "RFC 3339";
    QTest::newRow("string as number") << R"({"stringValue":5})"
                                      << "stringValue";
    QTest::newRow("map not object") << R"({"mapValue":[]})"
                                    << "mapValue";
    QTest::newRow("map fields not object") << R"({"mapValue":{"fields":[]}})"
                                           << "fields";
    QTest::newRow("bad value in map") << R"({"mapValue":{"fields":{"k":{"integerValue":"x"}}}})"
                                      << "k:";
    QTest::newRow("array values not array") << R"({"arrayValue":{"values":{}}})"
                                            << "values";
    QTest::newRow("bad array element") << R"({"arrayValue":{"values":[{"nullValue":null},{"x":1}]}})"
                                       << "[1]";
}

void FirestoreValueTest::rejectsMalformedValues() {
    QFETCH(QString, json);
    QFETCH(QString, mentions);
    const auto parsed = FirestoreValue::fromJson(parse(json.toUtf8().constData()));
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::Invalid);
    QVERIFY2(parsed.error().message.contains(mentions), qPrintable(parsed.error().message));
}

void FirestoreValueTest::stateRoundTrip() {
    FairUseState s;
    s.stage = Stage::Throttle;
    s.updatedAt = at("2026-03-20T10:15:00.250Z");
    s.lastViolationAt = at("2026-03-19T08:00:00Z");
    s.violationCount7d = 2;
    s.violationCount30d = 3;
    s.throttleUntil = at("2026-03-27T10:15:00Z");
    s.restrictReason = QStringLiteral("why");
    s.lastClassifierScore = 0.91;
    s.lastClassifierType = UsageType::Audiobook;
    s.lastClassifierAt = at("2026-03-20T10:14:00Z");
    s.classifierFailedAt = at("2026-03-20T10:12:00Z");
    s.classifierFailures = 3;
    s.lastCaseRef = QStringLiteral("FU-0123456789AB");
    const auto doc = docAt(QStringLiteral("users/u42/fair_use_state/current"), encodeState(s));
    // Through JSON, as the wire sees it.
    const auto fields = fieldsFromJson(fieldsToJson(doc.fields));
    QVERIFY(fields.ok());
    auto back = decodeState(docAt(QStringLiteral("users/u42/fair_use_state/current"), *fields));
    QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().message));
    QCOMPARE(back->uid, QStringLiteral("u42"));
    QVERIFY(back->stage == Stage::Throttle);
    QVERIFY(back->updatedAt == s.updatedAt);
    QVERIFY(back->lastViolationAt == s.lastViolationAt);
    QCOMPARE(back->violationCount7d, 2);
    QCOMPARE(back->violationCount30d, 3);
    QVERIFY(back->throttleUntil == s.throttleUntil);
    QVERIFY(!back->restrictUntil);
    QCOMPARE(back->restrictReason, s.restrictReason);
    QVERIFY(back->lastClassifierScore == s.lastClassifierScore);
    QVERIFY(back->lastClassifierType == s.lastClassifierType);
    QVERIFY(back->lastClassifierAt == s.lastClassifierAt);
    QVERIFY(back->classifierFailedAt == s.classifierFailedAt);
    QCOMPARE(back->classifierFailures, 3);
    QCOMPARE(back->lastCaseRef, s.lastCaseRef);
    QCOMPARE(back->version, QStringLiteral("2026-03-20T10:15:00.123456Z"));
    // SPEC 4.2 names and our additions on the wire.
    for (const char* name : {"stage", "updated_at", "last_violation_at", "throttle_until", "restrict_until",
                             "restrict_reason", "last_classifier_score", "last_classifier_type", "last_case_ref",
                             "reset_by", "reset_at", "classifier_failed_at", "classifier_failures"}) {
        QVERIFY2(doc.fields.contains(QString::fromLatin1(name)), name);
    }
}

void FirestoreValueTest::eventRoundTrip() {
    FairUseEvent e;
    e.createdAt = at("2026-03-20T10:15:00Z");
    e.caseRef = QStringLiteral("FU-0123456789AB");
    e.sessionId = QStringLiteral("s1");
    e.trigger = CapWindow::ThreeDay;
    e.windowSpeech = SpeechTotals{7'300'000, 20'000'000, 30'000'000};
    e.thresholds = Caps::forPlan(Plan::Basic);
    ClassifierResult c;
    c.misuseScore = 0.85;
    c.usageType = UsageType::Podcast;
    c.confidence = 0.6;
    c.evidence = {Evidence{QStringLiteral("c1"), QStringLiteral("Ep 1"), QStringLiteral("read aloud")}};
    c.reasoning = QStringLiteral("r");
    c.model = QStringLiteral("m");
    c.promptVersion = QStringLiteral("v3");
    e.classifier = c;
    e.enforcementAction = QStringLiteral("throttle");
    e.previousStage = Stage::Warning;
    e.newStage = Stage::Throttle;
    e.resolved = true;
    e.resolvedAt = at("2026-03-21T00:00:00Z");
    e.resolvedBy = QStringLiteral("a@x.com");
    e.adminNotes = QStringLiteral("ok");
    e.outcome = Outcome::Confirmed;
    const auto fields = encodeEvent(e);
    const QJsonObject wire = fieldsToJson(fields);
    // Exact SPEC 4.2 nesting.
    const QJsonObject ws = wire.value(QStringLiteral("window_speech_ms"))
                               .toObject()[QStringLiteral("mapValue")]
                               .toObject()[QStringLiteral("fields")]
                               .toObject();
    QCOMPARE(ws.value(QStringLiteral("three_day_ms")).toObject().value(QStringLiteral("integerValue")).toString(),
             QStringLiteral("20000000"));
    QCOMPARE(wire.value(QStringLiteral("trigger")).toObject().value(QStringLiteral("stringValue")).toString(),
             QStringLiteral("3day"));
    auto back = decodeEvent(docAt(QStringLiteral("users/u1/fair_use_events/e9"), fieldsFromJson(wire).value()));
    QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().message));
    QCOMPARE(back->uid, QStringLiteral("u1"));
    QCOMPARE(back->id, QStringLiteral("e9"));
    QVERIFY(back->trigger == CapWindow::ThreeDay);
    QCOMPARE(back->windowSpeech, e.windowSpeech);
    QCOMPARE(back->thresholds, e.thresholds);
    QVERIFY(back->classifier.has_value());
    QCOMPARE(back->classifier->misuseScore, 0.85);
    QVERIFY(back->classifier->usageType == UsageType::Podcast);
    QCOMPARE(back->classifier->evidence, c.evidence);
    QCOMPARE(back->classifier->promptVersion, QStringLiteral("v3"));
    QVERIFY(back->previousStage == Stage::Warning);
    QVERIFY(back->newStage == Stage::Throttle);
    QVERIFY(back->resolved);
    QVERIFY(back->resolvedAt == e.resolvedAt);
    QCOMPARE(back->resolvedBy, e.resolvedBy);
    QVERIFY(back->outcome == e.outcome);
}

void FirestoreValueTest::conversationAuditSpendRoundTrip() {
    Conversation c{QStringLiteral("c7"),       QStringLiteral("T"),       QStringLiteral("O"),
                   QStringLiteral("work"),     QStringLiteral("omi"),     at("2026-03-20T09:00:00Z"),
                   at("2026-03-20T10:00:00Z"), at("2026-03-20T10:00:01Z")};
    auto cb = decodeConversation(docAt(QStringLiteral("users/u1/conversations/c7"), encodeConversation(c)));
    QVERIFY(cb.ok());
    QCOMPARE(cb->id, QStringLiteral("c7"));
    QCOMPARE(cb->title, c.title);
    QCOMPARE(cb->category, c.category);
    QCOMPARE(cb->durationMinutes(), 60.0);

    AuditRecord a;
    a.sequence = 17;
    a.at = at("2026-03-20T10:00:00Z");
    a.reviewer = QStringLiteral("r@x.com");
    a.role = Role::SeniorReviewer;
    a.action = AuditAction::OverrideStage;
    a.uid = QStringLiteral("u1");
    a.stageBefore = Stage::Restrict;
    a.stageAfter = Stage::Throttle;
    a.reason = QStringLiteral("appeal");
    a.prevHash = QStringLiteral("aa");
    a.hash = QStringLiteral("bb");
    auto ab = decodeAudit(encodeAudit(a));
    QVERIFY(ab.ok());
    QCOMPARE(ab->sequence, 17);
    QVERIFY(ab->role == Role::SeniorReviewer);
    QVERIFY(ab->action == AuditAction::OverrideStage);
    QVERIFY(ab->stageBefore == a.stageBefore);
    QVERIFY(ab->stageAfter == a.stageAfter);
    QCOMPARE(ab->prevHash, a.prevHash);
    QCOMPARE(ab->hash, a.hash);

    LlmSpendRecord s{QStringLiteral("u1"),
                     at("2026-03-20T10:00:00Z"),
                     QStringLiteral("gpt"),
                     QStringLiteral("classifier"),
                     100,
                     20,
                     345,
                     true,
                     Plan::Unlimited};
    auto sb = decodeSpend(encodeSpend(s));
    QVERIFY(sb.ok());
    QCOMPARE(sb->costMicroUsd, 345);
    QVERIFY(sb->customStt);
    QVERIFY(sb->plan == Plan::Unlimited);
}

void FirestoreValueTest::malformedState_data() {
    QTest::addColumn<QString>("fields");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("missing stage") << R"({})"
                                   << "stage is required";
    QTest::newRow("null stage") << R"({"stage":{"nullValue":null}})"
                                << "stage is required";
    QTest::newRow("unknown stage") << R"({"stage":{"stringValue":"banned"}})"
                                   << "unknown value \"banned\"";
    QTest::newRow("stage as int") << R"({"stage":{"integerValue":"2"}})"
                                  << "stage should be stringValue";
    QTest::newRow("updated_at as bool") << R"({"stage":{"stringValue":"warning"},"updated_at":{"booleanValue":true}})"
                                        << "updated_at should be timestampValue";
    QTest::newRow("updated_at junk string")
        << R"({"stage":{"stringValue":"warning"},"updated_at":{"stringValue":"soon"}})"
        << "updated_at";
    QTest::newRow("count fractional")
        << R"({"stage":{"stringValue":"warning"},"violation_count_7d":{"doubleValue":1.5}})"
        << "not an integer";
    QTest::newRow("score as string")
        << R"({"stage":{"stringValue":"warning"},"last_classifier_score":{"stringValue":"0.9"}})"
        << "last_classifier_score should be doubleValue";
    // A NaN score fails every score filter and would hide the user from the queue: the state is unreadable instead.
    QTest::newRow("score NaN") << R"({"stage":{"stringValue":"warning"},"last_classifier_score":{"doubleValue":"NaN"}})"
                               << "last_classifier_score is nan, not a score from 0 to 1";
    QTest::newRow("score infinite")
        << R"({"stage":{"stringValue":"warning"},"last_classifier_score":{"doubleValue":"-Infinity"}})"
        << "last_classifier_score is -inf, not a score from 0 to 1";
    QTest::newRow("score above 1") << R"({"stage":{"stringValue":"warning"},"last_classifier_score":{"doubleValue":7}})"
                                   << "last_classifier_score is 7, not a score from 0 to 1";
    QTest::newRow("case ref as map") << R"({"stage":{"stringValue":"warning"},"last_case_ref":{"mapValue":{}}})"
                                     << "last_case_ref";
    // Documented defaults (no error):
    QTest::newRow("only stage") << R"({"stage":{"stringValue":"none"}})" << QString();
    QTest::newRow("integral double count")
        << R"({"stage":{"stringValue":"warning"},"violation_count_7d":{"doubleValue":2}})" << QString();
    QTest::newRow("timestamp as RFC 3339 string")
        << R"({"stage":{"stringValue":"warning"},"updated_at":{"stringValue":"2026-03-20T10:15:00Z"}})" << QString();
    QTest::newRow("unknown classifier type")
        << R"({"stage":{"stringValue":"warning"},"last_classifier_type":{"stringValue":"karaoke"}})" << QString();
    QTest::newRow("nulls everywhere")
        << R"({"stage":{"stringValue":"restrict"},"restrict_until":{"nullValue":null},"reset_by":{"nullValue":null}})"
        << QString();
}

void FirestoreValueTest::malformedState() {
    QFETCH(QString, fields);
    QFETCH(QString, mentions);
    const auto parsed = fieldsFromJson(QJsonDocument::fromJson(fields.toUtf8()).object());
    QVERIFY(parsed.ok());
    const auto state = decodeState(docAt(QStringLiteral("users/u1/fair_use_state/current"), *parsed));
    if (mentions.isEmpty()) {
        QVERIFY2(state.ok(), qPrintable(state.ok() ? QString() : state.error().message));
        if (parsed->contains(QStringLiteral("last_classifier_type"))) {
            QVERIFY(state->lastClassifierType == UsageType::Unknown);
        }
        if (parsed->contains(QStringLiteral("violation_count_7d"))) {
            QCOMPARE(state->violationCount7d, 2);
        }
        if (parsed->contains(QStringLiteral("updated_at"))) {
            QVERIFY(state->updatedAt == at("2026-03-20T10:15:00Z"));
        }
    } else {
        QVERIFY(!state.ok());
        QCOMPARE(state.error().kind, ErrorKind::Invalid);
        QVERIFY2(state.error().message.contains(mentions), qPrintable(state.error().message));
        QVERIFY2(state.error().message.contains(QStringLiteral("users/u1/fair_use_state/current")),
                 qPrintable(state.error().message));
    }
}

void FirestoreValueTest::malformedEvent_data() {
    QTest::addColumn<QString>("fields");
    QTest::addColumn<QString>("mentions");
    const auto with = [](const char* extra) -> QString {
        return QStringLiteral(R"({"created_at":{"timestampValue":"2026-03-20T10:15:00Z"})") + QString::fromUtf8(extra) +
               QStringLiteral("}");
    };
    QTest::newRow("missing created_at") << R"({})"
                                        << "created_at is required";
    QTest::newRow("bad trigger") << with(R"(,"trigger":{"stringValue":"hourly"})") << "trigger has unknown value";
    QTest::newRow("window speech not a map")
        << with(R"(,"window_speech_ms":{"integerValue":"5"})") << "window_speech_ms";
    QTest::newRow("window daily as string")
        << with(R"(,"window_speech_ms":{"mapValue":{"fields":{"daily_ms":{"stringValue":"5"}}}})")
        << "daily_ms should be integerValue";
    QTest::newRow("classifier evidence not maps")
        << with(R"(,"classifier":{"mapValue":{"fields":{"evidence":{"arrayValue":{"values":[{"stringValue":"x"}]}}}}})")
        << "evidence[0]";
    QTest::newRow("classifier score as bool")
        << with(R"(,"classifier":{"mapValue":{"fields":{"misuse_score":{"booleanValue":true}}}})") << "misuse_score";
    QTest::newRow("resolved as string") << with(R"(,"resolved":{"stringValue":"yes"})")
                                        << "resolved should be booleanValue";
    QTest::newRow("bad outcome") << with(R"(,"outcome":{"stringValue":"maybe"})") << "outcome has unknown value";
    // LLM-spend cases (enforcement/SpendReview.h): their figures are required, complete and not negative.
    const auto figures = [](const char* daily, const char* plan) -> std::string {
        return std::string(R"(,"llm_spend":{"mapValue":{"fields":{"daily_micro_usd":)") + daily +
               R"(,"monthly_micro_usd":{"integerValue":"9"},"daily_cap_micro_usd":{"integerValue":"5"},)" +
               R"("monthly_cap_micro_usd":{"integerValue":"50"},"plan":)" + plan + "}}}";
    };
    const std::string spendTrigger = R"(,"trigger":{"stringValue":"llm_daily"})";
    QTest::newRow("spend case without figures") << with(spendTrigger.c_str()) << "llm_spend is required";
    QTest::newRow("figures on a speech case")
        << with(figures(R"({"integerValue":"6"})", R"({"stringValue":"basic"})").c_str())
        << "llm_spend is only allowed";
    QTest::newRow("negative spend")
        << with((spendTrigger + figures(R"({"integerValue":"-6"})", R"({"stringValue":"basic"})")).c_str())
        << "daily_micro_usd is negative";
    QTest::newRow("spend as string")
        << with((spendTrigger + figures(R"({"stringValue":"6"})", R"({"stringValue":"basic"})")).c_str())
        << "daily_micro_usd should be integerValue";
    QTest::newRow("unknown plan")
        << with((spendTrigger + figures(R"({"integerValue":"6"})", R"({"stringValue":"gold"})")).c_str())
        << "plan has unknown value";
    QTest::newRow("figures incomplete")
        << with((spendTrigger + R"(,"llm_spend":{"mapValue":{"fields":{"daily_micro_usd":{"integerValue":"6"}}}})")
                    .c_str())
        << "monthly_micro_usd is required";
    QTest::newRow("figures not a map") << with((spendTrigger + R"(,"llm_spend":{"integerValue":"6"})").c_str())
                                       << "llm_spend";
    QTest::newRow("spend case ok")
        << with((spendTrigger + figures(R"({"integerValue":"6"})", R"({"stringValue":"unlimited"})")).c_str())
        << QString();
    QTest::newRow("minimal ok") << with("") << QString();
}

void FirestoreValueTest::spendCaseRoundTrip() {
    FairUseEvent e;
    e.createdAt = at("2026-03-20T10:15:00Z");
    e.caseRef = QStringLiteral("FU-0123456789AB");
    e.trigger = CapWindow::LlmMonthly;
    e.thresholds = Caps{0, 0, 0};
    e.enforcementAction = QStringLiteral("review_llm_spend");
    e.previousStage = e.newStage = Stage::Warning;
    e.llmSpend = SpendFigures{400'000, 21'000'000, 2'000'000, 20'000'000, Plan::Unlimited, true};
    const QJsonObject wire = fieldsToJson(encodeEvent(e));
    const QJsonObject spend = wire.value(QStringLiteral("llm_spend"))
                                  .toObject()[QStringLiteral("mapValue")]
                                  .toObject()[QStringLiteral("fields")]
                                  .toObject();
    QCOMPARE(
        spend.value(QStringLiteral("monthly_micro_usd")).toObject().value(QStringLiteral("integerValue")).toString(),
        QStringLiteral("21000000"));
    const auto back =
        decodeEvent(docAt(QStringLiteral("users/u1/fair_use_events/enf_1"), fieldsFromJson(wire).value()));
    QVERIFY2(back, back ? "" : qPrintable(back.error().message));
    QVERIFY(back->trigger == CapWindow::LlmMonthly);
    QVERIFY(back->llmSpend == e.llmSpend);
    FairUseEvent speech = e; // a speech case carries the field as null, and reads back without figures
    speech.trigger = CapWindow::Daily;
    speech.llmSpend.reset();
    const QJsonObject speechWire = fieldsToJson(encodeEvent(speech));
    QVERIFY(speechWire.value(QStringLiteral("llm_spend")).toObject().contains(QStringLiteral("nullValue")));
    const auto speechBack =
        decodeEvent(docAt(QStringLiteral("users/u1/fair_use_events/e2"), fieldsFromJson(speechWire).value()));
    QVERIFY(speechBack && !speechBack->llmSpend);
}

void FirestoreValueTest::malformedEvent() {
    QFETCH(QString, fields);
    QFETCH(QString, mentions);
    const auto parsed = fieldsFromJson(QJsonDocument::fromJson(fields.toUtf8()).object());
    QVERIFY2(parsed.ok(), qPrintable(fields));
    const auto event = decodeEvent(docAt(QStringLiteral("users/u1/fair_use_events/e1"), *parsed));
    if (mentions.isEmpty()) {
        QVERIFY(event.ok());
        QVERIFY(!event->resolved);
        QVERIFY(!event->classifier);
        QVERIFY(event->newStage == Stage::None);
    } else {
        QVERIFY(!event.ok());
        QVERIFY2(event.error().message.contains(mentions), qPrintable(event.error().message));
    }
}

void FirestoreValueTest::malformedDocumentEnvelope() {
    QVERIFY(!FirestoreDocument::fromJson(QJsonObject{}).ok());
    const auto badFields = FirestoreDocument::fromJson(
        QJsonObject{{QStringLiteral("name"), QStringLiteral("projects/p/databases/(default)/documents/a/b")},
                    {QStringLiteral("fields"), QStringLiteral("x")}});
    QVERIFY(!badFields.ok());
    QVERIFY(badFields.error().message.contains(QStringLiteral("a/b")));
    const auto ok = FirestoreDocument::fromJson(
        QJsonObject{{QStringLiteral("name"), QStringLiteral("projects/p/databases/(default)/documents/a/b")}});
    QVERIFY(ok.ok());
    QCOMPARE(ok->relativePath(), QStringLiteral("a/b"));
    QVERIFY(ok->fields.isEmpty());
}

void FirestoreValueTest::viewRoundTrip() {
    SavedView v;
    v.id = QStringLiteral("v0123456789abcdef012");
    v.name = QStringLiteral("Audiobook throttles");
    v.owner = QStringLiteral("ana@example.com");
    v.ownerUid = QStringLiteral("ana");
    v.shared = true;
    v.filter = QStringLiteral(R"({"version":1})");
    v.createdAt = at("2026-03-20T12:00:00Z");
    v.updatedAt = at("2026-03-20T13:00:00Z");
    v.updatedBy = QStringLiteral("sam@example.com");
    const auto back = decodeView(docAt(viewPath(v.id), encodeView(v)));
    QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().message));
    v.version = QStringLiteral("2026-03-20T10:15:00.123456Z");
    QCOMPARE(*back, v);
}

void FirestoreValueTest::malformedView_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("fields");
    QTest::addColumn<QString>("mentions");
    const QString id = QStringLiteral("fair_use_views/v0123456789abcdef012");
    // A valid view with `field` replaced by `value` (JSON of a Firestore value; empty: the field left out).
    const auto with = [](const char* field = nullptr, const char* value = "") -> QString {
        QJsonObject f = QJsonDocument::fromJson(R"({"name":{"stringValue":"Mine"},)"
                                                R"("owner":{"stringValue":"ana@example.com"},)"
                                                R"("shared":{"booleanValue":false},"filter":{"stringValue":"{}"},)"
                                                R"("created_at":{"timestampValue":"2026-03-20T12:00:00Z"},)"
                                                R"("updated_at":{"timestampValue":"2026-03-20T12:00:00Z"}})")
                            .object();
        if (field) {
            const QString key = QString::fromLatin1(field);
            f.remove(key);
            if (*value) {
                f.insert(key, parse(value));
            }
        }
        return QString::fromUtf8(QJsonDocument(f).toJson(QJsonDocument::Compact));
    };
    QTest::newRow("minimal ok") << id << with() << QString();
    QTest::newRow("empty") << id << QStringLiteral("{}") << "name is required";
    QTest::newRow("no owner") << id << with("owner") << "owner is required";
    QTest::newRow("not a view id") << QStringLiteral("fair_use_views/v1") << with() << "is not a saved view";
    QTest::newRow("upper-case id") << QStringLiteral("fair_use_views/V0123456789ABCDEF012") << with()
                                   << "is not a saved view";
    QTest::newRow("another collection") << QStringLiteral("fair_use_claims/v0123456789abcdef012") << with()
                                        << "is not a saved view";
    QTest::newRow("nested") << QStringLiteral("users/u1/fair_use_views/v0123456789abcdef012") << with()
                            << "is not a saved view";
    QTest::newRow("name as number") << id << with("name", R"({"integerValue":"7"})") << "name";
    QTest::newRow("blank name") << id << with("name", R"({"stringValue":"  "})") << "name is empty";
    QTest::newRow("shared as string") << id << with("shared", R"({"stringValue":"yes"})") << "shared";
    QTest::newRow("shared null") << id << with("shared", R"({"nullValue":null})") << "shared is required";
    QTest::newRow("filter as map") << id << with("filter", R"({"mapValue":{"fields":{}}})") << "filter";
    QTest::newRow("time as bool") << id << with("updated_at", R"({"booleanValue":true})") << "updated_at";
    QTest::newRow("time unreadable") << id << with("created_at", R"({"stringValue":"yesterday"})") << "created_at";
}

void FirestoreValueTest::malformedView() {
    QFETCH(QString, path);
    QFETCH(QString, fields);
    QFETCH(QString, mentions);
    const auto parsed = fieldsFromJson(QJsonDocument::fromJson(fields.toUtf8()).object());
    QVERIFY2(parsed.ok(), qPrintable(fields));
    const auto view = decodeView(docAt(path, *parsed));
    if (mentions.isEmpty()) {
        QVERIFY2(view.ok(), qPrintable(view.ok() ? QString() : view.error().message));
        QCOMPARE(view->name, QStringLiteral("Mine"));
        QVERIFY(!view->shared);
    } else {
        QVERIFY(!view.ok());
        QVERIFY2(view.error().message.contains(mentions), qPrintable(view.error().message));
    }
}

QTEST_GUILESS_MAIN(FirestoreValueTest)
#include "FirestoreValueTest.moc"
