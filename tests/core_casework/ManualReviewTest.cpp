// Manual review of restricted users (core/casework/ManualReview.h): each decision's ChangeSet and audit record, the
// roles, reason codes from the policy, the restriction's start, the SLA, and which users still wait for review.

#include "casework/ManualReview.h"

#include "CaseworkTestSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::casework;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = parseRfc3339(QStringLiteral("2026-04-01T12:00:00Z")).value();
const enforcement::Policy kPolicy = enforcement::Policy::forReview();

Reviewer senior() {
    return testing::sam();
}
Reviewer reviewer() {
    return testing::ana();
}

enforcement::ActionContext as(const Reviewer& r, TimePoint now = kT0) {
    return testing::actingAs(r, now);
}

/** Restricted 6 hours before kT0, for the policy's restriction period. */
FairUseState restricted() {
    FairUseState s;
    s.uid = QStringLiteral("alice");
    s.stage = Stage::Restrict;
    s.restrictUntil = kT0 - 6h + kPolicy.restrictDuration;
    s.restrictReason = QStringLiteral("third violation in 30 days");
    s.version = QStringLiteral("s3");
    return s;
}

AuditRecord record(AuditAction action, TimePoint at) {
    AuditRecord r;
    r.action = action;
    r.at = at;
    r.uid = QStringLiteral("alice");
    return r;
}

} // namespace

class ManualReviewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void decisionsWireNamesRoundTrip() {
        for (ReviewDecision d : {ReviewDecision::RestoreNone, ReviewDecision::RestoreWarning,
                                 ReviewDecision::KeepRestricted, ReviewDecision::Extend}) {
            QVERIFY(reviewDecisionFromString(toString(d)) == std::optional<ReviewDecision>(d));
        }
        QVERIFY(!reviewDecisionFromString(QStringLiteral("Keep")));
        QVERIFY(!reviewDecisionFromString(QString()));
    }

    void decisions_data() {
        QTest::addColumn<int>("decision");
        QTest::addColumn<int>("stageAfter");
        QTest::addColumn<bool>("writesState");
        QTest::newRow("restore none") << int(ReviewDecision::RestoreNone) << int(Stage::None) << true;
        QTest::newRow("restore warning") << int(ReviewDecision::RestoreWarning) << int(Stage::Warning) << true;
        QTest::newRow("keep") << int(ReviewDecision::KeepRestricted) << int(Stage::Restrict) << false;
        QTest::newRow("extend") << int(ReviewDecision::Extend) << int(Stage::Restrict) << true;
    }
    void decisions() {
        QFETCH(int, decision);
        QFETCH(int, stageAfter);
        QFETCH(bool, writesState);
        const auto d = static_cast<ReviewDecision>(decision);
        auto cs = buildManualReview(kPolicy, restricted(), d, QStringLiteral("media_confirmed"),
                                    QStringLiteral("  audiobooks all week "), as(senior()));
        QVERIFY2(cs.ok(), qPrintable(cs ? QString() : cs.error().message));
        QCOMPARE(toString(cs->audit.action), QStringLiteral("manual_review"));
        QCOMPARE(cs->audit.reviewer, senior().email);
        QCOMPARE(toString(cs->audit.stageBefore.value()), QStringLiteral("restrict"));
        QCOMPARE(toString(cs->audit.stageAfter.value()), toString(static_cast<Stage>(stageAfter)));
        QCOMPARE(cs->audit.reason, toString(d) + QStringLiteral(" media_confirmed: audiobooks all week"));
        QCOMPARE(cs->newState.has_value(), writesState);
        QCOMPARE(cs->checkStateVersion, writesState);
        if (d == ReviewDecision::Extend) {
            QVERIFY(*cs->newState->restrictUntil == *restricted().restrictUntil + kPolicy.restrictDuration);
            QCOMPARE(toString(cs->newState->stage), QStringLiteral("restrict"));
            QCOMPARE(cs->newState->restrictReason, restricted().restrictReason);
        } else if (writesState) {
            QCOMPARE(toString(cs->newState->stage), toString(static_cast<Stage>(stageAfter)));
            QVERIFY(!cs->newState->restrictUntil.has_value());
        }
    }

    void notesAreOptionalExceptForOther() {
        auto plain = buildManualReview(kPolicy, restricted(), ReviewDecision::KeepRestricted,
                                       QStringLiteral("repeat_violation"), QString(), as(reviewer()));
        QVERIFY(plain.ok());
        QCOMPARE(plain->audit.reason, QStringLiteral("keep repeat_violation"));
        auto other = buildManualReview(kPolicy, restricted(), ReviewDecision::KeepRestricted, QStringLiteral("other"),
                                       QStringLiteral("   "), as(reviewer()));
        QVERIFY(!other.ok());
        QVERIFY(other.error().kind == ErrorKind::Invalid);
    }

    void roles_data() {
        QTest::addColumn<int>("decision");
        QTest::addColumn<bool>("reviewerMay");
        QTest::newRow("restore none") << int(ReviewDecision::RestoreNone) << false;
        QTest::newRow("restore warning") << int(ReviewDecision::RestoreWarning) << false;
        QTest::newRow("keep") << int(ReviewDecision::KeepRestricted) << true;
        QTest::newRow("extend") << int(ReviewDecision::Extend) << false;
    }
    void roles() {
        QFETCH(int, decision);
        QFETCH(bool, reviewerMay);
        auto cs = buildManualReview(kPolicy, restricted(), static_cast<ReviewDecision>(decision),
                                    QStringLiteral("legitimate_use"), QString(), as(reviewer()));
        QCOMPARE(cs.ok(), reviewerMay);
        if (!reviewerMay) {
            QVERIFY(cs.error().kind == ErrorKind::Permission);
        }
        QVERIFY(buildManualReview(kPolicy, restricted(), static_cast<ReviewDecision>(decision),
                                  QStringLiteral("legitimate_use"), QString(), as(senior()))
                    .ok());
    }

    void onlyARestrictionInForceIsReviewed() {
        FairUseState throttled = restricted();
        throttled.stage = Stage::Throttle;
        throttled.restrictUntil.reset();
        throttled.throttleUntil = kT0 + 24h;
        auto cs = buildManualReview(kPolicy, throttled, ReviewDecision::KeepRestricted,
                                    QStringLiteral("media_confirmed"), QString(), as(senior()));
        QVERIFY(!cs.ok());
        QVERIFY(cs.error().kind == ErrorKind::Invalid);
        // A restriction that ran out is no longer there to keep.
        auto late =
            buildManualReview(kPolicy, restricted(), ReviewDecision::KeepRestricted, QStringLiteral("media_confirmed"),
                              QString(), as(senior(), *restricted().restrictUntil + 1s));
        QVERIFY(!late.ok());
        QVERIFY(late.error().message.contains(QStringLiteral("not restricted")));
    }

    void aVerdictLabelsTheCase() {
        FairUseEvent e;
        e.id = QStringLiteral("e7");
        e.uid = restricted().uid;
        e.caseRef = QStringLiteral("FU-00000000E007");
        ClassifierResult c;
        c.model = QStringLiteral("heuristic");
        c.promptVersion = QStringLiteral("heuristic-v2");
        c.usageType = UsageType::TvMovie;
        e.classifier = c;
        auto cs =
            buildManualReview(kPolicy, restricted(), ReviewDecision::KeepRestricted, QStringLiteral("media_confirmed"),
                              QString(), as(reviewer()), CaseVerdict{e, ClassifierVerdict::ModelRight});
        QVERIFY2(cs.ok(), qPrintable(cs ? QString() : cs.error().message));
        QVERIFY(cs->label.has_value());
        QCOMPARE(cs->label->outcome, QStringLiteral("keep"));
        QCOMPARE(cs->label->usageType, QStringLiteral("tv_movie"));
        QCOMPARE(cs->audit.eventId, QStringLiteral("e7"));
        QCOMPARE(cs->audit.caseRef, QStringLiteral("FU-00000000E007"));
        QCOMPARE(cs->audit.reason, QStringLiteral("keep media_confirmed"));
        e.uid = QStringLiteral("someone-else");
        QVERIFY(!buildManualReview(kPolicy, restricted(), ReviewDecision::KeepRestricted,
                                   QStringLiteral("media_confirmed"), QString(), as(reviewer()),
                                   CaseVerdict{e, ClassifierVerdict::ModelRight})
                     .ok());
    }

    void reasonCodesComeFromThePolicy() {
        auto unknown = buildManualReview(kPolicy, restricted(), ReviewDecision::KeepRestricted,
                                         QStringLiteral("because"), QString(), as(senior()));
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().kind == ErrorKind::Invalid);
        QVERIFY(unknown.error().message.contains(QStringLiteral("because")));
        auto custom = enforcement::Policy::fromJson(
            R"({"reason_codes": [{"code": "tos_4_2", "label": "Terms 4.2: recorded media"}]})", kPolicy);
        QVERIFY(custom.ok());
        QVERIFY(buildManualReview(*custom, restricted(), ReviewDecision::KeepRestricted, QStringLiteral("tos_4_2"),
                                  QString(), as(senior()))
                    .ok());
        QVERIFY(!buildManualReview(*custom, restricted(), ReviewDecision::KeepRestricted,
                                   QStringLiteral("media_confirmed"), QString(), as(senior()))
                     .ok());
    }

    void policyJsonOfReasonCodesAndSla_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("ok");
        QTest::newRow("sla") << QByteArray(R"({"manual_review_sla_seconds": 3600})") << true;
        QTest::newRow("sla zero") << QByteArray(R"({"manual_review_sla_seconds": 0})") << false;
        QTest::newRow("sla text") << QByteArray(R"({"manual_review_sla_seconds": "1h"})") << false;
        QTest::newRow("codes") << QByteArray(R"({"reason_codes": [{"code": "a_1", "label": "A"}]})") << true;
        QTest::newRow("codes empty") << QByteArray(R"({"reason_codes": []})") << false;
        QTest::newRow("codes not array") << QByteArray(R"({"reason_codes": {"code": "a"}})") << false;
        QTest::newRow("code upper") << QByteArray(R"({"reason_codes": [{"code": "A", "label": "A"}]})") << false;
        QTest::newRow("code space") << QByteArray(R"({"reason_codes": [{"code": "a b", "label": "A"}]})") << false;
        QTest::newRow("code too long") << QByteArray(R"({"reason_codes": [{"code": ")" + QByteArray(41, 'a') +
                                                     R"(", "label": "A"}]})")
                                       << false;
        QTest::newRow("label empty") << QByteArray(R"({"reason_codes": [{"code": "a", "label": " "}]})") << false;
        QTest::newRow("extra key") << QByteArray(R"({"reason_codes": [{"code": "a", "label": "A", "x": 1}]})") << false;
        QTest::newRow("not object") << QByteArray(R"({"reason_codes": ["a"]})") << false;
        QTest::newRow("twice") << QByteArray(R"({"reason_codes": [{"code": "a", "label": "A"},
                                                                  {"code": "a", "label": "B"}]})")
                               << false;
    }
    void policyJsonOfReasonCodesAndSla() {
        QFETCH(QByteArray, json);
        QFETCH(bool, ok);
        auto p = enforcement::Policy::fromJson(json, kPolicy);
        QVERIFY2(p.ok() == ok, json.constData());
        if (ok) {
            // What toJson writes reads back the same.
            auto again = enforcement::Policy::fromJson(p->toJson());
            QVERIFY(again.ok());
            QVERIFY(again->reasonCodes == p->reasonCodes);
            QVERIFY(again->manualReviewSla == p->manualReviewSla);
        }
    }

    void restrictionStartAndSla() {
        QVERIFY(restrictedSince(kPolicy, restricted()) == std::optional<TimePoint>(kT0 - 6h));
        FairUseState none;
        none.stage = Stage::None;
        QVERIFY(!restrictedSince(kPolicy, none));

        const SlaStatus due = slaStatus(kPolicy, kT0 - 6h, kT0);
        QVERIFY(!due.late);
        QVERIFY(due.dueAt == kT0 + 18h);
        QVERIFY(due.waited == std::chrono::milliseconds(6h));
        QVERIFY(!slaStatus(kPolicy, kT0 - 24h, kT0).late); // exactly at the SLA: not yet late
        QVERIFY(slaStatus(kPolicy, kT0 - 24h - 1s, kT0).late);
        QVERIFY(slaStatus(kPolicy, kT0 + 1h, kT0).waited == std::chrono::milliseconds(0));
    }

    void reviewedSinceTheRestrictionBegan() {
        const TimePoint since = kT0 - 6h;
        QVERIFY(!reviewedSince({}, since));
        QVERIFY(
            !reviewedSince({record(AuditAction::ManualReview, since - 1s), record(AuditAction::AddNote, kT0)}, since));
        QVERIFY(reviewedSince({record(AuditAction::ManualReview, since)}, since));
    }
};

QTEST_GUILESS_MAIN(ManualReviewTest)
#include "ManualReviewTest.moc"
