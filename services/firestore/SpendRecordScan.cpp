#include "firestore/SpendRecordScan.h"

#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/FirestoreMapping.h"

#include <memory>

namespace fairuse::services {

using namespace casestore;

using V = FirestoreValue;

FirestoreQuery spendQuery(const QString& uid, TimePoint from, TimePoint to) {
    FirestoreQuery q;
    q.collectionId = kSpendCollection;
    if (!uid.isEmpty()) {
        q.filters.append({QStringLiteral("uid"), QStringLiteral("EQUAL"), V::string(uid)});
    }
    q.filters.append({QStringLiteral("at"), QStringLiteral("GREATER_THAN_OR_EQUAL"), V::timestamp(from)});
    q.filters.append({QStringLiteral("at"), QStringLiteral("LESS_THAN"), V::timestamp(to)});
    q.orderBy = {{QStringLiteral("at"), false}, {kName, false}};
    q.limit = 1000;
    return q;
}

Async<SpendScan> scanSpend(QObject* context, FirestoreClient* client, FirestoreQuery query) {
    auto promise = makePromise<SpendScan>();
    auto out = std::make_shared<SpendScan>();
    readBatches(context, client, std::move(query), promise,
                [out](const QList<FirestoreDocument>& docs, FirestoreQuery& q) -> std::optional<Result<SpendScan>> {
                    for (const FirestoreDocument& doc : docs) {
                        Result<LlmSpendRecord> s = decodeSpend(doc.fields);
                        if (s) {
                            out->records.append(std::move(s.value()));
                        } else {
                            out->malformed.append(doc.relativePath());
                        }
                    }
                    if (docs.size() < q.limit) {
                        return *out;
                    }
                    q.startAfter = {docs.last().fields.value(QStringLiteral("at")), V::reference(docs.last().name)};
                    return std::nullopt;
                });
    return promise->future();
}

} // namespace fairuse::services
