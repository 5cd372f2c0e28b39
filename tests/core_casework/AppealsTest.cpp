// Appeals (core/casework/Appeals.h): the stage an overturn restores, the decision's ChangeSet and audit record, roles
// and errors, and which open appeal a case resolution asks about.

#include "casework/Appeals.h"

#include "CaseworkTestSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::casework;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = parseRfc3339(QStringLiteral("2026-04-01T12:00:00Z")).value();

Reviewer senior() {
    return testing::sam();
}
Reviewer reviewer() {
    return testing::ana();
}

enforcement::ActionContext as(const Reviewer& r) {
    return testing::actingAs(r, kT0);
}

FairUseState restricted() {
    FairUseState s;
    s.uid = QStringLiteral("alice");
    s.stage = Stage::Restrict;
    s.restrictUntil = kT0 + std::chrono::hours(24 * 20);
    s.restrictReason = QStringLiteral("third violation in 30 days");
    s.version = QStringLiteral("s3");
    return s;
}

FairUseEvent restriction() {
    FairUseEvent e;
    e.id = QStringLiteral("e9");
    e.uid = QStringLiteral("alice");
    e.caseRef = QStringLiteral("FU-00000000E009");
    e.previousStage = Stage::Throttle;
    e.newStage = Stage::Restrict;
    return e;
}

Appeal appeal(const QString& id = QStringLiteral("a1"), const QString& caseRef = QStringLiteral("FU-00000000E009"),
              TimePoint at = kT0 - 2h) {
    Appeal a;
    a.id = id;
    a.uid = QStringLiteral("alice");
    a.createdAt = at;
    a.message = QStringLiteral("I was recording lectures I attend.");
    a.caseRef = caseRef;
    a.channel = QStringLiteral("app");
    a.version = QStringLiteral("v1");
    return a;
}

const enforcement::Policy kPolicy = enforcement::Policy::forReview();

} // namespace

class AppealsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void upheldChangesOnlyTheAppeal() {
        auto cs = buildDecideAppeal(kPolicy, restricted(), appeal(), restriction(), AppealDecision::Upheld,
                                    QStringLiteral("media_confirmed"), QStringLiteral("podcast uploads every night"),
                                    as(senior()));
        QVERIFY(cs.ok());
        QVERIFY(!cs->newState.has_value());
        QVERIFY(!cs->checkStateVersion);
        QVERIFY(cs->decidedAppeal.has_value());
        QCOMPARE(cs->decidedAppeal->decision, std::optional<AppealDecision>(AppealDecision::Upheld));
        QCOMPARE(cs->decidedAppeal->decidedBy, senior().email);
        QCOMPARE(cs->decidedAppeal->decidedAt, std::optional<TimePoint>(kT0));
        QCOMPARE(cs->decidedAppeal->version, QStringLiteral("v1"));
        QCOMPARE(toString(cs->audit.action), QStringLiteral("decide_appeal"));
        QCOMPARE(cs->audit.reason, QStringLiteral("appeal a1 upheld: media_confirmed: podcast uploads every night"));
        QCOMPARE(cs->audit.caseRef, QStringLiteral("FU-00000000E009"));
        QCOMPARE(cs->audit.eventId, QStringLiteral("e9"));
        QCOMPARE(cs->audit.stageBefore, cs->audit.stageAfter);
    }

    void overturnedRestoresTheStageBeforeTheDecision() {
        auto cs = buildDecideAppeal(kPolicy, restricted(), appeal(), restriction(), AppealDecision::Overturned,
                                    QStringLiteral("media_confirmed"),
                                    QStringLiteral("lectures, confirmed by the university"), as(senior()));
        QVERIFY(cs.ok());
        QVERIFY(cs->newState.has_value());
        QCOMPARE(toString(cs->newState->stage), QStringLiteral("throttle"));
        QVERIFY(!cs->newState->restrictUntil.has_value());
        QCOMPARE(cs->newState->throttleUntil, std::optional<TimePoint>(kT0 + kPolicy.throttleDuration));
        QVERIFY(cs->checkStateVersion);
        QCOMPARE(cs->expectedStateVersion, QStringLiteral("s3"));
        QCOMPARE(cs->audit.stageBefore, std::optional<Stage>(Stage::Restrict));
        QCOMPARE(cs->audit.stageAfter, std::optional<Stage>(Stage::Throttle));
        QCOMPARE(cs->audit.reason,
                 QStringLiteral("appeal a1 overturned: media_confirmed: lectures, confirmed by the university"));
        QCOMPARE(cs->decidedAppeal->decisionReason,
                 QStringLiteral("media_confirmed: lectures, confirmed by the university"));
    }

    void stageBefore_data() {
        QTest::addColumn<int>("current");
        QTest::addColumn<bool>("withCase");
        QTest::addColumn<int>("previous");
        QTest::addColumn<int>("expected");
        QTest::newRow("case: restrict back to throttle") << 3 << true << 2 << 2;
        QTest::newRow("case: warning back to none") << 1 << true << 0 << 0;
        QTest::newRow("no case: one step down") << 3 << false << 0 << 2;
        QTest::newRow("no case at none") << 0 << false << 0 << 0;
    }
    void stageBefore() {
        QFETCH(int, current);
        QFETCH(bool, withCase);
        QFETCH(int, previous);
        QFETCH(int, expected);
        FairUseState s = restricted();
        s.stage = static_cast<Stage>(current);
        std::optional<FairUseEvent> e;
        if (withCase) {
            e = restriction();
            e->previousStage = static_cast<Stage>(previous);
        }
        QCOMPARE(int(stageBeforeContested(s, e)), expected);
    }

    /** A restriction that already ran down to a warning is not raised back to throttle by overturning it. */
    void overturningNeverRaisesTheStage() {
        FairUseState s = restricted();
        s.stage = Stage::Warning;
        s.restrictUntil.reset();
        auto cs = buildDecideAppeal(kPolicy, s, appeal(), restriction(), AppealDecision::Overturned,
                                    QStringLiteral("media_confirmed"), QStringLiteral("ok"), as(senior()));
        QVERIFY(cs.ok());
        QVERIFY(!cs->newState.has_value());
        QCOMPARE(cs->audit.stageAfter, std::optional<Stage>(Stage::Warning));
    }

    void aReasonCodeOfThePolicy() {
        auto freeText = buildDecideAppeal(kPolicy, restricted(), appeal(), restriction(), AppealDecision::Upheld,
                                          QStringLiteral("podcast uploads"), QString(), as(senior()));
        QVERIFY(!freeText.ok());
        QCOMPARE(freeText.error().kind, ErrorKind::Invalid);
        QVERIFY2(freeText.error().message.contains(QStringLiteral("legitimate_use")),
                 qPrintable(freeText.error().message));
        auto bare = buildDecideAppeal(kPolicy, restricted(), appeal(), restriction(), AppealDecision::Upheld,
                                      QStringLiteral("repeat_violation"), QString(), as(senior()));
        QVERIFY(bare.ok());
        QCOMPARE(bare->audit.reason, QStringLiteral("appeal a1 upheld: repeat_violation"));
    }

    void aVerdictLabelsTheContestedCase() {
        FairUseEvent contested = restriction();
        ClassifierResult c;
        c.model = QStringLiteral("gpt-4o-mini");
        c.promptVersion = QStringLiteral("purpose-v3");
        c.usageType = UsageType::Podcast;
        c.reasoning = QStringLiteral("reads like a podcast");
        contested.classifier = c;
        auto cs = buildDecideAppeal(kPolicy, restricted(), appeal(), contested, AppealDecision::Overturned,
                                    QStringLiteral("classifier_error"), QString(), as(senior()),
                                    ClassifierVerdict::ModelWrongOther);
        QVERIFY2(cs.ok(), qPrintable(cs ? QString() : cs.error().message));
        QVERIFY(cs->label.has_value());
        QCOMPARE(cs->label->eventId, QStringLiteral("e9"));
        QCOMPARE(cs->label->caseRef, cs->audit.caseRef);
        QCOMPARE(cs->label->outcome, QStringLiteral("overturned"));
        QCOMPARE(toString(cs->label->verdict), QStringLiteral("model_wrong_other"));
        QCOMPARE(cs->label->usageType, QStringLiteral("podcast"));
        QCOMPARE(cs->label->reviewer, senior().email);
        // An appeal about no case has no classifier result to judge.
        auto noCase = buildDecideAppeal(kPolicy, restricted(), appeal(QStringLiteral("a2"), QString()), std::nullopt,
                                        AppealDecision::Upheld, QStringLiteral("media_confirmed"), QString(),
                                        as(senior()), ClassifierVerdict::ModelRight);
        QVERIFY(!noCase.ok());
        QCOMPARE(noCase.error().kind, ErrorKind::Invalid);
    }

    void errors() {
        auto byReviewer = buildDecideAppeal(kPolicy, restricted(), appeal(), restriction(), AppealDecision::Upheld,
                                            QStringLiteral("media_confirmed"), QStringLiteral("x"), as(reviewer()));
        QVERIFY(!byReviewer.ok());
        QCOMPARE(byReviewer.error().kind, ErrorKind::Permission);
        QVERIFY(byReviewer.error().message.contains(QStringLiteral("senior_reviewer")));

        auto noReason = buildDecideAppeal(kPolicy, restricted(), appeal(), restriction(), AppealDecision::Upheld,
                                          QString(), QStringLiteral(" "), as(senior()));
        QVERIFY(!noReason.ok());
        QCOMPARE(noReason.error().kind, ErrorKind::Invalid);

        Appeal decided = appeal();
        decided.decision = AppealDecision::Upheld;
        decided.decidedBy = QStringLiteral("lee@example.com");
        auto twice = buildDecideAppeal(kPolicy, restricted(), decided, restriction(), AppealDecision::Overturned,
                                       QStringLiteral("media_confirmed"), QStringLiteral("x"), as(senior()));
        QVERIFY(!twice.ok());
        QCOMPARE(twice.error().kind, ErrorKind::Conflict);
        QVERIFY(twice.error().message.contains(QStringLiteral("lee@example.com")));

        Appeal bob = appeal();
        bob.uid = QStringLiteral("bob");
        auto otherUser = buildDecideAppeal(kPolicy, restricted(), bob, restriction(), AppealDecision::Upheld,
                                           QStringLiteral("media_confirmed"), QStringLiteral("x"), as(senior()));
        QVERIFY(!otherUser.ok());
        QCOMPARE(otherUser.error().kind, ErrorKind::Invalid);

        auto otherCase = buildDecideAppeal(kPolicy, restricted(), appeal(QStringLiteral("a1"), QStringLiteral("FU-1")),
                                           restriction(), AppealDecision::Upheld, QStringLiteral("media_confirmed"),
                                           QStringLiteral("x"), as(senior()));
        QVERIFY(!otherCase.ok());
        QCOMPARE(otherCase.error().kind, ErrorKind::Invalid);

        auto badId = buildDecideAppeal(kPolicy, restricted(), appeal(QStringLiteral("a 1")), restriction(),
                                       AppealDecision::Upheld, QStringLiteral("media_confirmed"), QStringLiteral("x"),
                                       as(senior()));
        QVERIFY(!badId.ok());
        QCOMPARE(badId.error().kind, ErrorKind::Invalid);
    }

    void theOpenAppealAResolutionAsksAbout() {
        Appeal old = appeal(QStringLiteral("a1"), QStringLiteral("FU-00000000E009"), kT0 - 5h);
        Appeal newer = appeal(QStringLiteral("a2"), QString(), kT0 - 1h);
        Appeal otherCase = appeal(QStringLiteral("a3"), QStringLiteral("FU-00000000E001"), kT0 - 9h);
        Appeal decided = appeal(QStringLiteral("a0"), QStringLiteral("FU-00000000E009"), kT0 - 20h);
        decided.decision = AppealDecision::Upheld;
        const QList<Appeal> all{newer, decided, otherCase, old};
        QCOMPARE(openAppeal(all)->id, QStringLiteral("a3"));
        QCOMPARE(openAppeal(all, QStringLiteral("FU-00000000E009"))->id, QStringLiteral("a1"));
        QCOMPARE(openAppeal({newer, decided}, QStringLiteral("FU-00000000E009"))->id, QStringLiteral("a2"));
        QVERIFY(!openAppeal({decided}).has_value());
        QVERIFY(!openAppeal({}).has_value());
    }

    void wireNames() {
        QCOMPARE(toString(AppealDecision::Upheld), QStringLiteral("upheld"));
        QCOMPARE(toString(AppealDecision::Overturned), QStringLiteral("overturned"));
        QVERIFY(!appealDecisionFromString(QStringLiteral("open")).has_value());
        QCOMPARE(auditActionFromString(QStringLiteral("decide_appeal")),
                 std::optional<AuditAction>(AuditAction::DecideAppeal));
        QCOMPARE(toString(enforcement::roleNeeded(AuditAction::DecideAppeal, Stage::Warning, Stage::Warning)),
                 QStringLiteral("senior_reviewer"));
    }
};

QTEST_APPLESS_MAIN(AppealsTest)
#include "AppealsTest.moc"
