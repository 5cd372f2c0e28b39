#pragma once

#include "RowListModel.h"
#include "common/Domain.h"

#include <QCoreApplication>

namespace fairuse::models {

/** Audit records in chain order: who did what to whom, when, with which reason and stage change. */
class AuditModel : public RowListModel<AuditRecord> {
    Q_DECLARE_TR_FUNCTIONS(AuditModel)
public:
    enum Column {
        SequenceColumn,
        TimeColumn,
        ReviewerColumn,
        RoleColumn,
        ActionColumn,
        UserColumn,
        CaseColumn,
        StagesColumn,
        ReasonColumn,
        ClientColumn,
        ColumnCount
    };
    /** Raw values for export and sorting: numbers for sequence and time (ms since the epoch), strings otherwise. */
    static constexpr int RawValueRole = Qt::UserRole + 1;

    using RowListModel::RowListModel;

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
};

} // namespace fairuse::models
