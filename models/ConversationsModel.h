#pragma once

#include "RowListModel.h"
#include "common/Domain.h"

#include <QCoreApplication>
#include <QSet>

namespace fairuse::models {

/**
 * The conversations a classifier verdict may cite: title, category, duration, start and overview. Conversations the
 * current evidence cites are shown in bold (setCited), so the reviewer sees them among the others.
 */
class ConversationsModel : public RowListModel<Conversation> {
    Q_DECLARE_TR_FUNCTIONS(ConversationsModel)
public:
    enum Column { TitleColumn, CategoryColumn, DurationColumn, StartedColumn, OverviewColumn, ColumnCount };
    static constexpr int ConversationIdRole = Qt::UserRole + 1;
    /** true when the current evidence cites the row. */
    static constexpr int CitedRole = Qt::UserRole + 2;

    using RowListModel::RowListModel;

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /** Marks the conversations the evidence cites; emits dataChanged for the font and cited roles only. */
    void setCited(const QSet<QString>& conversationIds);
    int rowOfConversation(const QString& id) const;

private:
    QSet<QString> m_cited;
};

} // namespace fairuse::models
