#pragma once

#include "Backend.h"
#include "QueueDetailsReader.h"
#include "QueueFilterMatch.h"
#include "QueueOrder.h"
#include "QueuePager.h"
#include "QueueReadAll.h"
#include "QueueSpeechReader.h"
#include "common/Stores.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QTimer>

#include <deque>
#include <vector>

namespace fairuse::models {

/**
 * The flagged-user queue as a table, loaded page by page from CaseStore::fetchQueuePage, sorted and filtered in the
 * model itself.
 *
 * Loading: refresh() requests the first page; every page that arrives is added with one
 * beginInsertRows/endInsertRows (unsorted) or one layout change (sorted: the page is merged at its sorted
 * positions), and the next page is requested at once until the store says there are no more, so a queue of 100,000
 * users fills in the background while the window stays responsive. A page for an older request is dropped.
 * refresh() does not clear the table: the rows shown stay (their values as last read) while the store's pages
 * update them in place, and rows the store no longer returns go when its last page is in. When a page fails the
 * rows stay too, loadFailed() is emitted and isStale() is true until retry() or a new load completes, so a lost
 * connection never empties the queue the reviewer was working on.
 *
 * Sorting (sort(), called by the view's header): typed keys are computed once per sort into a permutation of the
 * loaded rows (ties broken by user id), applied with layoutAboutToBeChanged/layoutChanged and persistent index
 * updates, so the selection and the current row follow their users. 100,000 rows sort in milliseconds, not through
 * QVariant comparisons in a proxy.
 *
 * Filtering (setFilter()): the loaded rows are filtered in the model at once (stage, usage type, score range,
 * open cases), and the store is queried again with the same filter in the background; its pages update the rows in
 * place, add users that were not loaded, and when the last page is in, users the store no longer returns are
 * dropped. The view therefore answers a filter change immediately and still ends up exactly on the store's result.
 *
 * Speech totals: rows the store delivers without speech (Firestore) get them from the UsageStore lazily, only for
 * the cells a view actually paints: requests are queued (most recent first, bounded), at most
 * speechReadLimit() reads are in flight, results are cached per user id and announced with one dataChanged per
 * batch. data() never reads a store itself.
 *
 * Row details: rows a store delivers with QueueRow::detailsKnown false (Firestore, where they cost two queries per
 * row) get their open cases, oldest open case and last action the same way, for painted rows only: per user one
 * CaseStore::listEvents and one CaseStore::listAudit of limit 1 (the newest record), at most detailsReadLimit() users
 * at once, cached per user id. Until then those cells show "…" (and sort as missing values); a sort on one of those
 * columns is re-applied as the details arrive. Both caches are dropped by refresh() (the UI refreshes after every
 * reviewer action).
 *
 * Display strings are computed in data(); Qt::UserRole-based roles give raw values for sorting (SortRole) and
 * exporting (RawValueRole).
 *
 * The model holds the rows and tells views about them; its collaborators do the rest: QueuePager (the page
 * requests), QueueOrder (sort keys and ordering), matchesQueueFilter() (the model's own filter guess),
 * QueueSpeechReader and QueueDetailsReader (the lazy reads and their caches), QueueReadAll (reading every shown row
 * before an export) and QueueFormat (display strings).
 */
class QueueModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        UserColumn,
        StageColumn,
        ScoreColumn,
        UsageTypeColumn,
        DailyColumn,
        ThreeDayColumn,
        WeeklyColumn,
        OpenCasesColumn,
        OldestOpenColumn,
        LastActionColumn,
        UpdatedColumn,
        ColumnCount
    };
    enum Role {
        /** Numbers for numeric columns (score, hours, counts, ages in ms, times in ms since the epoch), strings
         *  otherwise; missing values sort first. The order sort() produces, as a value. */
        SortRole = Qt::UserRole + 1,
        /** The row's user id, on every column. */
        UidRole,
        /** The value an export writes as JSON: numbers stay numbers, missing values are null. */
        RawValueRole,
    };

    explicit QueueModel(Backend& backend, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    /** Sorts the loaded rows (and later pages) by `column`; -1 returns to the store's order. */
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    /** Filters the loaded rows at once, then re-queries the store with `filter` (see the class comment). */
    void setFilter(const services::QueueFilter& filter);
    const services::QueueFilter& filter() const { return m_filter; }
    /** Rows per store call (clamped to 1..1000 by the store); the first page of a load asks for at most 100. */
    void setPageSize(int rows) { m_pager->setPageSize(rows); }
    int pageSize() const { return m_pager->pageSize(); }

    /** Loads again from the first page with the current filter, dropping the speech and details caches. The rows
     *  shown stay until the store's answer replaces them (see the class comment). */
    void refresh();
    /** After a failed page: asks for the same page again (keeps the rows already loaded). */
    void retry();
    /** True after a page failed: the rows shown are what was loaded before, possibly out of date, until a load
     *  (retry(), refresh() or a filter change) gets to its last page. */
    bool isStale() const { return m_pager->isStale(); }

    bool isLoading() const { return m_pager->isLoading(); }
    /** True once the last page arrived without error. */
    bool isComplete() const { return m_pager->isComplete(); }
    int pagesLoaded() const { return m_pager->pagesLoaded(); }
    /** Rows held by the model, shown or filtered out. */
    int loadedRowCount() const { return static_cast<int>(m_rows.size()); }

    /** The row shown at `row` (in the model's current sort and filter). */
    const services::QueueRow& rowAt(int row) const { return m_rows.at(m_order.at(static_cast<std::size_t>(row))); }
    /** Row of a user id, or -1 when the user is not (yet) loaded or is filtered out. */
    int rowOfUid(const QString& uid) const;

    /** Most speech reads in flight at once (default 8). */
    void setSpeechReadLimit(int reads) { m_speech->setLimit(reads); }
    int speechReadLimit() const { return m_speech->limit(); }
    int speechReadsInFlight() const { return m_speech->inFlight(); }

    /** Most users whose details (open cases, oldest open case, last action) are read at once (default 3; each is
     *  two store calls). */
    void setDetailsReadLimit(int users) { m_details->setLimit(users); }
    int detailsReadLimit() const { return m_details->limit(); }
    int detailsReadsInFlight() const { return m_details->inFlight(); }

    /** Shown rows whose speech or details (open cases, oldest open case, last action) are still to be read; rows
     *  whose read failed are not counted (see failedShownRows()). */
    int unreadShownRows() const;
    /** Shown rows whose speech or details could not be read (they export as null until refresh()). */
    int failedShownRows() const;
    /** Reads what unreadShownRows() counts for every shown row, not only painted ones (before an export), within
     *  the same in-flight limits; rows painted meanwhile still go first. refresh() and cancelReadAll() stop it. */
    void readAllShown();
    void cancelReadAll() { m_readAll.cancel(); }

    /** The model's own test of one row against `filter`, used for rows the store has not confirmed yet (the
     *  resolved-only and case-reference parts can only be approximated from a row). */
    static bool rowMatches(const services::QueueFilter& filter, const services::QueueRow& row) {
        return matchesQueueFilter(filter, row);
    }

Q_SIGNALS:
    /** A load started from the first page (after refresh or setFilter). */
    void loadingStarted();
    /** A page was added; `loaded` is the number of rows now shown. */
    void pageLoaded(int loaded, bool more);
    /** The last page arrived; `total` is the number of rows shown. */
    void loadingFinished(int total);
    /** A page request failed; `kind` says whether retrying can help (ErrorKind::Unavailable). */
    void loadFailed(fairuse::ErrorKind kind, const QString& message);

private:
    void startQuery(bool clear, quint64 keptGeneration = 0);
    void addPage(QList<services::QueueRow> rows);
    void finishQuery();

    /** Whether m_rows[i] is shown: the current query returned it, or it passes m_filter while that query runs. */
    bool shows(int i) const;
    /** The current sort over the loaded rows. */
    QueueOrder currentOrder() const { return QueueOrder(m_rows, m_uidKeys, m_sortColumn, m_sortOrder); }
    /** Shown rows (indices into m_rows) in the current sort order. */
    std::vector<int> orderedVisible() const;
    /** Swaps in `order` with a layout change; `remap` maps old m_rows indices to new ones (empty: unchanged). */
    void applyOrder(std::vector<int> order, const std::vector<int>& remap = {},
                    QAbstractItemModel::LayoutChangeHint hint = QAbstractItemModel::NoLayoutChangeHint);
    void rebuildVisibleIndex();
    /** The loaded row of a user id, or null. */
    services::QueueRow* loadedRow(const QString& uid);

    void speechRead(const QString& uid, const SpeechTotals& totals);
    void detailsRead(const QString& uid, const QueueRowDetails& details);
    void scheduleFlush();
    /** Announces the speech and details that arrived, one dataChanged each, and re-sorts rows sorted as missing. */
    void flushLazy();

    Backend& m_backend;
    services::QueueFilter m_filter; ///< what the view shows
    /** A deque: growing it never moves the rows (a QList of 100,000 rows stalled the UI thread reallocating). */
    std::deque<services::QueueRow> m_rows; ///< every loaded row, in arrival (store) order
    QHash<QString, int> m_indexOfUid;      ///< uid -> index into m_rows
    std::vector<int> m_order;              ///< shown row -> index into m_rows
    std::vector<int> m_shownRowOf;         ///< index into m_rows -> shown row, or -1
    std::vector<QueueUidKey> m_uidKeys;    ///< index into m_rows -> packed user id (sort tie-break)
    std::vector<quint64> m_seenIn;         ///< index into m_rows -> query generation that last returned it
    std::vector<qint64> m_arrival;         ///< index into m_rows -> position in the last query's answer
    /** Rows last returned by this generation stay shown while a refresh runs (0: none, as after setFilter). */
    quint64 m_keptGeneration = 0;
    qint64 m_arrived = 0;        ///< rows the current query has returned so far
    bool m_clearedQuery = false; ///< the current query started from an empty table
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;

    QueuePager* m_pager;           ///< child
    QueueSpeechReader* m_speech;   ///< child
    QueueDetailsReader* m_details; ///< child
    QueueReadAll m_readAll;
    QSet<QString> m_speechDirty;  ///< speech filled since the last dataChanged
    QSet<QString> m_detailsDirty; ///< details filled (or failed) since the last dataChanged
    QTimer m_flush;               ///< announces speech and details that arrived, one dataChanged per batch
};

} // namespace fairuse::models
