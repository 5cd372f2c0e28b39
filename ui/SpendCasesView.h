#pragma once

#include "InboxView.h"

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
class SpendCasesView : public InboxView {
    Q_OBJECT
public:
    explicit SpendCasesView(models::Backend& backend, QWidget* parent = nullptr);

    models::SpendCasesModel* model() const { return m_model; }

protected:
    void read() override;
    void clearRows() override;
    QString countText(int n) const override;
    QString emptyText() const override;
    QString rowText(int row) const override;

private:
    models::SpendCasesModel* m_model;
};

} // namespace fairuse::ui
