#include "BulkResolveDialog.h"

#include "BulkResolver.h"
#include "DecisionFields.h"
#include "DetailFormat.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace fairuse::ui {

BulkResolveDialog::BulkResolveDialog(models::Backend& backend, QList<services::QueueRow> rows, QWidget* parent)
    : QDialog(parent)
    , m_backend(backend)
    , m_rows(std::move(rows))
    , m_policy(backend.policy)
    , m_outcome(new QComboBox(this))
    , m_reasonCode(makeReasonCodeCombo(backend.policy, this))
    , m_note(new QPlainTextEdit(this))
    , m_progress(new QProgressBar(this))
    , m_results(new QTreeWidget(this))
    , m_summary(new QLabel(this))
    , m_run(new QPushButton(tr("&Resolve"), this))
    , m_cancel(new QPushButton(tr("&Cancel run"), this))
    , m_close(new QPushButton(tr("Close"), this)) {
    setWindowTitle(tr("Resolve %n users' open cases", nullptr, static_cast<int>(m_rows.size())));
    setObjectName(QStringLiteral("bulkResolveDialog"));

    m_outcome->setObjectName(QStringLiteral("outcomeCombo"));
    m_outcome->setAccessibleName(tr("Outcome"));
    for (Outcome o : {Outcome::Confirmed, Outcome::FalsePositive, Outcome::NoAction}) {
        m_outcome->addItem(models::outcomeLabel(o), static_cast<int>(o));
    }
    m_note->setObjectName(QStringLiteral("noteEdit"));
    m_note->setAccessibleName(tr("Note for all cases"));
    m_note->setTabChangesFocus(true);
    m_note->setMaximumHeight(80);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setAccessibleName(tr("Progress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_results->setObjectName(QStringLiteral("resultsTree"));
    m_results->setAccessibleName(tr("Result per case"));
    m_results->setRootIsDecorated(false);
    m_results->setHeaderLabels({tr("User"), tr("Case"), tr("Result"), tr("Details")});
    m_results->header()->setStretchLastSection(true);
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setWordWrap(true);
    m_summary->setAccessibleName(tr("Summary"));
    m_run->setObjectName(QStringLiteral("runButton"));
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_close->setObjectName(QStringLiteral("closeButton"));
    m_cancel->setEnabled(false);

    QStringList uids;
    for (const services::QueueRow& r : std::as_const(m_rows)) {
        uids << r.state.uid;
    }
    auto* form = new QFormLayout();
    auto* who = new QLabel(tr("Users: %1").arg(uids.join(QStringLiteral(", "))), this);
    who->setWordWrap(true);
    form->addRow(who);
    form->addRow(tr("&Outcome:"), m_outcome);
    form->addRow(tr("Reason &code:"), m_reasonCode);
    form->addRow(tr("&Note:"), m_note);

    auto* buttons = new QHBoxLayout();
    buttons->addStretch(1);
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_close);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_results, 1);
    layout->addWidget(m_summary);
    layout->addLayout(buttons);

    connect(m_run, &QPushButton::clicked, this, &BulkResolveDialog::run);
    connect(m_cancel, &QPushButton::clicked, this, &BulkResolveDialog::cancelRun);
    connect(m_close, &QPushButton::clicked, this, &QDialog::accept);
    resize(720, 480);
    load(false);
}

BulkResolveDialog::~BulkResolveDialog() = default;

bool BulkResolveDialog::isRunning() const {
    return m_resolver != nullptr && m_resolver->isRunning();
}

QString BulkResolveDialog::summary() const {
    return m_summary->text();
}

void BulkResolveDialog::load(bool thenRun) {
    QStringList uids;
    for (const services::QueueRow& r : std::as_const(m_rows)) {
        uids << r.state.uid;
    }
    if (m_resolver != nullptr) {
        m_resolver->disconnect(this);
        m_resolver->deleteLater();
    }
    m_resolver = new models::BulkResolver(m_backend, m_policy, uids, this);
    m_loaded = false;
    m_runAfterLoad = thenRun;
    m_run->setEnabled(false);
    m_summary->setText(tr("Loading the open cases…"));
    connect(m_resolver, &models::BulkResolver::loadFailed, this, [this](const QString& message) {
        m_summary->setText(tr("Some users could not be loaded; their cases are not included:\n%1").arg(message));
    });
    connect(m_resolver, &models::BulkResolver::loaded, this, [this](int cases, int users) {
        m_loaded = true;
        if (!m_runAfterLoad) {
            m_summary->setText(tr("%1 open cases of %2 users will be resolved.").arg(cases).arg(users));
        }
        m_run->setEnabled(true);
        Q_EMIT casesLoaded(cases);
        if (m_runAfterLoad) {
            startRun();
        }
    });
    connect(m_resolver, &models::BulkResolver::itemFinished, this, &BulkResolveDialog::itemFinished);
    connect(m_resolver, &models::BulkResolver::finished, this, &BulkResolveDialog::finishRun);
    m_resolver->load();
}

