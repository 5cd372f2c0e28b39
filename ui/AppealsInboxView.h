#pragma once

#include "InboxView.h"

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
class AppealsInboxView : public InboxView {
    Q_OBJECT
public:
    explicit AppealsInboxView(models::Backend& backend, QWidget* parent = nullptr);

    models::AppealsModel* model() const { return m_model; }

protected:
    void read() override;
    void clearRows() override;
    QString countText(int n) const override;
    QString emptyText() const override;
    QString rowText(int row) const override;

private:
    models::AppealsModel* m_model;
};

} // namespace fairuse::ui
