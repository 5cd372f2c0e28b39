#include "AuditLogView.h"

#include "AuditModel.h"
#include "DetailFormat.h"
#include "Export.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace fairuse::ui {

namespace {
TimePoint dayStart(const QDate& date) {
    return fromUnixMs(QDateTime(date, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch());
}
} // namespace

AuditLogView::AuditLogView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(new models::AuditModel(backend, this))
    , m_reviewer(new QLineEdit(this))
    , m_user(new QLineEdit(this))
    , m_action(new QComboBox(this))
    , m_fromCheck(new QCheckBox(tr("&From"), this))
    , m_from(new QDateEdit(this))
    , m_toCheck(new QCheckBox(tr("&To"), this))
    , m_to(new QDateEdit(this))
    , m_refresh(new QPushButton(tr("&Apply filter"), this))
    , m_export(new QPushButton(tr("E&xport…"), this))
    , m_chain(new QLabel(this))
    , m_status(new QLabel(this))
    , m_loading(new QProgressBar(this))
    , m_table(new QTableView(this)) {
    setAccessibleName(tr("Audit log"));
    m_reviewer->setObjectName(QStringLiteral("reviewerEdit"));
    m_reviewer->setPlaceholderText(tr("reviewer e-mail"));
    m_reviewer->setAccessibleName(tr("Reviewer filter"));
    m_user->setObjectName(QStringLiteral("userEdit"));
    m_user->setPlaceholderText(tr("user id"));
    m_user->setAccessibleName(tr("User filter"));
    m_action->setObjectName(QStringLiteral("actionCombo"));
    m_action->setAccessibleName(tr("Action filter"));
    m_action->addItem(tr("any action"), -1);
    for (AuditAction a : {AuditAction::Resolve, AuditAction::OverrideStage, AuditAction::Reset, AuditAction::Exempt,
                          AuditAction::Unexempt, AuditAction::RerunClassifier, AuditAction::AddNote, AuditAction::Claim,
                          AuditAction::TakeOverClaim, AuditAction::ReleaseClaim, AuditAction::DecideAppeal,
                          AuditAction::ManualReview, AuditAction::PinNote, AuditAction::UnpinNote,
                          AuditAction::Escalate, AuditAction::DeEscalate, AuditAction::Snooze, AuditAction::Unsnooze}) {
        m_action->addItem(models::auditActionLabel(a), static_cast<int>(a));
    }
    const QDate today = QDateTime::currentDateTimeUtc().date();
    m_fromCheck->setObjectName(QStringLiteral("fromCheck"));
    m_toCheck->setObjectName(QStringLiteral("toCheck"));
    m_from->setObjectName(QStringLiteral("fromEdit"));
    m_to->setObjectName(QStringLiteral("toEdit"));
    m_from->setAccessibleName(tr("From date (UTC)"));
    m_to->setAccessibleName(tr("To date (UTC, inclusive)"));
    for (QDateEdit* e : {m_from, m_to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        e->setEnabled(false);
    }
    m_from->setDate(today.addDays(-30));
    m_to->setDate(today);
    connect(m_fromCheck, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_toCheck, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    m_refresh->setObjectName(QStringLiteral("refreshButton"));
    m_export->setObjectName(QStringLiteral("exportButton"));
    m_chain->setObjectName(QStringLiteral("chainLabel"));
    m_chain->setAccessibleName(tr("Hash chain verification"));
    m_chain->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_chain->setWordWrap(true);
    QFont bold = m_chain->font();
    bold.setBold(true);
    m_chain->setFont(bold);
    m_status->setWordWrap(true);
    m_status->setAccessibleName(tr("Status"));
    m_loading->setObjectName(QStringLiteral("loadingBar"));
    m_loading->setAccessibleName(tr("Loading audit records"));
    m_loading->setRange(0, 0); // busy: a page has no known duration
    m_loading->setMaximumHeight(m_loading->fontMetrics().height() / 2 + 2);
    m_loading->setTextVisible(false);
    m_loading->hide();
    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setAccessibleName(tr("Audit records"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);

    auto* filters = new QGridLayout();
    filters->addWidget(new QLabel(tr("Reviewer:"), this), 0, 0);
    filters->addWidget(m_reviewer, 0, 1);
    filters->addWidget(new QLabel(tr("User:"), this), 0, 2);
    filters->addWidget(m_user, 0, 3);
    filters->addWidget(new QLabel(tr("Action:"), this), 0, 4);
    filters->addWidget(m_action, 0, 5);
    filters->addWidget(m_fromCheck, 1, 0);
    filters->addWidget(m_from, 1, 1);
    filters->addWidget(m_toCheck, 1, 2);
    filters->addWidget(m_to, 1, 3);
    filters->addWidget(m_refresh, 1, 4);
    filters->addWidget(m_export, 1, 5);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_chain);
    layout->addWidget(m_status);
    layout->addWidget(m_loading);
    layout->addWidget(m_table, 1);

    connect(m_refresh, &QPushButton::clicked, this, &AuditLogView::refresh);
    connect(m_reviewer, &QLineEdit::returnPressed, this, &AuditLogView::refresh);
    connect(m_user, &QLineEdit::returnPressed, this, &AuditLogView::refresh);
    connect(m_export, &QPushButton::clicked, this, &AuditLogView::exportRows);
    connect(m_model, &models::AuditModel::summaryChanged, this, &AuditLogView::updateStatus);
    connect(m_model, &models::AuditModel::loadingChanged, this, &AuditLogView::updateStatus);
    connect(m_model, &models::AuditModel::loadFailed, this, &AuditLogView::updateStatus);
    connect(m_model, &models::AuditModel::settled, this, &AuditLogView::refreshed);
    m_status->hide();
    updateStatus();
}

QString AuditLogView::chainStatus() const {
    return m_chain->text();
}

bool AuditLogView::isLoading() const {
    return m_model->isLoading() || m_model->isVerifying();
}

void AuditLogView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!m_loadedOnce) {
        refresh();
    }
}

void AuditLogView::refresh() {
    m_loadedOnce = true;
    services::AuditFilter filter;
    filter.reviewer = m_reviewer->text().trimmed();
    filter.uid = m_user->text().trimmed();
    if (const int a = m_action->currentData().toInt(); a >= 0) {
        filter.action = static_cast<AuditAction>(a);
    }
    if (m_fromCheck->isChecked()) {
        filter.from = dayStart(m_from->date());
    }
    if (m_toCheck->isChecked()) {
        filter.to = dayStart(m_to->date().addDays(1));
    }
    m_model->load(filter);
}

void AuditLogView::updateStatus() {
    m_chain->setText(m_model->chainSummary());
    m_loading->setVisible(m_model->isLoading());
    if (m_model->hasLoadError()) {
        m_status->setText(
            tr("Could not read the audit log from %1: %2 Check the connection and apply the filter "
               "again.")
                .arg(m_backend.cases ? m_backend.cases->describe() : tr("the case store"), m_model->loadError()));
        m_status->show();
    } else {
        m_status->hide();
    }
}

void AuditLogView::exportRows() {
    exportModelInteractive(*m_model, this, QStringLiteral("audit-log"), models::AuditModel::RawValueRole);
}

} // namespace fairuse::ui
