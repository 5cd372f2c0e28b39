#include "AuditPager.h"

#include "FutureWatch.h"

namespace fairuse::models {

AuditPager::AuditPager(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {}

void AuditPager::start(const services::AuditFilter& filter, int pageSize, bool readHead) {
    ++m_generation;
    m_filter = filter;
    m_pageSize = pageSize;
    m_cursor.clear();
    m_failed = false;
    m_more = m_backend.cases != nullptr;
    if (!m_backend.cases) {
        setLoading(false);
        return;
    }
    if (readHead) {
        const quint64 generation = m_generation;
        whenFinished(this, m_backend.cases->readAuditHead(), [this, generation](const Result<services::AuditHead>& r) {
            if (generation != m_generation) {
                return;
            }
            if (r) {
                Q_EMIT headRead(r.value());
            } else {
                Q_EMIT headFailed(r.error().message);
            }
        });
    }
    // A load still in flight is simply superseded: loading stays on for the new one.
    setLoading(true);
    requestPage();
}

void AuditPager::fetchNext() {
    if (m_loading || !m_more || m_failed || !m_backend.cases) {
        return;
    }
    setLoading(true);
    requestPage();
}

void AuditPager::requestPage() {
    const quint64 generation = m_generation;
    whenFinished(this, m_backend.cases->listAuditPage(m_filter, m_cursor, m_pageSize),
                 [this, generation](const Result<services::AuditPage>& r) {
                     if (generation != m_generation) {
                         return;
                     }
                     // Loading ends after the answer is delivered, so whoever waits for "not loading" finds the
                     // page's rows already there.
                     if (!r) {
                         m_failed = true;
                         Q_EMIT pageFailed(r.error().message);
                     } else {
                         m_cursor = r->nextCursor;
                         m_more = !m_cursor.isEmpty();
                         if (r->records.isEmpty() && m_more) {
                             requestPage();
                             return;
                         }
                         Q_EMIT pageRead(r->records, m_more);
                     }
                     if (generation == m_generation) {
                         setLoading(false);
                     }
                 });
}

void AuditPager::retry() {
    m_failed = false;
    fetchNext();
}

void AuditPager::setLoading(bool loading) {
    if (m_loading != loading) {
        m_loading = loading;
        Q_EMIT loadingChanged(loading);
    }
}

} // namespace fairuse::models
