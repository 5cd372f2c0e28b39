#pragma once

#include "Backend.h"

#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;
class QTableView;
class QTableWidget;

namespace fairuse::models {
class SpendModel;
}

namespace fairuse::ui {

/**
 * LLM spend over a trailing period: totals per cohort (custom STT vs platform STT, by plan), the top spenders, a
 * daily trend chart split by cohort, and the spend caps in force (core/ledger LedgerPolicy).
 *
 * Object names for tests: periodCombo, cohortTable, spendersTable, trendChart, policyLabel.
 */
class SpendReportView : public QWidget {
    Q_OBJECT
public:
    explicit SpendReportView(models::Backend& backend, QWidget* parent = nullptr);

    models::SpendModel* topSpenders() const { return m_spenders; }
    QTableWidget* cohortTable() const { return m_cohorts; }
    /** Points per trend series currently charted (days). */
    int trendDays() const { return m_trendDays; }
    QString statusText() const;

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();

private:
    models::Backend& m_backend;
    quint64 m_generation = 0;
    int m_trendDays = 0;
    QComboBox* m_period;
    QTableWidget* m_cohorts;
    models::SpendModel* m_spenders;
    QTableView* m_spendersView;
    QChartView* m_chart;
    QLabel* m_policy;
    QLabel* m_status;
};

} // namespace fairuse::ui
