#include "CaseworkDialog.h"

#include "BulkResolver.h"
#include "DetailFormat.h"
#include "FutureWatch.h"
#include "casework/Casework.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace fairuse::ui {

QString CaseworkDialog::titleFor(CaseworkKind kind) {
    switch (kind) {
    case CaseworkKind::Escalate:
        return tr("Escalate to a senior");
    case CaseworkKind::DeEscalate:
        return tr("Withdraw escalation");
    case CaseworkKind::Snooze:
        return tr("Snooze case");
    case CaseworkKind::Unsnooze:
        return tr("End snooze");
    case CaseworkKind::PinNote:
        return tr("Pin note on user");
    case CaseworkKind::UnpinNote:
        return tr("Unpin note");
    }
    return {};
}

CaseworkDialog::CaseworkDialog(models::Backend& backend, CaseworkKind kind, FairUseState state,
                               std::optional<FairUseEvent> openCase, std::optional<Casework> casework,
                               QList<UserNote> pinned, QWidget* parent)
    : QDialog(parent)
    , m_backend(backend)
    , m_kind(kind)
    , m_state(std::move(state))
    , m_openCase(std::move(openCase))
    , m_casework(std::move(casework))
    , m_pinned(std::move(pinned))
    , m_message(new QLabel(this))
    , m_apply(new QPushButton(tr("&Apply"), this)) {
    setWindowTitle(titleFor(kind));
    setObjectName(QStringLiteral("caseworkDialog"));
    auto* form = new QFormLayout();
    QString subject = tr("User %1, stage %2").arg(m_state.uid, models::stageLabel(m_state.stage));
    if (m_openCase) {
        subject += QLatin1Char('\n') + tr("Case %1").arg(m_openCase->caseRef);
    }
    if (m_casework && m_casework->escalated()) {
        subject += QLatin1Char('\n') + casework::describeEscalation(*m_casework);
    }
    if (m_casework && m_casework->snoozed()) {
        subject += QLatin1Char('\n') + casework::describeSnooze(*m_casework);
    }
    auto* subjectLabel = new QLabel(subject, this);
    subjectLabel->setWordWrap(true);
    form->addRow(subjectLabel);

    QString textLabel;
    switch (kind) {
    case CaseworkKind::Escalate:
        textLabel = tr("&Note for the senior (required):");
        break;
    case CaseworkKind::PinNote:
        textLabel = tr("&Note, shown in every later case of the user (required):");
        break;
    case CaseworkKind::Snooze: {
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(toUnixMs(models::backendNow(m_backend)), Qt::UTC);
        m_until = new QDateTimeEdit(now.addDays(1), this);
        m_until->setObjectName(QStringLiteral("snoozeUntilEdit"));
        m_until->setTimeSpec(Qt::UTC);
        m_until->setCalendarPopup(true);
        m_until->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
        m_until->setMinimumDateTime(now);
        m_until->setMaximumDateTime(now.addDays(casework::kMaxSnooze.count()));
        m_until->setAccessibleName(tr("Snooze until"));
        form->addRow(tr("Snooze &until:"), m_until);
        m_capHit = new QCheckBox(tr("Until the user's next &cap hit instead"), this);
        m_capHit->setObjectName(QStringLiteral("untilCapHitCheck"));
        connect(m_capHit, &QCheckBox::toggled, m_until, &QWidget::setDisabled);
        form->addRow(m_capHit);
        break;
    }
    case CaseworkKind::UnpinNote:
        m_note = new QComboBox(this);
        m_note->setObjectName(QStringLiteral("noteCombo"));
        m_note->setAccessibleName(tr("Note to unpin"));
        for (const UserNote& n : std::as_const(m_pinned)) {
            m_note->addItem(tr("%1 (%2)").arg(n.text.left(60), n.author), n.id);
        }
        form->addRow(tr("&Note:"), m_note);
        textLabel = tr("&Reason (optional):");
        break;
    case CaseworkKind::DeEscalate:
        textLabel = tr("&Reason (optional):");
        break;
    case CaseworkKind::Unsnooze:
        break;
    }
    if (!textLabel.isEmpty()) {
        m_text = new QPlainTextEdit(this);
        m_text->setObjectName(QStringLiteral("textEdit"));
        m_text->setAccessibleName(textLabel);
        m_text->setTabChangesFocus(true);
        m_text->setMaximumHeight(100);
        form->addRow(textLabel, m_text);
    }

    m_message->setObjectName(QStringLiteral("messageLabel"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    m_apply->setObjectName(QStringLiteral("applyButton"));
    m_apply->setDefault(true);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_apply, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_apply, &QPushButton::clicked, this, &CaseworkDialog::applyChange);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form, 1);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    resize(520, 300);
}

QString CaseworkDialog::message() const {
    return m_message->isHidden() ? QString() : m_message->text();
}

void CaseworkDialog::showMessage(const QString& text) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

Result<ChangeSet> CaseworkDialog::build() const {
    enforcement::ActionContext ctx;
    ctx.reviewer = m_backend.reviewer;
    ctx.now = models::backendNow(m_backend);
    ctx.clientVersion = m_backend.clientVersion;
    if (m_openCase) {
        ctx.caseRef = m_openCase->caseRef;
        ctx.eventId = m_openCase->id;
    }
    const QString text = m_text ? m_text->toPlainText() : QString();
    switch (m_kind) {
    case CaseworkKind::Escalate:
    case CaseworkKind::Snooze:
        if (!m_openCase) {
            return Error::invalid(tr("%1 has no open case.").arg(m_state.uid));
        }
        if (m_kind == CaseworkKind::Escalate) {
            return casework::buildEscalate(m_state, m_casework, *m_openCase, text, ctx);
        }
        return casework::buildSnooze(
            m_state, m_casework, *m_openCase,
            m_capHit->isChecked() ? std::nullopt
                                  : std::optional<TimePoint>(fromUnixMs(m_until->dateTime().toMSecsSinceEpoch())),
            ctx);
    case CaseworkKind::DeEscalate:
        return casework::buildDeEscalate(m_state, m_casework, text, ctx);
    case CaseworkKind::Unsnooze:
        return casework::buildUnsnooze(m_state, m_casework, ctx);
    case CaseworkKind::PinNote:
        return casework::buildPinNote(m_state, text, ctx);
    case CaseworkKind::UnpinNote: {
        const int i = m_note->currentIndex();
        if (i < 0 || i >= m_pinned.size()) {
            return Error::invalid(tr("%1 has no pinned note.").arg(m_state.uid));
        }
        return casework::buildUnpinNote(m_state, m_pinned.at(i), text, ctx);
    }
    }
    return Error::internal(QStringLiteral("unknown casework action"));
}

void CaseworkDialog::applyChange() {
    Result<ChangeSet> change = build();
    if (!change) {
        showMessage(change.error().kind == ErrorKind::Permission ? tr("Not allowed: %1").arg(change.error().message)
                                                                 : change.error().message);
        return;
    }
    showMessage({});
    m_apply->setEnabled(false);
    const ChangeSet cs = change.value();
    models::whenFinished(this, m_backend.cases->apply(cs), [this, cs](const Result<CommitResult>& r) {
        m_apply->setEnabled(true);
        if (!r) {
            showMessage(
                r.error().kind == ErrorKind::Conflict
                    ? tr("Someone else changed this first: %1 Reload (F5) and try again.").arg(r.error().message)
                    : r.error().message);
            return;
        }
        Q_EMIT applied(r.value(), cs);
        accept();
    });
}

} // namespace fairuse::ui
