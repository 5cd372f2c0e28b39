#include "EventsModel.h"

#include "DetailFormat.h"
#include "SpendCasesModel.h"

#include <QLocale>

namespace fairuse::models {

int EventsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString EventsModel::resolutionText(const FairUseEvent& e) {
    if (!e.resolved) {
        return tr("open");
    }
    const QString outcome = e.outcome ? outcomeLabel(*e.outcome) : tr("resolved");
    return tr("%1 by %2 on %3")
        .arg(outcome, e.resolvedBy.isEmpty() ? tr("unknown") : e.resolvedBy, formatTime(e.resolvedAt));
}

QVariant EventsModel::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const FairUseEvent& e = m_rows.at(index.row());
    if (role == EventIdRole) {
        return e.id;
    }
    if (role == Qt::ToolTipRole && index.column() == NotesColumn) {
        return e.adminNotes;
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case CreatedColumn:
        return formatTime(e.createdAt);
    case CaseColumn:
        return e.caseRef;
    case TriggerColumn:
        return capWindowLabel(e.trigger);
    case DailyColumn:
        // An LLM-spend case has no speech figures: its spend against the cap stands in the first of the columns.
        return isSpendTrigger(e.trigger) ? SpendCasesModel::spendText(e)
                                         : formatAgainstCap(e.windowSpeech.dailyMs, e.thresholds.dailyMs);
    case ThreeDayColumn:
        return isSpendTrigger(e.trigger) ? QStringLiteral("\u2014")
                                         : formatAgainstCap(e.windowSpeech.threeDayMs, e.thresholds.threeDayMs);
    case WeeklyColumn:
        return isSpendTrigger(e.trigger) ? QStringLiteral("\u2014")
                                         : formatAgainstCap(e.windowSpeech.weeklyMs, e.thresholds.weeklyMs);
    case ActionColumn:
        return e.enforcementAction;
    case PolicyColumn:
        return policyText(e);
    case StagesColumn:
        return tr("%1 \u2192 %2").arg(stageLabel(e.previousStage), stageLabel(e.newStage));
    case ScoreColumn:
        return e.classifier ? QLocale().toString(e.classifier->misuseScore, 'f', 2) : QStringLiteral("\u2014");
    case ResolutionColumn:
        return resolutionText(e);
    case NotesColumn:
        return QString(e.adminNotes).replace(QLatin1Char('\n'), QStringLiteral(" / "));
    default:
        return {};
    }
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case CreatedColumn:
        return tr("Created");
    case CaseColumn:
        return tr("Case");
    case TriggerColumn:
        return tr("Trigger");
    case DailyColumn:
        return tr("Daily");
    case ThreeDayColumn:
        return tr("3-day");
    case WeeklyColumn:
        return tr("Weekly");
    case ActionColumn:
        return tr("Action");
    case PolicyColumn:
        return tr("Policy");
    case StagesColumn:
        return tr("Stage");
    case ScoreColumn:
        return tr("Score");
    case ResolutionColumn:
        return tr("Resolution");
    case NotesColumn:
        return tr("Notes");
    default:
        return {};
    }
}

QString EventsModel::policyText(const FairUseEvent& e) {
    return e.policy.isEmpty() ? tr("backend's policy") : e.policy;
}

int EventsModel::rowOfEvent(const QString& eventId) const {
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == eventId) {
            return i;
        }
    }
    return -1;
}

} // namespace fairuse::models
