#include "ActionDialog.h"

#include "BulkResolver.h"
#include "ConflictDialog.h"
#include "DecisionFields.h"
#include "DetailFormat.h"
#include "FutureWatch.h"
#include "casework/Appeals.h"
#include "casework/Casework.h"
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

namespace {
QString orDash(const QString& s) {
    return s.isEmpty() ? QStringLiteral("\u2014") : s;
}
} // namespace

QString ActionDialog::titleFor(ActionKind kind) {
    switch (kind) {
    case ActionKind::Resolve:
        return tr("Resolve case");
    case ActionKind::OverrideStage:
        return tr("Override stage");
    case ActionKind::Reset:
        return tr("Reset user");
    case ActionKind::Exempt:
        return tr("Exempt user");
    case ActionKind::Unexempt:
        return tr("Remove exemption");
    case ActionKind::RerunClassifier:
        return tr("Re-run classifier");
    case ActionKind::AddNote:
        return tr("Add note");
    case ActionKind::DecideAppeal:
        return tr("Decide appeal");
    }
    return {};
}

ActionDialog::ActionDialog(models::Backend& backend, enforcement::Policy policy, ActionKind kind, FairUseState state,
                           std::optional<FairUseEvent> event, QWidget* parent)
    : QDialog(parent)
    , m_backend(backend)
    , m_policy(std::move(policy))
    , m_kind(kind)
    , m_state(std::move(state))
    , m_event(std::move(event))
    , m_pages(new QStackedWidget(this))
    , m_message(new QLabel(this))
    , m_summary(new QPlainTextEdit(this))
    , m_review(new QPushButton(tr("&Review…"), this))
    , m_apply(new QPushButton(tr("&Apply"), this))
    , m_back(new QPushButton(tr("&Back"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this)) {
    setWindowTitle(titleFor(kind));
    setObjectName(QStringLiteral("actionDialog"));

    auto* form = new QWidget(this);
    auto* formLayout = new QFormLayout(form);
    m_form = formLayout;
    QString subject = tr("User %1, stage %2").arg(m_state.uid, models::stageLabel(m_state.stage));
    if (m_event) {
        subject += QLatin1Char('\n') + tr("Case %1 (%2)").arg(m_event->caseRef, models::formatTime(m_event->createdAt));
    }
    auto* subjectLabel = new QLabel(subject, form);
    subjectLabel->setWordWrap(true);
    formLayout->addRow(subjectLabel);

    QString textLabel = tr("Reason (required):");
    switch (kind) {
    case ActionKind::Resolve:
        m_outcome = new QComboBox(form);
        m_outcome->setObjectName(QStringLiteral("outcomeCombo"));
        m_outcome->setAccessibleName(tr("Outcome"));
        for (Outcome o : {Outcome::Confirmed, Outcome::FalsePositive, Outcome::NoAction}) {
            m_outcome->addItem(models::outcomeLabel(o), static_cast<int>(o));
        }
        formLayout->addRow(tr("&Outcome:"), m_outcome);
        m_exempt = new QCheckBox(tr("Also &exempt the user (false positive only, senior reviewer)"), form);
        m_exempt->setObjectName(QStringLiteral("exemptCheck"));
        m_exempt->setAccessibleName(tr("Also exempt the user"));
        formLayout->addRow(m_exempt);
        break;
    case ActionKind::OverrideStage:
        m_target = new QComboBox(form);
        m_target->setObjectName(QStringLiteral("targetStageCombo"));
        m_target->setAccessibleName(tr("New stage"));
        for (Stage s : {Stage::None, Stage::Warning, Stage::Throttle, Stage::Restrict}) {
            m_target->addItem(models::stageLabel(s), static_cast<int>(s));
        }
        m_target->setCurrentIndex(static_cast<int>(m_state.stage));
        formLayout->addRow(tr("New &stage:"), m_target);
        break;
    case ActionKind::Reset:
    case ActionKind::Exempt:
    case ActionKind::Unexempt:
    case ActionKind::DecideAppeal:
        break;
    case ActionKind::RerunClassifier:
        textLabel = tr("&Reason (optional):");
        break;
    case ActionKind::AddNote:
        textLabel = tr("&Note (required):");
        break;
    }
    if (kind != ActionKind::RerunClassifier && kind != ActionKind::AddNote) {
        // A decision: a reason code of the policy, the notes beside it.
        m_reasonCode = makeReasonCodeCombo(m_policy, form);
        formLayout->addRow(tr("Reason &code:"), m_reasonCode);
        textLabel = tr("&Notes (required for \"Other\"):");
        if ((kind == ActionKind::Resolve || kind == ActionKind::DecideAppeal) && m_event && m_event->classifier) {
            m_verdict = makeVerdictCombo(form);
            formLayout->addRow(tr("Classifier &verdict:"), m_verdict);
        }
    }
    m_text = new QPlainTextEdit(form);
    m_text->setObjectName(QStringLiteral("textEdit"));
    m_text->setAccessibleName(textLabel);
    m_text->setTabChangesFocus(true);
    m_text->setMaximumHeight(100);
    formLayout->addRow(textLabel, m_text);
    m_pages->addWidget(form);

    m_summary->setObjectName(QStringLiteral("summaryText"));
    m_summary->setReadOnly(true);
    m_summary->setAccessibleName(tr("What will change"));
    m_pages->addWidget(m_summary);

    m_message->setObjectName(QStringLiteral("messageLabel"));
    m_message->setWordWrap(true);
    m_message->setAccessibleName(tr("Message"));
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    m_review->setObjectName(QStringLiteral("reviewButton"));
    m_review->setDefault(true);
    m_apply->setObjectName(QStringLiteral("applyButton"));
    m_back->setObjectName(QStringLiteral("backButton"));
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_apply->hide();
    m_back->hide();

    auto* buttons = new QHBoxLayout();
    buttons->addStretch(1);
    buttons->addWidget(m_back);
    buttons->addWidget(m_review);
    buttons->addWidget(m_apply);
    buttons->addWidget(m_cancel);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_message);
    layout->addLayout(buttons);

    connect(m_review, &QPushButton::clicked, this, &ActionDialog::review);
    connect(m_apply, &QPushButton::clicked, this, &ActionDialog::applyChange);
    connect(m_back, &QPushButton::clicked, this, [this] {
        m_change.reset();
        m_pages->setCurrentIndex(0);
        m_summary->clear();
        m_apply->hide();
        m_back->hide();
        m_review->show();
        m_review->setDefault(true);
    });
    connect(m_cancel, &QPushButton::clicked, this, &QDialog::reject);
    resize(560, 360);
}

