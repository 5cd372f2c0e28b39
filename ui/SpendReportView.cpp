#include "SpendReportView.h"

#include "BulkResolver.h"
#include "ChartSwap.h"
#include "DetailFormat.h"
#include "FutureWatch.h"
#include "SpendModel.h"
#include "ledger/LlmSpendLedger.h"
#include "ledger/SpendReport.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <chrono>

namespace fairuse::ui {

namespace {
constexpr int kTopSpenders = 20;
}

SpendReportView::SpendReportView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_period(new QComboBox(this))
    , m_cohorts(new QTableWidget(this))
    , m_spenders(new models::SpendModel(this))
    , m_spendersView(new QTableView(this))
    , m_chart(new QChartView(this))
    , m_policy(new QLabel(this))
    , m_status(new QLabel(this)) {
    setAccessibleName(tr("LLM spend report"));
    m_period->setObjectName(QStringLiteral("periodCombo"));
    m_period->setAccessibleName(tr("Period"));
    m_period->addItem(tr("Last 7 days"), 7);
    m_period->addItem(tr("Last 30 days"), 30);
    m_period->addItem(tr("Last 90 days"), 90);
    m_period->setCurrentIndex(1);
    auto* refresh = new QPushButton(tr("&Refresh"), this);

    m_cohorts->setObjectName(QStringLiteral("cohortTable"));
    m_cohorts->setAccessibleName(tr("Spend by cohort"));
    m_cohorts->setColumnCount(6);
    m_cohorts->setHorizontalHeaderLabels({tr("STT"), tr("Plan"), tr("Users"), tr("Calls"), tr("Tokens"), tr("Cost")});
    m_cohorts->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_cohorts->verticalHeader()->hide();
    m_cohorts->horizontalHeader()->setStretchLastSection(true);

    m_spendersView->setObjectName(QStringLiteral("spendersTable"));
    m_spendersView->setAccessibleName(tr("Top spenders"));
    m_spendersView->setModel(m_spenders);
    m_spendersView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_spendersView->verticalHeader()->hide();
    m_spendersView->horizontalHeader()->setStretchLastSection(true);

    m_chart->setObjectName(QStringLiteral("trendChart"));
    m_chart->setAccessibleName(tr("Daily spend trend"));
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(220);

    m_policy->setObjectName(QStringLiteral("policyLabel"));
    m_policy->setAccessibleName(tr("Spend caps in force"));
    m_policy->setWordWrap(true);
    m_policy->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_status->hide();

    auto* top = new QHBoxLayout();
    top->addWidget(new QLabel(tr("Period:"), this));
    top->addWidget(m_period);
    top->addWidget(refresh);
    top->addStretch(1);

    auto* tables = new QSplitter(Qt::Horizontal, this);
    tables->addWidget(m_cohorts);
    tables->addWidget(m_spendersView);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_policy);
    layout->addWidget(m_status);
    layout->addWidget(tables, 1);
    layout->addWidget(m_chart, 1);

    const LedgerPolicy ledger;
    QStringList caps;
    for (Plan p : {Plan::Basic, Plan::Unlimited}) {
        const SpendCaps c = ledger.capsFor(p);
        caps << tr("%1: %2 a day, %3 a month")
                    .arg(models::SpendModel::planLabel(p), models::formatUsd(c.dailyMicroUsd),
                         models::formatUsd(c.monthlyMicroUsd));
    }
    m_policy->setText(tr("LLM spend caps in force (rolling 24 h / 30 days, custom STT users included): %1")
                          .arg(caps.join(QStringLiteral("; "))));

    connect(refresh, &QPushButton::clicked, this, &SpendReportView::refresh);
    connect(m_period, &QComboBox::currentIndexChanged, this, &SpendReportView::refresh);
}

QString SpendReportView::statusText() const {
    return m_status->isHidden() ? QString() : m_status->text();
}

