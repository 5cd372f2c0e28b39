// Reason codes on every decision and the reviewer's verdict on the classifier (enforcement/DecisionReason.h): the
// code checked against the policy's list, the audit reason "<code>[: notes]", the verdict list and the label a
// resolution carries.

#include "EnforcementTestSupport.h"

#include "enforcement/DecisionReason.h"
#include "enforcement/ReviewerActions.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace fairuse::enforcement::testing;
using namespace std::chrono_literals;

namespace {

ActionContext ctx(Role role = Role::SeniorReviewer) {
    ActionContext c;
    c.reviewer = Reviewer{QStringLiteral("rita@example.com"), role, QStringLiteral("uid-rita")};
    c.now = t0() + 5min;
    c.clientVersion = QStringLiteral("console 0.1.0");
    return c;
}

FairUseEvent classifiedCase() {
    FairUseEvent e;
    e.id = QStringLiteral("ev-1");
    e.uid = QStringLiteral("u1");
    e.caseRef = QStringLiteral("FU-ABCDEF012345");
    e.createdAt = t0() - 1h;
    e.version = QStringLiteral("ev-v3");
    ClassifierResult c;
    c.misuseScore = 0.91;
    c.usageType = UsageType::Audiobook;
    c.model = QStringLiteral("gpt-4o-mini");
    c.promptVersion = QStringLiteral("purpose-v3");
    c.reasoning = QStringLiteral("Long uninterrupted narration of a novel");
    c.evidence = {Evidence{QStringLiteral("c1"), QStringLiteral("The Hobbit, chapter 4"), QStringLiteral("narration")}};
    e.classifier = c;
    return e;
}

} // namespace

class DecisionReasonTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void codedReason_data();
    void codedReason();
    void customPolicyCodes();
    void shapeOfAReason_data();
    void shapeOfAReason();
    void verdictList();
    void labelOfAResolution();
    void labelNeedsAClassifierResult();
    void everyDecisionChecksItsCode();
};

void DecisionReasonTest::codedReason_data() {
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("notes");
    QTest::addColumn<QString>("reason"); // empty: Invalid

    QTest::newRow("code alone") << QStringLiteral("media_confirmed") << QString() << QStringLiteral("media_confirmed");
    QTest::newRow("code and notes") << QStringLiteral("legitimate_use") << QStringLiteral("  team meetings ")
                                    << QStringLiteral("legitimate_use: team meetings");
    QTest::newRow("notes on one line") << QStringLiteral("other") << QStringLiteral("first\nsecond\r\n  third")
                                       << QStringLiteral("other: first second third");
    QTest::newRow("code trimmed") << QStringLiteral(" user_contacted ") << QString()
                                  << QStringLiteral("user_contacted");
    QTest::newRow("other needs notes") << QStringLiteral("other") << QStringLiteral("  ") << QString();
    QTest::newRow("unknown code") << QStringLiteral("vibes") << QStringLiteral("notes") << QString();
    QTest::newRow("free text") << QStringLiteral("looked at the evidence") << QString() << QString();
    QTest::newRow("no code") << QString() << QStringLiteral("notes") << QString();
    QTest::newRow("case matters") << QStringLiteral("Media_Confirmed") << QString() << QString();
}

void DecisionReasonTest::codedReason() {
    QFETCH(QString, code);
    QFETCH(QString, notes);
    QFETCH(QString, reason);
    const Result<QString> r = enforcement::codedReason(Policy::forReview(), code, notes);
    if (reason.isEmpty()) {
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
        if (!code.trimmed().isEmpty() && code.trimmed() != QLatin1String("other")) {
            // The message names every code the policy allows.
            for (const ReasonCode& rc : Policy::forReview().reasonCodes) {
                QVERIFY2(r.error().message.contains(rc.code), qPrintable(r.error().message));
            }
        }
        return;
    }
    QVERIFY2(r.ok(), qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r.value(), reason);
    QVERIFY(isCodedReason(r.value()));
}

