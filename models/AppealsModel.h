#pragma once

#include "RowListModel.h"
#include "common/Domain.h"

#include <QCoreApplication>

namespace fairuse::models {

/**
 * Open appeals waiting for a senior reviewer, in the order the store gives them (listOpenAppeals: oldest first):
 * user, waiting since, channel, contested case and message. The message column is elided to its first line; the
 * full message is the tooltip and MessageRole.
 */
class AppealsModel : public RowListModel<Appeal> {
    Q_DECLARE_TR_FUNCTIONS(AppealsModel)
public:
    enum Column { UserColumn, WaitingColumn, ChannelColumn, CaseColumn, MessageColumn, ColumnCount };
    static constexpr int UidRole = Qt::UserRole + 1;
    static constexpr int MessageRole = Qt::UserRole + 2;
    /** Characters of the message shown in its column before the ellipsis. */
    static constexpr int kElidedMessageChars = 80;

    using RowListModel::RowListModel;

    /** "Now" for the waiting time (the store's clock: the embedded demo store's is its reference time). */
    void setNow(TimePoint now) { m_now = now; }

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /** The first line of `message`, cut to kElidedMessageChars with an ellipsis when anything was left out. */
    static QString elided(const QString& message);

private:
    TimePoint m_now{};
};

} // namespace fairuse::models
