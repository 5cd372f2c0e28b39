#pragma once

#include "Backend.h"
#include "casework/SavedViews.h"

#include <QDialog>
#include <QList>
#include <QObject>

#include <optional>

class QAction;
class QCheckBox;
class QLabel;
class QLineEdit;
class QMessageBox;
class QPushButton;

namespace fairuse::models {
class SavedViewList;
}

namespace fairuse::ui {

class FilterBar;

/**
 * Save the queue's filter as a view: its name, whether the team shares it, and, when a view the reviewer may change
 * is chosen, whether to replace it or save a new one. Save sends the core's change to the store; a refusal (a name
 * taken, a view someone else changed, a permission) is shown in the dialog and nothing is written.
 *
 * Widgets carry object names (nameEdit, sharedCheck, replaceCheck, filterLabel, saveButton, messageLabel) so tests
 * drive it as a reviewer would.
 */
class SaveViewDialog : public QDialog {
    Q_OBJECT
public:
    SaveViewDialog(models::SavedViewList& views, const casework::ViewFilter& filter, std::optional<SavedView> chosen,
                   QWidget* parent = nullptr);
    QString message() const;

public Q_SLOTS:
    void save();

private:
    void showMessage(const QString& text);

    models::SavedViewList& m_views;
    casework::ViewFilter m_filter;
    std::optional<SavedView> m_chosen;
    QLineEdit* m_name;
    QCheckBox* m_shared;
    QCheckBox* m_replace;
    QPushButton* m_saveButton;
    QLabel* m_message;
    bool m_waiting = false;
};

/**
 * The console's saved views: the store's list (models::SavedViewList) shown in the filter bar's box, and the commands
 * View > Saved views (Ctrl+Shift+V: opens the box), Save view… (Ctrl+Alt+S) and Delete saved view…. The list is read
 * when the window opens and after every change, and again each time the box is opened, so a view a colleague shared
 * shows up without a restart.
 */
class SavedViewsControl : public QObject {
    Q_OBJECT
public:
    SavedViewsControl(models::Backend& backend, FilterBar* filterBar, QWidget* window);

    models::SavedViewList* list() const { return m_list; }
    /** The commands, for the window's View menu and the shortcuts dialog. */
    QList<QAction*> actions() const { return m_actions; }
    /** Opens the save dialog for the current filter (and the chosen view); returns it, shown non-modally. */
    SaveViewDialog* openSaveDialog();
    /** Asks to delete the chosen view (nullptr, with a message, when none is chosen or it may not be changed). */
    QMessageBox* openDeleteConfirm();

Q_SIGNALS:
    /** A line for the status bar: saved, deleted, chosen, refused. */
    void message(const QString& text);

private:
    void refill();

    models::Backend& m_backend;
    FilterBar* m_bar;
    QWidget* m_window;
    models::SavedViewList* m_list;
    QList<QAction*> m_actions;
    QString m_pendingSelect; ///< a view just saved, selected when the list comes back
};

} // namespace fairuse::ui
