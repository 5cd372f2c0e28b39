#pragma once

#include "Backend.h"
#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "enforcement/Policy.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;

namespace fairuse::ui {

class ConflictDialog;

/** The reviewer actions of the user view. */
enum class ActionKind { Resolve, OverrideStage, Reset, Exempt, Unexempt, RerunClassifier, AddNote, DecideAppeal };

/** What resolving a case does with the open appeal that contests it; the reviewer always chooses one. */
enum class AppealChoice { Unchosen, Uphold, Overturn, LeaveOpen };

/**
 * One reviewer action in two steps. The form asks for what the action needs (outcome and notes, target stage and
 * reason, ...); "Review" builds the ChangeSet with the ReviewerActions builder, which also checks the reviewer's
 * role, and shows either the refusal or exactly what will change (stage before -> after, the fields, the audit
 * record). "Apply" sends it to CaseStore::apply. A Conflict re-reads the stored state and case and opens a
 * ConflictDialog with both versions; nothing is overwritten.
 *
 * Decisions (resolve, override, reset, exempt, un-exempt, decide appeal) carry a reason code from the policy
 * (reasonCodeCombo) besides the notes (textEdit); resolving a case or deciding an appeal about one with a classifier
 * result also asks the reviewer's verdict on the classifier (verdictCombo), stored as a label in the same commit.
 *
 * Widgets carry object names (outcomeCombo, exemptCheck, targetStageCombo, reasonCodeCombo, verdictCombo, textEdit,
 * reviewButton, applyButton, backButton, messageLabel, summaryText) so tests drive the dialog like a reviewer would.
 */
class ActionDialog : public QDialog {
    Q_OBJECT
public:
    ActionDialog(models::Backend& backend, enforcement::Policy policy, ActionKind kind, FairUseState state,
                 std::optional<FairUseEvent> event, QWidget* parent = nullptr);

    ActionKind kind() const { return m_kind; }
    /** The refusal or error currently shown, empty when none. */
    QString message() const;
    /** The confirmation text (what will change), empty before Review. */
    QString summary() const;
    bool isConfirming() const;
    /**
     * The live claim on the user, if any. When someone else holds it, Review warns before the reviewer applies (the
     * claim never blocks a decision; the preconditions still catch a conflicting change). When this reviewer holds
     * it, a decision releases it in its own commit.
     */
    void setClaim(std::optional<CaseClaim> claim) { m_claim = std::move(claim); }
    /** The user's escalation and snooze (casework/Casework.h): a decision clears them in its own commit. */
    void setCasework(std::optional<Casework> casework) { m_casework = std::move(casework); }
    /** The warning Review shows about someone else's claim, empty when none. */
    QString claimWarning() const;

    /**
     * The appeal this dialog is about. DecideAppeal: the appeal to decide (the dialog's case is the one it contests);
     * the form asks upheld or overturned (decisionCombo) and shows the stage either leaves (stageAfterLabel).
     * Resolve: the open appeal contesting the case (casework::openAppeal); the form asks what happens to it
     * (appealChoiceCombo: uphold, overturn or leave open, no default) and, to decide it, a reason (appealReasonEdit).
     * A ChangeSet carries one audit record, so the decision is a second commit applied right after the resolution.
     */
    void setAppeal(const Appeal& appeal);
    const std::optional<Appeal>& appeal() const { return m_appeal; }
    AppealChoice appealChoice() const;
    /** The stage the form's decision leads to (core: min(stage before the contested case, current) when overturned). */
    Stage stageAfterDecision(AppealDecision decision) const;

    /** The conflict dialog opened by the last Conflict, if any. */
    ConflictDialog* conflictDialog() const { return m_conflict; }

    /** Title of an action ("Resolve case", "Override stage", ...). */
    static QString titleFor(ActionKind kind);
    /** Plain-text description of a state, a case and a pending change, for confirmations and conflicts. */
    static QString describeState(const FairUseState& state);
    static QString describeEvent(const FairUseEvent& event);
    static QString describeChange(const ChangeSet& change, const FairUseState& before,
                                  const std::optional<FairUseEvent>& eventBefore);

public Q_SLOTS:
    /** Builds the change and shows the confirmation, or the refusal. */
    void review();
    /** Applies the reviewed change. */
    void applyChange();

Q_SIGNALS:
    /** The store applied the change (or had applied it before under the same key). */
    void applied(const fairuse::CommitResult& result, const fairuse::ChangeSet& change);
    /** The reviewer chose "Reload and redo" after a conflict. */
    void reloadRequested();

private:
    Result<ChangeSet> build() const;
    /** A decision (resolve, override, reset, exempt, un-exempt) releases this reviewer's claim in its commit. */
    Result<ChangeSet> decided(Result<ChangeSet> change) const;
    void showMessage(const QString& text);
    void showConflict(const QString& storeMessage);
    void setBusy(bool busy);
    /** The appeal decision that follows a resolution, built on the state and case the resolution leaves. */
    Result<ChangeSet> buildFollowUp(const ChangeSet& resolution, const CommitResult* committed) const;
    void applyFollowUp(const ChangeSet& resolution, const CommitResult& committed);
    void updateDecisionHint();

    models::Backend& m_backend;
    enforcement::Policy m_policy;
    ActionKind m_kind;
    FairUseState m_state;
    std::optional<FairUseEvent> m_event;
    std::optional<ChangeSet> m_change;
    std::optional<CaseClaim> m_claim;
    std::optional<Casework> m_casework;
    std::optional<Appeal> m_appeal;
    QString m_idempotencyKey;

    QStackedWidget* m_pages;
    QComboBox* m_outcome = nullptr;
    QCheckBox* m_exempt = nullptr;
    QComboBox* m_target = nullptr;
    QComboBox* m_reasonCode = nullptr;
    QComboBox* m_verdict = nullptr;
    QPlainTextEdit* m_text = nullptr;
    QFormLayout* m_form = nullptr;
    QComboBox* m_decision = nullptr;
    QLabel* m_decisionHint = nullptr;
    QComboBox* m_appealChoice = nullptr;
    QPlainTextEdit* m_appealReason = nullptr;
    QLabel* m_message;
    QPlainTextEdit* m_summary;
    QPushButton* m_review;
    QPushButton* m_apply;
    QPushButton* m_back;
    QPushButton* m_cancel;
    ConflictDialog* m_conflict = nullptr;
};

} // namespace fairuse::ui
