#include "ShadowComparisonModel.h"

#include "DetailFormat.h"

#include <QFont>

namespace fairuse::models {

using enforcement::ShadowVerdict;

int ShadowComparisonModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString ShadowComparisonModel::verdictLabel(ShadowVerdict v) {
    switch (v) {
    case ShadowVerdict::Agree:
        return tr("Agree");
    case ShadowVerdict::ServiceOnly:
        return tr("Service only");
    case ShadowVerdict::BackendOnly:
        return tr("Backend only");
    case ShadowVerdict::StageDiffers:
        return tr("Different stage");
    }
    return QString();
}

QString ShadowComparisonModel::countsText(const enforcement::ShadowComparison& c) {
    QString text = (c.decisions() == 1 ? tr("1 decision, %2 agree, %3 disagree")
                                       : tr("%1 decisions, %2 agree, %3 disagree").arg(c.decisions()))
                       .arg(c.agree)
                       .arg(c.disagree());
    if (c.disagree() > 0) {
        text += tr(" (service only %1, backend only %2, different stage %3)")
                    .arg(c.serviceOnly)
                    .arg(c.backendOnly)
                    .arg(c.stageDiffers);
    }
    return text;
}

QVariant ShadowComparisonModel::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const enforcement::ShadowComparisonRow& r = m_rows.at(index.row());
    if (role == UidRole) {
        return r.uid;
    }
    if (role == VerdictRole) {
        return static_cast<int>(r.verdict);
    }
    if (role == Qt::ToolTipRole && index.column() == ReasonColumn) {
        return r.shadow && !r.shadow->explanation.isEmpty() ? r.reason + QLatin1Char('\n') + r.shadow->explanation
                                                            : r.reason;
    }
    if (role == Qt::FontRole && r.disagrees() && index.column() == VerdictColumn) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case VerdictColumn:
        return verdictLabel(r.verdict);
    case UserColumn:
        return r.uid;
    case TimeColumn:
        return formatTime(r.at);
    case ServiceColumn:
        if (!r.shadow) {
            return tr("no decision");
        }
        return r.shadow->wouldAct()
                   ? tr("%1: %2 → %3")
                         .arg(r.shadow->action, stageLabel(r.shadow->stageBefore), stageLabel(r.shadow->stageAfter))
                   : tr("%1 (%2)").arg(r.shadow->action, stageLabel(r.shadow->stageAfter));
    case BackendColumn:
        if (r.backendCase) {
            return tr("%1: %2 → %3")
                .arg(r.backendCase->caseRef, stageLabel(r.backendCase->previousStage),
                     stageLabel(r.backendCase->newStage));
        }
        return r.backendStage ? tr("no case (%1)").arg(stageLabel(*r.backendStage)) : tr("no case");
    case ReasonColumn:
        return r.reason;
    default:
        return {};
    }
}

QVariant ShadowComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case VerdictColumn:
        return tr("Verdict");
    case UserColumn:
        return tr("User");
    case TimeColumn:
        return tr("Time");
    case ServiceColumn:
        return tr("Service would");
    case BackendColumn:
        return tr("Backend did");
    case ReasonColumn:
        return tr("Why");
    default:
        return {};
    }
}

void ShadowComparisonFilter::setVerdicts(Verdicts v) {
    if (v == m_verdicts) {
        return;
    }
    m_verdicts = v;
    invalidateFilter();
}

void ShadowComparisonFilter::setUserText(const QString& text) {
    const QString trimmed = text.trimmed();
    if (trimmed == m_userText) {
        return;
    }
    m_userText = trimmed;
    invalidateFilter();
}

bool ShadowComparisonFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_userText.isEmpty() &&
        !index.data(ShadowComparisonModel::UidRole).toString().contains(m_userText, Qt::CaseInsensitive)) {
        return false;
    }
    const auto verdict = static_cast<ShadowVerdict>(index.data(ShadowComparisonModel::VerdictRole).toInt());
    switch (m_verdicts) {
    case Verdicts::All:
        return true;
    case Verdicts::Disagreements:
        return verdict != ShadowVerdict::Agree;
    case Verdicts::ServiceOnly:
        return verdict == ShadowVerdict::ServiceOnly;
    case Verdicts::BackendOnly:
        return verdict == ShadowVerdict::BackendOnly;
    case Verdicts::StageDiffers:
        return verdict == ShadowVerdict::StageDiffers;
    case Verdicts::Agree:
        return verdict == ShadowVerdict::Agree;
    }
    return true;
}

} // namespace fairuse::models
