// LLM spend report on a seeded store: cohort totals, top spenders and the daily trend, checked against the spend
// records the store was seeded with (plus hand-written ones at the period's edges), the caps shown, the period
// switch, and a store that cannot be read.

#include "SpendReportView.h"
#include "DetailFormat.h"
#include "DetailTestStore.h"
#include "LiveObjects.h"
#include "SpendModel.h"
#include "TestFiles.h"
#include "ledger/LlmSpendLedger.h"

#include <QAbstractItemModelTester>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

#include <map>
#include <set>

using namespace fairuse;
using namespace fairuse::ui;
using fairuse::models::SpendModel;

namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
const QString kWhale = QStringLiteral("zz-spend-test-whale");

/** What the report should show for one cohort, computed here from the records. */
struct Expected {
    std::set<QString> users;
    int calls = 0;
    std::int64_t tokens = 0;
    std::int64_t cost = 0;
};

} // namespace

class SpendReportTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;
    QList<LlmSpendRecord> m_records; // everything in the store's llm_spend table

    TimePoint now() const { return m_store.backend.now(); }

    /** The records the report over `days` must count: at >= now - days and at <= now. */
    QList<LlmSpendRecord> inPeriod(int days) const {
        const TimePoint from = now() - std::chrono::hours(24) * days;
        QList<LlmSpendRecord> out;
        for (const LlmSpendRecord& r : m_records) {
            if (r.at >= from && r.at <= now()) {
                out.append(r);
            }
        }
        return out;
    }

    bool insertSpend(const LlmSpendRecord& r) {
        m_records.append(r);
        return m_store.execSql(QStringLiteral("INSERT INTO llm_spend (uid, at, model, purpose, prompt_tokens,"
                                              " completion_tokens, cost_micro_usd, custom_stt, plan) VALUES"
                                              " ('%1', %2, '%3', 'structuring', %4, %5, %6, %7, '%8')")
                                   .arg(r.uid)
                                   .arg(toUnixMs(r.at))
                                   .arg(r.model)
                                   .arg(r.promptTokens)
                                   .arg(r.completionTokens)
                                   .arg(r.costMicroUsd)
                                   .arg(r.customStt ? 1 : 0)
                                   .arg(toString(r.plan)));
    }

    static bool refreshOf(SpendReportView& view) {
        QSignalSpy spy(&view, &SpendReportView::refreshed);
        view.refresh();
        return QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, 30000);
    }

    static QString cell(const QTableWidget* t, int row, int col) {
        const QTableWidgetItem* item = t->item(row, col);
        return item ? item->text() : QString();
    }

    /** Compares the cohort table, the top spenders and the trend with what `records` add up to. */
    void verifyReport(const SpendReportView& view, const QList<LlmSpendRecord>& records, int days) {
        // Cohorts: custom STT first, then plans in order.
        std::map<std::pair<int, int>, Expected> cohorts;
        std::map<QString, Expected> perUser;
        for (const LlmSpendRecord& r : records) {
            Expected& c = cohorts[{r.customStt ? 0 : 1, static_cast<int>(r.plan)}];
            for (Expected* e : {&c, &perUser[r.uid]}) {
                e->users.insert(r.uid);
                ++e->calls;
                e->tokens += r.promptTokens + r.completionTokens;
                e->cost += r.costMicroUsd;
            }
        }
        const QTableWidget* table = view.cohortTable();
        QCOMPARE(table->rowCount(), static_cast<int>(cohorts.size()));
        int row = 0;
        for (const auto& [key, c] : cohorts) {
            QCOMPARE(cell(table, row, 0), SpendModel::cohortLabel(key.first == 0));
            QCOMPARE(cell(table, row, 1), SpendModel::planLabel(static_cast<Plan>(key.second)));
            QCOMPARE(cell(table, row, 2), QLocale().toString(static_cast<int>(c.users.size())));
            QCOMPARE(cell(table, row, 3), QLocale().toString(c.calls));
            QCOMPARE(cell(table, row, 4), QLocale().toString(static_cast<qlonglong>(c.tokens)));
            QCOMPARE(cell(table, row, 5), models::formatUsd(c.cost));
            ++row;
        }

        // Top spenders: highest cost first, at most 20.
        std::vector<std::pair<QString, Expected>> ranked(perUser.begin(), perUser.end());
        std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.second.cost != b.second.cost ? a.second.cost > b.second.cost : a.first < b.first;
        });
        const SpendModel* model = view.topSpenders();
        QCOMPARE(model->rowCount(), std::min(20, static_cast<int>(ranked.size())));
        for (int i = 0; i < model->rowCount(); ++i) {
            QCOMPARE(model->index(i, SpendModel::UserColumn).data().toString(), ranked[i].first);
            QCOMPARE(model->index(i, SpendModel::CostColumn).data(SpendModel::RawValueRole).toLongLong(),
                     ranked[i].second.cost);
            QCOMPARE(model->index(i, SpendModel::CallsColumn).data(SpendModel::RawValueRole).toInt(),
                     ranked[i].second.calls);
            QCOMPARE(model->index(i, SpendModel::TokensColumn).data(SpendModel::RawValueRole).toLongLong(),
                     ranked[i].second.tokens);
            QCOMPARE(model->index(i, SpendModel::CostColumn).data().toString(),
                     models::formatUsd(ranked[i].second.cost));
        }

        // Trend: one point per UTC day from the period's first day to today, per cohort.
        const std::int64_t firstDay = (toUnixMs(now()) - days * kDayMs) / kDayMs;
        const std::int64_t lastDay = toUnixMs(now()) / kDayMs;
        QCOMPARE(view.trendDays(), static_cast<int>(lastDay - firstDay + 1));
        std::map<std::int64_t, std::int64_t> customPerDay;
        std::map<std::int64_t, std::int64_t> platformPerDay;
        for (const LlmSpendRecord& r : records) {
            (r.customStt ? customPerDay : platformPerDay)[toUnixMs(r.at) / kDayMs] += r.costMicroUsd;
        }
        const auto* chartView = view.findChild<QChartView*>(QStringLiteral("trendChart"));
        QVERIFY(chartView && chartView->chart());
        const QList<QAbstractSeries*> series = chartView->chart()->series();
        QCOMPARE(series.size(), 2);
        for (int s = 0; s < 2; ++s) {
            const auto* line = qobject_cast<QLineSeries*>(series.at(s));
            QVERIFY(line);
            const auto& perDay = line->name() == QStringLiteral("Custom STT users") ? customPerDay : platformPerDay;
            const QList<QPointF> points = line->points();
            QCOMPARE(points.size(), view.trendDays());
            for (int i = 0; i < points.size(); ++i) {
                const std::int64_t day = firstDay + i;
                QCOMPARE(static_cast<std::int64_t>(points[i].x()), day * kDayMs);
                const auto it = perDay.find(day);
                const double expectedUsd = it == perDay.end() ? 0.0 : static_cast<double>(it->second) / 1e6;
                QVERIFY2(qAbs(points[i].y() - expectedUsd) < 1e-9, qPrintable(QStringLiteral("%1 day %2: %3 vs %4")
                                                                                  .arg(line->name())
                                                                                  .arg(i)
                                                                                  .arg(points[i].y())
                                                                                  .arg(expectedUsd)));
            }
        }
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seed());
        m_records = m_store.population.spend;
        QVERIFY(!m_records.isEmpty());
        // Records at the edges of the 7-day period, and one user who outspends the population on the free plan.
        const TimePoint t = now();
        auto record = [](const QString& uid, TimePoint at, std::int64_t cost, bool customStt, Plan plan) {
            LlmSpendRecord r;
            r.uid = uid;
            r.at = at;
            r.model = QStringLiteral("gpt-5-mini");
            r.promptTokens = 1000;
            r.completionTokens = 250;
            r.costMicroUsd = cost;
            r.customStt = customStt;
            r.plan = plan;
            return r;
        };
        QVERIFY(insertSpend(record(kWhale, t - std::chrono::hours(1), 4'000'000'000, true, Plan::Basic)));
        QVERIFY(insertSpend(record(kWhale, t, 1'000'000'000, true, Plan::Basic))); // "now" is inside the period
        QVERIFY(insertSpend(record(QStringLiteral("zz-edge-in"), t - std::chrono::hours(24 * 7), 7, false,
                                   Plan::Unlimited))); // the period's first millisecond
        QVERIFY(insertSpend(record(QStringLiteral("zz-edge-out"),
                                   t - std::chrono::hours(24 * 7) - std::chrono::milliseconds(1), 9, false,
                                   Plan::Unlimited)));
        QVERIFY(
            insertSpend(record(QStringLiteral("zz-future"), t + std::chrono::minutes(1), 11, false, Plan::Unlimited)));
    }

    void modelIsSound() {
        SpendReportView view(m_store.backend);
        QAbstractItemModelTester tester(view.topSpenders(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(refreshOf(view));
        QVERIFY(view.topSpenders()->rowCount() > 0);
        QVERIFY(refreshOf(view)); // a second load replaces the rows under the tester
    }

    void refreshKeepsOneChart() {
        SpendReportView view(m_store.backend);
        QVERIFY(refreshOf(view));
        testing::LiveObjects live; // counts the charts made from here on
        for (int i = 0; i < 5; ++i) {
            QVERIFY(refreshOf(view));
            QCOMPARE(live.count<QChart>(), 1);
        }
    }

    void thirtyDaysAddUpTheStoredRecords() {
        SpendReportView view(m_store.backend);
        auto* period = view.findChild<QComboBox*>(QStringLiteral("periodCombo"));
        QCOMPARE(period->currentData().toInt(), 30);
        QVERIFY(refreshOf(view));
        QVERIFY(view.statusText().isEmpty());
        const QList<LlmSpendRecord> expected = inPeriod(30);
        QVERIFY(expected.size() > 100);
        verifyReport(view, expected, 30);
        QCOMPARE(view.topSpenders()->rowAt(0).uid, kWhale);
        QCOMPARE(view.topSpenders()->rowAt(0).costMicroUsd, 5'000'000'000);
        QVERIFY(view.topSpenders()->rowAt(0).plan == Plan::Basic);
        QVERIFY(view.topSpenders()->rowAt(0).customStt);
    }

    void sevenDaysCountOnlyTheirRecords() {
        SpendReportView view(m_store.backend);
        QVERIFY(refreshOf(view));
        auto* period = view.findChild<QComboBox*>(QStringLiteral("periodCombo"));
        QSignalSpy spy(&view, &SpendReportView::refreshed);
        period->setCurrentIndex(period->findData(7)); // the combo reloads by itself
        QVERIFY(QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, 30000));
        const QList<LlmSpendRecord> expected = inPeriod(7);
        QVERIFY(expected.size() < inPeriod(30).size()); // the demo population spends over 14 days
        verifyReport(view, expected, 7);
        QStringList uids;
        for (int i = 0; i < view.topSpenders()->rowCount(); ++i) {
            uids << view.topSpenders()->rowAt(i).uid;
        }
        QVERIFY(!uids.contains(QStringLiteral("zz-edge-out")));
        QVERIFY(!uids.contains(QStringLiteral("zz-future")));
    }

    void showsTheCapsInForce() {
        SpendReportView view(m_store.backend);
        const QString text = view.findChild<QLabel*>(QStringLiteral("policyLabel"))->text();
        const LedgerPolicy policy;
        for (Plan p : {Plan::Basic, Plan::Unlimited}) {
            const SpendCaps caps = policy.capsFor(p);
            const QString expected = QStringLiteral("%1: %2 a day, %3 a month")
                                         .arg(SpendModel::planLabel(p), models::formatUsd(caps.dailyMicroUsd),
                                              models::formatUsd(caps.monthlyMicroUsd));
            QVERIFY2(text.contains(expected), qPrintable(text));
        }
        // The figures of SPEC's policy table, so a changed default shows up here.
        QVERIFY2(text.contains(models::formatUsd(500'000)) && text.contains(models::formatUsd(20'000'000)),
                 qPrintable(text));
    }

    void viewClosedWhileLoading() {
        // The view goes while its read is still queued on the store's worker: the answer must find nobody to tell,
        // not a destroyed view (Qt 6.4 asserts in a then(context) continuation whose context is gone).
        for (int i = 0; i < 5; ++i) {
            auto view = std::make_unique<SpendReportView>(m_store.backend);
            view->refresh();
            view.reset();
        }
        // Everything queued before this read has been answered once it is.
        const Result<QList<LlmSpendRecord>> after =
            services::awaitResult(m_store.stores.cases->listSpend(TimePoint{}, now()), 30000);
        QVERIFY(after.ok());
        QTest::qWait(50); // let queued deliveries to the (gone) views run
    }

    void unreadableStoreIsReported() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("not-a-store.sqlite"));
        QVERIFY(testing::writeFile(path, "this is not a SQLite database, and must stay that way\n"));
        services::EmbeddedStores broken = services::makeEmbeddedStores(path);
        models::Backend backend = m_store.backend;
        backend.cases = broken.cases;
        SpendReportView view(backend);
        QVERIFY(refreshOf(view));
        QVERIFY2(view.statusText().contains(QStringLiteral("Could not read the LLM spend")),
                 qPrintable(view.statusText()));
        QVERIFY2(view.statusText().contains(QStringLiteral("not a SQLite database")), qPrintable(view.statusText()));
        QCOMPARE(view.topSpenders()->rowCount(), 0);
        QCOMPARE(view.cohortTable()->rowCount(), 0);
    }
};

QTEST_MAIN(SpendReportTest)
#include "SpendReportViewTest.moc"
