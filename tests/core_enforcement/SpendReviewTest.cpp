// The enforcement service's LLM-spend trigger (enforcement/SpendReview.h): the sums over the ledger's windows, which
// cap is passed, one case per trigger and slot, the case and its `enforce` record, and junk spend refused.
#include "EnforcementTestSupport.h"

#include "enforcement/SpendReview.h"

using namespace fairuse;
using namespace fairuse::enforcement;
using namespace std::chrono_literals;

namespace {

TimePoint t(const char* text) {
    return parseRfc3339(QString::fromLatin1(text)).value();
}

const ServiceIdentity kService{QStringLiteral("enforcer@fairuse.example"), QStringLiteral("svc-1"),
                               QStringLiteral("test/1")};

LlmSpendRecord spend(const QString& uid, TimePoint at, std::int64_t micro, bool customStt = false) {
    LlmSpendRecord r;
    r.uid = uid;
    r.at = at;
    r.model = QStringLiteral("gpt-4o-mini");
    r.purpose = QStringLiteral("structuring");
    r.costMicroUsd = micro;
    r.customStt = customStt;
    return r;
}

} // namespace

class SpendReviewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void windowsSumLikeTheLedger() {
        const TimePoint now = t("2026-12-01T12:00:00Z");
        const LedgerPolicy policy;
        const QString uid = QStringLiteral("u1");
        const QList<LlmSpendRecord> records{
            spend(uid, now - 31 * 24h, 9'000'000),  // before the monthly window
            spend(uid, now - 30 * 24h, 1'000'000),  // the monthly window's first instant
            spend(uid, now - 24h - 1ms, 2'000'000), // monthly only
            spend(uid, now - 24h, 300'000, true),   // the daily window's first instant
            spend(uid, now, 50'000),                // now counts
            spend(uid, now + 1ms, 7'000'000),       // after now: not spend so far
        };
        const auto s = spendStanding(uid, Plan::Basic, records, policy, now);
        QVERIFY2(s, s ? "" : qPrintable(s.error().message));
        QCOMPARE(s->dailyMicroUsd, 350'000);
        QCOMPARE(s->monthlyMicroUsd, 3'350'000);
        QVERIFY(s->customStt);
        QVERIFY(s->caps == policy.basic);

        // The same records through the ledger give the same sums.
        LlmSpendLedger ledger(PriceTable{}, policy);
        ledger.setUser(uid, Plan::Basic, true);
        QVERIFY(ledger.load(records));
        const SpendStatus st = ledger.status(uid, now);
        QCOMPARE(st.dailySettledMicroUsd, s->dailyMicroUsd);
        QCOMPARE(st.monthlySettledMicroUsd, s->monthlyMicroUsd);
    }

    void junkSpendIsRefused() {
        const TimePoint now = t("2026-12-01T12:00:00Z");
        QVERIFY(!spendStanding(QStringLiteral("u1"), Plan::Basic, {spend(QStringLiteral("u2"), now, 1)}, {}, now));
        const auto negative =
            spendStanding(QStringLiteral("u1"), Plan::Basic, {spend(QStringLiteral("u1"), now, -1)}, {}, now);
        QVERIFY(!negative);
        QVERIFY(negative.error().message.contains(QLatin1String("negative")));
    }

    void whichCapIsPassed_data() {
        QTest::addColumn<qint64>("daily");
        QTest::addColumn<qint64>("monthly");
        QTest::addColumn<QString>("passed");
        // Basic: $0.50 a day, $5 a month; a cap is passed when spend is strictly above it.
        QTest::newRow("within both") << qint64(100'000) << qint64(1'000'000) << "";
        QTest::newRow("at the daily cap") << qint64(500'000) << qint64(500'000) << "";
        QTest::newRow("over daily") << qint64(500'001) << qint64(500'001) << "llm_daily";
        QTest::newRow("at the monthly cap") << qint64(0) << qint64(5'000'000) << "";
        QTest::newRow("over monthly") << qint64(0) << qint64(5'000'001) << "llm_monthly";
        QTest::newRow("over both: daily first") << qint64(900'000) << qint64(6'000'000) << "llm_daily";
    }
    void whichCapIsPassed() {
        QFETCH(qint64, daily);
        QFETCH(qint64, monthly);
        QFETCH(QString, passed);
        SpendStanding s;
        s.uid = QStringLiteral("u1");
        s.caps = LedgerPolicy{}.basic;
        s.dailyMicroUsd = daily;
        s.monthlyMicroUsd = monthly;
        const std::optional<CapWindow> got = spendCapPassed(s);
        QCOMPARE(got ? toString(*got) : QString(), passed);
        QVERIFY(!got || isSpendTrigger(*got));
    }

    void theUnlimitedPlanHasItsOwnCaps() {
        const TimePoint now = t("2026-12-01T12:00:00Z");
        const QList<LlmSpendRecord> records{spend(QStringLiteral("u1"), now - 1h, 1'500'000)};
        const auto basic = spendStanding(QStringLiteral("u1"), Plan::Basic, records, {}, now);
        const auto unlimited = spendStanding(QStringLiteral("u1"), Plan::Unlimited, records, {}, now);
        QVERIFY(spendCapPassed(*basic) == CapWindow::LlmDaily);
        QVERIFY(!spendCapPassed(*unlimited).has_value());
    }

    void oneCasePerTriggerAndSlot() {
        const LedgerPolicy policy;
        const QString uid = QStringLiteral("u1");
        const TimePoint morning = t("2026-12-01T08:00:00Z");
        // llm_daily: one slot per UTC day.
        QCOMPARE(spendCaseId(uid, CapWindow::LlmDaily, morning, policy),
                 spendCaseId(uid, CapWindow::LlmDaily, t("2026-12-01T23:59:59Z"), policy));
        QVERIFY(spendCaseId(uid, CapWindow::LlmDaily, morning, policy) !=
                spendCaseId(uid, CapWindow::LlmDaily, t("2026-12-02T00:00:00Z"), policy));
        // llm_monthly: one slot per 30 days, so a week later names the same case...
        const QString monthly = spendCaseId(uid, CapWindow::LlmMonthly, morning, policy);
        QCOMPARE(spendCaseId(uid, CapWindow::LlmMonthly, morning + 7 * 24h, policy).isEmpty(), false);
        int same = 0;
        for (int day = 0; day < 60; ++day) {
            same += spendCaseId(uid, CapWindow::LlmMonthly, morning + day * 24h, policy) == monthly ? 1 : 0;
        }
        QVERIFY(same >= 1 && same <= 30); // ...and 60 days hold at most 30 days of one slot
        // Triggers, users and the speech case of the same instant never share an id.
        QVERIFY(monthly != spendCaseId(uid, CapWindow::LlmDaily, morning, policy));
        QVERIFY(monthly != spendCaseId(QStringLiteral("u2"), CapWindow::LlmMonthly, morning, policy));
        QVERIFY(enforcerCaseRef(monthly).startsWith(QLatin1String("FU-")));
    }

    void openSpendCasesHoldNewOnes() {
        FairUseEvent speech;
        speech.trigger = CapWindow::Daily;
        FairUseEvent spendCase;
        spendCase.trigger = CapWindow::LlmMonthly;
        QVERIFY(!hasOpenSpendCase({speech}));
        QVERIFY(hasOpenSpendCase({speech, spendCase}));
        spendCase.resolved = true;
        QVERIFY(!hasOpenSpendCase({speech, spendCase}));
    }

    void theCaseChangesNoStageAndNamesTheService() {
        const TimePoint now = t("2026-12-01T12:00:00Z");
        const LedgerPolicy policy;
        FairUseState state;
        state.uid = QStringLiteral("u1");
        state.stage = Stage::Warning;
        state.version = QStringLiteral("v7");
        const auto standing =
            spendStanding(state.uid, Plan::Basic, {spend(state.uid, now - 2h, 800'000, true)}, policy, now);
        const QString id = spendCaseId(state.uid, CapWindow::LlmDaily, now, policy);
        const auto cs = buildSpendCaseChange(state, *standing, CapWindow::LlmDaily, kService, now, id,
                                             QStringLiteral("requested/1"));
        QVERIFY2(cs, cs ? "" : qPrintable(cs.error().message));
        QVERIFY(!cs->newState.has_value());
        QVERIFY(!cs->checkStateVersion);
        QVERIFY(cs->newEvent.has_value());
        const FairUseEvent& e = *cs->newEvent;
        QCOMPARE(e.id, id);
        QCOMPARE(e.caseRef, enforcerCaseRef(id));
        QVERIFY(e.trigger == CapWindow::LlmDaily);
        QVERIFY(e.previousStage == Stage::Warning && e.newStage == Stage::Warning);
        QCOMPARE(e.enforcementAction, kReviewLlmSpend);
        QVERIFY(!e.classifier.has_value());
        QVERIFY(e.llmSpend.has_value());
        QCOMPARE(e.llmSpend->dailyMicroUsd, 800'000);
        QCOMPARE(e.llmSpend->dailyCapMicroUsd, 500'000);
        QVERIFY(e.llmSpend->customStt);
        QVERIFY(cs->expectedEventVersion.isEmpty()); // must not exist yet
        QVERIFY(cs->audit.action == AuditAction::Enforce);
        QVERIFY(cs->audit.role == Role::Service);
        QCOMPARE(cs->audit.reviewer, kService.email);
        QCOMPARE(cs->audit.caseRef, e.caseRef);
        QVERIFY(cs->audit.stageBefore == Stage::Warning && cs->audit.stageAfter == Stage::Warning);
        QVERIFY2(cs->audit.reason.startsWith(QStringLiteral("review_llm_spend: llm_daily 800000 µUSD > 500000 µUSD")),
                 qPrintable(cs->audit.reason));
        QVERIFY(cs->audit.reason.contains(QLatin1String("custom STT")));
        QVERIFY(cs->idempotencyKey.contains(id));
    }

    void aUserWithoutStateGetsACaseToo() {
        const TimePoint now = t("2026-12-01T12:00:00Z");
        FairUseState none; // no state document: getStateOrNew names the user only
        none.uid = QStringLiteral("byok-1");
        const auto standing =
            spendStanding(none.uid, Plan::Unlimited, {spend(none.uid, now - 10 * 24h, 25'000'000)}, {}, now);
        const QString id = spendCaseId(none.uid, CapWindow::LlmMonthly, now, {});
        const auto cs = buildSpendCaseChange(none, *standing, CapWindow::LlmMonthly, kService, now, id, {});
        QVERIFY2(cs, cs ? "" : qPrintable(cs.error().message));
        QVERIFY(cs->newEvent->newStage == Stage::None);
        QCOMPARE(cs->newEvent->llmSpend->monthlyCapMicroUsd, 20'000'000);
        QVERIFY(cs->newEvent->llmSpend->plan == Plan::Unlimited);
    }

    void aCaseTheFiguresDoNotBearIsRefused() {
        const TimePoint now = t("2026-12-01T12:00:00Z");
        FairUseState state;
        state.uid = QStringLiteral("u1");
        const auto within =
            spendStanding(state.uid, Plan::Basic, {spend(state.uid, now - 1h, 100'000)}, {}, now).value();
        const auto overDaily =
            spendStanding(state.uid, Plan::Basic, {spend(state.uid, now - 1h, 600'000)}, {}, now).value();
        const QString daily = spendCaseId(state.uid, CapWindow::LlmDaily, now, {});
        const QString monthly = spendCaseId(state.uid, CapWindow::LlmMonthly, now, {});
        QVERIFY(!buildSpendCaseChange(state, within, CapWindow::LlmDaily, kService, now, daily, {}));
        QVERIFY(!buildSpendCaseChange(state, overDaily, CapWindow::LlmMonthly, kService, now, monthly, {}));
        QVERIFY(!buildSpendCaseChange(state, overDaily, CapWindow::Daily, kService, now, daily, {}));
        QVERIFY(!buildSpendCaseChange(state, overDaily, CapWindow::LlmDaily, ServiceIdentity{}, now, daily, {}));
        QVERIFY(!buildSpendCaseChange(state, overDaily, CapWindow::LlmDaily, kService, now, QString(), {}));
        FairUseState other = state;
        other.uid = QStringLiteral("u2");
        QVERIFY(!buildSpendCaseChange(other, overDaily, CapWindow::LlmDaily, kService, now, daily, {}));
        QVERIFY(buildSpendCaseChange(state, overDaily, CapWindow::LlmDaily, kService, now, daily, {}));
    }

    void spendTriggersHaveWireNames() {
        QCOMPARE(toString(CapWindow::LlmDaily), QStringLiteral("llm_daily"));
        QCOMPARE(toString(CapWindow::LlmMonthly), QStringLiteral("llm_monthly"));
        QVERIFY(capWindowFromString(QStringLiteral("llm_monthly")) == CapWindow::LlmMonthly);
        QVERIFY(!capWindowFromString(QStringLiteral("llm_weekly")).has_value());
        QVERIFY(!isSpendTrigger(CapWindow::Weekly));
    }
};

QTEST_GUILESS_MAIN(SpendReviewTest)
#include "SpendReviewTest.moc"
