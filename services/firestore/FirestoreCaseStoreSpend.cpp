// FirestoreCaseStore's LLM spend: records written one document each to llm_spend, read back by time range, strictly
// (the enforcement service's lenient read is SpendRecordScan.h).
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/SpendRecordScan.h"

namespace fairuse::services {

using namespace casestore;

using V = FirestoreValue;

Async<QList<LlmSpendRecord>> FirestoreCaseStore::listSpend(TimePoint from, TimePoint to) {
    return readSpend(spendQuery(QString(), from, to));
}

Async<QList<LlmSpendRecord>> FirestoreCaseStore::listUserSpend(const QString& uid, TimePoint from, TimePoint to) {
    return readSpend(spendQuery(uid, from, to));
}

Async<QList<LlmSpendRecord>> FirestoreCaseStore::readSpend(FirestoreQuery q) {
    auto promise = makePromise<QList<LlmSpendRecord>>();
    auto out = std::make_shared<QList<LlmSpendRecord>>();
    readBatches(this, m_client.get(), q, promise,
                [out](const QList<FirestoreDocument>& docs,
                      FirestoreQuery& query) -> std::optional<Result<QList<LlmSpendRecord>>> {
                    for (const auto& doc : docs) {
                        auto s = decodeSpend(doc.fields);
                        if (!s) {
                            return Error::invalid(QStringLiteral("%1: %2").arg(doc.relativePath(), s.error().message));
                        }
                        out->append(std::move(s.value()));
                    }
                    if (docs.size() < query.limit) {
                        return *out;
                    }
                    query.startAfter = {docs.last().fields.value(QStringLiteral("at")), V::reference(docs.last().name)};
                    return std::nullopt;
                });
    return promise->future();
}

Async<bool> FirestoreCaseStore::recordSpend(const LlmSpendRecord& record) {
    return m_client
        ->commit({FirestoreWrite::set(QStringLiteral("%1/%2").arg(kSpendCollection, newDocumentId()),
                                      encodeSpend(record), Precondition::mustNotExist())})
        .then(guarded(this, [](const Result<CommitResponse>& r) -> Result<bool> {
            if (!r) {
                return r.error();
            }
            return true;
        }));
}

} // namespace fairuse::services
