// The team dashboard on a seeded embedded store: the charts' series and the figures shown match what the core computes
// from everything in the store (read here directly, not through the view's loader), after a claimed-then-resolved case
// and two decided appeals were added; the busy state while the store is read; the period switch; CSV export; print to
// PDF; cancel; and a store that cannot be read.

#include "DashboardView.h"
#include "DashboardLoader.h"
#include "DetailTestStore.h"
#include "Export.h"
#include "casework/Appeals.h"
#include "casework/Claims.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"

#include <QAbstractItemModelTester>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace fairuse;
using namespace fairuse::ui;
using namespace std::chrono_literals;

class DashboardViewTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;

    TimePoint now() const { return m_store.backend.now(); }

    /** The figures of the last `days` days from everything in the store, read directly. */
    casework::DashboardFigures expected(int days) const {
        casework::DashboardInput in;
        in.audit = m_store.audit();
        for (const services::DemoUser& u : m_store.population.users) {
            in.cases.append(m_store.events(u.uid));
            auto appeals = services::awaitResult(m_store.stores.cases->listAppeals(u.uid));
            if (appeals) {
                in.appeals.append(appeals.value());
            }
        }
        const TimePoint to = now() + 1ms;
        return casework::computeDashboard(in, to - std::chrono::days(days), to);
    }

    static bool refreshOf(DashboardView& view) {
        QSignalSpy spy(&view, &DashboardView::refreshed);
        view.refresh();
        return QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, 60000);
    }

    static QChart* chartOf(const DashboardView& view, const char* name) {
        const auto* chartView = view.findChild<QChartView*>(QString::fromLatin1(name));
        return chartView ? chartView->chart() : nullptr;
    }

    static QList<QBarSet*> barSets(QChart* chart) {
        if (!chart || chart->series().isEmpty()) {
            return {};
        }
        const auto* bars = qobject_cast<QAbstractBarSeries*>(chart->series().first());
        return bars ? bars->barSets() : QList<QBarSet*>{};
    }

    /** Compares every chart and the figures line with `f`. */
    void verifyCharts(const DashboardView& view, const casework::DashboardFigures& f) {
        QList<QBarSet*> sets = barSets(chartOf(view, "decisionsChart"));
        QVERIFY(qobject_cast<QStackedBarSeries*>(chartOf(view, "decisionsChart")->series().first()));
        QCOMPARE(sets.size(), f.decisions.size());
        for (qsizetype i = 0; i < sets.size(); ++i) {
            QCOMPARE(sets.at(i)->label(), f.decisions.at(i).reviewer);
            QCOMPARE(sets.at(i)->count(), f.days.size());
            for (int d = 0; d < sets.at(i)->count(); ++d) {
                QCOMPARE(sets.at(i)->at(d), static_cast<qreal>(f.decisions.at(i).perDay.at(d)));
            }
        }

        QChart* queue = chartOf(view, "queueChart");
        QVERIFY(queue);
        QCOMPARE(queue->series().size(), 2);
        const QList<QPointF> open = qobject_cast<QLineSeries*>(queue->series().at(0))->points();
        const QList<QPointF> oldest = qobject_cast<QLineSeries*>(queue->series().at(1))->points();
        QCOMPARE(open.size(), f.queue.size());
        QCOMPARE(oldest.size(), f.queue.size());
        for (qsizetype i = 0; i < f.queue.size(); ++i) {
            QCOMPARE(open.at(i).x(), static_cast<qreal>(toUnixMs(f.queue.at(i).dayStart)));
            QCOMPARE(open.at(i).y(), static_cast<qreal>(f.queue.at(i).openCases));
            QCOMPARE(oldest.at(i).y(), static_cast<qreal>(f.queue.at(i).oldestOpenAge.count()) / 3'600'000.0);
        }

        sets = barSets(chartOf(view, "appealsChart"));
        QCOMPARE(sets.size(), 2);
        QCOMPARE(sets.at(0)->at(0), static_cast<qreal>(f.appealsUpheld));
        QCOMPARE(sets.at(1)->at(0), static_cast<qreal>(f.appealsOverturned));

        sets = barSets(chartOf(view, "overturnChart"));
        QCOMPARE(sets.size(), 1);
        QCOMPARE(sets.first()->count(), f.overturnByUsage.size());
        for (qsizetype i = 0; i < f.overturnByUsage.size(); ++i) {
            QCOMPARE(sets.first()->at(static_cast<int>(i)), f.overturnByUsage.at(i).rate() * 100.0);
        }

        const QString text = view.findChild<QLabel*>(QStringLiteral("figuresLabel"))->text();
        QVERIFY2(text.contains(QStringLiteral("<b>%1</b> SLA").arg(QLocale().toString(f.slaBreaches))),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("<b>%1</b> decisions").arg(QLocale().toString(f.totalDecisions))),
                 qPrintable(text));
    }

    /** An open appeal by `uid`, written behind the store's back (the app writes appeals), then decided by the
     *  signed-in reviewer at `at` through the store, with its decide_appeal record. */
    void decideAppeal(const QString& uid, const QString& id, AppealDecision decision, TimePoint at) {
        QVERIFY(m_store.execSql(QStringLiteral("INSERT INTO appeals (uid, id, created_at, message, case_ref, channel,"
                                               " status, version) VALUES ('%1', '%2', %3, 'please review', '', 'app',"
                                               " 'open', 1)")
                                    .arg(uid, id)
                                    .arg(toUnixMs(at - 5h))));
        const auto appeals = services::awaitResult(m_store.stores.cases->listAppeals(uid));
        QVERIFY(appeals.ok());
        const auto appeal =
            std::find_if(appeals->cbegin(), appeals->cend(), [&id](const Appeal& a) { return a.id == id; });
        QVERIFY(appeal != appeals->cend());
        enforcement::ActionContext ctx;
        ctx.reviewer = m_store.backend.reviewer;
        ctx.clientVersion = QStringLiteral("dashboard-test");
        ctx.now = at;
        const Result<ChangeSet> change =
            casework::buildDecideAppeal(enforcement::Policy{}, m_store.state(uid), *appeal, std::nullopt, decision,
                                        QStringLiteral("other"), QStringLiteral("test"), ctx);
        QVERIFY2(change.ok(), change.ok() ? "" : qPrintable(change.error().message));
        QVERIFY(services::awaitResult(m_store.stores.cases->apply(change.value())).ok());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seed());
        // One case claimed three hours ago and resolved as a false positive an hour later: a timed decision.
        const QList<FairUseEvent> open = m_store.openCasesWithEvidence();
        QVERIFY(!open.isEmpty());
        const FairUseEvent event = open.first();
        enforcement::ActionContext ctx;
        ctx.reviewer = m_store.backend.reviewer;
        ctx.clientVersion = QStringLiteral("dashboard-test");
        ctx.now = now() - 3h;
        const Result<ChangeSet> claim = casework::buildClaim(m_store.state(event.uid), std::nullopt, ctx);
        QVERIFY(claim.ok());
        QVERIFY(services::awaitResult(m_store.stores.cases->apply(claim.value())).ok());
        ctx.now = now() - 1h;
        const Result<ChangeSet> resolve = enforcement::buildResolve(
            enforcement::Policy{}, m_store.state(event.uid), m_store.events(event.uid).first(), Outcome::FalsePositive,
            QStringLiteral("legitimate_use"), QStringLiteral("lectures"), false, ctx);
        QVERIFY2(resolve.ok(), resolve.ok() ? "" : qPrintable(resolve.error().message));
        QVERIFY(services::awaitResult(m_store.stores.cases->apply(resolve.value())).ok());
        // Two appeals decided inside the period and one before it, by a user flagged in the seed.
        const QString uid = open.last().uid;
        decideAppeal(uid, QStringLiteral("ap3"), AppealDecision::Upheld, now() - 100 * 24h);
        decideAppeal(uid, QStringLiteral("ap2"), AppealDecision::Overturned, now() - 26h);
        decideAppeal(uid, QStringLiteral("ap1"), AppealDecision::Upheld, now() - 2h);
    }

    void showsTheCoresFigures() {
        DashboardView view(m_store.backend);
        QSignalSpy busy(view.loader(), &models::DashboardLoader::runningChanged);
        QSignalSpy done(&view, &DashboardView::refreshed);
        view.show(); // the first show loads the chosen period (30 days)
        // The store is read asynchronously: the view is busy, and the GUI thread is free, before any figure arrives.
        QVERIFY(view.loader()->isRunning());
        QVERIFY(view.findChild<QProgressBar*>(QStringLiteral("dashboardProgress"))->isVisible());
        QVERIFY(view.findChild<QPushButton*>(QStringLiteral("cancelButton"))->isEnabled());
        QVERIFY(!view.findChild<QPushButton*>(QStringLiteral("exportButton"))->isEnabled());
        QVERIFY(done.isEmpty());
        QVERIFY(QTest::qWaitFor([&done] { return !done.isEmpty(); }, 60000));
        QCOMPARE(busy.size(), 2);
        QVERIFY(!view.loader()->isRunning());
        QVERIFY(!view.findChild<QProgressBar*>(QStringLiteral("dashboardProgress"))->isVisible());
        QVERIFY(view.findChild<QPushButton*>(QStringLiteral("exportButton"))->isEnabled());

        const casework::DashboardFigures f = expected(30);
        QCOMPARE(view.periodDays(), 30);
        QCOMPARE(view.figures().days, f.days);
        QCOMPARE(view.figures().totalDecisions, f.totalDecisions);
        QVERIFY(f.totalDecisions > 0);
        QCOMPARE(view.figures().medianClaimToDecision, f.medianClaimToDecision);
        QVERIFY(f.claimToDecisionSamples >= 1);
        QCOMPARE(view.figures().slaBreaches, f.slaBreaches);
        QCOMPARE(f.appealsUpheld, 1);
        QCOMPARE(f.appealsOverturned, 1);
        QVERIFY(!f.overturnByUsage.isEmpty());
        verifyCharts(view, f);
    }

    void periodSwitch() {
        DashboardView view(m_store.backend);
        QVERIFY(refreshOf(view));
        QSignalSpy done(&view, &DashboardView::refreshed);
        view.findChild<QComboBox*>(QStringLiteral("periodCombo"))->setCurrentIndex(0); // 7 days
        QVERIFY(QTest::qWaitFor([&done] { return !done.isEmpty(); }, 60000));
        const casework::DashboardFigures f = expected(7);
        QCOMPARE(view.periodDays(), 7);
        QCOMPARE(view.figures().days.size(), 8); // seven days back from 10:00 touch eight UTC days
        QCOMPARE(view.figures().days, f.days);
        QCOMPARE(f.appealsOverturned, 1);
        verifyCharts(view, f);
    }

    void csvExport() {
        DashboardView view(m_store.backend);
        QVERIFY(refreshOf(view));
        const casework::DashboardFigures f = expected(30);
        std::unique_ptr<QStandardItemModel> table(view.figuresTable());
        QAbstractItemModelTester tester(table.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("dashboard.csv"));
        QVERIFY(exportModel(*table, path, ExportFormat::Csv).ok());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString csv = QString::fromUtf8(file.readAll());
        QVERIFY(csv.startsWith(QStringLiteral("Metric,Subject,Day (UTC),Value\r\n")));
        auto has = [&csv](const QString& line) {
            return csv.contains(QStringLiteral("\r\n") + line + QStringLiteral("\r\n"));
        };
        QVERIFY(has(QStringLiteral("decisions_total,,,%1").arg(f.totalDecisions)));
        QVERIFY(has(QStringLiteral("sla_breaches,,,%1").arg(f.slaBreaches)));
        QVERIFY(has(QStringLiteral("appeals_upheld,,,1")));
        QVERIFY(has(QStringLiteral("appeals_overturned,,,1")));
        QVERIFY(has(QStringLiteral("median_claim_to_decision_ms,,,%1").arg(f.medianClaimToDecision->count())));
        for (const casework::ReviewerDecisions& r : f.decisions) {
            QVERIFY(has(QStringLiteral("decisions,%1,%2,%3")
                            .arg(r.reviewer, QDateTime::fromMSecsSinceEpoch(toUnixMs(f.days.last()), Qt::UTC)
                                                 .toString(QStringLiteral("yyyy-MM-dd")))
                            .arg(r.perDay.last())));
        }
        for (const casework::UsageOverturn& u : f.overturnByUsage) {
            QVERIFY(has(QStringLiteral("overturn_rate,%1,,%2").arg(toString(u.usageType)).arg(u.rate(), 0, 'f', 4)));
        }
        // One row per reviewer and day, per day of the queue, per usage type, and the single figures.
        const qsizetype rows =
            3 + f.decisions.size() * f.days.size() + 2 + 2 * f.queue.size() + 4 + 3 * f.overturnByUsage.size();
        QCOMPARE(table->rowCount(), static_cast<int>(rows));
    }

    void printsToPdf() {
        DashboardView view(m_store.backend);
        view.resize(1000, 700);
        view.show();
        QSignalSpy done(&view, &DashboardView::refreshed);
        QVERIFY(QTest::qWaitFor([&done] { return !done.isEmpty(); }, 60000));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("dashboard.pdf"));
        QVERIFY(view.printToPdf(path).ok());
        QVERIFY(QFileInfo(path).size() > 1000);
        QVERIFY(!view.printToPdf(dir.filePath(QStringLiteral("missing/dir/x.pdf"))).ok());
    }

    void cancelStopsTheLoad() {
        DashboardView view(m_store.backend);
        QVERIFY(refreshOf(view));
        const casework::DashboardFigures before = view.figures();
        QSignalSpy cancelled(view.loader(), &models::DashboardLoader::cancelled);
        QSignalSpy finished(view.loader(), &models::DashboardLoader::finished);
        view.refresh();
        QVERIFY(view.loader()->isRunning());
        view.findChild<QPushButton*>(QStringLiteral("cancelButton"))->click();
        QCOMPARE(cancelled.size(), 1);
        QVERIFY(!view.loader()->isRunning());
        QTest::qWait(300); // answers of the cancelled load arrive and are dropped
        QCOMPARE(finished.size(), 0);
        QVERIFY(view.statusText().startsWith(QStringLiteral("Cancelled")));
        QCOMPARE(view.figures().totalDecisions, before.totalDecisions);
    }

    void unreadableStoreIsReported() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("not-a-store.sqlite"));
        QFile junk(path);
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("this is not a SQLite database, and must stay that way\n");
        junk.close();
        services::EmbeddedStores broken = services::makeEmbeddedStores(path);
        models::Backend backend = m_store.backend;
        backend.cases = broken.cases;
        DashboardView view(backend);
        QVERIFY(refreshOf(view));
        QVERIFY2(view.statusText().contains(QStringLiteral("Could not read the audit trail")),
                 qPrintable(view.statusText()));
        QVERIFY2(view.statusText().contains(QStringLiteral("not a SQLite database")), qPrintable(view.statusText()));
        QVERIFY(view.figures().days.isEmpty());
        QVERIFY(!view.findChild<QPushButton*>(QStringLiteral("exportButton"))->isEnabled());
    }
};

QTEST_MAIN(DashboardViewTest)
#include "DashboardViewTest.moc"
