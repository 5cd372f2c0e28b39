#pragma once

#include "Backend.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace fairuse::models {
class AuditModel;
}

namespace fairuse::ui {

/**
 * The audit trail, newest first: filter by reviewer, user, action and date range; rows are read from the store a
 * page at a time as the table scrolls (a busy bar while a page loads) and verified off the GUI thread
 * (models::AuditModel). The Chain column shows each row's verdict; the line above the table says what the rows
 * loaded so far prove ("Chain verified from the head (#N) down to #M…", "Record #K is broken: …"). Exports the
 * rows loaded, with their verdicts, as CSV or JSON. Loads by itself the first time it is shown.
 *
 * Object names for tests: reviewerEdit, userEdit, actionCombo, fromCheck, fromEdit, toCheck, toEdit, refreshButton,
 * exportButton, chainLabel, loadingBar, auditTable.
 */
class AuditLogView : public QWidget {
    Q_OBJECT
public:
    explicit AuditLogView(models::Backend& backend, QWidget* parent = nullptr);

    models::AuditModel* model() const { return m_model; }
    QString chainStatus() const;
    /** A page is being read or rows are being verified. */
    bool isLoading() const;

public Q_SLOTS:
    /** Reloads from the newest record with the filter as entered, and verifies again. */
    void refresh();
    void exportRows();

Q_SIGNALS:
    /** Emitted whenever the rows shown are loaded and verified: after refresh() and after each further page. */
    void refreshed();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void updateStatus();

    models::Backend& m_backend;
    models::AuditModel* m_model;
    bool m_loadedOnce = false;

    QLineEdit* m_reviewer;
    QLineEdit* m_user;
    QComboBox* m_action;
    QCheckBox* m_fromCheck;
    QDateEdit* m_from;
    QCheckBox* m_toCheck;
    QDateEdit* m_to;
    QPushButton* m_refresh;
    QPushButton* m_export;
    QLabel* m_chain;
    QLabel* m_status;
    QProgressBar* m_loading;
    QTableView* m_table;
};

} // namespace fairuse::ui
