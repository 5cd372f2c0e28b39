#include "ManualReviewView.h"

#include "BulkResolver.h"
#include "DecisionFields.h"
#include "FutureWatch.h"
#include "ManualReviewInbox.h"
#include "casework/Casework.h"
#include "casework/ManualReview.h"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace fairuse::ui {

using casework::ReviewDecision;

ManualReviewView::ManualReviewView(models::Backend& backend, const enforcement::Policy& policy, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_policy(policy)
    , m_inbox(new models::ManualReviewInbox(backend, policy, this))
    , m_table(new QTableView(this))
    , m_decision(new QComboBox(this))
    , m_reason(new QComboBox(this))
    , m_notes(new QPlainTextEdit(this))
    , m_verdict(makeVerdictCombo(this))
    , m_submit(new QPushButton(tr("&Submit"), this))
    , m_submitNext(new QPushButton(tr("Submit && &Next"), this))
    , m_status(new QLabel(this)) {
    m_table->setObjectName(QStringLiteral("inboxTable"));
    m_decision->setObjectName(QStringLiteral("decisionCombo"));
    m_reason->setObjectName(QStringLiteral("reasonCombo"));
    m_notes->setObjectName(QStringLiteral("notesEdit"));
    m_submit->setObjectName(QStringLiteral("submitButton"));
    m_submitNext->setObjectName(QStringLiteral("submitNextButton"));
    m_status->setObjectName(QStringLiteral("inboxStatus"));

    auto* title = new QLabel(tr("<b>Manual review of restricted users</b> — oldest first; the SLA is %n hour(s).",
                                nullptr, static_cast<int>(policy.manualReviewSla.count() / 3600)),
                             this);
    m_table->setModel(m_inbox);
    m_table->setAccessibleName(tr("Restricted users waiting for review"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // User ids differ at both ends: elide the middle, so the SLA, the restriction's and billing cycle's ends and the
    // appeal flag fit beside them in the right-hand pane of a 1500 px window.
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->horizontalHeader()->setSectionResizeMode(models::ManualReviewInbox::UserColumn, QHeaderView::Interactive);
    m_table->horizontalHeader()->resizeSection(models::ManualReviewInbox::UserColumn,
                                               m_table->fontMetrics().horizontalAdvance(QStringLiteral("M")) * 11);
    m_table->horizontalHeader()->setStretchLastSection(true);

    const bool senior = static_cast<int>(backend.reviewer.role) >= static_cast<int>(Role::SeniorReviewer);
    const QList<std::pair<ReviewDecision, QString>> decisions = {
        {ReviewDecision::KeepRestricted, tr("Keep restricted until the restriction ends")},
        {ReviewDecision::RestoreWarning, tr("Restore access, at warning")},
        {ReviewDecision::RestoreNone, tr("Restore access fully (stage none)")},
        {ReviewDecision::Extend, tr("Extend the restriction by one period")},
    };
    for (const auto& [d, text] : decisions) {
        m_decision->addItem(text, static_cast<int>(d));
        if (d != ReviewDecision::KeepRestricted && !senior) {
            // The core refuses it too; the item says why instead of failing on submit.
            const int row = m_decision->count() - 1;
            m_decision->setItemData(row, 0, Qt::UserRole - 1); // disabled
            m_decision->setItemData(row, tr("Needs the senior reviewer role"), Qt::ToolTipRole);
        }
    }
    m_decision->setAccessibleName(tr("Decision"));
    for (const enforcement::ReasonCode& r : policy.reasonCodes) {
        m_reason->addItem(r.label, r.code);
    }
    m_reason->setAccessibleName(tr("Reason code"));
    m_notes->setPlaceholderText(tr("Notes (required for \"Other\"); kept in the audit record"));
    m_notes->setAccessibleName(tr("Notes"));
    m_notes->setTabChangesFocus(true);
    m_notes->setMaximumHeight(m_notes->fontMetrics().height() * 5);
    m_submit->setToolTip(tr("Record the decision (Ctrl+Return)"));
    m_submitNext->setToolTip(tr("Record the decision and go to the next user (Ctrl+Shift+Return)"));
    auto* reload = new QPushButton(tr("&Reload"), this);

    auto* form = new QFormLayout;
    form->addRow(tr("&Decision:"), m_decision);
    form->addRow(tr("R&eason:"), m_reason);
    form->addRow(tr("N&otes:"), m_notes);
    form->addRow(tr("Classifier &verdict:"), m_verdict);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(reload);
    buttons->addStretch(1);
    buttons->addWidget(m_submit);
    buttons->addWidget(m_submitNext);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(m_status);
    layout->addWidget(m_table, 1);
    layout->addLayout(form);
    layout->addLayout(buttons);

    auto* submitKey = new QAction(this);
    submitKey->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    submitKey->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(submitKey);
    connect(submitKey, &QAction::triggered, this, [this] { submit(false); });
    auto* nextKey = new QAction(this);
    nextKey->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Enter)});
    nextKey->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(nextKey);
    connect(nextKey, &QAction::triggered, this, [this] { submit(true); });
    auto* openKey = new QAction(this);
    openKey->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
    openKey->setShortcutContext(Qt::WidgetShortcut);
    m_table->addAction(openKey);
    connect(openKey, &QAction::triggered, this, [this] {
        if (!currentUid().isEmpty()) {
            Q_EMIT userActivated(currentUid());
        }
    });

    connect(m_submit, &QPushButton::clicked, this, [this] { submit(false); });
    connect(m_submitNext, &QPushButton::clicked, this, [this] { submit(true); });
    connect(reload, &QPushButton::clicked, this, &ManualReviewView::refresh);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& i) {
        Q_EMIT userActivated(i.data(models::ManualReviewInbox::UidRole).toString());
    });
    connect(m_inbox, &models::ManualReviewInbox::loaded, this, [this](int rows) {
        setStatus(rows == 0 ? tr("No restricted user is waiting for review.")
                            : tr("%n user(s) waiting, %1 late.", nullptr, rows).arg(m_inbox->lateCount()));
        if (rows > 0 && !m_table->currentIndex().isValid()) {
            m_table->setCurrentIndex(m_inbox->index(0, 0));
        }
        updateDecisionControls();
    });
    connect(m_inbox, &models::ManualReviewInbox::failed, this, [this](const QString& message) {
        setStatus(message);
        updateDecisionControls();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ManualReviewView::updateDecisionControls);
    updateDecisionControls();
}

