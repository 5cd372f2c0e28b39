#pragma once

#include "Backend.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace fairuse::models {
class ShadowComparisonFilter;
class ShadowComparisonLoader;
class ShadowComparisonModel;
} // namespace fairuse::models

namespace fairuse::enforcement {
struct ShadowComparison;
}

namespace fairuse::ui {

/**
 * Where the enforcement service in shadow mode and the backend's own enforcement disagree (issue 12): for the last
 * day, week or month, every decision the shadow service recorded and every case the backend wrote, compared
 * (ShadowComparisonLoader), disagreements first, with their counts ("312 decisions, 295 agree, 17 disagree"). Filters:
 * the period, the verdict (every disagreement by default) and a part of the user id. Enter or a double click asks to
 * open the user.
 *
 * Object names for tests: shadowTable, shadowPeriod, shadowVerdicts, shadowSearch, shadowCounts, shadowDetail,
 * shadowStatus.
 */
class ShadowComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit ShadowComparisonView(models::Backend& backend, QWidget* parent = nullptr);

    models::ShadowComparisonModel* model() const { return m_model; }
    models::ShadowComparisonFilter* filter() const { return m_filter; }
    QTableView* table() const { return m_table; }
    QString countsText() const;
    QString statusText() const;
    QString detailText() const;

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();
    /** The reviewer opened a row of `uid` (Enter or double click). */
    void userRequested(const QString& uid);

private:
    void showComparison(const enforcement::ShadowComparison& comparison);
    void showCurrent();

    models::Backend& m_backend;
    models::ShadowComparisonLoader* m_loader;
    models::ShadowComparisonModel* m_model;
    models::ShadowComparisonFilter* m_filter;
    QComboBox* m_period;
    QComboBox* m_verdicts;
    QLineEdit* m_search;
    QTableView* m_table;
    QLabel* m_counts;
    QLabel* m_detail;
    QLabel* m_status;
};

} // namespace fairuse::ui
