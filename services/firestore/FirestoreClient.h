#pragma once

#include "common/CallsInFlight.h"
#include "common/Stores.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreDocument.h"

#include <QJsonDocument>
#include <QObject>
#include <QUrl>

#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace fairuse::services {

/** Where a Firestore database is and how hard to retry it. */
struct FirestoreConfig {
    QString projectId;
    QString databaseId = QStringLiteral("(default)");
    /** host:port of the emulator (plain http); empty for production (https://firestore.googleapis.com). */
    QString emulatorHost;
    int maxAttempts = 5;          ///< attempts for retryable failures (UNAVAILABLE, DEADLINE_EXCEEDED, ...)
    int initialBackoffMs = 250;   ///< first retry delay; doubles each attempt, with jitter
    int maxBackoffMs = 8000;      ///< cap of one retry delay
    int requestTimeoutMs = 30000; ///< per HTTP request

    /** Config for `projectId`, pointed at the emulator when FIRESTORE_EMULATOR_HOST is set. */
    static FirestoreConfig fromEnvironment(const QString& projectId);
    /**
     * Config for `projectId` named on the command line, where no profile says whether an emulator is meant.
     * FIRESTORE_EMULATOR_HOST (its value is `emulatorHost`) points it at the emulator only for a demo- project or when
     * the user asked for the emulator (`emulatorRequested`, the commands' --emulator): a variable left over in a shell
     * must never silently turn a real project into an emulator session. Refused with ErrorKind::Invalid, naming the
     * variable, its value and the project, for any other project while the variable is set, and for --emulator
     * without the variable.
     */
    static Result<FirestoreConfig> forCommandLine(const QString& projectId, const QString& emulatorHost,
                                                  bool emulatorRequested);
    /** Firebase's emulator-only project ids start with "demo-": no real project can have one. */
    static bool isDemoProject(const QString& projectId);

    /** https://firestore.googleapis.com/v1 or http://HOST/v1. */
    QUrl apiBase() const;
    /** projects/P/databases/D/documents */
    QString documentsRoot() const;
    bool isEmulator() const { return !emulatorHost.isEmpty(); }
};

/** A write precondition (Firestore `currentDocument`). */
struct Precondition {
    enum class Kind { None, MustExist, MustNotExist, UpdateTime };
    Kind kind = Kind::None;
    QString updateTime;

    static Precondition none() { return {}; }
    static Precondition mustExist() { return {Kind::MustExist, {}}; }
    static Precondition mustNotExist() { return {Kind::MustNotExist, {}}; }
    /** The document must still have this updateTime; an empty version means "must not exist yet". */
    static Precondition version(const QString& updateTime) {
        return updateTime.isEmpty() ? mustNotExist() : Precondition{Kind::UpdateTime, updateTime};
    }
};

/** One write of a commit. Paths are relative to the documents root ("users/u1/fair_use_state/current"). */
struct FirestoreWrite {
    enum class Op { Update, Delete };
    Op op = Op::Update;
    QString path;
    FirestoreFields fields;
    /** Only these fields are written (others stay); nullopt replaces the whole document. */
    std::optional<QStringList> updateMask;
    Precondition precondition;

    static FirestoreWrite set(QString path, FirestoreFields fields, Precondition p = {}) {
        return {Op::Update, std::move(path), std::move(fields), std::nullopt, std::move(p)};
    }
    static FirestoreWrite update(QString path, FirestoreFields fields, QStringList mask, Precondition p = {}) {
        return {Op::Update, std::move(path), std::move(fields), std::move(mask), std::move(p)};
    }
    static FirestoreWrite remove(QString path, Precondition p = {}) {
        return {Op::Delete, std::move(path), {}, std::nullopt, std::move(p)};
    }
};

/** What a commit returns: one updateTime per write, in order (empty for deletes of missing documents). */
struct CommitResponse {
    QStringList updateTimes;
    QString commitTime;
};

/** A structured query (runQuery). Filters are ANDed. */
struct FirestoreQuery {
    struct Filter {
        QString field;
        QString op; ///< EQUAL, IN, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL, ...
        FirestoreValue value;
    };
    struct Order {
        QString field; ///< "__name__" orders by document name
        bool descending = false;
    };

