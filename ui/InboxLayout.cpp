#include "InboxLayout.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace fairuse::ui {

QPushButton* layOutInbox(QWidget* page, const QString& title, QTableView* table, QAbstractItemModel* model,
                         int userColumn, QLabel* detail, QLabel* status) {
    auto* refresh = new QPushButton(QObject::tr("Re&fresh"), page);
    auto* top = new QHBoxLayout();
    top->addWidget(new QLabel(title, page), 1);
    top->addWidget(refresh);

    table->setModel(model);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setTextElideMode(Qt::ElideMiddle);
    table->setColumnWidth(userColumn, 150);

    detail->setWordWrap(true);
    detail->setTextFormat(Qt::PlainText);
    detail->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    status->setWordWrap(true);

    auto* layout = new QVBoxLayout(page);
    layout->addLayout(top);
    layout->addWidget(table, 1);
    layout->addWidget(detail);
    layout->addWidget(status);
    return refresh;
}

} // namespace fairuse::ui
