#include "ConversationsModel.h"

#include "DetailFormat.h"

#include <QFont>
#include <QLocale>

namespace fairuse::models {

int ConversationsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConversationsModel::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const Conversation& c = m_rows.at(index.row());
    switch (role) {
    case ConversationIdRole:
        return c.id;
    case CitedRole:
        return m_cited.contains(c.id);
    case Qt::FontRole: {
        if (!m_cited.contains(c.id)) {
            return {};
        }
        QFont font;
        font.setBold(true);
        return font;
    }
    case Qt::ToolTipRole:
        return c.overview;
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case TitleColumn:
        return c.title;
    case CategoryColumn:
        return c.category;
    case DurationColumn:
        return tr("%1 min").arg(QLocale().toString(c.durationMinutes(), 'f', 0));
    case StartedColumn:
        return formatTime(c.startedAt);
    case OverviewColumn:
        return c.overview.left(200);
    default:
        return {};
    }
}

QVariant ConversationsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case TitleColumn:
        return tr("Title");
    case CategoryColumn:
        return tr("Category");
    case DurationColumn:
        return tr("Duration");
    case StartedColumn:
        return tr("Started");
    case OverviewColumn:
        return tr("Overview");
    default:
        return {};
    }
}

void ConversationsModel::setCited(const QSet<QString>& conversationIds) {
    m_cited = conversationIds;
    if (!m_rows.isEmpty()) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::FontRole, CitedRole});
    }
}

int ConversationsModel::rowOfConversation(const QString& id) const {
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == id) {
            return i;
        }
    }
    return -1;
}

} // namespace fairuse::models
