#include "AuditChainCheck.h"

#include "FutureWatch.h"

#include <QtConcurrent/QtConcurrentRun>

namespace fairuse::models {

void AuditChainCheck::reset(bool linked) {
    ++m_generation;
    m_linked = linked;
    m_headState = HeadState::Unknown;
    m_head = {};
    m_above.reset();
    m_firstPageStarted = false;
    m_waiting.clear();
    m_running = 0;
}

void AuditChainCheck::setHead(const services::AuditHead& head) {
    m_headState = HeadState::Known;
    m_head = linkFromHead(head.sequence, head.hash);
    const QList<Page> waiting = std::exchange(m_waiting, {});
    for (const Page& page : waiting) {
        startLinked(page);
    }
}

void AuditChainCheck::headUnavailable() {
    m_headState = HeadState::Unavailable;
    const QList<Page> waiting = std::exchange(m_waiting, {});
    for (const Page& page : waiting) {
        startLinked(page);
    }
}

void AuditChainCheck::addPage(qsizetype firstRow, const QList<AuditRecord>& newestFirst) {
    if (newestFirst.isEmpty()) {
        return;
    }
    Page page{firstRow, newestFirst};
    if (!m_linked) {
        run(page.firstRow, std::move(page.records), false, std::nullopt);
        return;
    }
    // Pages start in order: a page that arrives before the head waits, and so do the pages after it.
    if (!m_waiting.isEmpty() || (!m_firstPageStarted && m_headState == HeadState::Unknown)) {
        m_waiting.append(std::move(page));
        return;
    }
    startLinked(page);
}

void AuditChainCheck::startLinked(const Page& page) {
    std::optional<ChainLink> above = m_above;
    if (!m_firstPageStarted) {
        m_firstPageStarted = true;
        above = m_headState == HeadState::Known ? std::optional<ChainLink>(m_head) : std::nullopt;
    }
    m_above = linkBelow(page.records.constLast());
    run(page.firstRow, page.records, true, above);
}

void AuditChainCheck::run(qsizetype firstRow, QList<AuditRecord> records, bool linked, std::optional<ChainLink> above) {
    ++m_running;
    const quint64 generation = m_generation;
    // The records are copied into the job (implicitly shared, never written again), so the job shares nothing that
    // the GUI thread changes.
    QFuture<QList<RecordVerdict>> job = QtConcurrent::run([records = std::move(records), linked, above] {
        if (!linked) {
            return verifyRecordsOnly(records);
        }
        if (above) {
            return verifyNewestFirst(records, *above);
        }
        QList<RecordVerdict> out = verifyRecordsOnly(records.first(1));
        out.append(verifyNewestFirst(records.sliced(1), linkBelow(records.constFirst())));
        return out;
    });
    whenFinished(this, job, [this, generation, firstRow](const QList<RecordVerdict>& verdicts) {
        if (generation != m_generation) {
            return;
        }
        --m_running;
        Q_EMIT verified(firstRow, verdicts);
        if (!isBusy()) {
            Q_EMIT idle();
        }
    });
}

} // namespace fairuse::models
