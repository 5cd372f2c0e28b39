#include "PeakSpeechChart.h"

#include "ChartSwap.h"

#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QLocale>
#include <QPainter>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace fairuse::ui {

namespace {
constexpr double kMsPerHour = 3'600'000.0;
constexpr double kHistogramBinHours = 0.5;
} // namespace

PeakSpeechChart::PeakSpeechChart(QWidget* parent)
    : QChartView(parent) {
    setRenderHint(QPainter::Antialiasing);
    setAccessibleName(tr("Peak daily speech of the users, with both policies' daily caps"));
    setMinimumHeight(240);
    auto* empty = new QChart();
    empty->setTitle(tr("Run the simulation to see the users' peak daily speech"));
    replaceChart(this, empty);
}

void PeakSpeechChart::setData(const QList<std::pair<Plan, std::int64_t>>& peakDailyMs, int days,
                              const enforcement::Policy& current, const enforcement::Policy& edited) {
    auto* chart = new QChart();
    chart->setTheme(palette().color(QPalette::Window).lightness() < 128 ? QChart::ChartThemeDark
                                                                        : QChart::ChartThemeLight);
    chart->setTitle(tr("Peak daily speech of %1 users, last %2 days").arg(peakDailyMs.size()).arg(days));
    chart->legend()->setAlignment(Qt::AlignBottom);

    double maxHours = static_cast<double>(std::max({current.basicCaps.dailyMs, current.unlimitedCaps.dailyMs,
                                                    edited.basicCaps.dailyMs, edited.unlimitedCaps.dailyMs})) /
                      kMsPerHour;
    for (const auto& [plan, peak] : peakDailyMs) {
        Q_UNUSED(plan)
        maxHours = std::max(maxHours, static_cast<double>(peak) / kMsPerHour);
    }
    const int bins = std::max(1, static_cast<int>(std::ceil(maxHours / kHistogramBinHours)) + 1);
    m_bins = bins;
    QList<int> counts(bins, 0);
    for (const auto& [plan, peak] : peakDailyMs) {
        Q_UNUSED(plan)
        const int bin =
            std::min(bins - 1, static_cast<int>(static_cast<double>(peak) / kMsPerHour / kHistogramBinHours));
        ++counts[bin];
    }
    const int maxCount = std::max(1, *std::max_element(counts.begin(), counts.end()));

    // The histogram as a step outline over its area.
    auto* upper = new QLineSeries(chart);
    for (int i = 0; i < bins; ++i) {
        upper->append(i * kHistogramBinHours, counts[i]);
        upper->append((i + 1) * kHistogramBinHours, counts[i]);
    }
    auto* area = new QAreaSeries(upper);
    area->setName(tr("Users by peak daily speech (per %1 h)").arg(QLocale().toString(kHistogramBinHours)));
    chart->addSeries(area);

    auto* xAxis = new QValueAxis(chart);
    xAxis->setTitleText(tr("Peak daily speech (hours)"));
    xAxis->setRange(0, bins * kHistogramBinHours);
    xAxis->setLabelFormat(QStringLiteral("%.0f"));
    xAxis->setTickType(QValueAxis::TicksDynamic);
    xAxis->setTickAnchor(0);
    xAxis->setTickInterval(bins * kHistogramBinHours > 16 ? 2 : 1);
    auto* yAxis = new QValueAxis(chart);
    yAxis->setTitleText(tr("Users"));
    yAxis->setRange(0, maxCount * 1.1);
    yAxis->setLabelFormat(QStringLiteral("%d"));
    yAxis->applyNiceNumbers();
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    area->attachAxis(xAxis);
    area->attachAxis(yAxis);

    struct CapLine {
        QString name;
        std::int64_t ms;
        QColor colour;
        Qt::PenStyle style;
    };
    const CapLine lines[] = {
        {tr("Current daily cap, basic"), current.basicCaps.dailyMs, QColor(0xe0, 0x8a, 0x1e), Qt::SolidLine},
        {tr("Edited daily cap, basic"), edited.basicCaps.dailyMs, QColor(0xc0, 0x39, 0x2b), Qt::SolidLine},
        {tr("Current daily cap, unlimited"), current.unlimitedCaps.dailyMs, QColor(0xe0, 0x8a, 0x1e), Qt::DashLine},
        {tr("Edited daily cap, unlimited"), edited.unlimitedCaps.dailyMs, QColor(0xc0, 0x39, 0x2b), Qt::DashLine},
    };
    for (const CapLine& line : lines) {
        auto* series = new QLineSeries(chart);
        series->setName(line.name);
        const double x = static_cast<double>(line.ms) / kMsPerHour;
        series->append(x, 0);
        series->append(x, maxCount * 1.1);
        QPen pen(line.colour);
        pen.setWidth(2);
        pen.setStyle(line.style);
        series->setPen(pen);
        chart->addSeries(series);
        series->attachAxis(xAxis);
        series->attachAxis(yAxis);
    }
    replaceChart(this, chart);
}

} // namespace fairuse::ui