void BulkResolveDialog::run() {
    if (isRunning()) {
        return;
    }
    // A second run (after a failure or conflicts) works on freshly read cases; the run id stays the same for the
    // same outcome and note, so what is done is reported as already applied.
    if (!m_loaded && m_resolver != nullptr) {
        // Still loading the preview: run as soon as it is there.
        m_runAfterLoad = true;
        m_run->setEnabled(false);
        return;
    }
    if (m_ranOnce) {
        load(true);
        return;
    }
    startRun();
}

void BulkResolveDialog::startRun() {
    m_ranOnce = true;
    m_results->clear();
    m_run->setEnabled(false);
    m_outcome->setEnabled(false);
    m_reasonCode->setEnabled(false);
    m_note->setReadOnly(true);
    m_cancel->setEnabled(true);
    m_resolver->start(static_cast<Outcome>(m_outcome->currentData().toInt()), reasonCodeOf(m_reasonCode),
                      m_note->toPlainText().trimmed());
    const QList<models::BulkItem>& items = m_resolver->items();
    m_progress->setRange(0, qMax(1, static_cast<int>(items.size())));
    m_progress->setValue(0);
    for (const models::BulkItem& item : items) {
        auto* it = new QTreeWidgetItem(m_results);
        it->setText(0, item.uid);
        it->setText(1, item.event.caseRef);
        it->setText(2, models::BulkResolver::statusLabel(item.status));
    }
    m_summary->setText(items.isEmpty() ? tr("No open cases among the selected users.")
                                       : tr("Resolving %1 cases…").arg(items.size()));
}

void BulkResolveDialog::cancelRun() {
    if (m_resolver != nullptr && m_resolver->isRunning()) {
        m_cancel->setEnabled(false);
        m_summary->setText(tr("Cancelling after the cases in flight…"));
        m_resolver->cancel();
    }
}

void BulkResolveDialog::itemFinished(int index) {
    const models::BulkItem& item = m_resolver->items().at(index);
    if (QTreeWidgetItem* it = m_results->topLevelItem(index)) {
        it->setText(2, models::BulkResolver::statusLabel(item.status));
        it->setText(3, item.message);
    }
    m_progress->setValue(m_resolver->finishedCount());
    if (item.status == models::BulkStatus::Done) {
        Q_EMIT stateChanged(item.uid);
    }
}

void BulkResolveDialog::finishRun() {
    int counts[7] = {0, 0, 0, 0, 0, 0, 0};
    for (const models::BulkItem& item : m_resolver->items()) {
        ++counts[static_cast<int>(item.status)];
    }
    if (!m_resolver->items().isEmpty()) {
        m_summary->setText(
            tr("Done: %1, conflicts: %2, failed: %3, already applied: %4, skipped: %5, cancelled: %6. Run again to "
               "retry the conflicts and failures; what is done is not applied twice.")
                .arg(counts[static_cast<int>(models::BulkStatus::Done)])
                .arg(counts[static_cast<int>(models::BulkStatus::Conflict)])
                .arg(counts[static_cast<int>(models::BulkStatus::Failed)])
                .arg(counts[static_cast<int>(models::BulkStatus::AlreadyApplied)])
                .arg(counts[static_cast<int>(models::BulkStatus::Skipped)])
                .arg(counts[static_cast<int>(models::BulkStatus::Cancelled)]));
    }
    m_cancel->setEnabled(false);
    m_run->setEnabled(true);
    m_run->setText(tr("&Run again"));
    m_outcome->setEnabled(true);
    m_reasonCode->setEnabled(true);
    m_note->setReadOnly(false);
    Q_EMIT runFinished();
}

} // namespace fairuse::ui
