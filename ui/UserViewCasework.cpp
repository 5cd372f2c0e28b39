// UserView's casework (casework/Casework.h): the pinned notes, escalation and snooze of the shown user, loaded with
// it and shown above the tabs, and the actions that change them.
#include "UserView.h"

#include "BulkResolver.h"
#include "DetailFormat.h"
#include "FutureWatch.h"
#include "casework/Casework.h"

#include <QAction>
#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace fairuse::ui {

void UserView::buildCasework() {
    m_caseworkLabel = new QLabel(this);
    m_caseworkLabel->setObjectName(QStringLiteral("caseworkLabel"));
    m_caseworkLabel->setAccessibleName(tr("Pinned notes, escalation and snooze"));
    m_caseworkLabel->setWordWrap(true);
    m_caseworkLabel->setTextFormat(Qt::PlainText);
    m_caseworkLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_caseworkLabel->setFrameShape(QFrame::StyledPanel);
    m_layout->insertWidget(m_layout->indexOf(m_status) + 1, m_caseworkLabel);

    auto make = [this](const QString& text, const QKeySequence& key, const QString& tip, CaseworkKind kind) {
        auto* action = new QAction(text, this);
        if (!key.isEmpty()) {
            action->setShortcut(key);
            // Window-wide while the user view is shown, so the keys work from the queue too.
            action->setShortcutContext(Qt::WindowShortcut);
        }
        action->setToolTip(tip);
        action->setStatusTip(tip);
        connect(action, &QAction::triggered, this, [this, kind] { openCasework(kind); });
        addAction(action);
        return action;
    };
    m_escalateAct = make(tr("Escalate to a &senior…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                         tr("Send the user's open case to a senior reviewer with a note"), CaseworkKind::Escalate);
    m_deEscalateAct = make(tr("&Withdraw escalation…"), {},
                           tr("Take the case out of the seniors' Escalated view (yours, or any as a senior)"),
                           CaseworkKind::DeEscalate);
    m_snoozeAct =
        make(tr("Sn&ooze case…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z),
             tr("Hide the open case from the queue until a date or the user's next cap hit"), CaseworkKind::Snooze);
    m_unsnoozeAct = make(tr("&End snooze"), {}, tr("Show the snoozed case in the queue again"), CaseworkKind::Unsnooze);
    m_pinNoteAct = make(tr("&Pin note on user…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N),
                        tr("Pin a note that shows in every later case of this user"), CaseworkKind::PinNote);
    m_unpinNoteAct =
        make(tr("&Unpin note…"), {}, tr("Unpin a note (yours, or any as a senior)"), CaseworkKind::UnpinNote);
}

QList<QAction*> UserView::caseworkActions() const {
    return {m_escalateAct, m_deEscalateAct, m_snoozeAct, m_unsnoozeAct, m_pinNoteAct, m_unpinNoteAct};
}

void UserView::loadCasework(const QString& uid, quint64 generation) {
    // A store that keeps no casework (Unavailable) has none to show; any other failure is reported.
    const auto report = [this](const Error& e, const QString& what) {
        if (e.kind != ErrorKind::Unavailable) {
            m_errors << tr("Could not load %1: %2").arg(what, e.message);
        }
    };
    models::whenFinished(this, m_backend.cases->listNotes(uid),
                         [this, generation, report](const Result<QList<UserNote>>& r) {
                             if (generation != m_generation) {
                                 return;
                             }
                             if (r) {
                                 m_notes = r.value();
                             } else {
                                 report(r.error(), tr("the pinned notes"));
                             }
                             arrived();
                         });
    models::whenFinished(this, m_backend.cases->getCasework(uid),
                         [this, generation, report](const Result<std::optional<Casework>>& r) {
                             if (generation != m_generation) {
                                 return;
                             }
                             if (r) {
                                 m_casework = r.value();
                             } else {
                                 report(r.error(), tr("the escalation and snooze"));
                             }
                             arrived();
                         });
}

void UserView::showCasework() {
    QStringList lines;
    const QList<UserNote> pinned = casework::pinnedNotes(m_notes);
    for (const UserNote& n : pinned) {
        lines << tr("Pinned note by %1, %2%3: %4")
                     .arg(n.author, models::formatTime(n.createdAt),
                          n.caseRef.isEmpty() ? QString() : tr(" (case %1)").arg(n.caseRef), n.text);
    }
    if (m_casework && m_casework->escalated()) {
        lines << tr("Escalated to a senior: %1").arg(casework::describeEscalation(*m_casework));
    }
    if (m_casework && m_casework->snoozed() && m_state) {
        const casework::SnoozeState snooze = casework::snoozeState(m_casework, *m_state, models::backendNow(m_backend));
        lines << (snooze == casework::SnoozeState::Returned
                      ? tr("Returned from snooze (%1)").arg(casework::describeSnooze(*m_casework))
                      : tr("Snoozed: %1").arg(casework::describeSnooze(*m_casework)));
    }
    m_caseworkLabel->setText(lines.join(QLatin1Char('\n')));
    m_caseworkLabel->setVisible(!lines.isEmpty());
    updateCaseworkActions();
}

void UserView::updateCaseworkActions() {
    const bool have = m_state.has_value() && m_pending == 0;
    const bool open =
        std::any_of(m_events.cbegin(), m_events.cend(), [](const FairUseEvent& e) { return !e.resolved; });
    const bool escalated = m_casework && m_casework->escalated();
    const bool snoozed = m_casework && m_casework->snoozed();
    m_escalateAct->setEnabled(have && open && !escalated);
    m_deEscalateAct->setEnabled(have && escalated);
    m_snoozeAct->setEnabled(have && open);
    m_unsnoozeAct->setEnabled(have && snoozed);
    m_pinNoteAct->setEnabled(have);
    m_unpinNoteAct->setEnabled(have && !casework::pinnedNotes(m_notes).isEmpty());
}

CaseworkDialog* UserView::openCasework(CaseworkKind kind) {
    if (!m_state || m_pending > 0) {
        setStatus(tr("Wait until the user has loaded."));
        return nullptr;
    }
    std::optional<FairUseEvent> openCase;
    for (const FairUseEvent& e : std::as_const(m_events)) {
        if (!e.resolved) {
            openCase = e; // newest first: the newest open case
            break;
        }
    }
    if ((kind == CaseworkKind::Escalate || kind == CaseworkKind::Snooze) && !openCase) {
        setStatus(tr("%1 has no open case.").arg(m_uid));
        return nullptr;
    }
    auto* dialog =
        new CaseworkDialog(m_backend, kind, *m_state, openCase, m_casework, casework::pinnedNotes(m_notes), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString uid = m_uid;
    connect(dialog, &CaseworkDialog::applied, this, [this, uid](const CommitResult& result, const ChangeSet&) {
        setStatus(result.alreadyApplied ? tr("This change had already been applied.")
                                        : tr("Applied; audit record #%1.").arg(result.audit.sequence));
        Q_EMIT stateChanged(uid);
        reload();
    });
    dialog->open();
    return dialog;
}

} // namespace fairuse::ui
