#pragma once

#include "Backend.h"
#include "common/Stores.h"

#include <QList>
#include <QObject>
#include <QString>

namespace fairuse::models {

/**
 * Reads the audit log from the case store one page at a time, newest first (CaseStore::listAuditPage), and the
 * chain head (CaseStore::readAuditHead). One page is in flight at most; the next one is read when someone asks
 * (fetchNext(), from the model's fetchMore()). A page that comes back empty while the store says older records
 * may match (a time range the store applies while paging) is followed by the next one at once, since no view
 * would ask for more after an answer that added nothing.
 *
 * start() begins a new load and drops every answer of the loads before it. Answers are delivered through
 * whenFinished() (FutureWatch.h), so none arrives after the pager is gone.
 */
class AuditPager : public QObject {
    Q_OBJECT
public:
    explicit AuditPager(Backend& backend, QObject* parent = nullptr);

    /** Starts a new load: the first page of `filter` with `pageSize` records, and the chain head if `readHead`. */
    void start(const services::AuditFilter& filter, int pageSize, bool readHead);
    /** Reads the next page, unless one is in flight, the last one has arrived, or the previous one failed. */
    void fetchNext();
    /** After a failed page: reads the same page again. */
    void retry();

    bool isLoading() const { return m_loading; }
    /** Older records may match: the store gave a cursor with the last page. */
    bool hasMore() const { return m_more; }
    bool hasFailed() const { return m_failed; }

Q_SIGNALS:
    void loadingChanged(bool loading);
    void headRead(const fairuse::services::AuditHead& head);
    void headFailed(const QString& message);
    /** One page, newest first; `more` as hasMore(). */
    void pageRead(const QList<fairuse::AuditRecord>& newestFirst, bool more);
    void pageFailed(const QString& message);

private:
    /** Reads the page at m_cursor; loading stays on through pages that come back empty. */
    void requestPage();
    void setLoading(bool loading);

    Backend& m_backend;
    services::AuditFilter m_filter;
    int m_pageSize = 100;
    QString m_cursor;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_more = false;
    bool m_failed = false;
};

} // namespace fairuse::models
