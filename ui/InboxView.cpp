#include "InboxView.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace fairuse::ui {

InboxView::InboxView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_table(new QTableView(this))
    , m_detail(new QLabel(this))
    , m_status(new QLabel(this)) {}

void InboxView::setUp(const Names& names, QAbstractItemModel* model, int userColumn, int uidRole, int firstFitted,
                      int lastFitted) {
    m_items = names.items;
    m_firstFitted = firstFitted;
    m_lastFitted = lastFitted;
    setAccessibleName(names.page);
    m_table->setObjectName(names.tableObject);
    m_table->setAccessibleName(names.table);
    m_detail->setObjectName(names.detailObject);
    m_detail->setAccessibleName(names.detail);
    m_status->setObjectName(names.statusObject);

    auto* refreshButton = new QPushButton(tr("Re&fresh"), this);
    auto* top = new QHBoxLayout();
    top->addWidget(new QLabel(names.title, this), 1);
    top->addWidget(refreshButton);

    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setColumnWidth(userColumn, 150);

    m_detail->setWordWrap(true);
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_status->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_detail);
    layout->addWidget(m_status);

    connect(refreshButton, &QPushButton::clicked, this, &InboxView::refresh);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { showCurrent(); });
    connect(m_table, &QAbstractItemView::activated, this, [this, uidRole](const QModelIndex& index) {
        if (index.isValid()) {
            Q_EMIT userRequested(index.data(uidRole).toString());
        }
    });
}

QString InboxView::statusText() const {
    return m_status->text();
}

QString InboxView::detailText() const {
    return m_detail->text();
}

void InboxView::refresh() {
    ++m_generation;
    if (!m_backend.cases) {
        clearRows();
        m_status->setText(tr("No case store is connected."));
        Q_EMIT refreshed();
        return;
    }
    m_status->setText(tr("Loading %1 from %2…").arg(m_items, m_backend.cases->describe()));
    read();
}

void InboxView::done(int n, const QString& error) {
    if (n < 0) {
        clearRows();
        m_status->setText(tr("Could not load the %1 from %2: %3").arg(m_items, m_backend.cases->describe(), error));
        Q_EMIT refreshed();
        return;
    }
    // One measurement per refresh (at most kLimit rows); the last column stretches.
    for (int c = m_firstFitted; c < m_lastFitted; ++c) {
        m_table->resizeColumnToContents(c);
    }
    m_status->setText(n >= kLimit ? tr("The oldest %1 %2; more are waiting.").arg(n).arg(m_items) : countText(n));
    if (n > 0) {
        m_table->selectRow(0);
    }
    showCurrent();
    Q_EMIT refreshed();
}

void InboxView::showCurrent() {
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->setText(m_table->model()->rowCount() == 0 ? emptyText() : QString());
        return;
    }
    m_detail->setText(rowText(current.row()));
}

} // namespace fairuse::ui
