#include "SpeechChart.h"

#include "ChartSwap.h"
#include "DetailFormat.h"
#include "SpeechSeries.h"

#include <QAreaSeries>
#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QPainter>
#include <QValueAxis>

namespace fairuse::ui {

namespace {
constexpr double kMsPerHour = 3'600'000.0;

double toChartX(std::int64_t unixMinute) {
    return static_cast<double>(unixMinute) * 60'000.0;
}

// Mid-tone colours with enough contrast on both a white and a near-black chart background.
const QColor kBucketColour(0x4c, 0x9a, 0xd6);
const QColor kDailyColour(0xe0, 0x8a, 0x1e);
const QColor kThreeDayColour(0x9b, 0x59, 0xb6);
const QColor kWeeklyColour(0x2e, 0xa0, 0x5a);
} // namespace

SpeechChart::SpeechChart(QWidget* parent)
    : QChartView(parent) {
    setRenderHint(QPainter::Antialiasing);
    setAccessibleName(tr("Speech chart"));
    setAccessibleDescription(tr("Speech per interval and trailing daily, 3-day and weekly totals against the caps"));
    setMinimumHeight(260);
    showMessage(tr("No user selected"));
}

void SpeechChart::showMessage(const QString& message) {
    m_hasData = false;
    m_bucketPoints = 0;
    auto* chart = new QChart();
    chart->setTitle(message);
    chart->setTheme(palette().color(QPalette::Window).lightness() < 128 ? QChart::ChartThemeDark
                                                                        : QChart::ChartThemeLight);
    replaceChart(this, chart);
}

void SpeechChart::setData(const QList<services::MinuteSample>& minutes, TimePoint from, TimePoint to,
                          const Caps& caps) {
    m_minutes = minutes;
    m_from = from;
    m_to = to;
    m_caps = caps;
    m_hasData = true;
    rebuild();
}

void SpeechChart::rebuild() {
    auto* chart = new QChart();
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setTitle(tr("Speech, last %1 days").arg((m_to - m_from) / std::chrono::hours(24)));
    chart->legend()->setAlignment(Qt::AlignBottom);

    // About one point per horizontal pixel at most; 400 before the widget is laid out.
    const int maxPoints = qMax(50, width() > 100 ? width() : 400);
    const std::int64_t fromMinute = unixMinute(m_from);
    const std::int64_t toMinute = unixMinute(m_to);
    const QList<models::SpeechBucket> buckets = models::aggregateMinutes(m_minutes, fromMinute, toMinute, maxPoints);
    m_bucketPoints = static_cast<int>(buckets.size());
    const std::int64_t width = buckets.isEmpty() ? 1 : buckets.first().widthMinutes;

    auto* perBucket = new QLineSeries(chart);
    perBucket->setName(tr("Speech per %1 min (minutes)").arg(width));
    perBucket->setColor(kBucketColour);
    for (const models::SpeechBucket& b : buckets) {
        perBucket->append(toChartX(b.startMinute), static_cast<double>(b.speechMs) / 60'000.0);
    }

    struct Rolling {
        QString name;
        std::int64_t windowMinutes;
        QColor colour;
        std::int64_t capMs;
        QString capName;
    };
    const QList<Rolling> rolling{
        {tr("Trailing 24 h"), 1440, kDailyColour, m_caps.dailyMs, tr("Daily cap")},
        {tr("Trailing 3 days"), 3 * 1440, kThreeDayColour, m_caps.threeDayMs, tr("3-day cap")},
        {tr("Trailing 7 days"), 7 * 1440, kWeeklyColour, m_caps.weeklyMs, tr("Weekly cap")},
    };

    auto* axisX = new QDateTimeAxis(chart);
    axisX->setFormat(QStringLiteral("MM-dd HH:mm"));
    axisX->setTitleText(tr("Time (UTC)"));
    axisX->setRange(QDateTime::fromMSecsSinceEpoch(toUnixMs(m_from), Qt::UTC),
                    QDateTime::fromMSecsSinceEpoch(toUnixMs(m_to), Qt::UTC));
    auto* axisHours = new QValueAxis(chart);
    axisHours->setTitleText(tr("Hours"));
    auto* axisMinutes = new QValueAxis(chart);
    axisMinutes->setTitleText(tr("Minutes per interval"));
    chart->addAxis(axisX, Qt::AlignBottom);
    chart->addAxis(axisHours, Qt::AlignLeft);
    chart->addAxis(axisMinutes, Qt::AlignRight);

    chart->addSeries(perBucket);
    perBucket->attachAxis(axisX);
    perBucket->attachAxis(axisMinutes);

    double maxHours = 0.0;
    const double xFrom = toChartX(fromMinute);
    const double xTo = toChartX(toMinute);
    for (const Rolling& r : rolling) {
        auto* line = new QLineSeries(chart);
        line->setName(r.name);
        line->setColor(r.colour);
        const QList<std::int64_t> totals = models::rollingTotals(m_minutes, buckets, r.windowMinutes);
        for (int i = 0; i < buckets.size(); ++i) {
            const double hours = static_cast<double>(totals.at(i)) / kMsPerHour;
            maxHours = qMax(maxHours, hours);
            line->append(toChartX(buckets.at(i).startMinute + buckets.at(i).widthMinutes), hours);
        }
        chart->addSeries(line);
        line->attachAxis(axisX);
        line->attachAxis(axisHours);

        auto* cap = new QLineSeries(chart);
        const double capHours = static_cast<double>(r.capMs) / kMsPerHour;
        maxHours = qMax(maxHours, capHours);
        cap->setName(tr("%1 (%2)").arg(r.capName, models::formatSpeechHours(r.capMs)));
        QPen pen(r.colour);
        pen.setStyle(Qt::DashLine);
        pen.setWidth(2);
        cap->setPen(pen);
        cap->append(xFrom, capHours);
        cap->append(xTo, capHours);
        cap->setPointLabelsFormat(r.capName);
        chart->addSeries(cap);
        cap->attachAxis(axisX);
        cap->attachAxis(axisHours);
    }
    axisHours->setRange(0.0, maxHours * 1.1 + 0.1);
    axisHours->applyNiceNumbers();
    axisMinutes->setMin(0.0);
    axisMinutes->applyNiceNumbers();
    replaceChart(this, chart);
}

QImage SpeechChart::renderImage(const QSize& size) {
    QImage image(size, QImage::Format_ARGB32);
    image.fill(palette().color(QPalette::Base));
    const QSize old = this->size();
    resize(size);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    render(&painter);
    painter.end();
    resize(old);
    return image;
}

} // namespace fairuse::ui
