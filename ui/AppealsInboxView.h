#pragma once

#include "Backend.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace fairuse::models {
class AppealsModel;
}

namespace fairuse::ui {

/**
 * The manual-review inbox: open appeals of every user, oldest first (CaseStore::listOpenAppeals), with who appealed,
 * how long they have waited, the channel, the contested case and the message (elided in the table; in full in the
 * tooltip and below the table for the current row). Enter or a double click asks to open the user.
 *
 * Object names for tests: appealsTable, appealDetail, appealsStatus.
 */
class AppealsInboxView : public QWidget {
    Q_OBJECT
public:
    /** Appeals read per refresh; an inbox longer than this says so. */
    static constexpr int kLimit = 500;

    explicit AppealsInboxView(models::Backend& backend, QWidget* parent = nullptr);

    models::AppealsModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QString statusText() const;
    /** The full message of the current row, as shown below the table. */
    QString detailText() const;

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();
    /** The reviewer opened the appeal of `uid` (Enter or double click). */
    void userRequested(const QString& uid);

private:
    void showCurrent();

    models::Backend& m_backend;
    quint64 m_generation = 0;
    models::AppealsModel* m_model;
    QTableView* m_table;
    QLabel* m_detail;
    QLabel* m_status;
};

} // namespace fairuse::ui
