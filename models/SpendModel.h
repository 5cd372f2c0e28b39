#pragma once

#include "RowListModel.h"
#include "ledger/SpendReport.h"

#include <QCoreApplication>

namespace fairuse::models {

/** Top LLM spenders: user, plan, STT cohort, calls, tokens and cost. */
class SpendModel : public RowListModel<SpenderTotal> {
    Q_DECLARE_TR_FUNCTIONS(SpendModel)
public:
    enum Column { UserColumn, PlanColumn, CohortColumn, CallsColumn, TokensColumn, CostColumn, ColumnCount };
    /** Raw numbers for sorting and export. */
    static constexpr int RawValueRole = Qt::UserRole + 1;

    using RowListModel::RowListModel;

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString planLabel(Plan p);
    static QString cohortLabel(bool customStt);
};

} // namespace fairuse::models
