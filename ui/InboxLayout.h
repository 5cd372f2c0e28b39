#pragma once

#include <QString>

class QAbstractItemModel;
class QLabel;
class QPushButton;
class QTableView;
class QWidget;

namespace fairuse::ui {

/**
 * The layout the inbox pages share (the appeals inbox, the LLM-spend cases): a title with a Refresh button, a table
 * of one read-only row per item (selected whole, user ids elided in the middle, as in the queue; the user column
 * 150 px wide, the last one stretched), the current row in full below it, and a status line. Lays `page` out and
 * returns the Refresh button.
 */
QPushButton* layOutInbox(QWidget* page, const QString& title, QTableView* table, QAbstractItemModel* model,
                         int userColumn, QLabel* detail, QLabel* status);

} // namespace fairuse::ui
