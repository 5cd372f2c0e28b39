// The console's LLM-spend inbox (Ctrl+Shift+L), on a seeded embedded store whose population carries the enforcement
// service's spend cases (embedded/DemoSpendCases.h): the inbox lists the open ones oldest first with their figures,
// Enter opens the user, the user's case timeline shows the spend instead of speech, and a resolved case leaves the
// inbox on refresh.

#include "CasePage.h"
#include "DetailFormat.h"
#include "EventsModel.h"
#include "MainWindow.h"
#include "SeededTestStore.h"
#include "SpendCasesModel.h"
#include "SpendCasesView.h"
#include "UserView.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;

class SpendCasesConsoleTest : public QObject {
    Q_OBJECT
private:
    testing::SeededTestStore m_store;

    QList<FairUseEvent> expectedOpen() const {
        QList<FairUseEvent> open;
        for (const FairUseEvent& e : m_store.population.events) {
            if (isSpendTrigger(e.trigger) && !e.resolved) {
                open.append(e);
            }
        }
        std::stable_sort(open.begin(), open.end(), [](const FairUseEvent& a, const FairUseEvent& b) {
            return std::tie(a.createdAt, a.uid, a.id) < std::tie(b.createdAt, b.uid, b.id);
        });
        return open;
    }

    static SpendCasesView* openInbox(MainWindow& window) {
        for (QAction* a : window.allActions()) {
            if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L)) {
                a->trigger();
                return window.spendCases();
            }
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seedInto(
            QStringLiteral("spend.sqlite"), testing::SeededTestStore::optionsAtReferenceTime(300, 8),
            {QStringLiteral("sam.senior@fairuse.example"), Role::SeniorReviewer}, QStringLiteral("spend-test")));
        QVERIFY2(!expectedOpen().isEmpty(), "the population has no user over an LLM-spend cap");
        for (const FairUseEvent& e : expectedOpen()) {
            // Every case is over its cap as the core computes it from the seeded records.
            QVERIFY(e.llmSpend.has_value());
            const bool daily = e.trigger == CapWindow::LlmDaily;
            QVERIFY(daily ? e.llmSpend->dailyMicroUsd > e.llmSpend->dailyCapMicroUsd
                          : e.llmSpend->monthlyMicroUsd > e.llmSpend->monthlyCapMicroUsd);
        }
    }

    void theInboxListsOpenSpendCasesOldestFirstAndOpensTheUser() {
        const QList<FairUseEvent> expected = expectedOpen();
        MainWindow window(m_store.backend);
        window.show();
        QVERIFY(window.spendCases() == nullptr); // built on first use
        SpendCasesView* inbox = openInbox(window);
        QVERIFY(inbox != nullptr);
        QAbstractItemModelTester tester(inbox->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(inbox->model()->rowCount(), static_cast<int>(expected.size()), 30000);
        for (int row = 0; row < expected.size(); ++row) {
            const auto cell = [&](int column) { return inbox->model()->index(row, column).data().toString(); };
            QCOMPARE(cell(models::SpendCasesModel::UserColumn), expected.at(row).uid);
            QCOMPARE(cell(models::SpendCasesModel::CaseColumn), expected.at(row).caseRef);
            QCOMPARE(cell(models::SpendCasesModel::CapColumn), models::capWindowLabel(expected.at(row).trigger));
            QCOMPARE(cell(models::SpendCasesModel::SpendColumn), models::SpendCasesModel::spendText(expected.at(row)));
            QVERIFY(cell(models::SpendCasesModel::SpendColumn).contains(QLatin1Char('$')));
        }
        QVERIFY(inbox->statusText().contains(QString::number(expected.size())));
        QVERIFY(inbox->detailText().contains(expected.first().caseRef));
        QVERIFY(inbox->detailText().contains(models::formatUsd(expected.first().llmSpend->monthlyMicroUsd)));

        // Enter opens the user; the case timeline shows the spend in place of speech.
        QSignalSpy shown(&window, &MainWindow::userShown);
        inbox->table()->setFocus();
        inbox->table()->setCurrentIndex(inbox->model()->index(0, 0));
        QTest::keyClick(inbox->table(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 5000);
        QCOMPARE(shown.last().at(0).toString(), expected.first().uid);
    }

    void theTimelineShowsSpendNotSpeech() {
        const FairUseEvent e = expectedOpen().first();
        models::EventsModel events;
        events.setRows({e});
        QCOMPARE(events.index(0, models::EventsModel::DailyColumn).data().toString(),
                 models::SpendCasesModel::spendText(e));
        QCOMPARE(events.index(0, models::EventsModel::WeeklyColumn).data().toString(), QStringLiteral("\u2014"));
        const QString summary = models::caseSummary(e);
        QVERIFY2(summary.contains(QLatin1String("LLM spend:")), qPrintable(summary));
        QVERIFY(summary.contains(models::formatUsd(e.llmSpend->dailyMicroUsd)));
        QVERIFY(!summary.contains(QLatin1String("At the hit")));
    }

    void aResolvedCaseLeavesTheInbox() {
        const QList<FairUseEvent> before = expectedOpen();
        // The case as stored (with its version), not as generated.
        const auto stored = services::awaitResult(m_store.backend.cases->listEvents(before.first().uid));
        QVERIFY(stored);
        const auto it = std::find_if(stored->cbegin(), stored->cend(),
                                     [&](const FairUseEvent& e) { return e.id == before.first().id; });
        QVERIFY(it != stored->cend());
        const FairUseEvent target = *it;
        QVERIFY(target.llmSpend == before.first().llmSpend); // the figures survived the store (schema 9)
        // A user over an LLM cap often has no state document: the core resolves on the user alone then.
        const auto read = services::awaitResult(m_store.backend.cases->getState(target.uid));
        QVERIFY(read || read.error().kind == ErrorKind::NotFound);
        FairUseState state = read ? *read : FairUseState{};
        state.uid = target.uid;
        enforcement::ActionContext ctx;
        ctx.reviewer = m_store.backend.reviewer;
        ctx.now = m_store.population.referenceTime;
        ctx.clientVersion = QStringLiteral("spend-test");
        ctx.idempotencyKey = QStringLiteral("spend-resolve-1");
        const auto change =
            enforcement::buildResolve(enforcement::Policy::forReview(), state, target, Outcome::NoAction,
                                      QStringLiteral("user_contacted"), QStringLiteral("plan upgraded"), false, ctx);
        QVERIFY2(change, change ? "" : qPrintable(change.error().message));
        const auto applied = services::awaitResult(m_store.backend.cases->apply(*change));
        QVERIFY2(applied, applied ? "" : qPrintable(applied.error().message));

        MainWindow window(m_store.backend);
        SpendCasesView* inbox = openInbox(window);
        QVERIFY(inbox != nullptr);
        QTRY_COMPARE_WITH_TIMEOUT(inbox->model()->rowCount(), static_cast<int>(before.size()) - 1, 30000);
        for (int row = 0; row < inbox->model()->rowCount(); ++row) {
            QVERIFY(inbox->model()->index(row, models::SpendCasesModel::CaseColumn).data().toString() !=
                    target.caseRef);
        }
    }
};

QTEST_MAIN(SpendCasesConsoleTest)
#include "SpendCasesConsoleTest.moc"
