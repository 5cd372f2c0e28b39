// FirestoreCaseStore's queue: pages of flagged users (one collection-group query per batch), the search by user id
// or case reference, and the per-row details of a page (exemption, subscription, open cases, last audit action).
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/UserDocument.h"

#include "audit/CaseRef.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace fairuse::services {

using namespace casestore;

namespace {

using V = FirestoreValue;

/** Batches one page reads when client-side filters drop rows, before it returns a short page. */
constexpr int kMaxScanBatches = 10;

bool matchesStateFilter(const QueueFilter& f, const FairUseState& s) {
    if (f.usageType && s.lastClassifierType != f.usageType) {
        return false;
    }
    const double score = s.lastClassifierScore.value_or(0.0);
    return score >= f.minScore && score <= f.maxScore;
}

bool matchesResolution(const QueueFilter& f, const QueueRow& row) {
    switch (f.resolution) {
    case QueueFilter::Resolution::Any:
        return true;
    case QueueFilter::Resolution::OpenOnly:
        return row.openCases > 0;
    case QueueFilter::Resolution::ResolvedOnly:
        return row.openCases == 0;
    }
    return true;
}

/** A queue row with the state only; `detailsKnown` says whether enrichRows() will fill the per-row details. */
QueueRow stateRow(FairUseState state, bool detailsKnown) {
    QueueRow row;
    row.state = std::move(state);
    row.detailsKnown = detailsKnown;
    return row;
}

/** The stages of the queue: every stage but none. */
QList<FirestoreValue> flaggedStages() {
    return {V::string(toString(Stage::Warning)), V::string(toString(Stage::Throttle)),
            V::string(toString(Stage::Restrict))};
}

} // namespace

