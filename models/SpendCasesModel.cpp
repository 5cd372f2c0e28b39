#include "SpendCasesModel.h"

#include "DetailFormat.h"

namespace fairuse::models {

int SpendCasesModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString SpendCasesModel::spendText(const FairUseEvent& e) {
    if (!e.llmSpend) {
        return tr("no figures");
    }
    const SpendFigures& s = *e.llmSpend;
    const bool daily = e.trigger == CapWindow::LlmDaily;
    const std::int64_t used = daily ? s.dailyMicroUsd : s.monthlyMicroUsd;
    const std::int64_t cap = daily ? s.dailyCapMicroUsd : s.monthlyCapMicroUsd;
    const QString base = (daily ? tr("%1 of %2 a day") : tr("%1 of %2 a month")).arg(formatUsd(used), formatUsd(cap));
    return cap > 0 ? tr("%1 (%2%)").arg(base).arg(used * 100 / cap) : base;
}

QVariant SpendCasesModel::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const FairUseEvent& e = m_rows.at(index.row());
    if (role == UidRole) {
        return e.uid;
    }
    if (role == CaseRefRole) {
        return e.caseRef;
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case UserColumn:
        return e.uid;
    case OpenedColumn:
        return formatTime(e.createdAt);
    case CapColumn:
        return capWindowLabel(e.trigger);
    case SpendColumn:
        return spendText(e);
    case PlanColumn:
        return e.llmSpend ? toString(e.llmSpend->plan) : QString();
    case SttColumn:
        return e.llmSpend && e.llmSpend->customStt ? tr("own STT") : tr("platform STT");
    case CaseColumn:
        return e.caseRef;
    default:
        return {};
    }
}

QVariant SpendCasesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case UserColumn:
        return tr("User");
    case OpenedColumn:
        return tr("Opened");
    case CapColumn:
        return tr("Cap passed");
    case SpendColumn:
        return tr("LLM spend");
    case PlanColumn:
        return tr("Plan");
    case SttColumn:
        return tr("Speech-to-text");
    case CaseColumn:
        return tr("Case");
    default:
        return {};
    }
}

} // namespace fairuse::models
