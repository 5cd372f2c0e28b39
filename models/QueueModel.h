#pragma once

#include "Backend.h"
#include "common/Stores.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QString>

namespace fairuse::models {

/**
 * The flagged-user queue as a table, loaded page by page from CaseStore::fetchQueuePage.
 *
 * refresh() (or setFilter()) clears the table and requests the first page; every page that arrives is appended
 * with one beginInsertRows/endInsertRows, and the next page is requested at once until the store says there are
 * no more, so a queue of 100,000 users fills in the background while the window stays responsive. A page that
 * arrives for an older request (the filter changed meanwhile) is dropped. Display strings are computed in data();
 * Qt::UserRole-based roles give raw values for sorting (SortRole) and exporting (RawValueRole).
 *
 * Filtering by stage, usage type, score range and resolution is done by the store query (setFilter re-queries);
 * sorting is left to a QSortFilterProxyModel with sortRole() == SortRole.
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
         *  otherwise; missing values sort first. */
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

    /** Replaces the filter and reloads from the first page. */
    void setFilter(const services::QueueFilter& filter);
    const services::QueueFilter& filter() const { return m_filter; }
    /** Rows per store call (clamped to 1..1000 by the store). */
    void setPageSize(int rows) { m_pageSize = rows; }
    int pageSize() const { return m_pageSize; }

    /** Clears the table and loads again from the first page with the current filter. */
    void refresh();
    /** After a failed page: asks for the same page again (keeps the rows already loaded). */
    void retry();

    bool isLoading() const { return m_loading; }
    /** True once the last page arrived without error. */
    bool isComplete() const { return m_complete; }
    int pagesLoaded() const { return m_pages; }

    const services::QueueRow& rowAt(int row) const { return m_rows.at(row); }
    /** Row of a user id, or -1 when the user is not (yet) loaded. */
    int rowOfUid(const QString& uid) const { return m_rowOfUid.value(uid, -1); }

Q_SIGNALS:
    /** A load started from the first page (after refresh or setFilter). */
    void loadingStarted();
    /** A page was appended; `loaded` is the number of rows now in the table. */
    void pageLoaded(int loaded, bool more);
    /** The last page arrived. */
    void loadingFinished(int total);
    /** A page request failed; `kind` says whether retrying can help (ErrorKind::Unavailable). */
    void loadFailed(fairuse::ErrorKind kind, const QString& message);

private:
    void requestPage();
    QString speechCell(std::int64_t ms, std::int64_t capMs) const;

    Backend& m_backend;
    services::QueueFilter m_filter;
    int m_pageSize = 500;
    QList<services::QueueRow> m_rows;
    QHash<QString, int> m_rowOfUid;
    QString m_cursor;
    quint64 m_generation = 0;
    int m_pages = 0;
    bool m_loading = false;
    bool m_complete = false;
};

} // namespace fairuse::models
