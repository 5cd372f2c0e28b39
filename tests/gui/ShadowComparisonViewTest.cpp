// The console's Shadow comparison (offscreen): the model and its filter under QAbstractItemModelTester, the view's
// counts and order (disagreements first) over a store with shadow decisions and backend cases, its filters, Enter
// opening the user, Ctrl+Shift+H in the main window, the embedded store without a shadow service, a failing store.
#include "ShadowComparisonView.h"
#include "MainWindow.h"
#include "ShadowComparisonModel.h"
#include "ShellTestStore.h"
#include "TestTime.h"

#include "enforcement/ShadowComparison.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;
using fairuse::models::ShadowComparisonFilter;
using fairuse::models::ShadowComparisonModel;

namespace {

/** The embedded store with shadow decisions and period cases of its own; everything else goes to the inner store. */
class ShadowStore final : public services::CaseStore {
public:
    explicit ShadowStore(std::shared_ptr<services::CaseStore> inner)
        : m_inner(std::move(inner)) {}
    QList<ShadowDecision> decisions;
    QList<FairUseEvent> cases;
    std::optional<Error> failure;
    int reads = 0;

    Async<QList<ShadowDecision>> listShadowDecisions(TimePoint from, TimePoint to) override {
        ++reads;
        if (failure) {
            return services::ready(Result<QList<ShadowDecision>>(*failure));
        }
        QList<ShadowDecision> out;
        for (const ShadowDecision& d : decisions) {
            if (d.passAt >= from && d.passAt < to) {
                out.append(d);
            }
        }
        return services::ready(Result(out));
    }
    Async<QList<FairUseEvent>> listCasesOpenDuring(TimePoint, TimePoint) override {
        return services::ready(Result(cases));
    }
    Async<QueuePage> fetchQueuePage(const QueueFilter& f, const QString& c, int limit) override {
        return m_inner->fetchQueuePage(f, c, limit);
    }
    Async<FairUseState> getState(const QString& uid) override { return m_inner->getState(uid); }
    Async<QList<FairUseEvent>> listEvents(const QString& uid) override { return m_inner->listEvents(uid); }
    Async<FairUseEvent> findByCaseRef(const QString& ref) override { return m_inner->findByCaseRef(ref); }
    Async<QList<Conversation>> listConversations(const QString& uid, TimePoint since, int limit) override {
        return m_inner->listConversations(uid, since, limit);
    }
    Async<CommitResult> apply(const ChangeSet& change) override { return m_inner->apply(change); }
    Async<QList<AuditRecord>> listAudit(const AuditFilter& filter) override { return m_inner->listAudit(filter); }
    Async<QList<LlmSpendRecord>> listSpend(TimePoint from, TimePoint to) override {
        return m_inner->listSpend(from, to);
    }
    Async<Role> reviewerRole(const QString& email) override { return m_inner->reviewerRole(email); }
    QString describe() const override { return m_inner->describe(); }

private:
    std::shared_ptr<services::CaseStore> m_inner;
};

ShadowDecision decision(const QString& uid, TimePoint at, const char* action, Stage before, Stage after,
                        bool withCase) {
    ShadowDecision d;
    d.uid = uid;
    d.passAt = at;
    d.intervalStart = enforcement::checkIntervalStart(at, 300s);
    d.id = enforcement::shadowDecisionId(uid, d.intervalStart);
    d.instance = QStringLiteral("shadow-1");
    d.action = QString::fromLatin1(action);
    d.stageBefore = before;
    d.stageAfter = after;
    if (withCase) {
        d.caseId = QStringLiteral("enf_") + uid;
        d.caseRef = QStringLiteral("FU-SHADOW");
    }
    d.explanation = QStringLiteral("explained: ") + uid;
    return d;
}

FairUseEvent backendCase(const QString& uid, TimePoint at, Stage before, Stage after) {
    FairUseEvent e;
    e.id = QStringLiteral("backend-") + uid;
    e.uid = uid;
    e.createdAt = at;
    e.caseRef = QStringLiteral("FU-B-") + uid;
    e.previousStage = before;
    e.newStage = after;
    e.enforcementAction = toString(after);
    return e;
}

struct Fixture {
    testing::ShellTestStore store;
    std::shared_ptr<ShadowStore> shadow;
    QStringList uids; ///< flagged users of the population, so that opening one shows a real user
};

/** Three users the service alone would warn, one stage apart, one the backend alone warned, four agreements. */
bool seed(Fixture& f) {
    if (!f.store.seed(testing::ShellTestStore::smallOptions())) {
        return false;
    }
    for (const FairUseState& s : f.store.flagged()) {
        f.uids.append(s.uid);
    }
    if (f.uids.size() < 9) {
        return false;
    }
    const TimePoint t = f.store.population.referenceTime - 1h;
    f.shadow = std::make_shared<ShadowStore>(f.store.backend.cases);
    QList<ShadowDecision>& d = f.shadow->decisions;
    for (int i = 0; i < 3; ++i) {
        d.append(decision(f.uids.at(i), t - std::chrono::minutes(10 * i), "warn", Stage::None, Stage::Warning, true));
    }
    d.append(decision(f.uids.at(3), t + 5min, "throttle", Stage::Warning, Stage::Throttle, true));
    f.shadow->cases.append(backendCase(f.uids.at(3), t + 6min, Stage::Warning, Stage::Restrict));
    f.shadow->cases.append(backendCase(f.uids.at(4), t, Stage::None, Stage::Warning));
    for (int i = 5; i < 9; ++i) {
        d.append(decision(f.uids.at(i), t, "warn", Stage::None, Stage::Warning, true));
        f.shadow->cases.append(backendCase(f.uids.at(i), t + 2min, Stage::None, Stage::Warning));
    }
    // Outside the last 24 hours: not read.
    d.append(decision(f.uids.at(0), t - 48h, "warn", Stage::None, Stage::Warning, true));
    f.store.backend.cases = f.shadow;
    return true;
}

} // namespace

class ShadowComparisonViewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void modelAndFilterPassTheTester() {
        ShadowComparisonModel model;
        ShadowComparisonFilter filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const TimePoint t = testing::at("2026-03-20T09:00:00Z");
        enforcement::ShadowComparisonInput in;
        in.shadow = {decision(QStringLiteral("u1"), t, "warn", Stage::None, Stage::Warning, true),
                     decision(QStringLiteral("u2"), t, "legitimate_use", Stage::None, Stage::None, false)};
        in.backendCases = {backendCase(QStringLiteral("u3"), t, Stage::None, Stage::Warning)};
        in.from = t - 1h;
        in.to = t + 1h;
        const enforcement::ShadowComparison c = enforcement::compareShadow(in);
        model.setRows(c.rows);
        QCOMPARE(model.rowCount(), 3);
        // u1 and u3 disagree (at the same time: by user id), u2 agrees.
        QCOMPARE(model.index(0, ShadowComparisonModel::VerdictColumn).data().toString(),
                 QStringLiteral("Service only"));
        QCOMPARE(model.index(1, ShadowComparisonModel::UserColumn).data().toString(), QStringLiteral("u3"));
        QCOMPARE(model.index(2, ShadowComparisonModel::VerdictColumn).data().toString(), QStringLiteral("Agree"));
        QCOMPARE(model.index(2, ShadowComparisonModel::BackendColumn).data().toString(), QStringLiteral("no case"));
        QVERIFY(model.index(0, ShadowComparisonModel::ReasonColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("explained: u1")));
        filter.setVerdicts(ShadowComparisonFilter::Verdicts::Disagreements);
        QCOMPARE(filter.rowCount(), 2);
        filter.setVerdicts(ShadowComparisonFilter::Verdicts::BackendOnly);
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, ShadowComparisonModel::UserColumn).data().toString(), QStringLiteral("u3"));
        filter.setVerdicts(ShadowComparisonFilter::Verdicts::All);
        filter.setUserText(QStringLiteral(" U2 "));
        QCOMPARE(filter.rowCount(), 1);
        filter.setUserText(QString());
        QCOMPARE(filter.rowCount(), 3);
        model.clear();
        QCOMPARE(filter.rowCount(), 0);
        QCOMPARE(
            ShadowComparisonModel::countsText(c),
            QStringLiteral("3 decisions, 1 agree, 2 disagree (service only 1, backend only 1, different stage 0)"));
    }

    void viewShowsDisagreementsFirstWithCounts() {
        Fixture f;
        QVERIFY(seed(f));
        ui::ShadowComparisonView view(f.store.backend);
        view.show();
        QSignalSpy refreshed(&view, &ui::ShadowComparisonView::refreshed);
        view.refresh();
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(
            view.countsText(),
            QStringLiteral("9 decisions, 4 agree, 5 disagree (service only 3, backend only 1, different stage 1)"));
        QCOMPARE(view.statusText(), QString());
        // Disagreements only, by default; the newest first.
        QTableView* table = view.table();
        QCOMPARE(table->model()->rowCount(), 5);
        QCOMPARE(table->model()->index(0, ShadowComparisonModel::UserColumn).data().toString(), f.uids.at(3));
        QVERIFY(view.detailText().contains(QStringLiteral("the service would set throttle, the backend set restrict")));
        auto* verdicts = view.findChild<QComboBox*>(QStringLiteral("shadowVerdicts"));
        verdicts->setCurrentIndex(verdicts->findData(static_cast<int>(ShadowComparisonFilter::Verdicts::All)));
        QCOMPARE(table->model()->rowCount(), 9);
        for (int row = 5; row < 9; ++row) {
            QCOMPARE(table->model()->index(row, 0).data().toString(), QStringLiteral("Agree"));
        }
        verdicts->setCurrentIndex(verdicts->findData(static_cast<int>(ShadowComparisonFilter::Verdicts::ServiceOnly)));
        QCOMPARE(table->model()->rowCount(), 3);
        view.findChild<QLineEdit*>(QStringLiteral("shadowSearch"))->setText(f.uids.at(2));
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, ShadowComparisonModel::UserColumn).data().toString(), f.uids.at(2));

        // A longer period reads the older decision too.
        auto* period = view.findChild<QComboBox*>(QStringLiteral("shadowPeriod"));
        const int reads = f.shadow->reads;
        period->setCurrentIndex(period->findData(7));
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(f.shadow->reads, reads + 1);
        QCOMPARE(
            view.countsText(),
            QStringLiteral("10 decisions, 4 agree, 6 disagree (service only 4, backend only 1, different stage 1)"));
    }

    void shortcutOpensTheViewAndEnterOpensTheUser() {
        Fixture f;
        QVERIFY(seed(f));
        ui::MainWindow window(f.store.backend);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.shadowComparison());
        QAction* action = window.findChild<QAction*>(QStringLiteral("shadowComparisonAction"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
        QTest::keyClick(&window, Qt::Key_H, Qt::ControlModifier | Qt::ShiftModifier);
        ui::ShadowComparisonView* view = window.shadowComparison();
        QVERIFY(view);
        QVERIFY(view->isVisible());
        QSignalSpy refreshed(view, &ui::ShadowComparisonView::refreshed);
        QVERIFY(refreshed.wait(10000));
        QVERIFY(view->table()->hasFocus());
        QSignalSpy shown(&window, &ui::MainWindow::userShown);
        QTest::keyClick(view->table(), Qt::Key_Down);
        const QString uid = view->table()->currentIndex().data(ShadowComparisonModel::UidRole).toString();
        QVERIFY(!uid.isEmpty());
        QTest::keyClick(view->table(), Qt::Key_Return);
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.first().first().toString(), uid);
    }

    void embeddedStoreHasNoShadowService() {
        testing::ShellTestStore store;
        QVERIFY(store.seed(testing::ShellTestStore::smallOptions()));
        ui::ShadowComparisonView view(store.backend);
        QSignalSpy refreshed(&view, &ui::ShadowComparisonView::refreshed);
        view.refresh();
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(view.countsText(), QStringLiteral("0 decisions, 0 agree, 0 disagree"));
        QVERIFY2(view.statusText().contains(QStringLiteral("fairuse-enforcer --shadow")),
                 qPrintable(view.statusText()));
    }

    void aFailingStoreIsReported() {
        Fixture f;
        QVERIFY(seed(f));
        f.shadow->failure = Error::invalid(QStringLiteral("fair_use_shadow/x: field stage_after has unknown value"));
        ui::ShadowComparisonView view(f.store.backend);
        QSignalSpy refreshed(&view, &ui::ShadowComparisonView::refreshed);
        view.refresh();
        QVERIFY(refreshed.wait(10000));
        QVERIFY2(view.statusText().startsWith(QStringLiteral("Could not read the shadow decisions from")),
                 qPrintable(view.statusText()));
        QVERIFY(view.statusText().contains(QStringLiteral("stage_after")));
        QCOMPARE(view.table()->model()->rowCount(), 0);
        QCOMPARE(view.countsText(), QString());
    }
};

QTEST_MAIN(ShadowComparisonViewTest)
#include "ShadowComparisonViewTest.moc"
