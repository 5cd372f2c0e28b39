#pragma once

#include "Backend.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace fairuse::models {
class SpendCasesModel;
}

namespace fairuse::ui {

/**
 * The LLM-spend inbox: open cases the enforcement service opened for users whose LLM spend passed their plan's daily
 * or monthly cap (CaseStore::listOpenSpendCases), oldest first. Such a user is often at stage none, so the flagged-user
 * queue does not list them; this view does. Enter or a double click opens the user, where the case is resolved like
 * any other (with its audit record).
 *
 * Object names for tests: spendCasesTable, spendCaseDetail, spendCasesStatus.
 */
class SpendCasesView : public QWidget {
    Q_OBJECT
public:
    /** Cases read per refresh; an inbox longer than this says so. */
    static constexpr int kLimit = 500;

    explicit SpendCasesView(models::Backend& backend, QWidget* parent = nullptr);

    models::SpendCasesModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QString statusText() const;
    QString detailText() const;

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();
    /** The reviewer opened the case of `uid` (Enter or double click). */
    void userRequested(const QString& uid);

private:
    void showCurrent();

    models::Backend& m_backend;
    quint64 m_generation = 0;
    models::SpendCasesModel* m_model;
    QTableView* m_table;
    QLabel* m_detail;
    QLabel* m_status;
};

} // namespace fairuse::ui