    QString parent; ///< document path under which to query, relative to the root; empty = the root
    QString collectionId;
    bool allDescendants = false; ///< true: collection group query
    QList<Filter> filters;
    QList<Order> orderBy;
    /** Cursor values, one per orderBy field; the page starts strictly after them. Empty: from the start. */
    QList<FirestoreValue> startAfter;
    int limit = 0; ///< 0: no limit

    /** {"structuredQuery": ...} as runQuery takes it. A "__name__" cursor value must be a referenceValue holding the
     *  document's full name. */
    QJsonObject toJson() const;
};

/**
 * Firestore over its REST API (v1), on the calling thread's event loop.
 *
 * Errors are mapped to ErrorKind: precondition failures (FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED naming a
 * version) -> Conflict; PERMISSION_DENIED and a rejected credential -> Permission; NOT_FOUND -> NotFound;
 * INVALID_ARGUMENT -> Invalid; UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED (contention), INTERNAL, RESOURCE_EXHAUSTED
 * and network failures are retried with capped exponential backoff, then reported as Unavailable (Quota for
 * RESOURCE_EXHAUSTED) naming the host. A 401 drops the cached token and retries once.
 */
class FirestoreClient : public QObject {
    Q_OBJECT
public:
    FirestoreClient(FirestoreConfig config, std::shared_ptr<TokenProvider> tokens, QObject* parent = nullptr);
    /** Whether this client's credential is exempt from the security rules (TokenProvider::bypassesSecurityRules). */
    bool bypassesSecurityRules() const { return m_tokens && m_tokens->bypassesSecurityRules(); }
    /** Answers every call still in flight with Unavailable ("closed"), so no caller waits on a dead client. */
    ~FirestoreClient() override;

    const FirestoreConfig& config() const { return m_config; }
    /** Full resource name of a relative path. */
    QString documentName(const QString& path) const;
    /** "firestore://project (emulator host:port)" for status bars. */
    QString describe() const;

    Async<FirestoreDocument> get(const QString& path);
    /** Documents by relative path, in the order asked; nullopt for a missing one. */
    Async<QList<std::optional<FirestoreDocument>>> batchGet(const QStringList& paths);
    /** Creates collectionPath/documentId; Conflict if it exists. An empty id lets the server choose. */
    Async<FirestoreDocument> create(const QString& collectionPath, const QString& documentId,
                                    const FirestoreFields& fields);
    /** Updates the fields in `updateMask` only, under a precondition; returns the new updateTime.
     *  Sent as a one-write commit: the emulator ignores currentDocument.updateTime given as a PATCH query
     *  parameter, while the commit body form works on both. */
    Async<QString> patch(const QString& path, const FirestoreFields& fields, const QStringList& updateMask,
                         const Precondition& precondition = {});
    Async<bool> remove(const QString& path, const Precondition& precondition = {});
    /** One atomic commit of at most 500 writes: all are applied or none. */
    Async<CommitResponse> commit(const QList<FirestoreWrite>& writes);
    /** Commits in batches of at most `batchSize` (<= 500), one after another; each batch is atomic, the whole is
     *  not. On failure the error says how many writes were committed before it. */
    Async<CommitResponse> commitInBatches(const QList<FirestoreWrite>& writes, int batchSize = kMaxWritesPerCommit);
    Async<QList<FirestoreDocument>> runQuery(const FirestoreQuery& query);

    static constexpr int kMaxWritesPerCommit = 500;

    /** Maps an error response (HTTP status + body) to an Error; exposed for tests. */
    static Error mapError(int httpStatus, const QByteArray& body, const QString& host, bool* retryable);

private:
    struct Call;
    void send(std::shared_ptr<Call> call);
    void onReply(std::shared_ptr<Call> call, QNetworkReply* reply);
    void retryOrFail(std::shared_ptr<Call> call, Error error);
    Async<QJsonDocument> request(QByteArray verb, QUrl url, QJsonObject body, QString what);
    QJsonObject writeToJson(const FirestoreWrite& write) const;
    QUrl documentsUrl(const QString& suffix) const;

    FirestoreConfig m_config;
    std::shared_ptr<TokenProvider> m_tokens;
    QNetworkAccessManager* m_network = nullptr;
    /** Calls in flight, so the destructor can answer them instead of leaving their futures cancelled. */
    CallsInFlight<Call> m_calls;
};

} // namespace fairuse::services