void DecisionReasonTest::customPolicyCodes() {
    const auto custom = Policy::fromJson(R"({"reason_codes": [{"code": "tos_4_2", "label": "Terms 4.2"}]})");
    QVERIFY(custom.ok());
    QCOMPARE(enforcement::codedReason(*custom, QStringLiteral("tos_4_2"), QString()).value(),
             QStringLiteral("tos_4_2"));
    const Result<QString> gone = enforcement::codedReason(*custom, QStringLiteral("media_confirmed"), QString());
    QVERIFY(!gone.ok());
    QVERIFY2(gone.error().message.contains(QStringLiteral("tos_4_2")), qPrintable(gone.error().message));
}

void DecisionReasonTest::shapeOfAReason_data() {
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("code"); // empty: not a coded reason

    QTest::newRow("code") << QStringLiteral("media_confirmed") << QStringLiteral("media_confirmed");
    QTest::newRow("code and notes") << QStringLiteral("other: a: b") << QStringLiteral("other");
    QTest::newRow("old free text") << QStringLiteral("Evidence matches audiobook playback") << QString();
    QTest::newRow("old outcome reason") << QStringLiteral("confirmed: looked at evidence")
                                        << QStringLiteral("confirmed"); // the shape only; the list is the core's
    QTest::newRow("colon without space") << QStringLiteral("other:x") << QString();
    QTest::newRow("too long") << QString(41, QLatin1Char('a')) << QString();
    QTest::newRow("upper case") << QStringLiteral("Other") << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("line break") << QStringLiteral("other: a\nb") << QString();
}

void DecisionReasonTest::shapeOfAReason() {
    QFETCH(QString, reason);
    QFETCH(QString, code);
    QCOMPARE(isCodedReason(reason), !code.isEmpty());
    QCOMPARE(reasonCodeOf(reason), code);
}

void DecisionReasonTest::verdictList() {
    const QList<ClassifierVerdict> all = classifierVerdicts();
    QCOMPARE(all.size(), 5);
    QStringList names;
    for (ClassifierVerdict v : all) {
        names << toString(v);
        QVERIFY(classifierVerdictFromString(toString(v)) == v);
    }
    QCOMPARE(names, (QStringList{QStringLiteral("model_right"), QStringLiteral("model_wrong_legitimate"),
                                 QStringLiteral("model_wrong_media"), QStringLiteral("model_wrong_other"),
                                 QStringLiteral("not_assessed")}));
    QVERIFY(!classifierVerdictFromString(QStringLiteral("model_wrong")));
    QVERIFY(!classifierVerdictFromString(QStringLiteral("MODEL_RIGHT")));
    QVERIFY(!classifierVerdictFromString(QString()));
}

void DecisionReasonTest::labelOfAResolution() {
    FairUseState s;
    s.uid = QStringLiteral("u1");
    s.stage = Stage::Warning;
    s.version = QStringLiteral("v1");
    const ActionContext c = ctx(Role::Reviewer);
    const auto r =
        buildResolve(Policy::forReview(), s, classifiedCase(), Outcome::FalsePositive, QStringLiteral("legitimate_use"),
                     QStringLiteral("weekly stand-ups"), false, c, ClassifierVerdict::ModelWrongLegitimate);
    QVERIFY2(r.ok(), qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->audit.reason, QStringLiteral("legitimate_use: weekly stand-ups"));
    QVERIFY(r->label.has_value());
    const ClassifierLabel& l = *r->label;
    QCOMPARE(l.eventId, QStringLiteral("ev-1"));
    QCOMPARE(l.uid, QStringLiteral("u1"));
    QCOMPARE(l.caseRef, QStringLiteral("FU-ABCDEF012345"));
    QCOMPARE(l.model, QStringLiteral("gpt-4o-mini"));
    QCOMPARE(l.promptVersion, QStringLiteral("purpose-v3"));
    QCOMPARE(nm(l.verdict), nm(ClassifierVerdict::ModelWrongLegitimate));
    QCOMPARE(l.usageType, QStringLiteral("audiobook"));
    QCOMPARE(l.outcome, QStringLiteral("false_positive"));
    QCOMPARE(l.reviewer, QStringLiteral("rita@example.com"));
    QCOMPARE(l.reviewerUid, QStringLiteral("uid-rita"));
    QCOMPARE(l.labelledAt, c.now);
    QCOMPARE(l.labelledAt, r->audit.at); // written with its record

    // Without a verdict, no label.
    const auto plain = buildResolve(Policy::forReview(), s, classifiedCase(), Outcome::Confirmed,
                                    QStringLiteral("media_confirmed"), QString(), false, c);
    QVERIFY(plain.ok());
    QVERIFY(!plain->label.has_value());
}

