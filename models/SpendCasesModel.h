#pragma once

#include "RowListModel.h"
#include "common/Domain.h"

#include <QCoreApplication>

namespace fairuse::models {

/**
 * Open LLM-spend cases of every user (trigger llm_daily or llm_monthly, written by the enforcement service's spend
 * review, enforcement/SpendReview.h), in the order the store gives them (listOpenSpendCases: oldest first): user,
 * opened, which cap, the spend against it, plan, whether the user brings their own speech-to-text, and the case.
 */
class SpendCasesModel : public RowListModel<FairUseEvent> {
    Q_DECLARE_TR_FUNCTIONS(SpendCasesModel)
public:
    enum Column { UserColumn, OpenedColumn, CapColumn, SpendColumn, PlanColumn, SttColumn, CaseColumn, ColumnCount };
    static constexpr int UidRole = Qt::UserRole + 1;
    static constexpr int CaseRefRole = Qt::UserRole + 2;

    using RowListModel::RowListModel;

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /** "$0.8100 of $0.5000 a day (162%)": the spend of the case's window against its cap; "no figures" without. */
    static QString spendText(const FairUseEvent& e);
};

} // namespace fairuse::models