QString FirestoreCaseStore::encodeCursor(const QString& updatedAtText, const QString& documentName) {
    const QJsonObject o{{QStringLiteral("t"), updatedAtText}, {QStringLiteral("n"), documentName}};
    return QString::fromLatin1(QJsonDocument(o)
                                   .toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<std::pair<QString, QString>> FirestoreCaseStore::decodeCursor(const QString& cursor) {
    const auto decoded = QByteArray::fromBase64Encoding(cursor.toLatin1(), QByteArray::Base64UrlEncoding |
                                                                               QByteArray::AbortOnBase64DecodingErrors);
    const QJsonObject o = decoded ? QJsonDocument::fromJson(*decoded).object() : QJsonObject();
    const QString t = o.value(QStringLiteral("t")).toString();
    const QString n = o.value(QStringLiteral("n")).toString();
    if (t.isEmpty() || n.isEmpty() || !parseRfc3339(t).ok() || !n.contains(QLatin1String("/documents/"))) {
        return Error::invalid(QStringLiteral("the queue cursor is not one this store produced"));
    }
    return std::pair{t, n};
}

Async<QueuePage> FirestoreCaseStore::fetchQueuePage(const QueueFilter& filter, const QString& cursor, int limit) {
    if (limit <= 0 || limit > 1000) {
        return ready<QueuePage>(Error::invalid(QStringLiteral("queue page size must be 1..1000, got %1").arg(limit)));
    }
    if (filter.stage && *filter.stage == Stage::None) {
        return ready<QueuePage>(
            Error::invalid(QStringLiteral("the queue holds flagged users only; stage none is not in it")));
    }
    auto promise = makePromise<QueuePage>();
    if (!filter.search.trimmed().isEmpty()) {
        searchQueue(filter, promise);
        return promise->future();
    }
    fetchQueueBatch(filter, cursor, limit, 0, std::make_shared<QueuePage>(), promise);
    return promise->future();
}

void FirestoreCaseStore::fetchQueueBatch(QueueFilter filter, QString cursor, int limit, int scannedPages,
                                         std::shared_ptr<QueuePage> page, PromisePtr<QueuePage> promise) {
    FirestoreQuery q;
    q.collectionId = kStateCollection;
    q.allDescendants = true;
    if (filter.stage) {
        q.filters.append({QStringLiteral("stage"), QStringLiteral("EQUAL"), V::string(toString(*filter.stage))});
    } else {
        q.filters.append({QStringLiteral("stage"), QStringLiteral("IN"), V::array(flaggedStages())});
    }
    q.orderBy = {{QStringLiteral("updated_at"), true}, {kName, true}};
    if (!cursor.isEmpty()) {
        auto c = decodeCursor(cursor);
        if (!c) {
            finish(promise, Result<QueuePage>(c.error()));
            return;
        }
        auto t = parseRfc3339(c->first).value();
        V ts = V::fromJson(QJsonObject{{QStringLiteral("timestampValue"), c->first}}).valueOr(V::timestamp(t));
        q.startAfter = {ts, V::reference(c->second)};
    }
    const int want = limit - static_cast<int>(page->rows.size());
    q.limit = want;
    m_client->runQuery(q).then(guarded(
        this, [this, filter, limit, scannedPages, page, promise, want](const Result<QList<FirestoreDocument>>& r) {
            if (!r) {
                finish(promise, Result<QueuePage>(r.error()));
                return;
            }
            for (const auto& doc : *r) {
                auto state = decodeState(doc);
                if (!state) {
                    // One bad document must not hide the whole queue: show it as a row the reviewer can open.
                    FairUseState broken;
                    broken.uid = doc.pathSegments().value(1);
                    broken.version = doc.updateTime;
                    broken.restrictReason = QStringLiteral("unreadable state: %1").arg(state.error().message);
                    page->rows.append(stateRow(broken, m_options.enrichQueueRows));
                    continue;
                }
                if (matchesStateFilter(filter, *state)) {
                    page->rows.append(stateRow(*state, m_options.enrichQueueRows));
                }
            }
            const bool more = r->size() == want;
            page->nextCursor.clear();
            if (more) {
                const FirestoreDocument& last = r->last();
                const QString t = last.fields.value(QStringLiteral("updated_at"))
                                      .toJson()
                                      .value(QStringLiteral("timestampValue"))
                                      .toString();
                page->nextCursor = encodeCursor(t, last.name);
            }
            if (more && page->rows.size() < limit && scannedPages + 1 < kMaxScanBatches) {
                fetchQueueBatch(filter, page->nextCursor, limit, scannedPages + 1, page, promise);
                return;
            }
            enrichRows(filter, page, promise);
        }));
}

void FirestoreCaseStore::searchQueue(const QueueFilter& filter, PromisePtr<QueuePage> promise) {
    const QString term = filter.search.trimmed();
    auto finishWithState = [this, filter, promise](const QString& uid) {
        getState(uid).then(guarded(this, [this, filter, promise](const Result<FairUseState>& s) {
            if (!s && s.error().kind == ErrorKind::NotFound) {
                finish(promise, Result<QueuePage>(QueuePage{}));
                return;
            }
            if (!s) {
                finish(promise, Result<QueuePage>(s.error()));
                return;
            }
            auto page = std::make_shared<QueuePage>();
            const bool flagged = s->stage != Stage::None && (!filter.stage || *filter.stage == s->stage);
            if (flagged && matchesStateFilter(filter, *s)) {
                page->rows.append(stateRow(*s, m_options.enrichQueueRows));
            }
            enrichRows(filter, page, promise);
        }));
    };
    const bool validUid = checkId(QStringLiteral("user id"), term).ok();
    if (!normaliseCaseRef(term).isEmpty()) {
        // A case reference, or a user id that looks like one: the case's user, else the user of that id.
        findByCaseRef(term).then(
            guarded(this, [promise, finishWithState, term, validUid](const Result<FairUseEvent>& e) {
                if (e) {
                    finishWithState(e->uid);
                } else if (e.error().kind != ErrorKind::NotFound) {
                    finish(promise, Result<QueuePage>(e.error()));
                } else if (validUid) {
                    finishWithState(term);
                } else {
                    finish(promise, Result<QueuePage>(QueuePage{}));
                }
            }));
        return;
    }
    if (!validUid) {
        finish(promise, Result<QueuePage>(QueuePage{}));
        return;
    }
    finishWithState(term);
}

void FirestoreCaseStore::enrichRows(const QueueFilter& filter, std::shared_ptr<QueuePage> page,
                                    PromisePtr<QueuePage> promise) {
    if (page->rows.isEmpty()) {
        finish(promise, Result<QueuePage>(*page));
        return;
    }
    // Outstanding sub-requests; the page is delivered when the last one answers, or on the first error.
    auto pending = std::make_shared<int>(1);
    auto failed = std::make_shared<bool>(false);
    // Resolution filters need the open-case counts, so they apply here, after enrichment.
    auto done = [page, promise, pending, failed, filter](const std::optional<Error>& error) {
        if (*failed) {
            return;
        }
        if (error) {
            *failed = true;
            finish(promise, Result<QueuePage>(*error));
            return;
        }
        if (--*pending == 0) {
            page->rows.removeIf([&filter](const QueueRow& row) { return !matchesResolution(filter, row); });
            finish(promise, Result<QueuePage>(*page));
        }
    };

    ++*pending; // one batchGet: each row's exemption, then its user document (the subscription)
    QStringList paths;
    for (const auto& row : page->rows) {
        paths.append(exemptionPath(row.state.uid));
        paths.append(userDocumentPath(row.state.uid));
    }
    m_client->batchGet(paths).then(
        guarded(this, [page, done](const Result<QList<std::optional<FirestoreDocument>>>& r) {
            if (!r) {
                done(r.error());
                return;
            }
            for (qsizetype i = 0; i < page->rows.size() && 2 * i + 1 < r->size(); ++i) {
                const auto& user = r->at(2 * i + 1);
                page->rows[i].state.exempt = exempts(r->at(2 * i));
                page->rows[i].state.subscription = user ? decodeSubscription(user->fields) : std::nullopt;
            }
            done(std::nullopt);
        }));

    const bool countOpen = m_options.enrichQueueRows || filter.resolution != QueueFilter::Resolution::Any;
    if (countOpen) {
        for (qsizetype i = 0; i < page->rows.size(); ++i) {
            const QString uid = page->rows.at(i).state.uid;
            FirestoreQuery open;
            open.parent = QStringLiteral("users/%1").arg(uid);
            open.collectionId = kEventsCollection;
            open.filters = {{QStringLiteral("resolved"), QStringLiteral("EQUAL"), V::boolean(false)}};
            ++*pending;
            m_client->runQuery(open).then(guarded(this, [page, i, done](const Result<QList<FirestoreDocument>>& r) {
                if (!r) {
                    done(r.error());
                    return;
                }
                QueueRow& row = page->rows[i];
                row.openCases = static_cast<int>(r->size());
                for (const auto& doc : *r) {
                    const auto created = doc.fields.value(QStringLiteral("created_at"));
                    if (created.type() == FirestoreValue::Type::Timestamp &&
                        (!row.oldestOpenCaseAt || created.toTimestamp() < *row.oldestOpenCaseAt)) {
                        row.oldestOpenCaseAt = created.toTimestamp();
                    }
                }
                done(std::nullopt);
            }));
            if (!m_options.enrichQueueRows) {
                continue;
            }
            ++*pending;
            AuditFilter ofUser;
            ofUser.uid = uid;
            FirestoreQuery last = auditQuery(ofUser);
            last.limit = 1;
            m_client->runQuery(last).then(guarded(this, [page, i, done](const Result<QList<FirestoreDocument>>& r) {
                if (!r) {
                    done(r.error());
                    return;
                }
                if (!r->isEmpty()) {
                    page->rows[i].lastAction = r->first().fields.value(QStringLiteral("action")).toText();
                }
                done(std::nullopt);
            }));
        }
    }
    done(std::nullopt); // releases the initial hold; the page is delivered after the last sub-request
}

} // namespace fairuse::services
