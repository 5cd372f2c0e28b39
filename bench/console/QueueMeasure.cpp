#include "QueueMeasure.h"

#include "Backend.h"
#include "FilterBar.h"
#include "QueueModel.h"
#include "QueueView.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QTableView>

namespace fairuse::bench {

QueueFigures measureQueue(models::Backend& backend, int loadTimeoutMs) {
    QueueFigures fig;
    ui::QueueView view(backend);
    view.resize(900, 800);
    view.show();
    models::QueueModel* model = view.model();
    QTableView* table = view.table();
    QCoreApplication::processEvents();

    bool finished = false;
    QObject::connect(model, &models::QueueModel::loadingFinished, &view, [&] { finished = true; });
    QObject::connect(model, &models::QueueModel::loadFailed, &view, [&](ErrorKind, const QString& message) {
        fig.error = message;
        finished = true;
    });
    Clock::time_point start = Clock::now();
    QObject::connect(model, &models::QueueModel::pageLoaded, &view, [&](int loaded, bool) {
        if (fig.firstRowsMs < 0 && loaded > 0) {
            fig.firstRowsMs = msSince(start);
        }
    });
    // Rows that arrive without open cases and last action (Firestore without enrichment) get them for the rows in
    // view: the time until the first screen is complete.
    bool detailsPending = false;
    const auto detailsInView = [&] {
        if (fig.detailsInViewMs >= 0 || model->rowCount() == 0) {
            return;
        }
        const int top = std::max(0, table->rowAt(0));
        int bottom = table->rowAt(table->viewport()->height() - 1);
        bottom = bottom < 0 ? model->rowCount() - 1 : bottom;
        bool known = true;
        for (int r = top; r <= bottom && r < model->rowCount(); ++r) {
            known = known && model->rowAt(view.proxy()->mapToSource(view.proxy()->index(r, 0)).row()).detailsKnown;
        }
        detailsPending = detailsPending || !known;
        if (known && detailsPending) {
            fig.detailsInViewMs = msSince(start);
        }
    };
    QObject::connect(model, &QAbstractItemModel::dataChanged, &view, detailsInView);
    QObject::connect(model, &models::QueueModel::pageLoaded, &view, detailsInView);
    view.refresh();
    spin([&] { return finished; }, loadTimeoutMs, &fig.stallMs,
         [&] {
             fig.stallAtRows = model->rowCount();
             fig.stallAtMs = msSince(start);
         });
    fig.loadedMs = finished ? msSince(start) : -1;
    if (detailsPending) {
        spin([&] { return fig.detailsInViewMs >= 0; }, 10000);
    }
    QObject::disconnect(model, &QAbstractItemModel::dataChanged, &view, nullptr);
    fig.complete = model->isComplete();
    fig.rows = model->rowCount();
    fig.pages = model->pagesLoaded();
    if (!fig.complete || fig.rows == 0) {
        return fig;
    }

    // A reviewer's selection and current row, which every sort must carry along.
    QItemSelectionModel* selection = table->selectionModel();
    for (int r : {3, fig.rows / 2, fig.rows - 2}) {
        selection->select(view.proxy()->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    selection->setCurrentIndex(view.proxy()->index(fig.rows / 3, 0), QItemSelectionModel::NoUpdate);
    QCoreApplication::processEvents();

    const QList<int> columns = {models::QueueModel::ScoreColumn, models::QueueModel::StageColumn,
                                models::QueueModel::WeeklyColumn};
    for (int column : columns) {
        QList<double> calls;
        QList<double> painted;
        for (int run = 0; run < 5; ++run) {
            const Qt::SortOrder order = run % 2 == 0 ? Qt::DescendingOrder : Qt::AscendingOrder;
            const Clock::time_point t0 = Clock::now();
            table->sortByColumn(column, order);
            calls.append(msSince(t0));
            view.repaint();
            painted.append(msSince(t0));
            QCoreApplication::processEvents();
        }
        fig.sorts.append({model->headerData(column, Qt::Horizontal).toString(), {median(calls), median(painted)}});
    }

    // Filter on the stage (the loaded rows answer at once; the store's answer follows), then widen back.
    QComboBox* stage = view.filterBar()->stageBox();
    finished = false;
    Clock::time_point t0 = Clock::now();
    stage->setCurrentIndex(stage->findData(static_cast<int>(Stage::Restrict)));
    fig.filterShownMs = msSince(t0);
    fig.filterRows = model->rowCount();
    spin([&] { return finished; }, loadTimeoutMs);
    fig.filterStoreMs = finished ? msSince(t0) : -1;
    finished = false;
    t0 = Clock::now();
    stage->setCurrentIndex(0);
    fig.widenShownMs = msSince(t0);
    spin([&] { return finished; }, loadTimeoutMs);
    fig.widenStoreMs = finished ? msSince(t0) : -1;
    return fig;
}

void addQueueRows(QList<TableRow>& table, const QString& store, const QueueFigures& f) {
    if (!f.error.isEmpty()) {
        table.append({store + QStringLiteral(": load failed"), f.error, {}});
        return;
    }
    table.append({store + QStringLiteral(": rows loaded"),
                  QStringLiteral("%1 in %2 pages%3")
                      .arg(f.rows)
                      .arg(f.pages)
                      .arg(f.complete ? QString() : QStringLiteral(" (timed out)")),
                  {}});
    table.append({store + QStringLiteral(": time to first rows (ms)"), fmt(f.firstRowsMs), QStringLiteral("< 300")});
    if (f.detailsInViewMs >= 0) {
        table.append({store + QStringLiteral(": open cases + last action of the rows in view (ms)"),
                      fmt(f.detailsInViewMs, 0),
                      {}});
    }
    table.append({store + QStringLiteral(": time to fully loaded (ms)"), fmt(f.loadedMs, 0), {}});
    table.append(
        {store + QStringLiteral(": longest UI stall while loading (ms)"),
         fmt(f.stallMs) + QStringLiteral(" (ended at %1 ms, %2 rows)").arg(fmt(f.stallAtMs, 0)).arg(f.stallAtRows),
         {}});
    for (const auto& [column, ms] : f.sorts) {
        table.append({store + QStringLiteral(": sort by %1 (ms, call / +repaint)").arg(column),
                      fmt(ms.first) + QStringLiteral(" / ") + fmt(ms.second), QStringLiteral("< 100")});
    }
    if (f.filterShownMs >= 0) {
        table.append({store + QStringLiteral(": filter stage=restrict, shown (ms)"),
                      fmt(f.filterShownMs) + QStringLiteral(" (%1 rows)").arg(f.filterRows), QStringLiteral("< 100")});
        table.append({store + QStringLiteral(": filter stage=restrict, store answer complete (ms)"),
                      fmt(f.filterStoreMs, 0),
                      {}});
        table.append(
            {store + QStringLiteral(": clear filter, shown (ms)"), fmt(f.widenShownMs), QStringLiteral("< 100")});
        table.append(
            {store + QStringLiteral(": clear filter, store answer complete (ms)"), fmt(f.widenStoreMs, 0), {}});
    }
}

} // namespace fairuse::bench
