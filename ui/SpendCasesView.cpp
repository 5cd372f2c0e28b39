#include "SpendCasesView.h"

#include "DetailFormat.h"
#include "SpendCasesModel.h"

namespace fairuse::ui {

SpendCasesView::SpendCasesView(models::Backend& backend, QWidget* parent)
    : InboxView(backend, parent)
    , m_model(new models::SpendCasesModel(this)) {
    setUp({tr("LLM-spend cases"), tr("Users over their plan's LLM-spend cap, oldest case first. Enter opens the user."),
           tr("Open LLM-spend cases"), QStringLiteral("spendCasesTable"), tr("LLM-spend case"),
           QStringLiteral("spendCaseDetail"), QStringLiteral("spendCasesStatus"), tr("open LLM-spend cases")},
          m_model, models::SpendCasesModel::UserColumn, models::SpendCasesModel::UidRole,
          models::SpendCasesModel::OpenedColumn, models::SpendCasesModel::CaseColumn);
}

void SpendCasesView::read() {
    finish(m_backend.cases->listOpenSpendCases(kLimit),
           [this](const QList<FairUseEvent>& rows) { m_model->setRows(rows); });
}

void SpendCasesView::clearRows() {
    m_model->clear();
}

QString SpendCasesView::countText(int n) const {
    return tr("%n open LLM-spend case(s).", nullptr, n);
}

QString SpendCasesView::emptyText() const {
    return tr("No open LLM-spend cases.");
}

QString SpendCasesView::rowText(int row) const {
    const FairUseEvent& e = m_model->rowAt(row);
    if (!e.llmSpend) {
        return tr("%1, case %2: the case holds no spend figures.").arg(e.uid, e.caseRef);
    }
    const SpendFigures& s = *e.llmSpend;
    return tr("%1, case %2 (stage %3), plan %4, %5:\nlast 24 h %6 of %7; last 30 days %8 of %9.")
        .arg(e.uid, e.caseRef, models::stageLabel(e.newStage), toString(s.plan),
             s.customStt ? tr("brings their own speech-to-text") : tr("platform speech-to-text"),
             models::formatUsd(s.dailyMicroUsd), models::formatUsd(s.dailyCapMicroUsd),
             models::formatUsd(s.monthlyMicroUsd), models::formatUsd(s.monthlyCapMicroUsd));
}

} // namespace fairuse::ui
