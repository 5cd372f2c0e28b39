#pragma once

#include "Backend.h"
#include "common/ChangeSet.h"
#include "common/Domain.h"

#include <QDialog>
#include <QList>

#include <optional>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace fairuse::ui {

/** The casework actions of the user view (casework/Casework.h). */
enum class CaseworkKind { Escalate, DeEscalate, Snooze, Unsnooze, PinNote, UnpinNote };

/**
 * One casework action in one step: the form asks for what the action needs (the note for the senior, the snooze's
 * end or "until the next cap hit", the note to pin, which pinned note to unpin), Apply builds the ChangeSet with the
 * core, which checks the role, and sends it to CaseStore::apply. A refusal or a conflict is shown in the dialog and
 * nothing is written.
 *
 * Widgets carry object names (textEdit, snoozeUntilEdit, untilCapHitCheck, noteCombo, applyButton, messageLabel) so
 * tests drive the dialog like a reviewer would.
 */
class CaseworkDialog : public QDialog {
    Q_OBJECT
public:
    CaseworkDialog(models::Backend& backend, CaseworkKind kind, FairUseState state,
                   std::optional<FairUseEvent> openCase, std::optional<Casework> casework, QList<UserNote> pinned,
                   QWidget* parent = nullptr);

    CaseworkKind kind() const { return m_kind; }
    static QString titleFor(CaseworkKind kind);
    /** The refusal or error currently shown, empty when none. */
    QString message() const;

public Q_SLOTS:
    void applyChange();

Q_SIGNALS:
    void applied(const fairuse::CommitResult& result, const fairuse::ChangeSet& change);

private:
    Result<ChangeSet> build() const;
    void showMessage(const QString& text);

    models::Backend& m_backend;
    CaseworkKind m_kind;
    FairUseState m_state;
    std::optional<FairUseEvent> m_openCase;
    std::optional<Casework> m_casework;
    QList<UserNote> m_pinned;

    QPlainTextEdit* m_text = nullptr;
    QDateTimeEdit* m_until = nullptr;
    QCheckBox* m_capHit = nullptr;
    QComboBox* m_note = nullptr;
    QLabel* m_message;
    QPushButton* m_apply;
};

} // namespace fairuse::ui
