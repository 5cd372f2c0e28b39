#include "QueuePager.h"

#include "FutureWatch.h"

#include <algorithm>

namespace fairuse::models {

namespace {

/** The first page of a query is at most this long, so the first rows show quickly even where a store does work per
 *  row (Firestore counts open cases per row); later pages use the full page size. */
constexpr int kFirstPageRows = 100;

} // namespace

QueuePager::QueuePager(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {}

void QueuePager::begin(const services::QueueFilter& filter) {
    ++m_generation;
    m_filter = filter;
    m_cursor.clear();
    m_pages = 0;
    m_complete = false;
    m_loading = true;
}

void QueuePager::retry() {
    if (m_complete || m_loading) {
        return;
    }
    m_loading = true;
    request();
}

void QueuePager::request() {
    if (!m_backend.cases) {
        m_loading = false;
        Q_EMIT failed(ErrorKind::Internal, tr("No case store is connected."));
        return;
    }
    const quint64 generation = m_generation;
    const int limit = m_pages == 0 ? std::min(m_pageSize, kFirstPageRows) : m_pageSize;
    const services::Async<services::QueuePage> answer = m_backend.cases->fetchQueuePage(m_filter, m_cursor, limit);
    whenFinished(this, answer, [this, generation](const Result<services::QueuePage>& page) {
        if (generation != m_generation) {
            return; // the filter changed while this page was in flight
        }
        if (!page.ok()) {
            m_loading = false;
            m_stale = true; // the rows stay as they were; retry() asks for this page again
            Q_EMIT failed(page.error().kind, page.error().message);
            return;
        }
        ++m_pages;
        m_cursor = page->nextCursor;
        const bool more = !m_cursor.isEmpty() && !page->rows.isEmpty();
        Q_EMIT pageArrived(page->rows, more);
        if (more) {
            request();
        } else {
            m_loading = false;
            m_complete = true;
            m_stale = false;
            Q_EMIT finished();
        }
    });
}

} // namespace fairuse::models
