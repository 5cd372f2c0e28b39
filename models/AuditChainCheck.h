#pragma once

#include "audit/PageVerification.h"
#include "common/Stores.h"

#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace fairuse::models {

/**
 * Verifies the pages of an audit log view off the GUI thread (QtConcurrent::run on the global pool), one job per
 * page, and reports one verdict per record (core/audit/PageVerification.h) through verified().
 *
 * Linked (an unfiltered log, pages of consecutive records newest first): the first page is verified against the
 * chain head, so it waits for setHead() or headUnavailable(); every further page against the last record of the
 * page before it, which is known when the page is added, so pages never wait for each other's jobs. Without the
 * head (it could not be read) the newest record is checked against its own hash only and the rest against it.
 * Not linked (a filtered log): each record against its own hash only.
 *
 * reset() starts over for a new load; results of jobs started before it are dropped. Results arrive through
 * whenFinished() (FutureWatch.h), so none arrives after this object is gone.
 */
class AuditChainCheck : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /** A new load: forget the head and the pages, drop the results of running jobs. */
    void reset(bool linked);
    bool isLinked() const { return m_linked; }

    void setHead(const services::AuditHead& head);
    /** The head could not be read: the first page is verified without it. */
    void headUnavailable();
    /** Pages in the order the store returned them, newest first; `firstRow` is where the page starts in the view. */
    void addPage(qsizetype firstRow, const QList<AuditRecord>& newestFirst);

    /** Pages waiting for the head or being verified. */
    bool isBusy() const { return m_running > 0 || !m_waiting.isEmpty(); }

Q_SIGNALS:
    /** Verdicts for rows firstRow .. firstRow + verdicts.size() - 1. */
    void verified(qsizetype firstRow, const QList<fairuse::RecordVerdict>& verdicts);
    /** Nothing is waiting or being verified any more. */
    void idle();

private:
    struct Page {
        qsizetype firstRow = 0;
        QList<AuditRecord> records;
    };
    enum class HeadState { Unknown, Known, Unavailable };

    void startLinked(const Page& page);
    void run(qsizetype firstRow, QList<AuditRecord> records, bool linked, std::optional<ChainLink> above);

    quint64 m_generation = 0;
    bool m_linked = true;
    HeadState m_headState = HeadState::Unknown;
    ChainLink m_head;
    /** Link for the next page: from the head until the first page has started, then from its last record. */
    std::optional<ChainLink> m_above;
    bool m_firstPageStarted = false;
    QList<Page> m_waiting;
    int m_running = 0;
};

} // namespace fairuse::models
