// FirestoreCaseStore's audit reads: listAudit (the newest records of a filter), listAuditPage (newest first, one
// query per page) and readAuditHead.
#include "common/AuditCursor.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"

#include <algorithm>
#include <limits>

namespace fairuse::services {

using namespace casestore;

namespace {

using V = FirestoreValue;

const QString kSequence = QStringLiteral("sequence");
constexpr int kMaxAuditPage = 1000;
/** Batches one listAuditPage call reads when the time range drops records, before it returns a short page. */
constexpr int kMaxAuditScanBatches = 10;

bool inTimeRange(const AuditFilter& f, const AuditRecord& a) {
    return !(f.from && a.at < *f.from) && !(f.to && a.at >= *f.to);
}

/** The record of an audit document, Invalid naming the document when it does not decode. */
Result<AuditRecord> decodeAuditDocument(const FirestoreDocument& doc) {
    auto a = decodeAudit(doc.fields);
    if (!a) {
        return Error::invalid(QStringLiteral("%1: %2").arg(doc.relativePath(), a.error().message));
    }
    return a;
}

} // namespace

FirestoreQuery casestore::auditQuery(const AuditFilter& filter) {
    FirestoreQuery q;
    q.collectionId = kAuditCollection;
    if (!filter.uid.isEmpty()) {
        q.filters.append({QStringLiteral("uid"), QStringLiteral("EQUAL"), V::string(filter.uid)});
    }
    if (!filter.reviewer.isEmpty()) {
        q.filters.append({QStringLiteral("reviewer"), QStringLiteral("EQUAL"), V::string(filter.reviewer)});
    }
    if (filter.action) {
        q.filters.append({QStringLiteral("action"), QStringLiteral("EQUAL"), V::string(toString(*filter.action))});
    } else if (!filter.actions.isEmpty()) {
        // IN takes at most 30 values; AuditAction has fewer.
        QList<FirestoreValue> names;
        for (const AuditAction a : filter.actions) {
            names.append(V::string(toString(a)));
        }
        q.filters.append({QStringLiteral("action"), QStringLiteral("IN"), V::array(names)});
    }
    q.orderBy = {{kSequence, true}};
    return q;
}

Async<QList<AuditRecord>> FirestoreCaseStore::listAudit(const AuditFilter& filter) {
    auto promise = makePromise<QList<AuditRecord>>();
    auto out = std::make_shared<QList<AuditRecord>>();
    const int limit = filter.limit > 0 ? filter.limit : std::numeric_limits<int>::max();
    FirestoreQuery q = auditQuery(filter);
    q.limit = std::min(limit, 500);
    readBatches(this, m_client.get(), q, promise,
                [out, filter, limit](const QList<FirestoreDocument>& docs,
                                     FirestoreQuery& query) -> std::optional<Result<QList<AuditRecord>>> {
                    for (const auto& doc : docs) {
                        auto a = decodeAuditDocument(doc);
                        if (!a) {
                            return a.error();
                        }
                        if (!inTimeRange(filter, a.value())) {
                            continue;
                        }
                        out->append(std::move(a.value()));
                        if (out->size() >= limit) {
                            break;
                        }
                    }
                    if (out->size() >= limit || docs.size() < query.limit) {
                        std::reverse(out->begin(), out->end()); // read newest first, answered in chain order
                        return *out;
                    }
                    query.startAfter = {docs.last().fields.value(kSequence)};
                    return std::nullopt;
                });
    return promise->future();
}

Async<AuditPage> FirestoreCaseStore::listAuditPage(const AuditFilter& filter, const QString& cursor, int limit) {
    const int pageLimit = std::clamp(limit, 1, kMaxAuditPage);
    FirestoreQuery q = auditQuery(filter);
    // One more than the page: whether it comes back says whether an older record exists, so the last page has an
    // empty cursor instead of costing one more query that finds nothing.
    q.limit = pageLimit + 1;
    if (!cursor.isEmpty()) {
        const Result<std::int64_t> after = decodeAuditCursor(cursor);
        if (!after) {
            return ready<AuditPage>(after.error());
        }
        q.startAfter = {V::integer(after.value())};
    }

    auto promise = makePromise<AuditPage>();
    auto page = std::make_shared<AuditPage>();
    auto batches = std::make_shared<int>(0);
    readBatches(this, m_client.get(), q, promise,
                [this, page, filter, pageLimit, batches](const QList<FirestoreDocument>& docs,
                                                         FirestoreQuery& query) -> std::optional<Result<AuditPage>> {
                    ++m_auditReads.queries;
                    m_auditReads.documents += docs.size();
                    std::int64_t lastRead = 0;
                    qsizetype used = 0;
                    for (; used < docs.size() && page->records.size() < pageLimit; ++used) {
                        auto a = decodeAuditDocument(docs.at(used));
                        if (!a) {
                            return a.error();
                        }
                        lastRead = a->sequence;
                        if (inTimeRange(filter, a.value())) {
                            page->records.append(std::move(a.value()));
                        }
                    }
                    const bool olderExist = used < docs.size() || docs.size() >= query.limit;
                    if (!olderExist) {
                        return *page;
                    }
                    if (page->records.size() >= pageLimit || ++*batches >= kMaxAuditScanBatches) {
                        page->nextCursor = encodeAuditCursor(lastRead);
                        return *page;
                    }
                    query.startAfter = {V::integer(lastRead)};
                    return std::nullopt;
                });
    return promise->future();
}

Async<AuditHead> FirestoreCaseStore::readAuditHead() {
    return m_client->get(kAuditHeadPath).then(guarded(this, [](const Result<FirestoreDocument>& r) {
        if (!r && r.error().kind == ErrorKind::NotFound) {
            return Result<AuditHead>(AuditHead{});
        }
        if (!r) {
            return Result<AuditHead>(r.error());
        }
        const Result<AuditRecord> newest = headRecord(r.value());
        if (!newest) {
            return Result<AuditHead>(newest.error());
        }
        return Result<AuditHead>(AuditHead{newest->sequence, newest->hash});
    }));
}

} // namespace fairuse::services
