#pragma once

#include "common/Domain.h"
#include "enforcement/Policy.h"

#include <QChartView>
#include <QList>

#include <cstdint>
#include <utility>

namespace fairuse::ui {

/**
 * The policy simulator's chart: a histogram of the users' peak daily speech (half-hour bins) with the daily caps of
 * the current and the edited policy as vertical lines (solid: basic plan, dashed: unlimited).
 */
class PeakSpeechChart : public QChartView {
    Q_OBJECT
public:
    explicit PeakSpeechChart(QWidget* parent = nullptr);

    /** One (plan, peak daily speech) per user, over `days` days. */
    void setData(const QList<std::pair<Plan, std::int64_t>>& peakDailyMs, int days, const enforcement::Policy& current,
                 const enforcement::Policy& edited);
    /** Histogram bins shown, 0 before setData(). */
    int binCount() const { return m_bins; }

private:
    int m_bins = 0;
};

} // namespace fairuse::ui
