#pragma once

#include "Backend.h"
#include "LazyReader.h"
#include "common/Domain.h"
#include "common/Stores.h"

#include <optional>

namespace fairuse::models {

/** What a details read found for one user. */
struct QueueRowDetails {
    int openCases = 0;
    std::optional<TimePoint> oldestOpenCaseAt;
    QString lastAction;
};

/**
 * Reads the details of queue rows the store delivered with QueueRow::detailsKnown false (Firestore, where they cost
 * two queries per row): per user one CaseStore::listEvents and one CaseStore::listAudit of limit 1 (the newest
 * record), run at once, give the open cases, the oldest open case and the last action. Queued and cached as
 * LazyReader says, at most limit() users at once (default 3: each is two store calls, and a Firestore client runs six
 * requests at a time over HTTP/1.1, which the page requests share).
 */
class QueueDetailsReader : public CachingLazyReader<QueueRowDetails> {
    Q_OBJECT
public:
    explicit QueueDetailsReader(Backend& backend, QObject* parent = nullptr);

Q_SIGNALS:
    /** `uid`'s details were read (and cached). */
    void detailsRead(const QString& uid, const fairuse::models::QueueRowDetails& details);

protected:
    bool canRead() const override { return m_backend.cases != nullptr; }
    bool delivered(const services::QueueRow& row) const override { return row.detailsKnown; }
    void read(const QString& uid, quint64 epoch) override;

private:
    Backend& m_backend;
};

} // namespace fairuse::models
