#include "DashboardView.h"

#include "BulkResolver.h"
#include "ChartSwap.h"
#include "DashboardLoader.h"
#include "DetailFormat.h"
#include "Export.h"
#include "QueueFormat.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFile>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPainter>
#include <QPrintDialog>
#include <QPrinter>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedBarSeries>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <chrono>
#include <memory>

namespace fairuse::ui {

namespace {

constexpr double kMsPerHour = 3'600'000.0;

QChart* newChart(const QWidget* view, const QString& title) {
    auto* chart = new QChart();
    chart->setTheme(view->palette().color(QPalette::Window).lightness() < 128 ? QChart::ChartThemeDark
                                                                              : QChart::ChartThemeLight);
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

QString dayLabel(TimePoint day) {
    return QDateTime::fromMSecsSinceEpoch(toUnixMs(day), Qt::UTC).toString(QStringLiteral("MM-dd"));
}

QString dayIso(TimePoint day) {
    return QDateTime::fromMSecsSinceEpoch(toUnixMs(day), Qt::UTC).toString(QStringLiteral("yyyy-MM-dd"));
}

/** A count axis from 0 with whole-number ticks (at most six), at least up to 1. */
void setCountRange(QValueAxis* axis, int max) {
    const int step = std::max(1, (max + 4) / 5);
    const int top = std::max(1, step * ((max + step - 1) / step));
    axis->setRange(0, top);
    axis->setTickCount(top / step + 1);
    axis->setLabelFormat(QStringLiteral("%d"));
}

QChartView* newChartView(QWidget* parent, const QString& objectName, const QString& accessibleName) {
    auto* view = new QChartView(parent);
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(200);
    return view;
}

} // namespace

DashboardView::DashboardView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_loader(new models::DashboardLoader(backend, this))
    , m_period(new QComboBox(this))
    , m_refresh(new QPushButton(tr("&Refresh"), this))
    , m_cancel(new QPushButton(tr("&Cancel"), this))
    , m_export(new QPushButton(tr("Export &CSV…"), this))
    , m_print(new QPushButton(tr("&Print…"), this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_figures(new QLabel(this))
    , m_charts(new QWidget(this))
    , m_decisions(newChartView(m_charts, QStringLiteral("decisionsChart"), tr("Decisions per reviewer per day")))
    , m_queue(newChartView(m_charts, QStringLiteral("queueChart"), tr("Queue size and oldest open case")))
    , m_appeals(newChartView(m_charts, QStringLiteral("appealsChart"), tr("Appeals upheld and overturned")))
    , m_overturn(newChartView(m_charts, QStringLiteral("overturnChart"), tr("Overturn rate per usage type"))) {
    setAccessibleName(tr("Team dashboard"));
    m_period->setObjectName(QStringLiteral("periodCombo"));
    m_period->setAccessibleName(tr("Period"));
    m_period->addItem(tr("Last 7 days"), 7);
    m_period->addItem(tr("Last 30 days"), 30);
    m_period->addItem(tr("Last 90 days"), 90);
    m_period->setCurrentIndex(1);
    m_refresh->setObjectName(QStringLiteral("refreshButton"));
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->setToolTip(tr("Stop reading the store"));
    m_export->setObjectName(QStringLiteral("exportButton"));
    m_export->setToolTip(tr("Write every figure of the dashboard to a CSV file"));
    m_print->setObjectName(QStringLiteral("printButton"));
    m_status->setObjectName(QStringLiteral("dashboardStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setObjectName(QStringLiteral("dashboardProgress"));
    m_progress->setAccessibleName(tr("Dashboard progress"));
    m_figures->setObjectName(QStringLiteral("figuresLabel"));
    m_figures->setAccessibleName(tr("Dashboard figures"));
    m_figures->setWordWrap(true);
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* top = new QHBoxLayout();
    auto* periodLabel = new QLabel(tr("Peri&od:"), this);
    periodLabel->setBuddy(m_period);
    top->addWidget(periodLabel);
    top->addWidget(m_period);
    top->addWidget(m_refresh);
    top->addWidget(m_cancel);
    top->addStretch(1);
    top->addWidget(m_export);
    top->addWidget(m_print);

    auto* grid = new QGridLayout(m_charts);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(m_figures, 0, 0, 1, 2);
    grid->addWidget(m_decisions, 1, 0);
    grid->addWidget(m_queue, 1, 1);
    grid->addWidget(m_appeals, 2, 0);
    grid->addWidget(m_overturn, 2, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(m_progress);
    layout->addWidget(m_charts, 1);

    m_status->setText(tr("Choose a period; the dashboard reads the audit trail and the cases of that period."));
    m_progress->hide();
    m_cancel->setEnabled(false);
    m_export->setEnabled(false);
    m_print->setEnabled(false);

    connect(m_refresh, &QPushButton::clicked, this, &DashboardView::refresh);
    connect(m_cancel, &QPushButton::clicked, m_loader, &models::DashboardLoader::cancel);
    connect(m_export, &QPushButton::clicked, this, &DashboardView::exportCsv);
    connect(m_print, &QPushButton::clicked, this, &DashboardView::print);
    connect(m_period, &QComboBox::currentIndexChanged, this, &DashboardView::refresh);
    connect(m_loader, &models::DashboardLoader::runningChanged, this, &DashboardView::setBusy);
    connect(m_loader, &models::DashboardLoader::progress, this, [this](const QString& step, int done, int total) {
        m_status->setText(step);
        m_progress->setRange(0, total); // 0..0: busy without a known end
        m_progress->setValue(done);
    });
    connect(m_loader, &models::DashboardLoader::finished, this, [this](const casework::DashboardFigures& f) {
        m_status->setText(tr("%1 audit records and %2 cases read.")
                              .arg(QLocale().toString(static_cast<qlonglong>(m_loader->auditRecordsRead())),
                                   QLocale().toString(static_cast<qlonglong>(m_loader->casesRead()))));
        showFigures(f);
        Q_EMIT refreshed();
    });
    connect(m_loader, &models::DashboardLoader::failed, this, [this](const QString& message) {
        m_status->setText(tr("%1 Check the connection and refresh.").arg(message));
        Q_EMIT refreshed();
    });
    connect(m_loader, &models::DashboardLoader::cancelled, this, [this] {
        m_status->setText(tr("Cancelled. The figures shown are those of the last complete load."));
        Q_EMIT refreshed();
    });
}

const casework::DashboardFigures& DashboardView::figures() const {
    return m_loader->figures();
}

int DashboardView::periodDays() const {
    return m_period->currentData().toInt();
}

QString DashboardView::statusText() const {
    return m_status->text();
}

void DashboardView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!m_loadedOnce) {
        m_loadedOnce = true;
        refresh();
    }
}

void DashboardView::refresh() {
    m_loadedOnce = true;
    const TimePoint now = models::backendNow(m_backend);
    // The period ends just after now, so a decision taken this millisecond counts.
    const TimePoint to = now + std::chrono::milliseconds(1);
    m_loader->start(to - std::chrono::days(periodDays()), to);
}

void DashboardView::setBusy(bool busy) {
    m_progress->setVisible(busy);
    m_cancel->setEnabled(busy);
    m_refresh->setEnabled(!busy);
    const bool haveFigures = !figures().days.isEmpty();
    m_export->setEnabled(!busy && haveFigures);
    m_print->setEnabled(!busy && haveFigures);
}

void DashboardView::showFigures(const casework::DashboardFigures& f) {
    const QString median = f.medianClaimToDecision ? models::QueueFormat::formatAge(f.medianClaimToDecision->count())
                                                   : tr("no decision followed a claim");
    m_figures->setText(tr("<b>%1</b> decisions · median claim → decision <b>%2</b> (%3 timed) · <b>%4</b> SLA "
                          "breaches (open longer than %5) · appeals: <b>%6</b> upheld, <b>%7</b> overturned")
                           .arg(QLocale().toString(f.totalDecisions), median,
                                QLocale().toString(f.claimToDecisionSamples), QLocale().toString(f.slaBreaches),
                                models::QueueFormat::formatAge(f.sla.count()), QLocale().toString(f.appealsUpheld),
                                QLocale().toString(f.appealsOverturned)));

    QStringList days;
    for (const TimePoint d : f.days) {
        days << dayLabel(d);
    }

    // Decisions per reviewer per day: one bar set per reviewer, stacked.
    {
        QChart* chart = newChart(this, tr("Decisions per reviewer per day (UTC)"));
        auto* series = new QStackedBarSeries(chart);
        int maxPerDay = 0;
        QList<int> perDay(f.days.size(), 0);
        for (const casework::ReviewerDecisions& r : f.decisions) {
            auto* set = new QBarSet(r.reviewer, series);
            for (qsizetype i = 0; i < r.perDay.size(); ++i) {
                set->append(r.perDay.at(i));
                perDay[i] += r.perDay.at(i);
            }
            series->append(set);
        }
        for (const int n : perDay) {
            maxPerDay = std::max(maxPerDay, n);
        }
        chart->addSeries(series);
        auto* axisX = new QBarCategoryAxis(chart);
        axisX->append(days);
        auto* axisY = new QValueAxis(chart);
        setCountRange(axisY, maxPerDay);
        axisY->setTitleText(tr("Decisions"));
        chart->addAxis(axisX, Qt::AlignBottom);
        chart->addAxis(axisY, Qt::AlignLeft);
        series->attachAxis(axisX);
        series->attachAxis(axisY);
        replaceChart(m_decisions, chart);
    }

    // Queue size and the oldest open case's age at the end of each day.
    {
        QChart* chart = newChart(this, tr("Queue at the end of each day (UTC)"));
        auto* open = new QLineSeries(chart);
        open->setName(tr("Open cases"));
        auto* oldest = new QLineSeries(chart);
        oldest->setName(tr("Oldest open case (hours)"));
        int maxOpen = 0;
        double maxHours = 0.0;
        for (const casework::QueuePoint& p : f.queue) {
            const double x = static_cast<double>(toUnixMs(p.dayStart));
            const double hours = static_cast<double>(p.oldestOpenAge.count()) / kMsPerHour;
            open->append(x, p.openCases);
            oldest->append(x, hours);
            maxOpen = std::max(maxOpen, p.openCases);
            maxHours = std::max(maxHours, hours);
        }
        auto* axisX = new QDateTimeAxis(chart);
        axisX->setFormat(QStringLiteral("MM-dd"));
        axisX->setTickCount(5);
        if (!f.days.isEmpty()) {
            axisX->setRange(QDateTime::fromMSecsSinceEpoch(toUnixMs(f.days.first()), Qt::UTC),
                            QDateTime::fromMSecsSinceEpoch(toUnixMs(f.days.last()), Qt::UTC));
        }
        auto* axisCount = new QValueAxis(chart);
        axisCount->setTitleText(tr("Open cases"));
        setCountRange(axisCount, maxOpen);
        auto* axisHours = new QValueAxis(chart);
        axisHours->setTitleText(tr("Hours"));
        axisHours->setRange(0.0, std::max(1.0, maxHours * 1.1));
        axisHours->setLabelFormat(QStringLiteral("%.0f"));
        chart->addAxis(axisX, Qt::AlignBottom);
        chart->addAxis(axisCount, Qt::AlignLeft);
        chart->addAxis(axisHours, Qt::AlignRight);
        chart->addSeries(open);
        chart->addSeries(oldest);
        open->attachAxis(axisX);
        open->attachAxis(axisCount);
        oldest->attachAxis(axisX);
        oldest->attachAxis(axisHours);
        replaceChart(m_queue, chart);
    }

    // Appeals decided in the period.
    {
        QChart* chart = newChart(this, tr("Appeals decided"));
        auto* series = new QBarSeries(chart);
        auto* upheld = new QBarSet(tr("Upheld"), series);
        upheld->append(f.appealsUpheld);
        auto* overturned = new QBarSet(tr("Overturned"), series);
        overturned->append(f.appealsOverturned);
        series->append(upheld);
        series->append(overturned);
        chart->addSeries(series);
        auto* axisX = new QBarCategoryAxis(chart);
        axisX->append(tr("Appeals"));
        auto* axisY = new QValueAxis(chart);
        setCountRange(axisY, std::max(f.appealsUpheld, f.appealsOverturned));
        chart->addAxis(axisX, Qt::AlignBottom);
        chart->addAxis(axisY, Qt::AlignLeft);
        series->attachAxis(axisX);
        series->attachAxis(axisY);
        replaceChart(m_appeals, chart);
    }

    // The classifier's overturn rate (false positives among resolved cases) per usage type, in percent.
    {
        QChart* chart = newChart(this, tr("Classifier overturn rate per usage type"));
        auto* series = new QBarSeries(chart);
        auto* rate = new QBarSet(tr("False positives (%)"), series);
        QStringList types;
        for (const casework::UsageOverturn& u : f.overturnByUsage) {
            types << tr("%1 (%2)").arg(models::usageTypeLabel(u.usageType), QLocale().toString(u.resolved));
            rate->append(u.rate() * 100.0);
        }
        series->append(rate);
        chart->addSeries(series);
        auto* axisX = new QBarCategoryAxis(chart);
        axisX->append(types);
        auto* axisY = new QValueAxis(chart);
        axisY->setRange(0.0, 100.0);
        axisY->setLabelFormat(QStringLiteral("%.0f"));
        axisY->setTitleText(tr("%"));
        chart->addAxis(axisX, Qt::AlignBottom);
        chart->addAxis(axisY, Qt::AlignLeft);
        series->attachAxis(axisX);
        series->attachAxis(axisY);
        chart->legend()->hide();
        replaceChart(m_overturn, chart);
    }
}

QStandardItemModel* DashboardView::figuresTable() const {
    const casework::DashboardFigures& f = figures();
    auto* model = new QStandardItemModel(0, 4);
    model->setHorizontalHeaderLabels({tr("Metric"), tr("Subject"), tr("Day (UTC)"), tr("Value")});
    auto add = [model](const QString& metric, const QString& subject, const QString& day, const QString& value) {
        model->appendRow(
            {new QStandardItem(metric), new QStandardItem(subject), new QStandardItem(day), new QStandardItem(value)});
    };
    // Machine-readable values (no locale grouping), so the CSV opens cleanly in a spreadsheet.
    add(QStringLiteral("period_from"), {}, {}, formatRfc3339(f.from));
    add(QStringLiteral("period_to"), {}, {}, formatRfc3339(f.to));
    add(QStringLiteral("decisions_total"), {}, {}, QString::number(f.totalDecisions));
    for (const casework::ReviewerDecisions& r : f.decisions) {
        for (qsizetype i = 0; i < r.perDay.size(); ++i) {
            add(QStringLiteral("decisions"), r.reviewer, dayIso(f.days.at(i)), QString::number(r.perDay.at(i)));
        }
    }
    add(QStringLiteral("median_claim_to_decision_ms"), {}, {},
        f.medianClaimToDecision ? QString::number(f.medianClaimToDecision->count()) : QString());
    add(QStringLiteral("claim_to_decision_samples"), {}, {}, QString::number(f.claimToDecisionSamples));
    for (const casework::QueuePoint& p : f.queue) {
        add(QStringLiteral("open_cases"), {}, dayIso(p.dayStart), QString::number(p.openCases));
        add(QStringLiteral("oldest_open_case_age_ms"), {}, dayIso(p.dayStart),
            QString::number(p.oldestOpenAge.count()));
    }
    add(QStringLiteral("sla_ms"), {}, {}, QString::number(f.sla.count()));
    add(QStringLiteral("sla_breaches"), {}, {}, QString::number(f.slaBreaches));
    add(QStringLiteral("appeals_upheld"), {}, {}, QString::number(f.appealsUpheld));
    add(QStringLiteral("appeals_overturned"), {}, {}, QString::number(f.appealsOverturned));
    for (const casework::UsageOverturn& u : f.overturnByUsage) {
        add(QStringLiteral("resolved_cases"), toString(u.usageType), {}, QString::number(u.resolved));
        add(QStringLiteral("false_positives"), toString(u.usageType), {}, QString::number(u.falsePositives));
        add(QStringLiteral("overturn_rate"), toString(u.usageType), {}, QString::number(u.rate(), 'f', 4));
    }
    return model;
}

void DashboardView::exportCsv() {
    std::unique_ptr<QStandardItemModel> table(figuresTable());
    exportModelInteractive(*table, this, QStringLiteral("dashboard"));
}

void DashboardView::renderTo(QPagedPaintDevice& device) {
    QPainter painter(&device);
    const QRect page = painter.viewport();
    const QSize size = m_charts->size();
    const double scale = std::min(static_cast<double>(page.width()) / std::max(1, size.width()),
                                  static_cast<double>(page.height()) / std::max(1, size.height()));
    painter.scale(scale, scale);
    m_charts->render(&painter);
}

Status DashboardView::printToPdf(const QString& path) {
    {
        // QPrinter reports no error for an unwritable path; find out first so the reviewer is told.
        QFile probe(path);
        if (!probe.open(QIODevice::WriteOnly)) {
            return Error::unavailable(tr("cannot write %1: %2").arg(path, probe.errorString()));
        }
    }
    QPrinter printer(QPrinter::HighResolution);
    printer.setOutputFormat(QPrinter::PdfFormat);
    printer.setOutputFileName(path);
    printer.setPageOrientation(QPageLayout::Landscape);
    printer.setDocName(tr("Team dashboard"));
    printer.setCreator(QStringLiteral("fairuse console"));
    renderTo(printer);
    if (QFileInfo(path).size() <= 0) {
        return Error::unavailable(tr("the PDF writer produced an empty file at %1").arg(path));
    }
    return {};
}

void DashboardView::print() {
    QPrinter printer(QPrinter::HighResolution);
    printer.setPageOrientation(QPageLayout::Landscape);
    printer.setDocName(tr("Team dashboard"));
    QPrintDialog dialog(&printer, this);
    dialog.setWindowTitle(tr("Print the team dashboard"));
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    renderTo(printer);
}

} // namespace fairuse::ui
