#pragma once

#include <QChart>
#include <QChartView>

namespace fairuse::ui {

/**
 * Shows `chart` in `view` and deletes the chart shown before. QChartView::setChart only releases the old chart's
 * ownership, so a view that is redrawn with a new chart (a user opened, a report refreshed) would leak one per
 * redraw.
 */
inline void replaceChart(QChartView* view, QChart* chart) {
    QChart* old = view->chart();
    view->setChart(chart);
    if (old != chart) {
        delete old;
    }
}

} // namespace fairuse::ui