void SpendReportView::refresh() {
    if (!m_backend.cases) {
        return;
    }
    const quint64 generation = ++m_generation;
    const TimePoint now = models::backendNow(m_backend);
    const TimePoint from = now - std::chrono::hours(24) * m_period->currentData().toInt();
    m_status->setText(tr("Loading…"));
    m_status->show();
    // Not then(this, ...): see FutureWatch.h (Qt 6.4 asserts when the answer arrives after the view is gone).
    models::whenFinished(
        this, m_backend.cases->listSpend(from, now + std::chrono::milliseconds(1)),
        [this, generation, from, now](const Result<QList<LlmSpendRecord>>& r) {
            if (generation != m_generation) {
                return;
            }
            if (!r) {
                m_status->setText(tr("Could not read the LLM spend from %1: %2 Check the connection and refresh.")
                                      .arg(m_backend.cases->describe(), r.error().message));
                Q_EMIT refreshed();
                return;
            }
            m_status->hide();
            const QList<CohortSpend> cohorts = spendreport::totalsByCohort(r.value());
            m_cohorts->setRowCount(static_cast<int>(cohorts.size()));
            for (int i = 0; i < cohorts.size(); ++i) {
                const CohortSpend& c = cohorts.at(i);
                const QStringList cells{models::SpendModel::cohortLabel(c.customStt),
                                        models::SpendModel::planLabel(c.plan),
                                        QLocale().toString(c.users),
                                        QLocale().toString(c.calls),
                                        QLocale().toString(static_cast<qlonglong>(c.promptTokens + c.completionTokens)),
                                        models::formatUsd(c.costMicroUsd)};
                for (int col = 0; col < cells.size(); ++col) {
                    m_cohorts->setItem(i, col, new QTableWidgetItem(cells.at(col)));
                }
            }
            m_spenders->setRows(spendreport::topSpenders(r.value(), kTopSpenders));

            const QList<DailySpend> trend = spendreport::dailyTrend(r.value(), from, now);
            m_trendDays = static_cast<int>(trend.size());
            auto* chart = new QChart();
            chart->setTheme(palette().color(QPalette::Window).lightness() < 128 ? QChart::ChartThemeDark
                                                                                : QChart::ChartThemeLight);
            chart->setTitle(tr("LLM spend per UTC day"));
            auto* custom = new QLineSeries(chart);
            custom->setName(tr("Custom STT users"));
            custom->setColor(QColor(0xe0, 0x8a, 0x1e));
            auto* platform = new QLineSeries(chart);
            platform->setName(tr("Platform STT users"));
            platform->setColor(QColor(0x4c, 0x9a, 0xd6));
            double maxUsd = 0.0;
            for (const DailySpend& d : trend) {
                const double x = static_cast<double>(toUnixMs(d.dayStart));
                const double c = static_cast<double>(d.customSttCostMicroUsd) / 1e6;
                const double p = static_cast<double>(d.platformSttCostMicroUsd) / 1e6;
                custom->append(x, c);
                platform->append(x, p);
                maxUsd = qMax(maxUsd, qMax(c, p));
            }
            auto* axisX = new QDateTimeAxis(chart);
            axisX->setFormat(QStringLiteral("MM-dd"));
            axisX->setTitleText(tr("Day (UTC)"));
            if (!trend.isEmpty()) {
                axisX->setRange(QDateTime::fromMSecsSinceEpoch(toUnixMs(trend.first().dayStart), Qt::UTC),
                                QDateTime::fromMSecsSinceEpoch(toUnixMs(trend.last().dayStart), Qt::UTC));
            }
            auto* axisY = new QValueAxis(chart);
            axisY->setTitleText(tr("USD"));
            axisY->setRange(0.0, maxUsd * 1.1 + 0.001);
            chart->addAxis(axisX, Qt::AlignBottom);
            chart->addAxis(axisY, Qt::AlignLeft);
            for (QLineSeries* s : {custom, platform}) {
                chart->addSeries(s);
                s->attachAxis(axisX);
                s->attachAxis(axisY);
            }
            chart->legend()->setAlignment(Qt::AlignBottom);
            replaceChart(m_chart, chart);
            Q_EMIT refreshed();
        });
}

} // namespace fairuse::ui
