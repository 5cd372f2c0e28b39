#include "BulkResolver.h"

#include "FutureWatch.h"
#include "casework/Casework.h"
#include "enforcement/ReviewerActions.h"

#include <QCryptographicHash>

#include <algorithm>

#include <chrono>

namespace fairuse::models {

TimePoint backendNow(const Backend& backend) {
    if (backend.now) {
        return backend.now();
    }
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

BulkResolver::BulkResolver(Backend& backend, enforcement::Policy policy, QStringList uids, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
    , m_policy(std::move(policy))
    , m_uids(std::move(uids)) {
    m_uids.removeDuplicates();
}

int BulkResolver::openCaseCount() const {
    int n = 0;
    for (const UserJob& j : m_jobs) {
        for (const FairUseEvent& e : j.events) {
            n += e.resolved ? 0 : 1;
        }
    }
    return n;
}

QString BulkResolver::runId(QStringList uids, Outcome outcome, const QString& note) {
    uids.removeDuplicates();
    uids.sort();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const QString& uid : uids) {
        hash.addData(uid.toUtf8());
        hash.addData(QByteArrayView("\n"));
    }
    hash.addData(QByteArrayView("\x1f"));
    hash.addData(toString(outcome).toUtf8());
    hash.addData(QByteArrayView("\x1f"));
    hash.addData(note.toUtf8());
    return QStringLiteral("bulk-") + QString::fromLatin1(hash.result().toHex().left(16));
}

QString BulkResolver::statusLabel(BulkStatus s) {
    switch (s) {
    case BulkStatus::Pending:
        return tr("pending");
    case BulkStatus::Done:
        return tr("done");
    case BulkStatus::Conflict:
        return tr("conflict");
    case BulkStatus::Failed:
        return tr("failed");
    case BulkStatus::AlreadyApplied:
        return tr("skipped: already applied");
    case BulkStatus::Skipped:
        return tr("skipped");
    case BulkStatus::Cancelled:
        return tr("cancelled");
    }
    return {};
}

int BulkResolver::finishedCount() const {
    int n = 0;
    for (const BulkItem& item : m_items) {
        n += item.status != BulkStatus::Pending ? 1 : 0;
    }
    return n;
}

void BulkResolver::load() {
    m_jobs.clear();
    m_items.clear();
    m_loadErrors.clear();
    if (!m_backend.cases) {
        Q_EMIT loadFailed(tr("No case store is connected."));
        return;
    }
    for (const QString& uid : std::as_const(m_uids)) {
        m_jobs.append(UserJob{uid, {}, false, {}, {}, 0, std::nullopt});
    }
    m_pendingLoads = static_cast<int>(m_jobs.size());
    if (m_pendingLoads == 0) {
        Q_EMIT loaded(0, 0);
        return;
    }
    // Every escalated or snoozed user in one small query first (a document exists only while a case is either): a
    // resolve ends the user's escalation and snooze in its own commit, as the action dialog's does.
    ++m_pendingLoads;
    whenFinished(this, m_backend.cases->listCasework(), [this](const Result<QList<Casework>>& casework) {
        if (casework) {
            for (const Casework& c : casework.value()) {
                for (UserJob& j : m_jobs) {
                    if (j.uid == c.uid) {
                        j.casework = c;
                    }
                }
            }
        } else if (!casework.error().message.contains(QStringLiteral("cannot read casework"))) {
            m_loadErrors.append(tr("could not read the escalations and snoozes (%1)").arg(casework.error().message));
        }
        userLoaded();
    });
    for (int i = 0; i < m_jobs.size(); ++i) {
        loadUser(i);
    }
}

void BulkResolver::loadUser(int job) {
    const QString uid = m_jobs.at(job).uid;
    whenFinished(this, m_backend.cases->getState(uid), [this, job, uid](const Result<FairUseState>& state) {
        if (!state && state.error().kind != ErrorKind::NotFound) {
            m_loadErrors.append(tr("%1: could not read the state (%2)").arg(uid, state.error().message));
            userLoaded();
            return;
        }
        // No state document: a user with cases but no stage (an LLM-spend case), resolved on the user alone.
        FairUseState fresh;
        fresh.uid = uid;
        m_jobs[job].state = state ? state.value() : fresh;
        m_jobs[job].hasState = true;
        whenFinished(
            this, m_backend.cases->listEvents(uid), [this, job, uid](const Result<QList<FairUseEvent>>& events) {
                if (!events) {
                    m_loadErrors.append(tr("%1: could not read the cases (%2)").arg(uid, events.error().message));
                    userLoaded();
                    return;
                }
                // Oldest first, so the user's stage steps apply in the order the cases happened.
                for (auto it = events->crbegin(); it != events->crend(); ++it) {
                    m_jobs[job].events.append(*it);
                }
                userLoaded();
            });
    });
}

void BulkResolver::userLoaded() {
    if (--m_pendingLoads > 0) {
        return;
    }
    if (!m_loadErrors.isEmpty()) {
        Q_EMIT loadFailed(m_loadErrors.join(QLatin1Char('\n')));
    }
    Q_EMIT loaded(openCaseCount(), static_cast<int>(m_jobs.size()));
}

void BulkResolver::start(Outcome outcome, const QString& reasonCode, const QString& note) {
    if (m_running) {
        return;
    }
    m_outcome = outcome;
    m_reasonCode = reasonCode;
    m_note = note;
    m_runId = runId(m_uids, m_outcome, m_reasonCode + QLatin1Char('\x1f') + m_note);
    m_items.clear();
    for (UserJob& j : m_jobs) {
        j.items.clear();
        j.next = 0;
        for (const FairUseEvent& e : std::as_const(j.events)) {
            const bool mineBefore = e.resolved &&
                                    e.resolvedBy.compare(m_backend.reviewer.email, Qt::CaseInsensitive) == 0 &&
                                    e.outcome == m_outcome;
            if (!e.resolved || mineBefore) {
                j.items.append(static_cast<int>(m_items.size()));
                m_items.append(BulkItem{j.uid, e, mineBefore, BulkStatus::Pending, {}});
            }
        }
    }
    m_running = true;
    m_cancelled = false;
    m_inFlight = false;
    m_batches = 0;
    m_stageCacheErrors.clear();
    // Start from the event loop, so the caller sees items() before the first result arrives.
    QMetaObject::invokeMethod(this, &BulkResolver::pump, Qt::QueuedConnection);
}

void BulkResolver::cancel() {
    m_cancelled = true;
    if (!m_inFlight && m_running) {
        pump();
    }
}

void BulkResolver::pump() {
    if (!m_running || m_inFlight) {
        return;
    }
    while (!m_cancelled) {
        QList<Sent> sent;
        QList<ChangeSet> changes;
        buildBatch(&sent, &changes);
        if (!changes.isEmpty()) {
            sendBatch(std::move(sent), std::move(changes));
            return;
        }
        if (!hasWorkLeft()) {
            break;
        }
        // Every case taken this round failed before reaching the store; take the next ones.
    }
    for (int i = 0; i < m_items.size(); ++i) {
        if (m_items.at(i).status == BulkStatus::Pending) {
            finishItem(i, BulkStatus::Cancelled, tr("not started: the run was cancelled"));
        }
    }
    if (m_pendingCacheDrops > 0) {
        m_finishAfterCacheDrops = true;
        return;
    }
    finishRun();
}

void BulkResolver::finishRun() {
    m_finishAfterCacheDrops = false;
    m_running = false;
    Q_EMIT finished();
}

void BulkResolver::dropStageCaches(const QStringList& uids) {
    if (!m_backend.usage) {
        return;
    }
    for (const QString& uid : uids) {
        ++m_pendingCacheDrops;
        whenFinished(this, m_backend.usage->invalidateStageCache(uid), [this, uid](const Result<bool>& r) {
            if (!r) {
                m_stageCacheErrors.append(tr("%1: the backend's cached stage was not deleted (%2); it expires within "
                                             "a minute")
                                              .arg(uid, r.error().message));
            }
            if (--m_pendingCacheDrops == 0 && m_finishAfterCacheDrops) {
                finishRun();
            }
        });
    }
}

bool BulkResolver::hasWorkLeft() const {
    return std::any_of(m_jobs.cbegin(), m_jobs.cend(),
                       [](const UserJob& j) { return j.hasState && j.next < j.items.size(); });
}

void BulkResolver::buildBatch(QList<Sent>* sent, QList<ChangeSet>* changes) {
    // Cases of different users go into one batch. Cases of one user go in order, and only as long as the ones
    // before do not change the user's state: a case after a state change must be conditioned on the new state's
    // version, which only the store's answer tells, so it waits for the next batch.
    for (int job = 0; job < m_jobs.size() && changes->size() < m_batchSize; ++job) {
        UserJob& j = m_jobs[job];
        if (!j.hasState) {
            continue;
        }
        while (j.next < j.items.size() && changes->size() < m_batchSize) {
            const int index = j.items.at(j.next++);
            const BulkItem& item = m_items.at(index);

            enforcement::ActionContext ctx;
            ctx.reviewer = m_backend.reviewer;
            ctx.now = backendNow(m_backend);
            ctx.clientVersion = m_backend.clientVersion;
            ctx.idempotencyKey = m_runId + QLatin1Char(':') + item.event.id;
            ctx.caseRef = item.event.caseRef;
            ctx.eventId = item.event.id;

            FairUseEvent event = item.event;
            const bool probe = item.probeOnly;
            if (probe) {
                // Rebuild the request as it was when this run first saw the case open, only to present its key
                // again.
                event.resolved = false;
                event.resolvedAt.reset();
                event.resolvedBy.clear();
                event.outcome.reset();
            }
            Result<ChangeSet> change =
                enforcement::buildResolve(m_policy, j.state, event, m_outcome, m_reasonCode, m_note, false, ctx);
            if (!change) {
                finishItem(index, probe ? BulkStatus::Skipped : BulkStatus::Failed,
                           probe ? tr("already resolved by %1 before this run").arg(item.event.resolvedBy)
                                 : change.error().message);
                continue;
            }
            if (probe) {
                // The key decides: if it is unknown the case was resolved by another action, and this version can
                // never match, so the store refuses (Conflict) instead of resolving the case a second time. It is a
                // well-formed timestamp, which Firestore needs to evaluate the precondition at all (a malformed one
                // would fail the whole commit as invalid). A probe never changes the state this run works from.
                change->expectedEventVersion = QStringLiteral("1970-01-01T00:00:00Z");
            }
            const bool changesState = !probe && change->newState.has_value();
            bool endsCasework = false;
            if (!probe && j.casework) {
                casework::closeOnDecision(change.value(), j.casework);
                j.casework.reset(); // the user's later cases have none left to end
                endsCasework = change->caseworkChange.has_value();
            }
            sent->append(Sent{job, index, probe, change->newState});
            changes->append(std::move(change.value()));
            if (endsCasework) {
                return; // the rules read the casework's end from the commit's newest record: this one
            }
            if (changesState) {
                break;
            }
        }
    }
}

void BulkResolver::sendBatch(QList<Sent> sent, QList<ChangeSet> changes) {
    m_inFlight = true;
    ++m_batches;
    whenFinished(
        this, m_backend.cases->applyBatch(changes),
        [this, sent = std::move(sent)](const Result<QList<Result<CommitResult>>>& results) {
            m_inFlight = false;
            QStringList stageChanged;
            for (int k = 0; k < sent.size(); ++k) {
                const Sent& s = sent.at(k);
                if (!results) {
                    finishItem(s.item, BulkStatus::Failed, results.error().message);
                    continue;
                }
                const Result<CommitResult> result =
                    results->value(k, Result<CommitResult>(Error::internal(QStringLiteral("no answer for the case"))));
                if (result && result->alreadyApplied) {
                    finishItem(s.item, BulkStatus::AlreadyApplied, tr("this run had already resolved it"));
                } else if (s.probe) {
                    finishItem(s.item, BulkStatus::Skipped,
                               tr("already resolved by %1 before this run").arg(m_items.at(s.item).event.resolvedBy));
                } else if (result) {
                    if (s.newState) {
                        UserJob& j = m_jobs[s.job];
                        j.state = *s.newState;
                        j.state.version = result->stateVersion;
                        if (!stageChanged.contains(j.uid)) {
                            stageChanged.append(j.uid);
                        }
                    }
                    finishItem(s.item, BulkStatus::Done, tr("audit record #%1").arg(result->audit.sequence));
                } else if (result.error().kind == ErrorKind::Conflict) {
                    finishItem(s.item, BulkStatus::Conflict,
                               tr("changed by someone else since it was loaded; nothing written (%1)")
                                   .arg(result.error().message));
                } else {
                    finishItem(s.item, BulkStatus::Failed, result.error().message);
                }
            }
            // The backend re-reads the stage of these users instead of enforcing the cached one.
            dropStageCaches(stageChanged);
            // Cancel takes effect here, between batches.
            pump();
        });
}

void BulkResolver::finishItem(int index, BulkStatus status, const QString& message) {
    m_items[index].status = status;
    m_items[index].message = message;
    Q_EMIT itemFinished(index);
}

} // namespace fairuse::models