void DecisionReasonTest::labelNeedsAClassifierResult() {
    FairUseEvent bare = classifiedCase();
    bare.classifier.reset();
    const Result<ClassifierLabel> l =
        buildLabel(bare, ClassifierVerdict::ModelRight, QStringLiteral("confirmed"), ctx());
    QVERIFY(!l.ok());
    QCOMPARE(l.error().kind, ErrorKind::Invalid);
    FairUseEvent noId = classifiedCase();
    noId.id.clear();
    QVERIFY(!buildLabel(noId, ClassifierVerdict::ModelRight, QStringLiteral("confirmed"), ctx()).ok());
    // The classifier's prompt version as the case records it; a case that recorded none gives an empty one.
    FairUseEvent noPrompt = classifiedCase();
    noPrompt.classifier->promptVersion.clear();
    const auto unversioned = buildLabel(noPrompt, ClassifierVerdict::NotAssessed, QStringLiteral("confirmed"), ctx());
    QVERIFY(unversioned.ok());
    QVERIFY(unversioned->promptVersion.isEmpty());
}

void DecisionReasonTest::everyDecisionChecksItsCode() {
    FairUseState s;
    s.uid = QStringLiteral("u1");
    s.stage = Stage::Throttle;
    s.throttleUntil = t0() + 24h;
    s.version = QStringLiteral("v1");
    const Policy p = Policy::forReview();
    const ActionContext admin = ctx(Role::Admin);
    const QString bad = QStringLiteral("because");
    QCOMPARE(buildResolve(p, s, classifiedCase(), Outcome::Confirmed, bad, QString(), false, admin).error().kind,
             ErrorKind::Invalid);
    QCOMPARE(buildOverrideStage(p, s, Stage::Warning, bad, QString(), admin).error().kind, ErrorKind::Invalid);
    QCOMPARE(buildReset(p, s, bad, QString(), admin).error().kind, ErrorKind::Invalid);
    QCOMPARE(buildExempt(p, s, true, bad, QString(), admin).error().kind, ErrorKind::Invalid);
    s.exempt = true;
    QCOMPARE(buildExempt(p, s, false, bad, QString(), admin).error().kind, ErrorKind::Invalid);
    // Each with a code of the policy writes "<code>[: notes]".
    QCOMPARE(buildOverrideStage(p, s, Stage::Warning, QStringLiteral("user_contacted"), QString(), admin)->audit.reason,
             QStringLiteral("user_contacted"));
    QCOMPARE(buildReset(p, s, QStringLiteral("other"), QStringLiteral("support ticket 12"), admin)->audit.reason,
             QStringLiteral("other: support ticket 12"));
    QCOMPARE(buildExempt(p, s, false, QStringLiteral("repeat_violation"), QString(), admin)->audit.reason,
             QStringLiteral("repeat_violation"));
}

QTEST_GUILESS_MAIN(DecisionReasonTest)
#include "DecisionReasonTest.moc"
