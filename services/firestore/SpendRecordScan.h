#pragma once

#include "common/Domain.h"
#include "common/Promise.h"
#include "common/Time.h"
#include "firestore/FirestoreClient.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

/**
 * @file
 * The LLM-spend records of llm_spend (one document each), read page by page. The strict read (FirestoreCaseStore's
 * listSpend) fails on the first document that does not decode; the enforcement service's review reads leniently
 * (scanSpend), so one damaged record costs that record, not the review of every user.
 */
namespace fairuse::services {

/** What a lenient read found. */
struct SpendScan {
    QList<LlmSpendRecord> records; ///< the documents that decode, `at` ascending
    /** The documents that do not, by their path relative to the database ("llm_spend/abc"), in the order read. */
    QStringList malformed;
};

/** llm_spend with `at` in [from, to), and `uid` equal when not empty (the (uid, at) index of
 *  packaging/firestore/firestore.indexes.json), ordered by `at` then document name, 1000 documents a page. */
FirestoreQuery spendQuery(const QString& uid, TimePoint from, TimePoint to);

/**
 * Every document `query` finds (a spendQuery()), page after page: those that decode in `records`, the others named
 * in `malformed`. Fails only when a query fails, or with the store's closed error once `context` is gone.
 */
Async<SpendScan> scanSpend(QObject* context, FirestoreClient* client, FirestoreQuery query);

} // namespace fairuse::services