QString ActionDialog::message() const {
    return m_message->isHidden() ? QString() : m_message->text();
}

QString ActionDialog::summary() const {
    return m_summary->toPlainText();
}

bool ActionDialog::isConfirming() const {
    return m_pages->currentIndex() == 1;
}

void ActionDialog::showMessage(const QString& text) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

Result<ChangeSet> ActionDialog::decided(Result<ChangeSet> change) const {
    if (change) {
        casework::releaseOnDecision(change.value(), m_claim, m_backend.reviewer, models::backendNow(m_backend));
        casework::closeOnDecision(change.value(), m_casework);
    }
    return change;
}

QString ActionDialog::claimWarning() const {
    const TimePoint now = models::backendNow(m_backend);
    if (casework::holderOf(m_claim, m_backend.reviewer, now) != casework::ClaimHolder::SomeoneElse) {
        return {};
    }
    return tr("Warning: this case is %1. Applying does not take the case from them; if they change it first, "
              "your change is refused and nothing is overwritten.")
        .arg(casework::describeClaim(*m_claim));
}

Result<ChangeSet> ActionDialog::build() const {
    enforcement::ActionContext ctx;
    ctx.reviewer = m_backend.reviewer;
    ctx.now = models::backendNow(m_backend);
    ctx.clientVersion = m_backend.clientVersion;
    ctx.idempotencyKey = m_idempotencyKey;
    if (m_event) {
        ctx.caseRef = m_event->caseRef;
        ctx.eventId = m_event->id;
    }
    const QString text = m_text->toPlainText().trimmed();
    const QString code = reasonCodeOf(m_reasonCode);
    // The verdict is about the case's classifier result; a case without one (or an appeal about no case) has none.
    const std::optional<ClassifierVerdict> verdict =
        m_event && m_event->classifier ? verdictOf(m_verdict) : std::optional<ClassifierVerdict>();
    switch (m_kind) {
    case ActionKind::Resolve:
        if (!m_event) {
            return Error::invalid(tr("There is no case to resolve."));
        }
        return decided(enforcement::buildResolve(m_policy, m_state, *m_event,
                                                 static_cast<Outcome>(m_outcome->currentData().toInt()), code, text,
                                                 m_exempt->isChecked(), ctx, verdict));
    case ActionKind::OverrideStage:
        return decided(enforcement::buildOverrideStage(
            m_policy, m_state, static_cast<Stage>(m_target->currentData().toInt()), code, text, ctx));
    case ActionKind::Reset:
        return decided(enforcement::buildReset(m_policy, m_state, code, text, ctx));
    case ActionKind::Exempt:
        return decided(enforcement::buildExempt(m_policy, m_state, true, code, text, ctx));
    case ActionKind::Unexempt:
        return decided(enforcement::buildExempt(m_policy, m_state, false, code, text, ctx));
    case ActionKind::RerunClassifier:
        return enforcement::buildRerunClassifier(m_state, text, ctx);
    case ActionKind::AddNote:
        if (m_event) {
            return enforcement::buildAddNote(m_state, *m_event, text, ctx);
        }
        return enforcement::buildAddUserNote(m_state, text, ctx);
    case ActionKind::DecideAppeal:
        if (!m_appeal) {
            return Error::invalid(tr("There is no appeal to decide."));
        }
        {
            auto decision = casework::buildDecideAppeal(m_policy, m_state, *m_appeal, m_event,
                                                        static_cast<AppealDecision>(m_decision->currentData().toInt()),
                                                        code, text, ctx, verdict);
            if (decision) {
                casework::closeOnDecision(decision.value(), m_casework);
            }
            return decision;
        }
    }
    return Error::internal(QStringLiteral("unknown action"));
}

