#pragma once
// Shared by the GUI tests that drive the main window composed from the emulator profile.

#include "MainWindow.h"
#include "QueueView.h"

#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QTableView>

namespace fairuse::testing::emulatorconsole {

/** Makes a queue row current so that the user view loads it, even when the table had already made it current itself
 *  (a table that gets the focus makes its first row current, and that load may be long finished). */
inline void openQueueRow(ui::MainWindow& window, int proxyRow) {
    QTableView* table = window.queueView()->table();
    table->selectionModel()->clearCurrentIndex();
    table->setCurrentIndex(window.queueView()->proxy()->index(proxyRow, 0));
}

} // namespace fairuse::testing::emulatorconsole
