// FirestoreCaseStore's paged audit reads: listAuditPage (newest first, one query per page) and readAuditHead.
#include "common/Guarded.h"
#include "common/Promise.h"
#include "firestore/FirestoreCaseStore.h"

#include <algorithm>
#include <functional>

namespace fairuse::services {

namespace {

using V = FirestoreValue;

const QString kAuditCollection = QStringLiteral("fair_use_audit");
const QString kSequence = QStringLiteral("sequence");
constexpr int kMaxAuditPage = 1000;
/** Batches one listAuditPage call reads when the time range drops records, before it returns a short page. */
constexpr int kMaxAuditScanBatches = 10;
const QByteArray kCursorPrefix = QByteArrayLiteral("audit:");

QString encodeAuditCursor(std::int64_t sequence) {
    const QByteArray raw = kCursorPrefix + QByteArray::number(static_cast<qlonglong>(sequence));
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<std::int64_t> decodeAuditCursor(const QString& cursor) {
    const auto decoded = QByteArray::fromBase64Encoding(cursor.toLatin1(), QByteArray::Base64UrlEncoding |
                                                                               QByteArray::AbortOnBase64DecodingErrors);
    bool ok = false;
    const qlonglong sequence = decoded && decoded.decoded.startsWith(kCursorPrefix)
                                   ? decoded.decoded.mid(kCursorPrefix.size()).toLongLong(&ok)
                                   : 0;
    if (!ok || sequence <= 0) {
        return Error::invalid(QStringLiteral("the audit cursor is not one this store produced"));
    }
    return static_cast<std::int64_t>(sequence);
}

bool inTimeRange(const AuditFilter& f, const AuditRecord& a) {
    return !(f.from && a.at < *f.from) && !(f.to && a.at >= *f.to);
}

} // namespace

Async<AuditPage> FirestoreCaseStore::listAuditPage(const AuditFilter& filter, const QString& cursor, int limit) {
    const int pageLimit = std::clamp(limit, 1, kMaxAuditPage);
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
    }
    q.orderBy = {{kSequence, true}};
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
    auto next = std::make_shared<std::function<void(FirestoreQuery, int)>>();
    *next = [this, promise, page, filter, pageLimit, next](FirestoreQuery query, int batch) {
        ++m_auditReads.queries;
        // When the store is gone, the promise still finishes and `next` lets go of itself and the promise.
        const auto closed = [promise, next] {
            finish(promise,
                   Result<AuditPage>(Error::unavailable(QStringLiteral("the Firestore connection was closed"))));
            *next = nullptr;
        };
        m_client->runQuery(query).then(guardedOr(
            this,
            [this, promise, page, filter, pageLimit, next, query,
             batch](const Result<QList<FirestoreDocument>>& r) mutable {
                const auto done = [&](Result<AuditPage> result) {
                    finish(promise, std::move(result));
                    *next = nullptr;
                };
                if (!r) {
                    done(r.error());
                    return;
                }
                m_auditReads.documents += r->size();
                std::int64_t lastRead = 0;
                qsizetype used = 0;
                for (; used < r->size() && page->records.size() < pageLimit; ++used) {
                    const FirestoreDocument& doc = r->at(used);
                    auto a = decodeAudit(doc.fields);
                    if (!a) {
                        done(Error::invalid(QStringLiteral("%1: %2").arg(doc.relativePath(), a.error().message)));
                        return;
                    }
                    lastRead = a->sequence;
                    if (inTimeRange(filter, a.value())) {
                        page->records.append(std::move(a.value()));
                    }
                }
                const bool olderExist = used < r->size() || r->size() >= query.limit;
                if (!olderExist) {
                    done(*page);
                    return;
                }
                if (page->records.size() >= pageLimit || batch + 1 >= kMaxAuditScanBatches) {
                    page->nextCursor = encodeAuditCursor(lastRead);
                    done(*page);
                    return;
                }
                query.startAfter = {V::integer(lastRead)};
                (*next)(query, batch + 1);
            },
            closed));
    };
    (*next)(q, 0);
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
