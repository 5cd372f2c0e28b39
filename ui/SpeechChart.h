#pragma once

#include "common/Domain.h"
#include "common/Stores.h"

#include <QChartView>
#include <QList>

namespace fairuse::ui {

/**
 * A user's speech over the visible range (default the last 7 days): speech per bucket (minute data aggregated so the
 * point count stays about the chart's pixel width), the trailing daily, 3-day and weekly totals, and the three caps
 * as labelled horizontal lines. Series colours are fixed per meaning and chosen to stay readable on light and dark
 * backgrounds; everything else follows the palette.
 */
class SpeechChart : public QChartView {
    Q_OBJECT
public:
    explicit SpeechChart(QWidget* parent = nullptr);

    /**
     * Shows `minutes` (which should start a week before `from`, so the weekly line is complete from the first point)
     * over [from, to) against `caps`.
     */
    void setData(const QList<services::MinuteSample>& minutes, TimePoint from, TimePoint to, const Caps& caps);
    /** Clears the chart and shows `message` as its title (loading, errors). */
    void showMessage(const QString& message);

    /** Points of the bucket series currently shown (for tests and the report). */
    int bucketPointCount() const { return m_bucketPoints; }
    /** The caps the cap lines are drawn at. */
    const Caps& caps() const { return m_caps; }
    /** Renders the chart into an image of the given size (for the PDF report). */
    QImage renderImage(const QSize& size);

private:
    void rebuild();

    QList<services::MinuteSample> m_minutes;
    TimePoint m_from{};
    TimePoint m_to{};
    Caps m_caps;
    bool m_hasData = false;
    int m_bucketPoints = 0;
};

} // namespace fairuse::ui
