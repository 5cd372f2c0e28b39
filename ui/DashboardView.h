#pragma once

#include "Backend.h"
#include "casework/Dashboard.h"
#include "common/Result.h"

#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;
class QPagedPaintDevice;
class QProgressBar;
class QPushButton;
class QStandardItemModel;

namespace fairuse::models {
class DashboardLoader;
}

namespace fairuse::ui {

/**
 * The team dashboard over the last 7, 30 or 90 days: decisions per reviewer per day (stacked bars), the queue's size
 * and the age of its oldest case at the end of each day, appeals upheld vs overturned, and the classifier's overturn
 * rate per usage type, with the median time from claim to decision and the SLA breaches as figures. The store is read
 * and the figures computed off the GUI thread (models::DashboardLoader); the view shows progress and can cancel.
 * "Export CSV…" writes every figure; "Print…" prints the page.
 *
 * Object names for tests: periodCombo, refreshButton, cancelButton, exportButton, printButton, dashboardStatus,
 * dashboardProgress, figuresLabel, decisionsChart, queueChart, appealsChart, overturnChart.
 */
class DashboardView : public QWidget {
    Q_OBJECT
public:
    explicit DashboardView(models::Backend& backend, QWidget* parent = nullptr);

    models::DashboardLoader* loader() const { return m_loader; }
    /** The figures on screen (those of the last load that finished). */
    const casework::DashboardFigures& figures() const;
    /** Period length in days, as chosen. */
    int periodDays() const;
    QString statusText() const;
    /** Every figure as a table (metric, subject, day, value), the rows "Export CSV…" writes; the caller owns it. */
    QStandardItemModel* figuresTable() const;
    /** Prints the page to a PDF file; Unavailable with the reason when it cannot be written. */
    Status printToPdf(const QString& path);

public Q_SLOTS:
    /** Reads and computes the chosen period again. */
    void refresh();
    void exportCsv();
    void print();

Q_SIGNALS:
    /** A load ended: the figures are shown, or the status says why not. */
    void refreshed();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void setBusy(bool busy);
    void showFigures(const casework::DashboardFigures& f);
    void renderTo(QPagedPaintDevice& device);

    models::Backend& m_backend;
    models::DashboardLoader* m_loader;
    bool m_loadedOnce = false;
    QComboBox* m_period;
    QPushButton* m_refresh;
    QPushButton* m_cancel;
    QPushButton* m_export;
    QPushButton* m_print;
    QLabel* m_status;
    QProgressBar* m_progress;
    QLabel* m_figures;
    QWidget* m_charts;
    QChartView* m_decisions;
    QChartView* m_queue;
    QChartView* m_appeals;
    QChartView* m_overturn;
};

} // namespace fairuse::ui
