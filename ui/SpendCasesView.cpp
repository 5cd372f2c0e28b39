#include "SpendCasesView.h"

#include "DetailFormat.h"
#include "FutureWatch.h"
#include "InboxLayout.h"
#include "SpendCasesModel.h"

#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QTableView>

namespace fairuse::ui {

SpendCasesView::SpendCasesView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(new models::SpendCasesModel(this))
    , m_table(new QTableView(this))
    , m_detail(new QLabel(this))
    , m_status(new QLabel(this)) {
    setAccessibleName(tr("LLM-spend cases"));
    m_table->setObjectName(QStringLiteral("spendCasesTable"));
    m_table->setAccessibleName(tr("Open LLM-spend cases"));
    m_detail->setObjectName(QStringLiteral("spendCaseDetail"));
    m_detail->setAccessibleName(tr("LLM-spend case"));
    m_status->setObjectName(QStringLiteral("spendCasesStatus"));
    QPushButton* refreshButton =
        layOutInbox(this, tr("Users over their plan's LLM-spend cap, oldest case first. Enter opens the user."),
                    m_table, m_model, models::SpendCasesModel::UserColumn, m_detail, m_status);

    connect(refreshButton, &QPushButton::clicked, this, &SpendCasesView::refresh);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { showCurrent(); });
    connect(m_table, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        if (index.isValid()) {
            Q_EMIT userRequested(index.data(models::SpendCasesModel::UidRole).toString());
        }
    });
}

QString SpendCasesView::statusText() const {
    return m_status->text();
}

QString SpendCasesView::detailText() const {
    return m_detail->text();
}

void SpendCasesView::refresh() {
    const quint64 generation = ++m_generation;
    if (!m_backend.cases) {
        m_model->clear();
        m_status->setText(tr("No case store is connected."));
        Q_EMIT refreshed();
        return;
    }
    m_status->setText(tr("Loading open LLM-spend cases from %1…").arg(m_backend.cases->describe()));
    models::whenFinished(
        this, m_backend.cases->listOpenSpendCases(kLimit), [this, generation](const Result<QList<FairUseEvent>>& r) {
            if (generation != m_generation) {
                return;
            }
            if (!r) {
                m_model->clear();
                m_status->setText(tr("Could not load the open LLM-spend cases from %1: %2")
                                      .arg(m_backend.cases->describe(), r.error().message));
                Q_EMIT refreshed();
                return;
            }
            m_model->setRows(r.value());
            for (int c = models::SpendCasesModel::OpenedColumn; c < models::SpendCasesModel::CaseColumn; ++c) {
                m_table->resizeColumnToContents(c);
            }
            const auto n = static_cast<int>(r->size());
            m_status->setText(n >= kLimit ? tr("The oldest %1 open LLM-spend cases; more are waiting.").arg(n)
                                          : tr("%n open LLM-spend case(s).", nullptr, n));
            if (n > 0) {
                m_table->selectRow(0);
            }
            showCurrent();
            Q_EMIT refreshed();
        });
}

void SpendCasesView::showCurrent() {
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->setText(m_model->rowCount() == 0 ? tr("No open LLM-spend cases.") : QString());
        return;
    }
    const FairUseEvent& e = m_model->rowAt(current.row());
    if (!e.llmSpend) {
        m_detail->setText(tr("%1, case %2: the case holds no spend figures.").arg(e.uid, e.caseRef));
        return;
    }
    const SpendFigures& s = *e.llmSpend;
    m_detail->setText(tr("%1, case %2 (stage %3), plan %4, %5:\nlast 24 h %6 of %7; last 30 days %8 of %9.")
                          .arg(e.uid, e.caseRef, models::stageLabel(e.newStage), toString(s.plan),
                               s.customStt ? tr("brings their own speech-to-text") : tr("platform speech-to-text"),
                               models::formatUsd(s.dailyMicroUsd), models::formatUsd(s.dailyCapMicroUsd),
                               models::formatUsd(s.monthlyMicroUsd), models::formatUsd(s.monthlyCapMicroUsd)));
}

} // namespace fairuse::ui
