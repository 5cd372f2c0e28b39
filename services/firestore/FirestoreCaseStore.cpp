#include "firestore/FirestoreCaseStore.h"

#include "common/Guarded.h"
#include "common/Promise.h"
#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreClaims.h"
#include "firestore/UserDocument.h"

#include "audit/AuditChain.h"
#include "audit/CaseRef.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPromise>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace fairuse::services {

namespace {

using V = FirestoreValue;

const QString kStateCollection = QStringLiteral("fair_use_state");
const QString kEventsCollection = QStringLiteral("fair_use_events");
const QString kAuditCollection = QStringLiteral("fair_use_audit");
const QString kSpendCollection = QStringLiteral("llm_spend");
const QString kReviewersCollection = QStringLiteral("fair_use_reviewers");
const QString kExemptionsCollection = QStringLiteral("fair_use_exemptions");
const QString kName = QStringLiteral("__name__");

/** Page size when scanning past rows that client-side filters drop. */
constexpr int kMaxScanBatches = 10;

QString newDocumentId() {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString id;
    for (int i = 0; i < 20; ++i) {
        id += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(62)]);
    }
    return id;
}

/** Document ids may not contain '/', so user-supplied ids are rejected rather than silently re-routed. */
Status checkId(const QString& what, const QString& id) {
    if (id.isEmpty() || id.contains(QLatin1Char('/')) || id == QLatin1String(".") || id == QLatin1String("..") ||
        (id.startsWith(QLatin1String("__")) && id.endsWith(QLatin1String("__")))) {
        return Error::invalid(QStringLiteral("%1 \"%2\" is not a valid document id").arg(what, id.left(80)));
    }
    return {};
}

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

/** What a continuation reports when the store was destroyed while its request was in flight (as guarded() does). */
Error closedError() {
    return Error::unavailable(QStringLiteral("the Firestore connection was closed"));
}

/** A queue row with the state only; `detailsKnown` says whether enrichRows() will fill the per-row details. */
QueueRow stateRow(FairUseState state, bool detailsKnown) {
    QueueRow row;
    row.state = std::move(state);
    row.detailsKnown = detailsKnown;
    return row;
}

QList<FirestoreValue> flaggedStages(const std::optional<Stage>& only) {
    if (only) {
        return {V::string(toString(*only))};
    }
    return {V::string(toString(Stage::Warning)), V::string(toString(Stage::Throttle)),
            V::string(toString(Stage::Restrict))};
}

} // namespace

FirestoreCaseStore::FirestoreCaseStore(std::shared_ptr<FirestoreClient> client, Options options, QObject* parent)
    : QObject(parent)
    , m_client(std::move(client))
    , m_options(std::move(options)) {}

QString FirestoreCaseStore::describe() const {
    return m_client->describe();
}

QString FirestoreCaseStore::statePath(const QString& uid) {
    return QStringLiteral("users/%1/fair_use_state/current").arg(uid);
}

QString FirestoreCaseStore::eventPath(const QString& uid, const QString& eventId) {
    return QStringLiteral("users/%1/fair_use_events/%2").arg(uid, eventId);
}

QString FirestoreCaseStore::auditRecordId(std::int64_t sequence) {
    // Zero-padded so that document names sort like sequences.
    return QStringLiteral("%1").arg(sequence, 12, 10, QLatin1Char('0'));
}

QString FirestoreCaseStore::auditPath(std::int64_t sequence) {
    return QStringLiteral("%1/%2").arg(kAuditCollection, auditRecordId(sequence));
}

QString FirestoreCaseStore::idempotencyPath(const QString& key) {
    // Keys are free text (bulk run id + case id); a hash is always a valid, fixed-length document id.
    return QStringLiteral("fair_use_idempotency/") +
           QString::fromLatin1(QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex());
}

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

