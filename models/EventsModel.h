#pragma once

#include "RowListModel.h"
#include "common/Domain.h"

#include <QCoreApplication>

namespace fairuse::models {

/**
 * A user's fair-use events (cases), newest first as the store lists them: trigger, window totals against the
 * thresholds, the action taken, stage before -> after, resolution (outcome, by whom, when) and notes.
 */
class EventsModel : public RowListModel<FairUseEvent> {
    Q_DECLARE_TR_FUNCTIONS(EventsModel)
public:
    enum Column {
        CreatedColumn,
        CaseColumn,
        TriggerColumn,
        DailyColumn,
        ThreeDayColumn,
        WeeklyColumn,
        ActionColumn,
        PolicyColumn,
        StagesColumn,
        ScoreColumn,
        ResolutionColumn,
        NotesColumn,
        ColumnCount
    };
    /** Qt::UserRole: the event id on every column. */
    static constexpr int EventIdRole = Qt::UserRole + 1;

    using RowListModel::RowListModel;

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /** Row of an event id, or -1. */
    int rowOfEvent(const QString& eventId) const;
    /** Text of the resolution cell ("open", or "confirmed by x on t"). */
    static QString resolutionText(const FairUseEvent& e);
    /** The policy that produced the case: its label, or the backend's policy for a case the backend wrote. */
    static QString policyText(const FairUseEvent& e);
};

} // namespace fairuse::models
