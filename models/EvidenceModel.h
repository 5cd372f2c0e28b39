#pragma once

#include "RowListModel.h"
#include "common/Domain.h"

#include <QCoreApplication>
#include <QSet>

namespace fairuse::models {

/** The evidence of one classifier verdict: the conversation each entry cites and why. */
class EvidenceModel : public RowListModel<Evidence> {
    Q_DECLARE_TR_FUNCTIONS(EvidenceModel)
public:
    enum Column { TitleColumn, ReasonColumn, ConversationColumn, ColumnCount };
    static constexpr int ConversationIdRole = Qt::UserRole + 1;

    using RowListModel::RowListModel;

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /** Conversations loaded in the view; evidence citing others is marked "not loaded". */
    void setKnownConversations(const QSet<QString>& ids);

private:
    QSet<QString> m_known;
};

} // namespace fairuse::models
