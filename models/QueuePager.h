#pragma once

#include "Backend.h"
#include "common/Result.h"
#include "common/Stores.h"

#include <QList>
#include <QObject>
#include <QString>

namespace fairuse::models {

/**
 * Loads the queue from CaseStore::fetchQueuePage, page after page, for one query at a time: the first page is short
 * (at most 100 rows) so the first rows show quickly where a store does work per row, and the next page is requested
 * as soon as one arrives, until the store says there are no more. A page for an older query is dropped. When a page
 * fails the load stops and isStale() is true until retry() or a new query gets to its last page.
 */
class QueuePager : public QObject {
    Q_OBJECT
public:
    explicit QueuePager(Backend& backend, QObject* parent = nullptr);

    /** Starts a new query with `filter`: answers of earlier queries are dropped from now on. Call request() to ask
     *  for its first page. */
    void begin(const services::QueueFilter& filter);
    /** Asks for the query's next page. */
    void request();
    /** After a failed page: asks for the same page again. */
    void retry();

    /** Numbers the queries; a row returned by the current query carries this number. */
    quint64 generation() const { return m_generation; }
    /** Rows per store call (clamped to 1..1000 by the store); the first page of a query asks for at most 100. */
    void setPageSize(int rows) { m_pageSize = rows; }
    int pageSize() const { return m_pageSize; }
    bool isLoading() const { return m_loading; }
    bool isComplete() const { return m_complete; }
    bool isStale() const { return m_stale; }
    int pagesLoaded() const { return m_pages; }

Q_SIGNALS:
    /** A page of the current query arrived; `more` when another page follows. */
    void pageArrived(const QList<fairuse::services::QueueRow>& rows, bool more);
    /** The current query's last page arrived (after its pageArrived()). */
    void finished();
    /** A page request failed; `kind` says whether retrying can help (ErrorKind::Unavailable). */
    void failed(fairuse::ErrorKind kind, const QString& message);

private:
    Backend& m_backend;
    services::QueueFilter m_filter; ///< what the current query asks for
    int m_pageSize = 500;
    QString m_cursor;
    quint64 m_generation = 0;
    int m_pages = 0;
    bool m_loading = false;
    bool m_complete = false;
    bool m_stale = false;
};

} // namespace fairuse::models
