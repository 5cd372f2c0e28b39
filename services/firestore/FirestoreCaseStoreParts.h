#pragma once
// What the FirestoreCaseStore*.cpp files share: the collections, document id checks and the loop that reads a query
// batch after batch. Internal to services/firestore.

#include "common/Guarded.h"
#include "common/Promise.h"
#include "firestore/FirestoreClient.h"

#include <QObject>

#include <optional>

namespace fairuse::services::casestore {

inline const QString kStateCollection = QStringLiteral("fair_use_state");
inline const QString kEventsCollection = QStringLiteral("fair_use_events");
inline const QString kAuditCollection = QStringLiteral("fair_use_audit");
inline const QString kSpendCollection = QStringLiteral("llm_spend");
inline const QString kReviewersCollection = QStringLiteral("fair_use_reviewers");
inline const QString kExemptionsCollection = QStringLiteral("fair_use_exemptions");
inline const QString kName = QStringLiteral("__name__");

/** A random 20-character document id, as the Firestore client libraries make them. */
QString newDocumentId();

/** Document ids may not contain '/', so user-supplied ids are rejected rather than silently re-routed. */
Status checkId(const QString& what, const QString& id);

/** Whether an exemption document exempts its user (one without the `exempt` field does). */
inline bool exempts(const std::optional<FirestoreDocument>& exemption) {
    return exemption && exemption->fields.value(QStringLiteral("exempt"), FirestoreValue::boolean(true)).toBool();
}

/** What a continuation reports when the store was destroyed while its request was in flight (as guarded() does). */
Error closedError();

/** The audit collection, ordered by sequence descending, with the filter's equality filters (uid, reviewer,
 *  action); the time range and the limit are the caller's. */
FirestoreQuery auditQuery(const AuditFilter& filter);

/** Every document `query` finds, decoded by `decode`; a document that does not decode fails the read. */
template <typename T>
Async<QList<T>> decodeAll(QObject* context, FirestoreClient* client, const FirestoreQuery& query,
                          Result<T> (*decode)(const FirestoreDocument&)) {
    return client->runQuery(query).then(
        guarded(context, [decode](const Result<QList<FirestoreDocument>>& r) -> Result<QList<T>> {
            if (!r) {
                return r.error();
            }
            QList<T> out;
            for (const auto& doc : *r) {
                auto decoded = decode(doc);
                if (!decoded) {
                    return decoded.error();
                }
                out.append(std::move(decoded.value()));
            }
            return out;
        }));
}

/**
 * Runs `query` and hands each answered batch to `step(documents, query)`. `step` returns the result to finish
 * `promise` with, or std::nullopt to run `query` again (it sets query.startAfter to where the next batch begins). A
 * failed query finishes `promise` with its error; once `context` is gone, with closedError().
 */
template <typename T, typename Step>
void readBatches(QObject* context, FirestoreClient* client, FirestoreQuery query, PromisePtr<T> promise, Step step) {
    client->runQuery(query).then(guardedOr(
        context,
        [context, client, query, promise, step](const Result<QList<FirestoreDocument>>& r) mutable {
            if (!r) {
                finish(promise, Result<T>(r.error()));
                return;
            }
            if (std::optional<Result<T>> done = step(*r, query)) {
                finish(promise, std::move(*done));
                return;
            }
            readBatches(context, client, std::move(query), std::move(promise), std::move(step));
        },
        [promise] { finish(promise, Result<T>(closedError())); }));
}

} // namespace fairuse::services::casestore
