// FirestoreCaseStore::listCasesOpenDuring: the cases of a period for the team dashboard, read with two
// collection-group queries in pages instead of one query per user; and the open LLM-spend cases of every user.
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/FirestoreMapping.h"

#include <QSet>

#include <memory>

namespace fairuse::services {

using namespace casestore;

namespace {

using V = FirestoreValue;

constexpr int kPeriodPage = 500;

/** Decodes one page into `out` (each document once, by name); the error of the first that does not decode. */
std::optional<Error> collect(const QList<FirestoreDocument>& docs, QList<FairUseEvent>& out, QSet<QString>& seen,
                             TimePoint to) {
    for (const FirestoreDocument& doc : docs) {
        if (seen.contains(doc.name)) {
            continue;
        }
        Result<FairUseEvent> event = decodeEvent(doc);
        if (!event) {
            return event.error();
        }
        seen.insert(doc.name);
        if (event->createdAt < to) {
            out.append(std::move(event.value()));
        }
    }
    return std::nullopt;
}

/** A batch step that pages `query` by (orderField, __name__) and collects its cases. */
template <typename T>
auto pagedStep(std::shared_ptr<QList<FairUseEvent>> out, std::shared_ptr<QSet<QString>> seen, TimePoint to,
               QString orderField, T whenDone) {
    return [out, seen, to, orderField, whenDone](const QList<FirestoreDocument>& docs,
                                                 FirestoreQuery& query) -> std::optional<decltype(whenDone())> {
        if (std::optional<Error> failed = collect(docs, *out, *seen, to)) {
            return decltype(whenDone())(*failed);
        }
        if (docs.size() < query.limit) {
            return whenDone();
        }
        query.startAfter = {docs.last().fields.value(orderField), V::reference(docs.last().name)};
        return std::nullopt;
    };
}

} // namespace

Async<QList<FairUseEvent>> FirestoreCaseStore::listCasesOpenDuring(TimePoint from, TimePoint to) {
    auto promise = makePromise<QList<FairUseEvent>>();
    if (to <= from) {
        finish(promise, Result<QList<FairUseEvent>>(QList<FairUseEvent>{}));
        return promise->future();
    }
    auto out = std::make_shared<QList<FairUseEvent>>();
    auto seen = std::make_shared<QSet<QString>>();
    const QString createdAt = QStringLiteral("created_at");
    const QString resolvedAt = QStringLiteral("resolved_at");

    // Open cases created before the period's end (index: fair_use_events resolved + created_at, collection group).
    FirestoreQuery open;
    open.collectionId = kEventsCollection;
    open.allDescendants = true;
    open.filters = {{QStringLiteral("resolved"), QStringLiteral("EQUAL"), V::boolean(false)},
                    {createdAt, QStringLiteral("LESS_THAN"), V::timestamp(to)}};
    open.orderBy = {{createdAt, false}, {kName, false}};
    open.limit = kPeriodPage;
    // Cases resolved at or after the period's start (single-field collection-group index on resolved_at); those
    // created after its end are dropped here.
    FirestoreQuery resolved;
    resolved.collectionId = kEventsCollection;
    resolved.allDescendants = true;
    resolved.filters = {{resolvedAt, QStringLiteral("GREATER_THAN_OR_EQUAL"), V::timestamp(from)}};
    resolved.orderBy = {{resolvedAt, false}, {kName, false}};
    resolved.limit = kPeriodPage;

    auto openDone = makePromise<bool>();
    readBatches(this, m_client.get(), open, openDone,
                pagedStep(out, seen, to, createdAt, [] { return Result<bool>(true); }));
    openDone->future().then(guardedOr(
        this,
        [this, promise, out, seen, to, resolved, resolvedAt](const Result<bool>& r) {
            if (!r) {
                finish(promise, Result<QList<FairUseEvent>>(r.error()));
                return;
            }
            readBatches(this, m_client.get(), resolved, promise,
                        pagedStep(out, seen, to, resolvedAt, [out] { return Result<QList<FairUseEvent>>(*out); }));
        },
        [promise] { finish(promise, Result<QList<FairUseEvent>>(closedError())); }));
    return promise->future();
}

Async<QList<FairUseEvent>> FirestoreCaseStore::listOpenSpendCases(int limit) {
    if (limit <= 0) {
        return ready<QList<FairUseEvent>>(
            Error::invalid(QStringLiteral("the limit of spend cases must be positive, got %1").arg(limit)));
    }
    FirestoreQuery q;
    q.collectionId = kEventsCollection;
    q.allDescendants = true;
    q.filters = {{QStringLiteral("trigger"), QStringLiteral("IN"),
                  V::array({V::string(toString(CapWindow::LlmDaily)), V::string(toString(CapWindow::LlmMonthly))})},
                 {QStringLiteral("resolved"), QStringLiteral("EQUAL"), V::boolean(false)}};
    q.orderBy = {{QStringLiteral("created_at"), false}};
    q.limit = std::min(limit, 1000);
    return decodeAll(this, m_client.get(), q, &decodeEvent);
}

} // namespace fairuse::services
