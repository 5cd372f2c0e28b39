// FirestoreCaseStore::listShadowDecisions: the shadow service's decisions of a period (fair_use_shadow), in pages.
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/ShadowDecisionDocument.h"

#include <memory>

namespace fairuse::services {

using V = FirestoreValue;

namespace {

constexpr int kShadowPage = 500;

} // namespace

Async<QList<ShadowDecision>> FirestoreCaseStore::listShadowDecisions(TimePoint from, TimePoint to) {
    auto promise = makePromise<QList<ShadowDecision>>();
    if (to <= from) {
        finish(promise, Result<QList<ShadowDecision>>(QList<ShadowDecision>{}));
        return promise->future();
    }
    FirestoreQuery q;
    q.collectionId = kShadowCollection;
    q.filters = {{QStringLiteral("pass_at"), QStringLiteral("GREATER_THAN_OR_EQUAL"), V::timestamp(from)},
                 {QStringLiteral("pass_at"), QStringLiteral("LESS_THAN"), V::timestamp(to)}};
    q.orderBy = {{QStringLiteral("pass_at"), false}, {casestore::kName, false}};
    q.limit = kShadowPage;
    auto out = std::make_shared<QList<ShadowDecision>>();
    casestore::readBatches(
        this, m_client.get(), q, promise,
        [out](const QList<FirestoreDocument>& docs,
              FirestoreQuery& query) -> std::optional<Result<QList<ShadowDecision>>> {
            for (const FirestoreDocument& doc : docs) {
                Result<ShadowDecision> d = decodeShadowDecision(doc);
                if (!d) {
                    return Result<QList<ShadowDecision>>(d.error());
                }
                out->append(std::move(d.value()));
            }
            if (docs.size() < query.limit) {
                return Result<QList<ShadowDecision>>(*out);
            }
            query.startAfter = {docs.last().fields.value(QStringLiteral("pass_at")), V::reference(docs.last().name)};
            return std::nullopt;
        });
    return promise->future();
}

} // namespace fairuse::services
