#include "firestore/ServiceRerunClassifier.h"

#include "common/Guarded.h"
#include "firestore/ClassifierRunDocument.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreMapping.h"
#include "firestore/ServiceHeartbeatDocument.h"

#include <QDeadlineTimer>
#include <QTimer>

#include <algorithm>

namespace fairuse::services {

using V = FirestoreValue;

struct ServiceRerunClassifier::Waiting {
    PromisePtr<ClassifierResult> promise;
    QString uid;
    QString recordId;
    QDeadlineTimer deadline;
    QString lastError; ///< the last read that failed for another reason than "not there yet"
};

ServiceRerunClassifier::ServiceRerunClassifier(std::shared_ptr<FirestoreClient> client, Reviewer reviewer,
                                               Options options, QObject* parent)
    : QObject(parent)
    , m_client(std::move(client))
    , m_reviewer(std::move(reviewer))
    , m_options(options) {}

ServiceRerunClassifier::~ServiceRerunClassifier() {
    const auto waiting = m_waiting;
    for (const auto& w : waiting) {
        settle(w, Error::unavailable(QStringLiteral("the console stopped waiting for the enforcement service")));
    }
}

QString ServiceRerunClassifier::describe() const {
    return m_lastHeuristic ? tr("enforcement service (heuristic)") : tr("enforcement service");
}

void ServiceRerunClassifier::settle(const std::shared_ptr<Waiting>& w, Result<ClassifierResult> r) {
    if (!m_waiting.removeOne(w)) {
        return;
    }
    if (r) {
        m_lastHeuristic = r->heuristic;
    }
    finish(w->promise, std::move(r));
}

Async<ClassifierResult> ServiceRerunClassifier::classify(const QString& uid, const QList<Conversation>& conversations,
                                                         TimePoint now) {
    Q_UNUSED(conversations)
    Q_UNUSED(now)
    auto w = std::make_shared<Waiting>();
    w->promise = makePromise<ClassifierResult>();
    w->uid = uid;
    w->deadline = QDeadlineTimer(m_options.timeout);
    m_waiting.append(w);
    // The request the dialog has just written: the reviewer's newest rerun_classifier record of this user.
    FirestoreQuery q;
    q.collectionId = QStringLiteral("fair_use_audit");
    q.filters = {
        {QStringLiteral("uid"), QStringLiteral("EQUAL"), V::string(uid)},
        {QStringLiteral("reviewer"), QStringLiteral("EQUAL"), V::string(m_reviewer.email)},
        {QStringLiteral("action"), QStringLiteral("EQUAL"), V::string(toString(AuditAction::RerunClassifier))}};
    q.orderBy = {{QStringLiteral("sequence"), true}};
    q.limit = 1;
    m_client->runQuery(q).then(guarded(this, [this, w](const Result<QList<FirestoreDocument>>& docs) {
        if (!docs) {
            settle(w, Error{docs.error().kind, tr("Cannot read your re-run request: %1").arg(docs.error().message)});
            return;
        }
        if (docs->isEmpty()) {
            settle(w, Error::notFound(
                          tr("No re-run request of yours for user %1 was found in the audit trail.").arg(w->uid)));
            return;
        }
        const Result<AuditRecord> request = decodeAudit(docs->first().fields);
        if (!request) {
            settle(w, request.error());
            return;
        }
        w->recordId = FirestoreCaseStore::auditRecordId(request->sequence);
        poll(w);
    }));
    return w->promise->future();
}

void ServiceRerunClassifier::poll(std::shared_ptr<Waiting> w) {
    m_client->get(classifierRunPath(w->recordId)).then(guarded(this, [this, w](const Result<FirestoreDocument>& doc) {
        if (!m_waiting.contains(w)) {
            return;
        }
        if (doc) {
            Result<ClassifierRun> run = decodeClassifierRun(*doc);
            if (!run) {
                settle(w, Error::invalid(
                              tr("The enforcement service's answer is malformed: %1").arg(run.error().message)));
            } else if (run->uid != w->uid) {
                settle(w, Error::invalid(tr("The enforcement service's answer %1 is about user %2, not %3.")
                                             .arg(w->recordId, run->uid, w->uid)));
            } else if (!run->ok || !run->classifier) {
                settle(w, Error::unavailable(tr("The enforcement service could not classify: %1").arg(run->error)));
            } else {
                settle(w, *run->classifier);
            }
            return;
        }
        if (doc.error().kind == ErrorKind::Permission) {
            settle(w, Error::permission(tr("Cannot read the enforcement service's answer (%1): are the security rules "
                                           "of packaging/firestore deployed?")
                                            .arg(doc.error().message)));
            return;
        }
        if (doc.error().kind != ErrorKind::NotFound) {
            w->lastError = doc.error().message;
        }
        if (w->deadline.hasExpired()) {
            timedOut(w);
            return;
        }
        const auto wait =
            std::min<qint64>(m_options.pollInterval.count(), std::max<qint64>(1, w->deadline.remainingTime()));
        QTimer::singleShot(std::chrono::milliseconds(wait), this, [this, w] { poll(w); });
    }));
}

void ServiceRerunClassifier::timedOut(std::shared_ptr<Waiting> w) {
    FirestoreQuery q;
    q.collectionId = kServiceHeartbeatCollection;
    q.limit = 100;
    m_client->runQuery(q).then(guarded(this, [this, w](const Result<QList<FirestoreDocument>>& docs) {
        QString heartbeat = tr("no heartbeat: no enforcement service has run on this project");
        if (!docs) {
            heartbeat = tr("heartbeats unreadable: %1").arg(docs.error().message);
        } else {
            std::optional<ServiceHeartbeat> newest;
            for (const FirestoreDocument& d : *docs) {
                const Result<ServiceHeartbeat> h = decodeServiceHeartbeat(d);
                if (h && (!newest || h->lastPassFinished > newest->lastPassFinished)) {
                    newest = *h;
                }
            }
            if (newest) {
                heartbeat = tr("newest heartbeat: %1, last pass finished %2%3")
                                .arg(newest->instance, formatRfc3339(newest->lastPassFinished),
                                     newest->shadow ? tr(", shadow") : QString());
            }
        }
        const qint64 seconds = std::chrono::duration_cast<std::chrono::seconds>(m_options.timeout).count();
        QString message =
            tr("The enforcement service did not answer re-run request %1 within %2 s: is it running? (%3)")
                .arg(w->recordId)
                .arg(seconds)
                .arg(heartbeat);
        if (!w->lastError.isEmpty()) {
            message += tr(" The last read failed: %1").arg(w->lastError);
        }
        settle(w, Error::unavailable(message));
    }));
}

} // namespace fairuse::services
