#pragma once

#include <QDialog>
#include <QList>

class QAction;
class QTableWidget;

namespace fairuse::ui {

/**
 * Lists every keyboard shortcut of the console, generated from the QActions themselves (text, all shortcuts,
 * status tip), so the list cannot drift from what the keys really do. Actions without a shortcut are left out.
 */
class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);

    /** The table, for tests: column 0 the action, column 1 its shortcuts, column 2 what it does. */
    QTableWidget* table() const { return m_table; }

    /** "Resolve case" from "&Resolve case…": the action's text without mnemonics and ellipsis. */
    static QString plainText(const QAction* action);

private:
    QTableWidget* m_table;
};

} // namespace fairuse::ui
