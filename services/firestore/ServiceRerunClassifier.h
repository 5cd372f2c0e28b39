#pragma once

#include "common/Stores.h"
#include "firestore/FirestoreClient.h"

#include <QObject>

#include <chrono>
#include <memory>

namespace fairuse::services {

/**
 * The console's classifier when its profile sends re-runs to the enforcement service (issue 12): no LLM key on the
 * reviewer's computer. The request is the `rerun_classifier` audit record the console's dialog has just written with
 * the reviewer's identity; the service (fairuse-enforcer, enforcer/ClassifierReruns.h) answers it in
 * fair_use_classifier_runs/{recordId}.
 *
 * classify(uid, ...) finds the signed-in reviewer's newest `rerun_classifier` record of `uid` (one query: uid,
 * reviewer and action equal, sequence descending, limit 1), then reads its answer every `pollInterval` until it is
 * there: status ok gives the service's ClassifierResult; failed gives Unavailable with the service's error; a
 * malformed answer gives Invalid naming the field. Without an answer after `timeout` it fails with Unavailable, "the
 * enforcement service did not answer ...: is it running?", naming the newest service heartbeat. The conversations
 * passed in are not used: the service reads the user's recent conversations itself, as for a cap hit.
 *
 * Continuations are tied to this object; when it is destroyed, classifications in flight finish with Unavailable.
 */
class ServiceRerunClassifier : public QObject, public ClassifierService {
    Q_OBJECT
public:
    struct Options {
        std::chrono::milliseconds pollInterval{1500};
        std::chrono::milliseconds timeout{120'000};
    };

    ServiceRerunClassifier(std::shared_ptr<FirestoreClient> client, Reviewer reviewer, Options options,
                           QObject* parent = nullptr);
    ServiceRerunClassifier(std::shared_ptr<FirestoreClient> client, Reviewer reviewer, QObject* parent = nullptr)
        : ServiceRerunClassifier(std::move(client), std::move(reviewer), Options{}, parent) {}
    ~ServiceRerunClassifier() override;

    Async<ClassifierResult> classify(const QString& uid, const QList<Conversation>& conversations,
                                     TimePoint now) override;
    /** Whether the last answer came from the service's offline heuristic (false before any answer). */
    bool isHeuristic() const override { return m_lastHeuristic; }
    /** "enforcement service", and "(heuristic)" once an answer says so. */
    QString describe() const override;

private:
    struct Waiting;
    void poll(std::shared_ptr<Waiting> w);
    void timedOut(std::shared_ptr<Waiting> w);
    void settle(const std::shared_ptr<Waiting>& w, Result<ClassifierResult> r);

    std::shared_ptr<FirestoreClient> m_client;
    Reviewer m_reviewer;
    Options m_options;
    bool m_lastHeuristic = false;
    QList<std::shared_ptr<Waiting>> m_waiting;
};

} // namespace fairuse::services
