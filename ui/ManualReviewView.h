#pragma once

#include "Backend.h"
#include "casework/ManualReview.h"
#include "enforcement/Policy.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace fairuse::models {
class ManualReviewInbox;
}

namespace fairuse::ui {

/**
 * The manual-review inbox (casework/ManualReview.h): restricted users waiting for review, oldest first, with the
 * time waited, an SLA badge (due / late, Policy::manualReviewSla), the restriction's end, the billing cycle's end
 * and whether the user appealed; and the decision at hand for the selected user: restore to none or warning, keep
 * restricted, extend (restoring and extending are a senior's), with a reason code from the policy and notes.
 * "Submit && Next" (Ctrl+Shift+Return) decides and moves to the next user; Enter opens the user in the user view.
 *
 * Object names for tests: inboxTable, decisionCombo, reasonCombo, notesEdit, submitButton, submitNextButton,
 * inboxStatus.
 */
class ManualReviewView : public QWidget {
    Q_OBJECT
public:
    ManualReviewView(models::Backend& backend, const enforcement::Policy& policy, QWidget* parent = nullptr);

    models::ManualReviewInbox* inbox() const { return m_inbox; }
    QTableView* table() const { return m_table; }
    QString statusText() const;
    /** The user the decision applies to (the current row), empty when none. */
    QString currentUid() const;

public Q_SLOTS:
    void refresh();
    /** Decides for the current user; with `next`, moves to the following user once it is recorded. */
    void submit(bool next = false);

Q_SIGNALS:
    /** Enter on a row: show the user in the user view. */
    void userActivated(const QString& uid);
    /** A decision was recorded for `uid` (the queue should reload). */
    void decided(const QString& uid);

private:
    void updateDecisionControls();
    /** Builds the decision from `state` (and the verdict on its latest case, if any) and applies it. */
    void record(const FairUseState& state, casework::ReviewDecision decision, const QString& code, const QString& notes,
                bool next, int row, const std::optional<casework::CaseVerdict>& verdict);
    void setStatus(const QString& text);

    models::Backend& m_backend;
    enforcement::Policy m_policy;
    models::ManualReviewInbox* m_inbox;
    QTableView* m_table;
    QComboBox* m_decision;
    QComboBox* m_reason;
    QPlainTextEdit* m_notes;
    QComboBox* m_verdict;
    QPushButton* m_submit;
    QPushButton* m_submitNext;
    QLabel* m_status;
    bool m_busy = false;
};

} // namespace fairuse::ui
