#pragma once

#include "Backend.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace fairuse::models {
class AuditModel;
}

namespace fairuse::ui {

/**
 * The audit trail: filter by reviewer, user, action and date range; shows whether the hash chain is intact
 * (verifyChain over the whole chain, not just the filtered rows: "chain intact: N records" or "broken at record
 * #K: reason"); exports the filtered rows as CSV or JSON.
 *
 * Object names for tests: reviewerEdit, userEdit, actionCombo, fromCheck, fromEdit, toCheck, toEdit, refreshButton,
 * exportButton, chainLabel, auditTable.
 */
class AuditLogView : public QWidget {
    Q_OBJECT
public:
    explicit AuditLogView(models::Backend& backend, QWidget* parent = nullptr);

    models::AuditModel* model() const { return m_model; }
    QString chainStatus() const;
    bool isLoading() const { return m_pending > 0; }

public Q_SLOTS:
    /** Reloads the filtered rows and verifies the chain again. */
    void refresh();
    void exportRows();

Q_SIGNALS:
    void refreshed();

private:
    void done();

    models::Backend& m_backend;
    models::AuditModel* m_model;
    quint64 m_generation = 0;
    int m_pending = 0;

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
    QTableView* m_table;
};

} // namespace fairuse::ui
