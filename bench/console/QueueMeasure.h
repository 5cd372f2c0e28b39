#pragma once
// One store's queue in the console's queue view: time to the first rows and to fully loaded, the longest UI stall,
// sorts and a filter, as rows of the bench's table.

#include "QueueBenchSupport.h"

#include <QPair>

namespace fairuse::models {
struct Backend;
}

namespace fairuse::bench {

/** What one store's queue measured. */
struct QueueFigures {
    int rows = 0;
    int pages = 0;
    double firstRowsMs = -1;
    double detailsInViewMs = -1; ///< rows delivered without details: until the rows in view have them
    double loadedMs = -1;
    double stallMs = -1;
    int stallAtRows = 0;
    double stallAtMs = -1;
    bool complete = false;
    QList<QPair<QString, QPair<double, double>>> sorts; ///< column -> (call, call + repaint)
    double filterShownMs = -1;
    double filterStoreMs = -1;
    int filterRows = 0;
    double widenShownMs = -1;
    double widenStoreMs = -1;
    QString error;
};

/** Loads the queue of `backend` into a QueueView, then sorts and filters it. */
QueueFigures measureQueue(models::Backend& backend, int loadTimeoutMs);

/** The table's rows for `f`, labelled with `store`. */
void addQueueRows(QList<TableRow>& table, const QString& store, const QueueFigures& f);

} // namespace fairuse::bench