QString ManualReviewView::statusText() const {
    return m_status->text();
}

QString ManualReviewView::currentUid() const {
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.data(models::ManualReviewInbox::UidRole).toString() : QString();
}

void ManualReviewView::setStatus(const QString& text) {
    m_status->setText(text);
}

void ManualReviewView::updateDecisionControls() {
    const bool ready = !m_busy && !currentUid().isEmpty();
    m_submit->setEnabled(ready);
    m_submitNext->setEnabled(ready);
}

void ManualReviewView::refresh() {
    setStatus(tr("Loading the restricted users…"));
    m_inbox->refresh();
}

void ManualReviewView::submit(bool next) {
    const QString uid = currentUid();
    if (uid.isEmpty() || m_busy || !m_backend.cases) {
        return;
    }
    const auto decision = static_cast<ReviewDecision>(m_decision->currentData().toInt());
    const QString code = m_reason->currentData().toString();
    const QString notes = m_notes->toPlainText();
    const int row = m_table->currentIndex().row();
    m_busy = true;
    updateDecisionControls();
    setStatus(tr("Recording the decision for %1…").arg(uid));
    const std::optional<ClassifierVerdict> verdict = verdictOf(m_verdict);
    // Decide from the state as it is now, so a change made meanwhile is a conflict, not overwritten.
    models::whenFinished(this, m_backend.cases->getState(uid),
                         [this, uid, decision, code, notes, next, row, verdict](const Result<FairUseState>& state) {
                             if (!state) {
                                 m_busy = false;
                                 setStatus(tr("Could not read %1: %2").arg(uid, state.error().message));
                                 updateDecisionControls();
                                 return;
                             }
                             if (!verdict || state->lastCaseRef.isEmpty()) {
                                 record(*state, decision, code, notes, next, row, std::nullopt);
                                 return;
                             }
                             // The verdict is on the classifier of the case that led here: the user's latest.
                             const FairUseState read = *state;
                             models::whenFinished(this, m_backend.cases->findByCaseRef(read.lastCaseRef),
                                                  [this, read, decision, code, notes, next, row,
                                                   verdict](const Result<FairUseEvent>& e) {
                                                      std::optional<casework::CaseVerdict> onCase;
                                                      if (e && e->classifier) {
                                                          onCase = casework::CaseVerdict{*e, *verdict};
                                                      }
                                                      record(read, decision, code, notes, next, row, onCase);
                                                  });
                         });
}

void ManualReviewView::record(const FairUseState& state, casework::ReviewDecision decision, const QString& code,
                              const QString& notes, bool next, int row,
                              const std::optional<casework::CaseVerdict>& verdict) {
    const QString uid = state.uid;
    const auto done = [this](const QString& message) {
        m_busy = false;
        setStatus(message);
        updateDecisionControls();
    };
    // The decision clears the user's escalation and snooze in its commit (casework::closeOnDecision).
    models::whenFinished(
        this, m_backend.cases->getCasework(uid),
        [this, state, decision, code, notes, next, row, verdict, done](const Result<std::optional<Casework>>& work) {
            const QString uid = state.uid;
            if (!work && work.error().kind != ErrorKind::Unavailable) {
                done(tr("Could not read %1: %2").arg(uid, work.error().message));
                return;
            }
            enforcement::ActionContext ctx;
            ctx.reviewer = m_backend.reviewer;
            ctx.now = models::backendNow(m_backend);
            ctx.clientVersion = m_backend.clientVersion;
            auto change = casework::buildManualReview(m_policy, state, decision, code, notes, ctx, verdict);
            if (!change) {
                done(tr("Not recorded: %1").arg(change.error().message));
                return;
            }
            if (work) {
                casework::closeOnDecision(change.value(), work.value());
            }
            models::whenFinished(
                this, m_backend.cases->apply(*change), [this, uid, next, row, done](const Result<CommitResult>& r) {
                    if (!r) {
                        done(r.error().kind == ErrorKind::Conflict
                                 ? tr("%1 changed since it was read; reload and decide again (%2)")
                                       .arg(uid, r.error().message)
                                 : tr("Not recorded: %1").arg(r.error().message));
                        return;
                    }
                    m_notes->clear();
                    const int at = m_inbox->rowOfUid(uid);
                    QList<models::InboxEntry> rows = m_inbox->rows();
                    if (at >= 0) {
                        rows.removeAt(at);
                    }
                    m_inbox->setRows(rows);
                    if (!rows.isEmpty()) {
                        const int nextRow = std::min(next ? row : 0, int(rows.size()) - 1);
                        m_table->setCurrentIndex(m_inbox->index(std::max(nextRow, 0), 0));
                    }
                    done(tr("Recorded for %1 (audit record %2). %n user(s) left.", nullptr, int(rows.size()))
                             .arg(uid)
                             .arg(r->audit.sequence));
                    Q_EMIT decided(uid);
                    if (next && !rows.isEmpty()) {
                        m_table->setFocus(Qt::OtherFocusReason);
                    }
                });
        });
}

} // namespace fairuse::ui
