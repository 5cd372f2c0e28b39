// The action dialog's appeal parts: the question a resolution asks about the open appeal that contests its case,
// and the decision it applies right after the resolution (a ChangeSet carries one audit record).
#include "ActionDialog.h"

#include "BulkResolver.h"
#include "ConflictDialog.h"
#include "DetailFormat.h"
#include "FutureWatch.h"
#include "casework/Appeals.h"
#include "casework/Claims.h"
#include "enforcement/ReviewerActions.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QUuid>
#include <QVBoxLayout>

namespace fairuse::ui {

void ActionDialog::setAppeal(const Appeal& appeal) {
    m_appeal = appeal;
    if (m_event && m_event->caseRef != appeal.caseRef) {
        m_event.reset(); // the appeal names no case, or another one: its decision is about the current stage
    }
    QWidget* form = m_pages->widget(0);
    int row = m_form->rowCount() - 1; // above the text field
    auto* about =
        new QLabel(tr("Appeal %1 of %2, %3 via %4, contesting %5:\n%6")
                       .arg(appeal.id, appeal.uid, models::formatTime(appeal.createdAt),
                            models::appealChannelLabel(appeal.channel),
                            appeal.caseRef.isEmpty() ? tr("the current stage") : appeal.caseRef, appeal.message),
                   form);
    about->setObjectName(QStringLiteral("appealLabel"));
    about->setWordWrap(true);
    about->setTextFormat(Qt::PlainText);
    about->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->insertRow(row++, about);
    m_decisionHint = new QLabel(form);
    m_decisionHint->setObjectName(QStringLiteral("stageAfterLabel"));
    m_decisionHint->setWordWrap(true);
    if (m_kind == ActionKind::DecideAppeal) {
        m_decision = new QComboBox(form);
        m_decision->setObjectName(QStringLiteral("decisionCombo"));
        m_decision->setAccessibleName(tr("Decision"));
        m_decision->addItem(tr("Upheld: the contested decision stands"), static_cast<int>(AppealDecision::Upheld));
        m_decision->addItem(tr("Overturned: restore the stage before it"),
                            static_cast<int>(AppealDecision::Overturned));
        m_form->insertRow(row++, tr("&Decision:"), m_decision);
        m_form->insertRow(row++, m_decisionHint);
        connect(m_decision, &QComboBox::currentIndexChanged, this, [this] { updateDecisionHint(); });
    } else if (m_kind == ActionKind::Resolve) {
        m_appealChoice = new QComboBox(form);
        m_appealChoice->setObjectName(QStringLiteral("appealChoiceCombo"));
        m_appealChoice->setAccessibleName(tr("The open appeal"));
        m_appealChoice->addItem(tr("Choose…"), static_cast<int>(AppealChoice::Unchosen));
        m_appealChoice->addItem(tr("Uphold it (the decision stands)"), static_cast<int>(AppealChoice::Uphold));
        m_appealChoice->addItem(tr("Overturn it (restore the stage before the case)"),
                                static_cast<int>(AppealChoice::Overturn));
        m_appealChoice->addItem(tr("Leave it open"), static_cast<int>(AppealChoice::LeaveOpen));
        if (m_backend.reviewer.role < Role::SeniorReviewer) {
            auto* items = qobject_cast<QStandardItemModel*>(m_appealChoice->model());
            for (int i : {1, 2}) {
                items->item(i)->setEnabled(false);
                items->item(i)->setToolTip(tr("Only a senior reviewer decides appeals."));
            }
            m_appealChoice->setToolTip(tr("Only a senior reviewer decides appeals; you can leave it open."));
        }
        m_form->insertRow(row++, tr("The open &appeal:"), m_appealChoice);
        m_appealReason = new QPlainTextEdit(form);
        m_appealReason->setObjectName(QStringLiteral("appealReasonEdit"));
        m_appealReason->setAccessibleName(tr("Notes on the appeal decision"));
        m_appealReason->setTabChangesFocus(true);
        m_appealReason->setMaximumHeight(60);
        m_form->insertRow(row++, tr("Appeal no&tes:"), m_appealReason);
        m_form->insertRow(row++, m_decisionHint);
        connect(m_appealChoice, &QComboBox::currentIndexChanged, this, [this] { updateDecisionHint(); });
    }
    updateDecisionHint();
}

AppealChoice ActionDialog::appealChoice() const {
    return m_appealChoice ? static_cast<AppealChoice>(m_appealChoice->currentData().toInt()) : AppealChoice::Unchosen;
}

Stage ActionDialog::stageAfterDecision(AppealDecision decision) const {
    if (decision == AppealDecision::Upheld) {
        return m_state.stage;
    }
    return std::min(casework::stageBeforeContested(m_state, m_event), m_state.stage);
}

void ActionDialog::updateDecisionHint() {
    if (!m_decisionHint) {
        return;
    }
    std::optional<AppealDecision> decision;
    if (m_decision) {
        decision = static_cast<AppealDecision>(m_decision->currentData().toInt());
    } else if (appealChoice() == AppealChoice::Uphold) {
        decision = AppealDecision::Upheld;
    } else if (appealChoice() == AppealChoice::Overturn) {
        decision = AppealDecision::Overturned;
    }
    if (m_appealReason) {
        m_appealReason->setEnabled(decision.has_value());
    }
    if (!decision) {
        m_decisionHint->setText(appealChoice() == AppealChoice::LeaveOpen
                                    ? tr("The appeal stays open; the resolution's audit record says so.")
                                    : tr("Resolving this case asks what happens to its open appeal."));
        return;
    }
    const Stage after = stageAfterDecision(*decision);
    m_decisionHint->setText(
        after == m_state.stage
            ? tr("The stage stays %1.").arg(models::stageLabel(after))
            : tr("The stage becomes %1 (now %2).").arg(models::stageLabel(after), models::stageLabel(m_state.stage)));
}

Result<ChangeSet> ActionDialog::buildFollowUp(const ChangeSet& resolution, const CommitResult* committed) const {
    FairUseState state = resolution.newState.value_or(m_state);
    if (committed && resolution.newState) {
        state.version = committed->stateVersion;
    }
    std::optional<FairUseEvent> event = m_event;
    if (resolution.newEvent && m_event) {
        event = resolution.newEvent;
        if (committed) {
            event->version = committed->eventVersion;
        }
    }
    enforcement::ActionContext ctx;
    ctx.reviewer = m_backend.reviewer;
    ctx.now = models::backendNow(m_backend);
    ctx.clientVersion = m_backend.clientVersion;
    ctx.idempotencyKey = m_idempotencyKey + QStringLiteral("-appeal");
    if (event) {
        ctx.caseRef = event->caseRef;
        ctx.eventId = event->id;
    }
    const AppealDecision decision =
        appealChoice() == AppealChoice::Overturn ? AppealDecision::Overturned : AppealDecision::Upheld;
    // The decision gives the resolution's reason code; its own notes say why.
    return casework::buildDecideAppeal(m_policy, state, *m_appeal, event, decision,
                                       m_reasonCode->currentData().toString(), m_appealReason->toPlainText().trimmed(),
                                       ctx);
}

void ActionDialog::applyFollowUp(const ChangeSet& resolution, const CommitResult& committed) {
    // The resolution is in; from here on only the appeal's decision can still fail, and Apply must not resolve twice.
    m_apply->hide();
    m_back->hide();
    m_cancel->setText(tr("Close"));
    const Result<ChangeSet> followUp = buildFollowUp(resolution, &committed);
    if (!followUp) {
        showMessage(tr("The case is resolved, but appeal %1 could not be decided: %2 It stays open.")
                        .arg(m_appeal->id, followUp.error().message));
        return;
    }
    setBusy(true);
    showMessage(tr("The case is resolved; deciding appeal %1…").arg(m_appeal->id));
    const ChangeSet change = followUp.value();
    models::whenFinished(this, m_backend.cases->apply(change), [this, change](const Result<CommitResult>& result) {
        setBusy(false);
        if (result) {
            showMessage({});
            Q_EMIT applied(result.value(), change);
            accept();
            return;
        }
        showMessage(result.error().kind == ErrorKind::Conflict
                        ? tr("The case is resolved, but appeal %1 changed before your decision reached the store "
                             "(%2). Nothing was overwritten; reload to see who decided it.")
                              .arg(m_appeal->id, result.error().message)
                        : tr("The case is resolved, but deciding appeal %1 failed: %2 It stays open.")
                              .arg(m_appeal->id, result.error().message));
    });
}

} // namespace fairuse::ui
