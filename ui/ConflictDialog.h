#pragma once

#include <QDialog>

class QPlainTextEdit;

namespace fairuse::ui {

/**
 * Shown when a reviewer action hit a Conflict: someone changed the user or the case after it was loaded. Shows what
 * the reviewer wanted next to what is stored now (re-read from the store) and overwrites nothing; "Reload and redo"
 * asks the view to reload so the reviewer can repeat the action on the current data.
 */
class ConflictDialog : public QDialog {
    Q_OBJECT
public:
    ConflictDialog(const QString& summary, const QString& yours, const QString& stored, QWidget* parent = nullptr);

    QString yoursText() const;
    QString storedText() const;

Q_SIGNALS:
    void reloadRequested();

private:
    QPlainTextEdit* m_yours;
    QPlainTextEdit* m_stored;
};

} // namespace fairuse::ui
