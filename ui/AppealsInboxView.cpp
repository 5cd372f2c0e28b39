#include "AppealsInboxView.h"

#include "AppealsModel.h"
#include "BulkResolver.h"
#include "DetailFormat.h"

namespace fairuse::ui {

AppealsInboxView::AppealsInboxView(models::Backend& backend, QWidget* parent)
    : InboxView(backend, parent)
    , m_model(new models::AppealsModel(this)) {
    setUp({tr("Appeals inbox"), tr("Open appeals, oldest first. Enter opens the user."), tr("Open appeals"),
           QStringLiteral("appealsTable"), tr("Appeal message"), QStringLiteral("appealDetail"),
           QStringLiteral("appealsStatus"), tr("open appeals")},
          m_model, models::AppealsModel::UserColumn, models::AppealsModel::UidRole, models::AppealsModel::WaitingColumn,
          models::AppealsModel::MessageColumn);
}

void AppealsInboxView::read() {
    finish(m_backend.cases->listOpenAppeals(kLimit), [this](const QList<Appeal>& rows) {
        m_model->setNow(models::backendNow(m_backend));
        m_model->setRows(rows);
    });
}

void AppealsInboxView::clearRows() {
    m_model->clear();
}

QString AppealsInboxView::countText(int n) const {
    return tr("%n open appeal(s).", nullptr, n);
}

QString AppealsInboxView::emptyText() const {
    return tr("No open appeals.");
}

QString AppealsInboxView::rowText(int row) const {
    const Appeal& a = m_model->rowAt(row);
    return tr("%1, %2 via %3, contesting %4:\n%5")
        .arg(a.uid, models::formatTime(a.createdAt), models::appealChannelLabel(a.channel),
             a.caseRef.isEmpty() ? tr("the current stage") : a.caseRef, a.message);
}

} // namespace fairuse::ui
