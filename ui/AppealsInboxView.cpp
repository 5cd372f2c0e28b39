#include "AppealsInboxView.h"

#include "AppealsModel.h"
#include "BulkResolver.h"
#include "DetailFormat.h"
#include "FutureWatch.h"
#include "InboxLayout.h"

#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QTableView>

namespace fairuse::ui {

AppealsInboxView::AppealsInboxView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(new models::AppealsModel(this))
    , m_table(new QTableView(this))
    , m_detail(new QLabel(this))
    , m_status(new QLabel(this)) {
    setAccessibleName(tr("Appeals inbox"));
    m_table->setObjectName(QStringLiteral("appealsTable"));
    m_table->setAccessibleName(tr("Open appeals"));
    m_detail->setObjectName(QStringLiteral("appealDetail"));
    m_detail->setAccessibleName(tr("Appeal message"));
    m_status->setObjectName(QStringLiteral("appealsStatus"));
    QPushButton* refreshButton = layOutInbox(this, tr("Open appeals, oldest first. Enter opens the user."), m_table,
                                             m_model, models::AppealsModel::UserColumn, m_detail, m_status);

    connect(refreshButton, &QPushButton::clicked, this, &AppealsInboxView::refresh);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { showCurrent(); });
    connect(m_table, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        if (index.isValid()) {
            Q_EMIT userRequested(index.data(models::AppealsModel::UidRole).toString());
        }
    });
}

QString AppealsInboxView::statusText() const {
    return m_status->text();
}

QString AppealsInboxView::detailText() const {
    return m_detail->text();
}

void AppealsInboxView::refresh() {
    const quint64 generation = ++m_generation;
    if (!m_backend.cases) {
        m_model->clear();
        m_status->setText(tr("No case store is connected."));
        Q_EMIT refreshed();
        return;
    }
    m_status->setText(tr("Loading open appeals from %1…").arg(m_backend.cases->describe()));
    models::whenFinished(
        this, m_backend.cases->listOpenAppeals(kLimit), [this, generation](const Result<QList<Appeal>>& r) {
            if (generation != m_generation) {
                return;
            }
            m_model->setNow(models::backendNow(m_backend));
            if (!r) {
                m_model->clear();
                m_status->setText(tr("Could not load the open appeals from %1: %2")
                                      .arg(m_backend.cases->describe(), r.error().message));
                Q_EMIT refreshed();
                return;
            }
            m_model->setRows(r.value());
            // One measurement per refresh (at most kLimit rows); the message column stretches.
            for (int c = models::AppealsModel::WaitingColumn; c < models::AppealsModel::MessageColumn; ++c) {
                m_table->resizeColumnToContents(c);
            }
            const auto n = static_cast<int>(r->size());
            m_status->setText(n >= kLimit ? tr("The oldest %1 open appeals; more are waiting.").arg(n)
                                          : tr("%n open appeal(s).", nullptr, n));
            if (n > 0) {
                m_table->selectRow(0);
            }
            showCurrent();
            Q_EMIT refreshed();
        });
}

void AppealsInboxView::showCurrent() {
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->setText(m_model->rowCount() == 0 ? tr("No open appeals.") : QString());
        return;
    }
    const Appeal& a = m_model->rowAt(current.row());
    m_detail->setText(tr("%1, %2 via %3, contesting %4:\n%5")
                          .arg(a.uid, models::formatTime(a.createdAt), models::appealChannelLabel(a.channel),
                               a.caseRef.isEmpty() ? tr("the current stage") : a.caseRef, a.message));
}

} // namespace fairuse::ui
