#include "SpendModel.h"

#include "DetailFormat.h"

#include <QLocale>

namespace fairuse::models {

int SpendModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString SpendModel::planLabel(Plan p) {
    switch (p) {
    case Plan::Basic:
        return tr("basic");
    case Plan::Unlimited:
        return tr("unlimited");
    }
    return {};
}

QString SpendModel::cohortLabel(bool customStt) {
    return customStt ? tr("custom STT") : tr("platform STT");
}

QVariant SpendModel::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const SpenderTotal& s = m_rows.at(index.row());
    if (role == RawValueRole) {
        switch (index.column()) {
        case CallsColumn:
            return s.calls;
        case TokensColumn:
            return QVariant::fromValue<qlonglong>(s.promptTokens + s.completionTokens);
        case CostColumn:
            return QVariant::fromValue<qlonglong>(s.costMicroUsd);
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() >= CallsColumn) {
        return QVariant::fromValue<int>(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case UserColumn:
        return s.uid;
    case PlanColumn:
        return planLabel(s.plan);
    case CohortColumn:
        return cohortLabel(s.customStt);
    case CallsColumn:
        return QLocale().toString(s.calls);
    case TokensColumn:
        return QLocale().toString(static_cast<qlonglong>(s.promptTokens + s.completionTokens));
    case CostColumn:
        return formatUsd(s.costMicroUsd);
    default:
        return {};
    }
}

QVariant SpendModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case UserColumn:
        return tr("User");
    case PlanColumn:
        return tr("Plan");
    case CohortColumn:
        return tr("STT");
    case CallsColumn:
        return tr("Calls");
    case TokensColumn:
        return tr("Tokens");
    case CostColumn:
        return tr("Cost");
    default:
        return {};
    }
}

} // namespace fairuse::models
