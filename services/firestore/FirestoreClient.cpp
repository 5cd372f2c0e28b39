#include "firestore/FirestoreClient.h"
#include "common/Guarded.h"
#include "logging/Logging.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPromise>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>

namespace fairuse::services {

namespace {

QString preconditionKey(Precondition::Kind k) {
    return k == Precondition::Kind::UpdateTime ? QStringLiteral("updateTime") : QStringLiteral("exists");
}

QJsonObject preconditionJson(const Precondition& p) {
    switch (p.kind) {
    case Precondition::Kind::None:
        return {};
    case Precondition::Kind::MustExist:
        return {{preconditionKey(p.kind), true}};
    case Precondition::Kind::MustNotExist:
        return {{preconditionKey(p.kind), false}};
    case Precondition::Kind::UpdateTime:
        return {{preconditionKey(p.kind), p.updateTime}};
    }
    return {};
}

} // namespace

FirestoreConfig FirestoreConfig::fromEnvironment(const QString& projectId) {
    FirestoreConfig c;
    c.projectId = projectId;
    c.emulatorHost = qEnvironmentVariable("FIRESTORE_EMULATOR_HOST").trimmed();
    return c;
}

Result<FirestoreConfig> FirestoreConfig::forCommandLine(const QString& projectId, const QString& emulatorHost,
                                                        bool emulatorRequested) {
    FirestoreConfig c;
    c.projectId = projectId;
    const QString host = emulatorHost.trimmed();
    if (host.isEmpty()) {
        if (emulatorRequested) {
            return Error::invalid(QStringLiteral("--emulator needs FIRESTORE_EMULATOR_HOST=host:port, the address of "
                                                 "the Firestore emulator"));
        }
        return c;
    }
    if (!emulatorRequested && !isDemoProject(projectId)) {
        return Error::invalid(
            QStringLiteral("FIRESTORE_EMULATOR_HOST is set (to %1), but project \"%2\" is not a demo- project: "
                           "refusing to use the emulator in place of what may be a production project. Unset "
                           "FIRESTORE_EMULATOR_HOST to reach the real project, or pass --emulator if \"%2\" is meant "
                           "to be the emulator's.")
                .arg(host, projectId));
    }
    c.emulatorHost = host;
    return c;
}

bool FirestoreConfig::isDemoProject(const QString& projectId) {
    return projectId.startsWith(QLatin1String("demo-"));
}

QUrl FirestoreConfig::apiBase() const {
    return isEmulator() ? QUrl(QStringLiteral("http://%1/v1").arg(emulatorHost))
                        : QUrl(QStringLiteral("https://firestore.googleapis.com/v1"));
}

QString FirestoreConfig::documentsRoot() const {
    return QStringLiteral("projects/%1/databases/%2/documents").arg(projectId, databaseId);
}

QJsonObject FirestoreQuery::toJson() const {
    QJsonObject from{{QStringLiteral("collectionId"), collectionId}};
    if (allDescendants) {
        from.insert(QStringLiteral("allDescendants"), true);
    }
    QJsonObject q{{QStringLiteral("from"), QJsonArray{from}}};
    QJsonArray fieldFilters;
    for (const auto& f : filters) {
        fieldFilters.append(
            QJsonObject{{QStringLiteral("fieldFilter"),
                         QJsonObject{{QStringLiteral("field"), QJsonObject{{QStringLiteral("fieldPath"), f.field}}},
                                     {QStringLiteral("op"), f.op},
                                     {QStringLiteral("value"), f.value.toJson()}}}});
    }
    if (fieldFilters.size() == 1) {
        q.insert(QStringLiteral("where"), fieldFilters.first());
    } else if (fieldFilters.size() > 1) {
        q.insert(QStringLiteral("where"), QJsonObject{{QStringLiteral("compositeFilter"),
                                                       QJsonObject{{QStringLiteral("op"), QStringLiteral("AND")},
                                                                   {QStringLiteral("filters"), fieldFilters}}}});
    }
    if (!orderBy.isEmpty()) {
        QJsonArray orders;
        for (const auto& o : orderBy) {
            orders.append(QJsonObject{{QStringLiteral("field"), QJsonObject{{QStringLiteral("fieldPath"), o.field}}},
                                      {QStringLiteral("direction"),
                                       o.descending ? QStringLiteral("DESCENDING") : QStringLiteral("ASCENDING")}});
        }
        q.insert(QStringLiteral("orderBy"), orders);
    }
    if (!startAfter.isEmpty()) {
        QJsonArray values;
        for (const auto& v : startAfter) {
            values.append(v.toJson());
        }
        // before=false: the cursor position itself is excluded, so the page starts after the last row seen.
        q.insert(QStringLiteral("startAt"),
                 QJsonObject{{QStringLiteral("values"), values}, {QStringLiteral("before"), false}});
    }
    if (limit > 0) {
        q.insert(QStringLiteral("limit"), limit);
    }
    return QJsonObject{{QStringLiteral("structuredQuery"), q}};
}

/** One logical request with its retry state. */
struct FirestoreClient::Call {
    QPromise<Result<QJsonDocument>> promise;
    QByteArray verb;
    QUrl url;
    QByteArray body;
    QString what; ///< for messages: "commit", "get users/u1/..."
    int attempt = 0;
    bool retriedAuth = false;
};

FirestoreClient::FirestoreClient(FirestoreConfig config, std::shared_ptr<TokenProvider> tokens, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_tokens(std::move(tokens))
    , m_network(new QNetworkAccessManager(this)) {}

FirestoreClient::~FirestoreClient() {
    m_calls.closeAll(Error::unavailable(QStringLiteral("the Firestore connection was closed")));
}

QString FirestoreClient::documentName(const QString& path) const {
    return path.isEmpty() ? m_config.documentsRoot() : QString(m_config.documentsRoot() + QLatin1Char('/') + path);
}

QString FirestoreClient::describe() const {
    return m_config.isEmulator()
               ? QStringLiteral("firestore://%1 (emulator %2)").arg(m_config.projectId, m_config.emulatorHost)
               : QStringLiteral("firestore://%1").arg(m_config.projectId);
}

QUrl FirestoreClient::documentsUrl(const QString& suffix) const {
    QUrl url = m_config.apiBase();
    // Paths come from our own code (uids, ids); percent-encode segments so an odd id cannot change the route.
    QString path = url.path() + QLatin1Char('/') + m_config.documentsRoot();
    if (!suffix.isEmpty()) {
        path += suffix.startsWith(QLatin1Char(':')) ? suffix : QString(QLatin1Char('/') + suffix);
    }
    url.setPath(path, QUrl::DecodedMode);
    return url;
}

Error FirestoreClient::mapError(int httpStatus, const QByteArray& body, const QString& host, bool* retryable) {
    *retryable = false;
    QJsonValue errorValue = QJsonDocument::fromJson(body).object().value(QStringLiteral("error"));
    if (errorValue.isUndefined()) {
        // runQuery streams an array; an error arrives as one of its elements.
        const QJsonArray arr = QJsonDocument::fromJson(body).array();
        for (const auto& item : arr) {
            if (item.toObject().contains(QStringLiteral("error"))) {
                errorValue = item.toObject().value(QStringLiteral("error"));
                break;
            }
        }
    }
    const QJsonObject error = errorValue.toObject();
    const QString status = error.value(QStringLiteral("status")).toString();
    const QString message = error.value(QStringLiteral("message")).toString().trimmed().left(300);
    const QString detail = message.isEmpty() ? QStringLiteral("HTTP %1").arg(httpStatus) : message;

    if (status == QLatin1String("FAILED_PRECONDITION") || status == QLatin1String("ALREADY_EXISTS") ||
        (status == QLatin1String("ABORTED") &&
         (message.contains(QLatin1String("version")) || message.contains(QLatin1String("precondition"))))) {
        // FAILED_PRECONDITION also covers "the query needs an index"; say that plainly, it is not a conflict.
        if (message.contains(QLatin1String("index"))) {
            return Error::invalid(QStringLiteral("Firestore needs an index for this query: %1").arg(detail));
        }
        return Error::conflict(QStringLiteral("someone else changed this case first (%1)").arg(detail));
    }
    if (status == QLatin1String("PERMISSION_DENIED") || httpStatus == 403) {
        return Error::permission(QStringLiteral("Firestore denied this: %1").arg(detail));
    }
    if (status == QLatin1String("UNAUTHENTICATED") || httpStatus == 401) {
        return Error::permission(QStringLiteral("Firestore rejected the credential: %1").arg(detail));
    }
    if (status == QLatin1String("NOT_FOUND") || httpStatus == 404) {
        return Error::notFound(QStringLiteral("not found: %1").arg(detail));
    }
    if (status == QLatin1String("INVALID_ARGUMENT") || status == QLatin1String("OUT_OF_RANGE") || httpStatus == 400) {
        return Error::invalid(QStringLiteral("Firestore rejected the request: %1").arg(detail));
    }
    if (status == QLatin1String("RESOURCE_EXHAUSTED") || httpStatus == 429) {
        *retryable = true;
        return Error::quota(QStringLiteral("Firestore quota exhausted at %1: %2").arg(host, detail));
    }
    if (status == QLatin1String("UNAVAILABLE") || status == QLatin1String("DEADLINE_EXCEEDED") ||
        status == QLatin1String("ABORTED") || status == QLatin1String("INTERNAL") || httpStatus >= 500 ||
        httpStatus == 409) {
        *retryable = true;
        return Error::unavailable(QStringLiteral("Firestore at %1 is unavailable: %2").arg(host, detail));
    }
    return Error::internal(QStringLiteral("unexpected Firestore answer from %1: %2").arg(host, detail));
}

Async<QJsonDocument> FirestoreClient::request(QByteArray verb, QUrl url, QJsonObject body, QString what) {
    auto call = std::make_shared<Call>();
    call->verb = std::move(verb);
    call->url = std::move(url);
    call->body = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    call->what = std::move(what);
    call->promise.start();
    Async<QJsonDocument> future = call->promise.future();
    m_calls.track(call);
    send(call);
    return future;
}

void FirestoreClient::send(std::shared_ptr<Call> call) {
    ++call->attempt;
    m_tokens->token().then(guarded(this, [this, call](const Result<QString>& token) {
        if (!token) {
            call->promise.addResult(token.error());
            call->promise.finish();
            return;
        }
        QNetworkRequest request(call->url);
        request.setRawHeader("Authorization", "Bearer " + token->toUtf8());
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setTransferTimeout(m_config.requestTimeoutMs);
        qCDebug(lcFirestore) << call->verb << call->what << "attempt" << call->attempt;
        QNetworkReply* reply = call->body.isNull() ? m_network->sendCustomRequest(request, call->verb)
                                                   : m_network->sendCustomRequest(request, call->verb, call->body);
        connect(reply, &QNetworkReply::finished, this, [this, call, reply] { onReply(call, reply); });
    }));
}

void FirestoreClient::onReply(std::shared_ptr<Call> call, QNetworkReply* reply) {
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    const QString host =
        call->url.port() > 0 ? QStringLiteral("%1:%2").arg(call->url.host()).arg(call->url.port()) : call->url.host();
    if (status == 0) {
        // No HTTP answer at all: refused, reset, DNS, TLS or timeout.
        retryOrFail(call, Error::unavailable(
                              QStringLiteral("cannot reach Firestore at %1: %2").arg(host, reply->errorString())));
        return;
    }
    if (status >= 200 && status < 300) {
        QJsonParseError parseError;
        QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            call->promise.addResult(
                Error::internal(QStringLiteral("Firestore at %1 answered %2 with malformed JSON: %3")
                                    .arg(host, call->what, parseError.errorString())));
            call->promise.finish();
            return;
        }
        call->promise.addResult(std::move(doc));
        call->promise.finish();
        return;
    }
    bool retryable = false;
    Error error = mapError(status, body, host, &retryable);
    if (status == 401 && !call->retriedAuth) {
        // A cached token may have expired early or been revoked: fetch a new one once.
        call->retriedAuth = true;
        m_tokens->invalidate();
        --call->attempt;
        send(call);
        return;
    }
    qCInfo(lcFirestore) << call->verb << call->what << "->" << status;
    if (retryable) {
        retryOrFail(call, std::move(error));
        return;
    }
    call->promise.addResult(std::move(error));
    call->promise.finish();
}

void FirestoreClient::retryOrFail(std::shared_ptr<Call> call, Error error) {
    if (call->attempt >= m_config.maxAttempts) {
        error.message += QStringLiteral(" (gave up after %1 attempts)").arg(call->attempt);
        call->promise.addResult(std::move(error));
        call->promise.finish();
        return;
    }
    // Capped exponential backoff with full jitter in the upper half, so retrying clients spread out.
    const qint64 base =
        std::min<qint64>(qint64{m_config.initialBackoffMs} << std::min(call->attempt - 1, 20), m_config.maxBackoffMs);
    const qint64 delay = base / 2 + QRandomGenerator::global()->bounded(base / 2 + 1);
    qCInfo(lcFirestore) << call->what << "retry in" << delay << "ms:" << error.message;
    QTimer::singleShot(std::chrono::milliseconds{delay}, this, [this, call] { send(call); });
}

Async<FirestoreDocument> FirestoreClient::get(const QString& path) {
    return request("GET", documentsUrl(path), {}, QStringLiteral("get %1").arg(path))
        .then(guarded(this, [path](const Result<QJsonDocument>& r) -> Result<FirestoreDocument> {
            if (!r) {
                if (r.error().kind == ErrorKind::NotFound) {
                    return Error::notFound(QStringLiteral("%1 does not exist").arg(path));
                }
                return r.error();
            }
            return FirestoreDocument::fromJson(r->object());
        }));
}

Async<QList<std::optional<FirestoreDocument>>> FirestoreClient::batchGet(const QStringList& paths) {
    using Out = QList<std::optional<FirestoreDocument>>;
    if (paths.isEmpty()) {
        return ready<Out>(Out{});
    }
    QJsonArray names;
    for (const auto& p : paths) {
        names.append(documentName(p));
    }
    return request("POST", documentsUrl(QStringLiteral(":batchGet")), QJsonObject{{QStringLiteral("documents"), names}},
                   QStringLiteral("batchGet"))
        .then(guarded(this, [this, paths](const Result<QJsonDocument>& r) -> Result<Out> {
            if (!r) {
                return r.error();
            }
            // The answer is in any order; put it back in the order asked.
            QHash<QString, FirestoreDocument> found;
            for (const auto& item : r->array()) {
                const QJsonObject o = item.toObject();
                if (o.contains(QStringLiteral("found"))) {
                    auto doc = FirestoreDocument::fromJson(o.value(QStringLiteral("found")).toObject());
                    if (!doc) {
                        return doc.error();
                    }
                    found.insert(doc->name, std::move(doc.value()));
                }
            }
            Out out;
            for (const auto& p : paths) {
                const auto it = found.constFind(documentName(p));
                out.append(it == found.cend() ? std::nullopt : std::optional<FirestoreDocument>(*it));
            }
            return out;
        }));
}

Async<FirestoreDocument> FirestoreClient::create(const QString& collectionPath, const QString& documentId,
                                                 const FirestoreFields& fields) {
    QUrl url = documentsUrl(collectionPath);
    if (!documentId.isEmpty()) {
        url.setQuery(QUrlQuery{{QStringLiteral("documentId"), documentId}});
    }
    return request("POST", url, QJsonObject{{QStringLiteral("fields"), fieldsToJson(fields)}},
                   QStringLiteral("create %1/%2").arg(collectionPath, documentId))
        .then(guarded(this, [](const Result<QJsonDocument>& r) -> Result<FirestoreDocument> {
            if (!r) {
                return r.error();
            }
            return FirestoreDocument::fromJson(r->object());
        }));
}

Async<QString> FirestoreClient::patch(const QString& path, const FirestoreFields& fields, const QStringList& updateMask,
                                      const Precondition& precondition) {
    return commit({FirestoreWrite::update(path, fields, updateMask, precondition)})
        .then(guarded(this, [](const Result<CommitResponse>& r) -> Result<QString> {
            if (!r) {
                return r.error();
            }
            return r->updateTimes.value(0);
        }));
}

Async<bool> FirestoreClient::remove(const QString& path, const Precondition& precondition) {
    return commit({FirestoreWrite::remove(path, precondition)})
        .then(guarded(this, [](const Result<CommitResponse>& r) -> Result<bool> {
            if (!r) {
                return r.error();
            }
            return true;
        }));
}

QJsonObject FirestoreClient::writeToJson(const FirestoreWrite& w) const {
    QJsonObject o;
    if (w.op == FirestoreWrite::Op::Delete) {
        o.insert(QStringLiteral("delete"), documentName(w.path));
    } else {
        o.insert(QStringLiteral("update"), QJsonObject{{QStringLiteral("name"), documentName(w.path)},
                                                       {QStringLiteral("fields"), fieldsToJson(w.fields)}});
        if (w.updateMask) {
            QJsonArray paths;
            for (const auto& f : *w.updateMask) {
                paths.append(f);
            }
            o.insert(QStringLiteral("updateMask"), QJsonObject{{QStringLiteral("fieldPaths"), paths}});
        }
    }
    const QJsonObject pre = preconditionJson(w.precondition);
    if (!pre.isEmpty()) {
        o.insert(QStringLiteral("currentDocument"), pre);
    }
    return o;
}

Async<CommitResponse> FirestoreClient::commit(const QList<FirestoreWrite>& writes) {
    if (writes.size() > kMaxWritesPerCommit) {
        return ready<CommitResponse>(
            Error::invalid(QStringLiteral("one commit takes at most %1 writes, got %2; use commitInBatches")
                               .arg(kMaxWritesPerCommit)
                               .arg(writes.size())));
    }
    QJsonArray array;
    for (const auto& w : writes) {
        array.append(writeToJson(w));
    }
    return request("POST", documentsUrl(QStringLiteral(":commit")), QJsonObject{{QStringLiteral("writes"), array}},
                   QStringLiteral("commit of %1 writes").arg(writes.size()))
        .then(guarded(this, [](const Result<QJsonDocument>& r) -> Result<CommitResponse> {
            if (!r) {
                return r.error();
            }
            CommitResponse out;
            const QJsonObject o = r->object();
            out.commitTime = o.value(QStringLiteral("commitTime")).toString();
            for (const auto& wr : o.value(QStringLiteral("writeResults")).toArray()) {
                out.updateTimes.append(wr.toObject().value(QStringLiteral("updateTime")).toString());
            }
            return out;
        }));
}

Async<CommitResponse> FirestoreClient::commitInBatches(const QList<FirestoreWrite>& writes, int batchSize) {
    batchSize = std::clamp(batchSize, 1, kMaxWritesPerCommit);
    auto promise = std::make_shared<QPromise<Result<CommitResponse>>>();
    promise->start();
    auto total = std::make_shared<CommitResponse>();
    auto all = std::make_shared<QList<FirestoreWrite>>(writes);
    // Batches go one after another so that a failure leaves a clean prefix committed, which the message names.
    auto next = std::make_shared<std::function<void(qsizetype)>>();
    *next = [this, promise, total, all, batchSize, next](qsizetype offset) {
        if (offset >= all->size()) {
            promise->addResult(*total);
            promise->finish();
            *next = nullptr; // break the self-reference
            return;
        }
        commit(all->mid(offset, batchSize))
            .then(guarded(this, [this, promise, total, all, batchSize, next, offset](const Result<CommitResponse>& r) {
                if (!r) {
                    promise->addResult(
                        Error{r.error().kind, QStringLiteral("%1 (%2 of %3 writes were committed before this batch)")
                                                  .arg(r.error().message)
                                                  .arg(offset)
                                                  .arg(all->size())});
                    promise->finish();
                    *next = nullptr;
                    return;
                }
                total->updateTimes += r->updateTimes;
                total->commitTime = r->commitTime;
                (*next)(offset + batchSize);
            }));
    };
    (*next)(0);
    return promise->future();
}

Async<QList<FirestoreDocument>> FirestoreClient::runQuery(const FirestoreQuery& query) {
    const QString suffix =
        query.parent.isEmpty() ? QStringLiteral(":runQuery") : QString(query.parent + QStringLiteral(":runQuery"));
    return request("POST", documentsUrl(suffix), query.toJson(), QStringLiteral("query %1").arg(query.collectionId))
        .then(guarded(this, [](const Result<QJsonDocument>& r) -> Result<QList<FirestoreDocument>> {
            if (!r) {
                return r.error();
            }
            QList<FirestoreDocument> docs;
            for (const auto& item : r->array()) {
                const QJsonObject o = item.toObject();
                if (o.contains(QStringLiteral("error"))) {
                    bool retryable = false;
                    return mapError(200, QJsonDocument(o).toJson(), QString(), &retryable);
                }
                if (!o.contains(QStringLiteral("document"))) {
                    continue; // progress entries carry only readTime
                }
                auto doc = FirestoreDocument::fromJson(o.value(QStringLiteral("document")).toObject());
                if (!doc) {
                    return doc.error();
                }
                docs.append(std::move(doc.value()));
            }
            return docs;
        }));
}

} // namespace fairuse::services