// ---- Queue ---------------------------------------------------------------------------------------------------

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
        q.filters.append({QStringLiteral("stage"), QStringLiteral("IN"), V::array(flaggedStages(std::nullopt))});
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
        paths.append(QStringLiteral("%1/%2").arg(kExemptionsCollection, row.state.uid));
        paths.append(userDocumentPath(row.state.uid));
    }
    m_client->batchGet(paths).then(
        guarded(this, [page, done](const Result<QList<std::optional<FirestoreDocument>>>& r) {
            if (!r) {
                done(r.error());
                return;
            }
            for (qsizetype i = 0; i < page->rows.size() && 2 * i + 1 < r->size(); ++i) {
                const auto& exemption = r->at(2 * i);
                const auto& user = r->at(2 * i + 1);
                page->rows[i].state.exempt =
                    exemption && exemption->fields.value(QStringLiteral("exempt"), V::boolean(true)).toBool();
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
            FirestoreQuery last;
            last.collectionId = kAuditCollection;
            last.filters = {{QStringLiteral("uid"), QStringLiteral("EQUAL"), V::string(uid)}};
            last.orderBy = {{QStringLiteral("sequence"), true}};
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

// ---- Reads ---------------------------------------------------------------------------------------------------

Async<FairUseState> FirestoreCaseStore::getState(const QString& uid) {
    if (auto ok = checkId(QStringLiteral("user id"), uid); !ok) {
        return ready<FairUseState>(ok.error());
    }
    return m_client
        ->batchGet({statePath(uid), QStringLiteral("%1/%2").arg(kExemptionsCollection, uid), userDocumentPath(uid)})
        .then(guarded(this, [uid](const Result<QList<std::optional<FirestoreDocument>>>& r) -> Result<FairUseState> {
            if (!r) {
                return r.error();
            }
            if (!r->value(0)) {
                return Error::notFound(QStringLiteral("no fair-use state for %1").arg(uid));
            }
            auto decoded = decodeState(*r->at(0));
            if (!decoded) {
                return decoded.error();
            }
            FairUseState state = std::move(decoded.value());
            const auto& exemption = r->value(1);
            state.exempt = exemption && exemption->fields.value(QStringLiteral("exempt"), V::boolean(true)).toBool();
            const auto& user = r->value(2);
            state.subscription = user ? decodeSubscription(user->fields) : std::nullopt;
            return state;
        }));
}

Async<QList<FairUseEvent>> FirestoreCaseStore::listEvents(const QString& uid) {
    if (auto ok = checkId(QStringLiteral("user id"), uid); !ok) {
        return ready<QList<FairUseEvent>>(ok.error());
    }
    FirestoreQuery q;
    q.parent = QStringLiteral("users/%1").arg(uid);
    q.collectionId = kEventsCollection;
    q.orderBy = {{QStringLiteral("created_at"), true}};
    return m_client->runQuery(q).then(
        guarded(this, [](const Result<QList<FirestoreDocument>>& r) -> Result<QList<FairUseEvent>> {
            if (!r) {
                return r.error();
            }
            QList<FairUseEvent> events;
            for (const auto& doc : *r) {
                auto e = decodeEvent(doc);
                if (!e) {
                    return e.error();
                }
                events.append(std::move(e.value()));
            }
            return events;
        }));
}

Async<FairUseEvent> FirestoreCaseStore::findByCaseRef(const QString& typed) {
    const QString caseRef = normaliseCaseRef(typed);
    if (caseRef.isEmpty()) {
        return ready<FairUseEvent>(Error::invalid(
            QStringLiteral("\"%1\" is not a case reference (FU- and 12 hex digits)").arg(typed.left(64))));
    }
    FirestoreQuery q;
    q.collectionId = kEventsCollection;
    q.allDescendants = true;
    q.filters = {{QStringLiteral("case_ref"), QStringLiteral("EQUAL"), V::string(caseRef)}};
    q.limit = 2;
    return m_client->runQuery(q).then(
        guarded(this, [caseRef](const Result<QList<FirestoreDocument>>& r) -> Result<FairUseEvent> {
            if (!r) {
                return r.error();
            }
            if (r->isEmpty()) {
                return Error::notFound(QStringLiteral("no case with reference %1").arg(caseRef.left(40)));
            }
            if (r->size() > 1) {
                return Error::internal(QStringLiteral("two cases share the reference %1").arg(caseRef.left(40)));
            }
            return decodeEvent(r->first());
        }));
}

Async<QList<Conversation>> FirestoreCaseStore::listConversations(const QString& uid, TimePoint since, int limit) {
    if (auto ok = checkId(QStringLiteral("user id"), uid); !ok) {
        return ready<QList<Conversation>>(ok.error());
    }
    FirestoreQuery q;
    q.parent = QStringLiteral("users/%1").arg(uid);
    q.collectionId = QStringLiteral("conversations");
    q.filters = {{QStringLiteral("created_at"), QStringLiteral("GREATER_THAN_OR_EQUAL"), V::timestamp(since)}};
    q.orderBy = {{QStringLiteral("created_at"), true}};
    q.limit = std::max(limit, 1);
    return m_client->runQuery(q).then(
        guarded(this, [](const Result<QList<FirestoreDocument>>& r) -> Result<QList<Conversation>> {
            if (!r) {
                return r.error();
            }
            QList<Conversation> out;
            for (const auto& doc : *r) {
                auto c = decodeConversation(doc);
                if (!c) {
                    return c.error();
                }
                out.append(std::move(c.value()));
            }
            return out;
        }));
}

Async<QList<AuditRecord>> FirestoreCaseStore::listAudit(const AuditFilter& filter) {
    auto promise = makePromise<QList<AuditRecord>>();
    auto out = std::make_shared<QList<AuditRecord>>();
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
    const int limit = filter.limit > 0 ? filter.limit : std::numeric_limits<int>::max();
    q.orderBy = {{QStringLiteral("sequence"), true}};
    q.limit = std::min(limit, 500);
    auto next = std::make_shared<std::function<void(FirestoreQuery)>>();
    *next = [this, promise, out, filter, limit, next](FirestoreQuery query) {
        // When the store is gone, the promise still finishes and `next` lets go of itself and the promise.
        const auto closed = [promise, next] {
            finish(promise, Result<QList<AuditRecord>>(closedError()));
            *next = nullptr;
        };
        m_client->runQuery(query).then(guardedOr(
            this,
            [promise, out, filter, limit, next, query](const Result<QList<FirestoreDocument>>& r) mutable {
                if (!r) {
                    finish(promise, Result<QList<AuditRecord>>(r.error()));
                    *next = nullptr;
                    return;
                }
                for (const auto& doc : *r) {
                    auto a = decodeAudit(doc.fields);
                    if (!a) {
                        finish(promise, Result<QList<AuditRecord>>(Error::invalid(
                                            QStringLiteral("%1: %2").arg(doc.relativePath(), a.error().message))));
                        *next = nullptr;
                        return;
                    }
                    if ((filter.from && a->at < *filter.from) || (filter.to && a->at >= *filter.to)) {
                        continue;
                    }
                    out->append(std::move(a.value()));
                    if (out->size() >= limit) {
                        break;
                    }
                }
                if (out->size() >= limit || r->size() < query.limit) {
                    std::reverse(out->begin(), out->end()); // read newest first, answered in chain order
                    finish(promise, Result<QList<AuditRecord>>(*out));
                    *next = nullptr;
                    return;
                }
                query.startAfter = {r->last().fields.value(QStringLiteral("sequence"))};
                (*next)(query);
            },
            closed));
    };
    (*next)(q);
    return promise->future();
}

Async<QList<LlmSpendRecord>> FirestoreCaseStore::listSpend(TimePoint from, TimePoint to) {
    FirestoreQuery q;
    q.collectionId = kSpendCollection;
    q.filters = {{QStringLiteral("at"), QStringLiteral("GREATER_THAN_OR_EQUAL"), V::timestamp(from)},
                 {QStringLiteral("at"), QStringLiteral("LESS_THAN"), V::timestamp(to)}};
    return readSpend(q);
}

Async<QList<LlmSpendRecord>> FirestoreCaseStore::listUserSpend(const QString& uid, TimePoint from, TimePoint to) {
    FirestoreQuery q;
    q.collectionId = kSpendCollection;
    q.filters = {{QStringLiteral("uid"), QStringLiteral("EQUAL"), V::string(uid)},
                 {QStringLiteral("at"), QStringLiteral("GREATER_THAN_OR_EQUAL"), V::timestamp(from)},
                 {QStringLiteral("at"), QStringLiteral("LESS_THAN"), V::timestamp(to)}};
    return readSpend(q);
}

Async<QList<LlmSpendRecord>> FirestoreCaseStore::readSpend(FirestoreQuery q) {
    auto promise = makePromise<QList<LlmSpendRecord>>();
    auto out = std::make_shared<QList<LlmSpendRecord>>();
    q.orderBy = {{QStringLiteral("at"), false}, {kName, false}};
    q.limit = 1000;
    auto next = std::make_shared<std::function<void(FirestoreQuery)>>();
    *next = [this, promise, out, next](FirestoreQuery query) {
        const auto closed = [promise, next] {
            finish(promise, Result<QList<LlmSpendRecord>>(closedError()));
            *next = nullptr;
        };
        m_client->runQuery(query).then(guardedOr(
            this,
            [promise, out, next, query](const Result<QList<FirestoreDocument>>& r) mutable {
                if (!r) {
                    finish(promise, Result<QList<LlmSpendRecord>>(r.error()));
                    *next = nullptr;
                    return;
                }
                for (const auto& doc : *r) {
                    auto s = decodeSpend(doc.fields);
                    if (!s) {
                        finish(promise, Result<QList<LlmSpendRecord>>(Error::invalid(
                                            QStringLiteral("%1: %2").arg(doc.relativePath(), s.error().message))));
                        *next = nullptr;
                        return;
                    }
                    out->append(std::move(s.value()));
                }
                if (r->size() < query.limit) {
                    finish(promise, Result<QList<LlmSpendRecord>>(*out));
                    *next = nullptr;
                    return;
                }
                query.startAfter = {r->last().fields.value(QStringLiteral("at")), V::reference(r->last().name)};
                (*next)(query);
            },
            closed));
    };
    (*next)(q);
    return promise->future();
}

Async<Role> FirestoreCaseStore::reviewerRole(const QString& email) {
    const QString id = email.trimmed().toLower();
    if (auto ok = checkId(QStringLiteral("reviewer e-mail"), id); !ok) {
        return ready<Role>(ok.error());
    }
    return m_client->get(QStringLiteral("%1/%2").arg(kReviewersCollection, id))
        .then(guarded(this, [id](const Result<FirestoreDocument>& r) -> Result<Role> {
            if (!r) {
                if (r.error().kind == ErrorKind::NotFound) {
                    return Error::notFound(QStringLiteral("%1 has no reviewer role").arg(id));
                }
                return r.error();
            }
            const QString name = r->fields.value(QStringLiteral("role")).toText();
            const auto role = roleFromString(name);
            if (!role) {
                return Error::invalid(QStringLiteral("%1 has an unknown role \"%2\"").arg(id, name.left(40)));
            }
            return *role;
        }));
}

Async<bool> FirestoreCaseStore::setReviewerRole(const QString& email, Role role) {
    const QString id = email.trimmed().toLower();
    if (auto ok = checkId(QStringLiteral("reviewer e-mail"), id); !ok) {
        return ready<bool>(ok.error());
    }
    return m_client->commit({reviewerWrite(id, role)})
        .then(guarded(this, [](const Result<CommitResponse>& r) -> Result<bool> {
            if (!r) {
                return r.error();
            }
            return true;
        }));
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

// ---- apply ---------------------------------------------------------------------------------------------------

Result<std::shared_ptr<ChangeSet>> FirestoreCaseStore::prepareChange(const ChangeSet& change) const {
    if (auto ok = checkId(QStringLiteral("user id"), change.uid); !ok) {
        return ok.error();
    }
    auto copy = std::make_shared<ChangeSet>(change);
    copy->audit.uid = copy->audit.uid.isEmpty() ? copy->uid : copy->audit.uid;
    if (copy->audit.clientVersion.isEmpty()) {
        copy->audit.clientVersion = m_options.clientVersion;
    }
    if (auto valid = validateAuditRecord(copy->audit); !valid) {
        return valid.error();
    }
    if (copy->newEvent) {
        if (copy->newEvent->id.isEmpty()) {
            copy->newEvent->id = newDocumentId();
            copy->expectedEventVersion.clear(); // a new id cannot exist yet
        }
        if (auto ok = checkId(QStringLiteral("event id"), copy->newEvent->id); !ok) {
            return ok.error();
        }
        if (copy->audit.eventId.isEmpty()) {
            copy->audit.eventId = copy->newEvent->id;
        }
    }
    return copy;
}

Result<AuditRecord> FirestoreCaseStore::headRecord(const std::optional<FirestoreDocument>& head) {
    AuditRecord p;
    if (!head) {
        return p; // sequence 0: the chain is empty
    }
    p.sequence = head->fields.value(QStringLiteral("sequence")).toInteger();
    p.hash = head->fields.value(QStringLiteral("hash")).toText();
    if (p.sequence <= 0 || p.hash.isEmpty()) {
        return Error::internal(QStringLiteral("the audit head %1 is damaged (no sequence or hash); the audit trail "
                                              "needs repair before anyone can act")
                                   .arg(kAuditHeadPath));
    }
    return p;
}

QList<FirestoreWrite> FirestoreCaseStore::changeWrites(const ChangeSet& change, const AuditRecord& record,
                                                       int* stateIndex, int* eventIndex) {
    // Every document a reviewer changes names the audit record of the same commit (`audit_record`), which is how
    // the security rules check that the change and its record agree (packaging/firestore/firestore.rules).
    const QString recordId = auditRecordId(record.sequence);
    const auto explained = [&recordId](FirestoreFields fields, QStringList mask) {
        fields.insert(kAuditRecordField, V::string(recordId));
        mask.append(kAuditRecordField);
        return std::pair{std::move(fields), std::move(mask)};
    };
    QList<FirestoreWrite> writes;
    *stateIndex = -1;
    *eventIndex = -1;
    if (change.newState) {
        *stateIndex = static_cast<int>(writes.size());
        auto [fields, mask] = explained(
            encodeState(*change.newState),
            change.previousState ? changedStateFieldPaths(*change.previousState, *change.newState) : stateFieldPaths());
        writes.append(FirestoreWrite::update(
            statePath(change.uid), std::move(fields), std::move(mask),
            change.checkStateVersion ? Precondition::version(change.expectedStateVersion) : Precondition::none()));
    }
    if (change.newEvent) {
        *eventIndex = static_cast<int>(writes.size());
        // A new event is written whole; an existing one only in its resolution fields, so the backend's
        // fields keep their exact values (and the security rules can tell a resolution from a rewrite).
        const bool isNew = change.expectedEventVersion.isEmpty();
        auto [fields, mask] =
            explained(encodeEvent(*change.newEvent), isNew ? eventFieldPaths() : eventResolutionFieldPaths());
        writes.append(FirestoreWrite::update(eventPath(change.uid, change.newEvent->id), std::move(fields),
                                             std::move(mask), Precondition::version(change.expectedEventVersion)));
    }
    if (change.exempt) {
        // An un-exemption is written as exempt = false rather than a delete, so it names its record as well.
        FirestoreWrite write = exemptionWrite(change.uid, record.reviewer, record.at, record.reason);
        write.fields.insert(QStringLiteral("exempt"), V::boolean(*change.exempt));
        write.fields.insert(kAuditRecordField, V::string(recordId));
        writes.append(std::move(write));
    }
    if (change.claimChange) {
        // A claim or a take-over names its record like every other document; a release deletes the claim that was
        // read (a decision carries the release of the decider's own claim).
        const ChangeSet::ClaimChange& claim = *change.claimChange;
        const Precondition expected = claim.expectedVersion.isEmpty() ? Precondition::mustNotExist()
                                                                      : Precondition::version(claim.expectedVersion);
        if (claim.release) {
            writes.append(FirestoreWrite::remove(claimPath(change.uid), expected));
        } else if (claim.claim) {
            FirestoreFields fields = encodeClaim(*claim.claim);
            fields.insert(kAuditRecordField, V::string(recordId));
            writes.append(FirestoreWrite::set(claimPath(change.uid), std::move(fields), expected));
        }
    }
    if (change.decidedAppeal) {
        writes.append(appealDecisionWrite(*change.decidedAppeal, recordId));
    }
    writes.append(FirestoreWrite::set(auditPath(record.sequence), encodeAudit(record), Precondition::mustNotExist()));
    if (!change.idempotencyKey.isEmpty()) {
        writes.append(FirestoreWrite::set(idempotencyPath(change.idempotencyKey),
                                          {{QStringLiteral("key"), V::string(change.idempotencyKey)},
                                           {QStringLiteral("uid"), V::string(change.uid)},
                                           {QStringLiteral("sequence"), V::integer(record.sequence)},
                                           {QStringLiteral("reviewer_uid"), V::string(record.reviewerUid)},
                                           {QStringLiteral("at"), V::timestamp(record.at)}},
                                          Precondition::mustNotExist()));
    }
    return writes;
}

FirestoreWrite FirestoreCaseStore::reviewerWrite(const QString& email, Role role) {
    const QString id = email.trimmed().toLower();
    return FirestoreWrite::set(
        QStringLiteral("%1/%2").arg(kReviewersCollection, id),
        {{QStringLiteral("email"), V::string(id)}, {QStringLiteral("role"), V::string(toString(role))}});
}

FirestoreWrite FirestoreCaseStore::exemptionWrite(const QString& uid, const QString& by, TimePoint at,
                                                  const QString& reason) {
    return FirestoreWrite::set(exemptionPath(uid), {{QStringLiteral("uid"), V::string(uid)},
                                                    {QStringLiteral("exempt"), V::boolean(true)},
                                                    {QStringLiteral("by"), V::string(by)},
                                                    {QStringLiteral("at"), V::timestamp(at)},
                                                    {QStringLiteral("reason"), V::string(reason)}});
}

FirestoreWrite FirestoreCaseStore::headWrite(const AuditRecord& last, const std::optional<FirestoreDocument>& head) {
    return FirestoreWrite::set(
        kAuditHeadPath,
        {{QStringLiteral("sequence"), V::integer(last.sequence)},
         {QStringLiteral("hash"), V::string(last.hash)},
         // The record id lets the security rules check that the head names a record written in the same commit.
         {QStringLiteral("record"), V::string(auditRecordId(last.sequence))},
         {QStringLiteral("at"), V::timestamp(last.at)}},
        head ? Precondition::version(head->updateTime) : Precondition::mustNotExist());
}

QString FirestoreCaseStore::exemptionPath(const QString& uid) {
    return QStringLiteral("%1/%2").arg(kExemptionsCollection, uid);
}

Async<CommitResult> FirestoreCaseStore::apply(const ChangeSet& change) {
    auto copy = prepareChange(change);
    if (!copy) {
        return ready<CommitResult>(copy.error());
    }
    auto promise = makePromise<CommitResult>();
    applyAttempt(copy.value(), promise, 0);
    return promise->future();
}

void FirestoreCaseStore::applyAttempt(std::shared_ptr<ChangeSet> change, PromisePtr<CommitResult> promise,
                                      int attempt) {
    QStringList reads{kAuditHeadPath};
    if (!change->idempotencyKey.isEmpty()) {
        reads.append(idempotencyPath(change->idempotencyKey));
    }
    ++m_stats.readRequests;
    m_client->batchGet(reads).then(
        guarded(this, [this, change, promise, attempt](const Result<QList<std::optional<FirestoreDocument>>>& r) {
            if (!r) {
                finish(promise, Result<CommitResult>(r.error()));
                return;
            }
            // Already applied: report the stored record and write nothing.
            if (r->size() > 1 && r->at(1)) {
                const std::int64_t sequence = r->at(1)->fields.value(QStringLiteral("sequence")).toInteger();
                ++m_stats.readRequests;
                m_client->get(auditPath(sequence)).then(guarded(this, [promise](const Result<FirestoreDocument>& a) {
                    CommitResult result;
                    result.alreadyApplied = true;
                    if (a) {
                        result.audit = decodeAudit(a->fields).valueOr(AuditRecord{});
                    }
                    finish(promise, Result<CommitResult>(result));
                }));
                return;
            }
            const std::optional<FirestoreDocument>& head = r->at(0);
            const Result<AuditRecord> previous = headRecord(head);
            if (!previous) {
                finish(promise, Result<CommitResult>(previous.error()));
                return;
            }
            const AuditRecord record = chain(head ? &previous.value() : nullptr, change->audit);

            int stateIndex = -1;
            int eventIndex = -1;
            QList<FirestoreWrite> writes = changeWrites(*change, record, &stateIndex, &eventIndex);
            const auto claimWrite = std::find_if(writes.cbegin(), writes.cend(), [&change](const FirestoreWrite& w) {
                return w.path == claimPath(change->uid);
            });
            const int claimIndex = static_cast<int>(claimWrite - writes.cbegin());
            const auto appealWrite = std::find_if(writes.cbegin(), writes.cend(), [&change](const FirestoreWrite& w) {
                return change->decidedAppeal && w.path == appealPath(change->uid, change->decidedAppeal->id);
            });
            const int appealIndex = static_cast<int>(appealWrite - writes.cbegin());
            writes.append(headWrite(record, head));
            ++m_stats.commitRequests;
            m_client->commit(writes).then(guarded(this, [this, change, promise, attempt, record, stateIndex, eventIndex,
                                                         claimIndex, appealIndex](const Result<CommitResponse>& c) {
                if (!c) {
                    if (c.error().kind == ErrorKind::Conflict) {
                        diagnoseConflict(change, promise, attempt, c.error());
                    } else {
                        finish(promise, Result<CommitResult>(c.error()));
                    }
                    return;
                }
                CommitResult result;
                result.audit = record;
                result.stateVersion = stateIndex >= 0 ? c->updateTimes.value(stateIndex) : QString();
                result.eventVersion = eventIndex >= 0 ? c->updateTimes.value(eventIndex) : QString();
                if (change->claimChange && change->claimChange->claim) {
                    result.claimVersion = c->updateTimes.value(claimIndex);
                }
                if (change->decidedAppeal) {
                    result.appealVersion = c->updateTimes.value(appealIndex);
                }
                finish(promise, Result<CommitResult>(result));
            }));
        }));
}

void FirestoreCaseStore::diagnoseConflict(std::shared_ptr<ChangeSet> change, PromisePtr<CommitResult> promise,
                                          int attempt, Error original) {
    // The commit names no document, so read the ones with preconditions to tell a real conflict (this case changed)
    // from a busy audit head (another case was acted on at the same moment), which is retried.
    QStringList reads{statePath(change->uid)};
    reads.append(change->newEvent ? eventPath(change->uid, change->newEvent->id) : statePath(change->uid));
    reads.append(claimPath(change->uid));
    reads.append(change->decidedAppeal ? appealPath(change->uid, change->decidedAppeal->id) : claimPath(change->uid));
    if (!change->idempotencyKey.isEmpty()) {
        reads.append(idempotencyPath(change->idempotencyKey));
    }
    ++m_stats.readRequests;
    m_client->batchGet(reads).then(guarded(this, [this, change, promise, attempt,
                                                  original](const Result<QList<std::optional<FirestoreDocument>>>& r) {
        if (!r) {
            finish(promise, Result<CommitResult>(original));
            return;
        }
        if (r->size() > 4 && r->at(4)) {
            applyAttempt(change, promise, attempt); // reports alreadyApplied
            return;
        }
        const auto versionOf = [](const std::optional<FirestoreDocument>& d) { return d ? d->updateTime : QString(); };
        const bool stateMoved =
            change->newState && change->checkStateVersion && versionOf(r->at(0)) != change->expectedStateVersion;
        const bool eventMoved = change->newEvent && versionOf(r->at(1)) != change->expectedEventVersion;
        if (change->claimChange && versionOf(r->at(2)) != change->claimChange->expectedVersion) {
            const std::optional<FirestoreDocument>& now = r->at(2);
            const QString holder = now ? now->fields.value(QStringLiteral("reviewer")).toText() : QString();
            finish(promise,
                   Result<CommitResult>(Error::conflict(
                       holder.isEmpty()
                           ? QStringLiteral("the claim on %1 changed since you read it (released)").arg(change->uid)
                           : QStringLiteral("the claim on %1 changed since you read it (now held by %2)")
                                 .arg(change->uid, holder))));
            return;
        }
        if (change->decidedAppeal && versionOf(r->at(3)) != change->decidedAppeal->version) {
            finish(promise, Result<CommitResult>(Error::conflict(
                                QStringLiteral("appeal %1 of %2 changed since you read it (decided by someone else?)")
                                    .arg(change->decidedAppeal->id, change->uid))));
            return;
        }
        if (stateMoved || eventMoved) {
            finish(promise,
                   Result<CommitResult>(Error::conflict(
                       QStringLiteral("someone else changed this case first (%1 of %2 changed since you read "
                                      "it); reload and try again")
                           .arg(stateMoved ? QStringLiteral("the state") : QStringLiteral("the case"), change->uid))));
            return;
        }
        if (attempt + 1 > m_options.auditHeadRetries) {
            finish(promise, Result<CommitResult>(Error::unavailable(
                                QStringLiteral("the audit trail is busy (%1 attempts); try again").arg(attempt + 1))));
            return;
        }
        // Spread competing writers out a little before re-reading the head.
        const int delayMs = QRandomGenerator::global()->bounded(10, 40 * (attempt + 1));
        QTimer::singleShot(delayMs, this,
                           [this, change, promise, attempt] { applyAttempt(change, promise, attempt + 1); });
    }));
}

} // namespace fairuse::services
