#include "AuditModel.h"

#include "DetailFormat.h"

namespace fairuse::models {

int AuditModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditModel::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const AuditRecord& r = m_rows.at(index.row());
    if (role == RawValueRole) {
        switch (index.column()) {
        case SequenceColumn:
            return QVariant::fromValue<qlonglong>(r.sequence);
        case TimeColumn:
            return QVariant::fromValue<qlonglong>(toUnixMs(r.at));
        case RoleColumn:
            return toString(r.role);
        case ActionColumn:
            return toString(r.action);
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ToolTipRole && index.column() == ReasonColumn) {
        return r.reason;
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case SequenceColumn:
        return QString::number(r.sequence);
    case TimeColumn:
        return formatTime(r.at);
    case ReviewerColumn:
        return r.reviewer;
    case RoleColumn:
        return roleName(r.role);
    case ActionColumn:
        return auditActionLabel(r.action);
    case UserColumn:
        return r.uid;
    case CaseColumn:
        return r.caseRef;
    case StagesColumn:
        if (!r.stageBefore && !r.stageAfter) {
            return QString();
        }
        return tr("%1 \u2192 %2")
            .arg(r.stageBefore ? stageLabel(*r.stageBefore) : QStringLiteral("\u2014"),
                 r.stageAfter ? stageLabel(*r.stageAfter) : QStringLiteral("\u2014"));
    case ReasonColumn:
        return QString(r.reason).replace(QLatin1Char('\n'), QStringLiteral(" / "));
    case ClientColumn:
        return r.clientVersion;
    default:
        return {};
    }
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case SequenceColumn:
        return tr("#");
    case TimeColumn:
        return tr("Time");
    case ReviewerColumn:
        return tr("Reviewer");
    case RoleColumn:
        return tr("Role");
    case ActionColumn:
        return tr("Action");
    case UserColumn:
        return tr("User");
    case CaseColumn:
        return tr("Case");
    case StagesColumn:
        return tr("Stage");
    case ReasonColumn:
        return tr("Reason");
    case ClientColumn:
        return tr("Client");
    default:
        return {};
    }
}

} // namespace fairuse::models
