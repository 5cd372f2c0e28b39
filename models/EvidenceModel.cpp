#include "EvidenceModel.h"

namespace fairuse::models {

int EvidenceModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EvidenceModel::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const Evidence& e = m_rows.at(index.row());
    if (role == ConversationIdRole) {
        return e.conversationId;
    }
    if (role == Qt::ToolTipRole) {
        return e.reason;
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case TitleColumn:
        return e.title;
    case ReasonColumn:
        return e.reason;
    case ConversationColumn:
        return m_known.contains(e.conversationId) ? e.conversationId : tr("%1 (not loaded)").arg(e.conversationId);
    default:
        return {};
    }
}

QVariant EvidenceModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case TitleColumn:
        return tr("Cited conversation");
    case ReasonColumn:
        return tr("Why");
    case ConversationColumn:
        return tr("Conversation id");
    default:
        return {};
    }
}

void EvidenceModel::setKnownConversations(const QSet<QString>& ids) {
    m_known = ids;
    if (!m_rows.isEmpty()) {
        Q_EMIT dataChanged(index(0, ConversationColumn), index(rowCount() - 1, ConversationColumn), {Qt::DisplayRole});
    }
}

} // namespace fairuse::models