void ActionDialog::review() {
    // A fresh key per reviewed change: pressing Apply twice, or retrying after a lost reply, applies it once.
    m_idempotencyKey = QStringLiteral("ui-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    Result<ChangeSet> change = build();
    if (!change) {
        const Error& e = change.error();
        switch (e.kind) {
        case ErrorKind::Permission:
            showMessage(tr("Refused: %1 You are signed in as %2 (%3).")
                            .arg(e.message, m_backend.reviewer.email, models::roleName(m_backend.reviewer.role)));
            break;
        case ErrorKind::Invalid:
            showMessage(tr("Cannot apply: %1").arg(e.message));
            break;
        case ErrorKind::Conflict:
            showMessage(tr("Nothing to do: %1 Reload the user to see the current data.").arg(e.message));
            break;
        default:
            showMessage(e.message);
        }
        return;
    }
    QString followUpText;
    if (m_kind == ActionKind::Resolve && m_appeal) {
        switch (appealChoice()) {
        case AppealChoice::Unchosen:
            showMessage(
                tr("Choose what happens to appeal %1: uphold it, overturn it or leave it open.").arg(m_appeal->id));
            return;
        case AppealChoice::LeaveOpen:
            change.value().audit.reason += tr(" (appeal %1 left open)").arg(m_appeal->id);
            break;
        case AppealChoice::Uphold:
        case AppealChoice::Overturn: {
            const Result<ChangeSet> followUp = buildFollowUp(change.value(), nullptr);
            if (!followUp) {
                showMessage(tr("Cannot decide appeal %1: %2").arg(m_appeal->id, followUp.error().message));
                return;
            }
            FairUseState after = change.value().newState.value_or(m_state);
            followUpText = QStringLiteral("\n\n") +
                           tr("Then, in a second commit right after this one (a commit carries one audit record), "
                              "appeal %1 is decided:")
                               .arg(m_appeal->id) +
                           QLatin1Char('\n') + describeChange(followUp.value(), after, change.value().newEvent);
            break;
        }
        }
    }
    showMessage(claimWarning());
    m_change = change.value();
    m_summary->setPlainText(describeChange(*m_change, m_state, m_event) + followUpText);
    m_pages->setCurrentIndex(1);
    m_review->hide();
    m_back->show();
    m_apply->show();
    m_apply->setDefault(true);
}

void ActionDialog::setBusy(bool busy) {
    m_apply->setEnabled(!busy);
    m_back->setEnabled(!busy);
    m_cancel->setEnabled(!busy);
}

void ActionDialog::applyChange() {
    if (!m_change || !m_backend.cases) {
        return;
    }
    setBusy(true);
    showMessage(tr("Applying…"));
    const ChangeSet change = *m_change;
    models::whenFinished(this, m_backend.cases->apply(change), [this, change](const Result<CommitResult>& result) {
        setBusy(false);
        if (result) {
            showMessage({});
            Q_EMIT applied(result.value(), change);
            if (m_kind == ActionKind::Resolve && m_appeal &&
                (appealChoice() == AppealChoice::Uphold || appealChoice() == AppealChoice::Overturn)) {
                applyFollowUp(change, result.value());
                return;
            }
            accept();
            return;
        }
        if (result.error().kind == ErrorKind::Conflict) {
            showConflict(result.error().message);
            return;
        }
        if (result.error().kind == ErrorKind::Permission) {
            showMessage(tr("The store refused the change: %1").arg(result.error().message));
            return;
        }
        showMessage(tr("Could not apply the change to %1: %2 Nothing was changed; try again when the store is "
                       "reachable.")
                        .arg(m_backend.cases->describe(), result.error().message));
    });
}

void ActionDialog::showConflict(const QString& storeMessage) {
    showMessage(tr("Someone else changed this user or case after you opened it. Nothing was overwritten."));
    const QString uid = m_state.uid;
    const std::optional<QString> eventId = m_event ? std::optional<QString>(m_event->id) : std::nullopt;
    const QString yours = describeChange(*m_change, m_state, m_event);
    models::whenFinished(
        this, m_backend.cases->getState(uid),
        [this, uid, eventId, yours, storeMessage](const Result<FairUseState>& state) {
            QString stored =
                state ? describeState(state.value()) : tr("Could not re-read the state: %1").arg(state.error().message);
            auto open = [this, yours, storeMessage](const QString& storedText) {
                m_conflict = new ConflictDialog(
                    tr("The store refused your change because the data changed since you loaded it (%1). Compare the "
                       "versions, then reload and redo the action if it is still needed.")
                        .arg(storeMessage),
                    yours, storedText, this);
                m_conflict->setAttribute(Qt::WA_DeleteOnClose);
                connect(m_conflict, &ConflictDialog::reloadRequested, this, [this] {
                    Q_EMIT reloadRequested();
                    reject();
                });
                m_conflict->open();
            };
            if (!eventId) {
                open(stored);
                return;
            }
            models::whenFinished(this, m_backend.cases->listEvents(uid),
                                 [open, stored, eventId](const Result<QList<FairUseEvent>>& events) {
                                     QString text = stored;
                                     if (events) {
                                         for (const FairUseEvent& e : events.value()) {
                                             if (e.id == *eventId) {
                                                 text += QLatin1Char('\n') + describeEvent(e);
                                             }
                                         }
                                     }
                                     open(text);
                                 });
        });
}

QString ActionDialog::describeState(const FairUseState& s) {
    QStringList lines;
    lines << tr("State of %1 (version %2)").arg(s.uid, orDash(s.version));
    lines << tr("  stage: %1").arg(models::stageLabel(s.stage));
    lines << tr("  violations: %1 in 7 days, %2 in 30 days").arg(s.violationCount7d).arg(s.violationCount30d);
    lines << tr("  throttle until: %1").arg(models::formatTime(s.throttleUntil));
    lines << tr("  restrict until: %1").arg(models::formatTime(s.restrictUntil));
    lines << tr("  restrict reason: %1").arg(orDash(s.restrictReason));
    lines << tr("  exempt: %1").arg(s.exempt ? tr("yes") : tr("no"));
    lines << tr("  updated: %1").arg(models::formatTime(s.updatedAt));
    if (!s.resetBy.isEmpty()) {
        lines << tr("  reset by %1 on %2").arg(s.resetBy, models::formatTime(s.resetAt));
    }
    return lines.join(QLatin1Char('\n'));
}

QString ActionDialog::describeEvent(const FairUseEvent& e) {
    QStringList lines;
    lines << tr("Case %1 (version %2)").arg(e.caseRef, orDash(e.version));
    lines << tr("  stage: %1 \u2192 %2").arg(models::stageLabel(e.previousStage), models::stageLabel(e.newStage));
    if (e.resolved) {
        lines << tr("  resolved: %1 by %2 on %3")
                     .arg(e.outcome ? models::outcomeLabel(*e.outcome) : tr("yes"), orDash(e.resolvedBy),
                          models::formatTime(e.resolvedAt));
    } else {
        lines << tr("  open");
    }
    lines << tr("  notes: %1").arg(orDash(e.adminNotes));
    return lines.join(QLatin1Char('\n'));
}

QString ActionDialog::describeChange(const ChangeSet& change, const FairUseState& before,
                                     const std::optional<FairUseEvent>& eventBefore) {
    QStringList lines;
    if (change.newState) {
        const FairUseState& after = *change.newState;
        lines << tr("Stage: %1 \u2192 %2").arg(models::stageLabel(before.stage), models::stageLabel(after.stage));
        auto field = [&lines](const QString& name, const QString& a, const QString& b) {
            if (a != b) {
                lines << tr("%1: %2 \u2192 %3").arg(name, a, b);
            }
        };
        field(tr("Throttle until"), models::formatTime(before.throttleUntil), models::formatTime(after.throttleUntil));
        field(tr("Restrict until"), models::formatTime(before.restrictUntil), models::formatTime(after.restrictUntil));
        field(tr("Restrict reason"), orDash(before.restrictReason), orDash(after.restrictReason));
        field(tr("Violations in 7 days"), QString::number(before.violationCount7d),
              QString::number(after.violationCount7d));
        field(tr("Violations in 30 days"), QString::number(before.violationCount30d),
              QString::number(after.violationCount30d));
        field(tr("Reset by"), orDash(before.resetBy), orDash(after.resetBy));
        lines << tr("(state version %1 must be unchanged)").arg(orDash(change.expectedStateVersion));
    } else {
        lines << tr("Stage: unchanged (%1)").arg(models::stageLabel(before.stage));
    }
    if (change.newEvent) {
        const FairUseEvent& e = *change.newEvent;
        const QString caseRef = e.caseRef;
        if (!eventBefore || eventBefore->resolved != e.resolved) {
            lines << tr("Case %1: %2")
                         .arg(caseRef, e.resolved
                                           ? tr("resolved as %1")
                                                 .arg(e.outcome ? models::outcomeLabel(*e.outcome) : tr("resolved"))
                                           : tr("reopened"));
        }
        if (!eventBefore || eventBefore->adminNotes != e.adminNotes) {
            lines << tr("Case %1 notes: %2").arg(caseRef, orDash(e.adminNotes));
        }
        lines << tr("(case version %1 must be unchanged)").arg(orDash(change.expectedEventVersion));
    }
    if (change.exempt) {
        lines << (*change.exempt ? tr("Exemption: the user becomes exempt") : tr("Exemption: removed"));
    }
    if (change.caseworkChange && !change.caseworkChange->casework) {
        lines << tr("The case's escalation and snooze end with this decision.");
    }
    if (change.claimChange && change.claimChange->release) {
        lines << tr("Your claim on this case ends with this decision.");
    }
    if (change.label) {
        lines << tr("Classifier label: %1 (%2, prompt %3, said %4)")
                     .arg(models::classifierVerdictLabel(change.label->verdict), orDash(change.label->model),
                          orDash(change.label->promptVersion), orDash(change.label->usageType));
    }
    const AuditRecord& a = change.audit;
    lines << QString();
    lines << tr("Audit record:");
    lines << tr("  %1 by %2 (%3) at %4")
                 .arg(models::auditActionLabel(a.action), a.reviewer, models::roleName(a.role),
                      models::formatTime(a.at));
    lines << tr("  user %1%2").arg(a.uid, a.caseRef.isEmpty() ? QString() : tr(", case %1").arg(a.caseRef));
    if (a.stageBefore || a.stageAfter) {
        lines << tr("  stage %1 \u2192 %2")
                     .arg(a.stageBefore ? models::stageLabel(*a.stageBefore) : QStringLiteral("\u2014"),
                          a.stageAfter ? models::stageLabel(*a.stageAfter) : QStringLiteral("\u2014"));
    }
    lines << tr("  reason: %1").arg(orDash(a.reason));
    return lines.join(QLatin1Char('\n'));
}

} // namespace fairuse::ui
