// FirestoreCaseStore::applyBatch: many ChangeSets in few atomic commits (see the header for the contract).
#include "common/Guarded.h"
#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/FirestoreCasework.h"
#include "firestore/FirestoreClaims.h"
#include "firestore/FirestoreLabels.h"

#include "audit/AuditChain.h"

#include <QPromise>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <climits>

namespace fairuse::services {

namespace {

using Results = QList<Result<CommitResult>>;
using Docs = QList<std::optional<FirestoreDocument>>;

/** The documents one change writes that another change of the same batch could write too (audit records are
 *  numbered per commit, so they never collide). Firestore refuses a commit that writes a document twice. */
QStringList sharedDocuments(const ChangeSet& change) {
    QStringList docs;
    if (change.newState) {
        docs.append(FirestoreCaseStore::statePath(change.uid));
    }
    if (change.newEvent) {
        docs.append(FirestoreCaseStore::eventPath(change.uid, change.newEvent->id));
    }
    if (change.exempt) {
        docs.append(QStringLiteral("%1/%2").arg(casestore::kExemptionsCollection, change.uid));
    }
    if (change.claimChange) {
        docs.append(claimPath(change.uid));
    }
    if (change.decidedAppeal) {
        docs.append(appealPath(change.uid, change.decidedAppeal->id));
    }
    if (change.label) {
        docs.append(labelPath(change.label->eventId));
    }
    if (change.noteChange && !change.noteChange->note.id.isEmpty()) {
        docs.append(notePath(change.uid, change.noteChange->note.id));
    }
    if (change.caseworkChange) {
        docs.append(caseworkPath(change.uid));
    }
    if (!change.idempotencyKey.isEmpty()) {
        docs.append(FirestoreCaseStore::idempotencyPath(change.idempotencyKey));
    }
    return docs;
}

/** Writes of one change in a commit, the audit record included and the audit head not. */
int writeCount(const ChangeSet& change) {
    return (change.newState ? 1 : 0) + (change.newEvent ? 1 : 0) + (change.exempt ? 1 : 0) +
           (change.claimChange ? 1 : 0) + (change.decidedAppeal ? 1 : 0) + (change.label ? 1 : 0) +
           (change.noteChange ? 1 : 0) + (change.caseworkChange ? 1 : 0) + 1 +
           (change.idempotencyKey.isEmpty() ? 0 : 1);
}

/** Distinct documents the security rules read (get/exists/getAfter) for one change: its audit record and each of the
 *  state, case, exemption, claim, appeal, note and casework it writes (a label's rule reads only its audit record). */
int ruleReads(const ChangeSet& change) {
    return 1 + (change.newState ? 1 : 0) + (change.newEvent ? 1 : 0) + (change.exempt ? 1 : 0) +
           (change.claimChange ? 1 : 0) + (change.decidedAppeal ? 1 : 0) + (change.noteChange ? 1 : 0) +
           (change.caseworkChange ? 1 : 0);
}

/** Documents the rules read once per commit: the audit head before and after it, and the record before the first. */
constexpr int kRuleReadsPerCommit = 3;

/** Failures after which further commits of the same batch would fail the same way. */
bool stopsTheBatch(ErrorKind kind) {
    return kind == ErrorKind::Unavailable || kind == ErrorKind::Quota || kind == ErrorKind::Internal;
}

} // namespace

struct FirestoreCaseStore::BatchRun {
    QList<std::shared_ptr<ChangeSet>> changes; ///< prepared; nullptr where the change was refused up front
    QList<std::optional<Result<CommitResult>>> results;
    QList<int> waiting; ///< indexes not yet committed nor refused, in the order given
    std::shared_ptr<QPromise<Result<Results>>> promise;
    /** The audit head as our last commit left it, so the next commit needs no read when nobody else wrote. */
    std::optional<FirestoreDocument> head;
    bool headKnown = false;
    /** Changes whose idempotency key was read (and not found) since the last failed commit. */
    QSet<int> keysChecked;
    /** One change per commit from now on (security rules refused a commit of several). */
    bool oneByOne = false;

    void settle(int index, Result<CommitResult> result) {
        results[index] = std::move(result);
        waiting.removeOne(index);
    }
};

Async<Results> FirestoreCaseStore::applyBatch(const QList<ChangeSet>& changes) {
    auto run = std::make_shared<BatchRun>();
    run->promise = std::make_shared<QPromise<Result<Results>>>();
    run->promise->start();
    const int maxWrites = qBound(2, m_options.maxWritesPerCommit, FirestoreClient::kMaxWritesPerCommit);
    for (int i = 0; i < changes.size(); ++i) {
        run->changes.append(nullptr);
        run->results.append(std::nullopt);
        auto prepared = prepareChange(changes.at(i));
        if (!prepared) {
            run->results[i] = Result<CommitResult>(prepared.error());
        } else if (prepared.value()->viewChange) {
            // A saved view is the team's, one at a time from the views menu; only apply() diagnoses its conflicts.
            run->results[i] = Result<CommitResult>(Error::invalid(
                QStringLiteral("a saved view's change is applied on its own (apply()), not in a batch")));
        } else if (writeCount(*prepared.value()) + 1 > maxWrites) {
            run->results[i] = Result<CommitResult>(
                Error::invalid(QStringLiteral("the change of %1 needs %2 writes, more than one commit takes (%3)")
                                   .arg(changes.at(i).uid)
                                   .arg(writeCount(*prepared.value()) + 1)
                                   .arg(maxWrites)));
        } else {
            run->changes[i] = prepared.value();
            run->waiting.append(i);
        }
    }
    auto future = run->promise->future();
    batchNextCommit(run);
    return future;
}

void FirestoreCaseStore::batchNextCommit(std::shared_ptr<BatchRun> run) {
    if (run->waiting.isEmpty()) {
        Results out;
        out.reserve(run->results.size());
        for (const auto& r : std::as_const(run->results)) {
            out.append(r.value_or(Result<CommitResult>(Error::internal(QStringLiteral("change left unanswered")))));
        }
        run->promise->addResult(Result<Results>(std::move(out)));
        run->promise->finish();
        return;
    }
    // Fill one commit in the order given. A change that shares a document with a change left for a later commit
    // is left too, so changes of the same document keep their order.
    const int maxWrites = qBound(2, m_options.maxWritesPerCommit, FirestoreClient::kMaxWritesPerCommit);
    QList<int> chunk;
    QSet<QString> inChunk;
    QSet<QString> deferred;
    int writes = 1; // the audit head
    int reads = kRuleReadsPerCommit;
    int maxReads = m_options.maxRuleReadsPerCommit;
    if (maxReads < 0) {
        maxReads = m_client->bypassesSecurityRules() ? 0 : kRuleReadsLimit;
    }
    if (maxReads == 0) {
        maxReads = INT_MAX;
    }
    for (int index : std::as_const(run->waiting)) {
        const ChangeSet& change = *run->changes.at(index);
        const QStringList docs = sharedDocuments(change);
        const bool clash = std::any_of(docs.cbegin(), docs.cend(),
                                       [&](const QString& d) { return inChunk.contains(d) || deferred.contains(d); });
        const int n = writeCount(change);
        const int r = ruleReads(change);
        // The first change of a commit always goes in: alone it fits both limits (checked by applyBatch).
        if (!clash && writes + n <= maxWrites && (chunk.isEmpty() || reads + r <= maxReads)) {
            chunk.append(index);
            writes += n;
            reads += r;
            for (const QString& d : docs) {
                inChunk.insert(d);
            }
            if (run->oneByOne) {
                break;
            }
        } else {
            for (const QString& d : docs) {
                deferred.insert(d);
            }
        }
    }
    batchAttempt(run, chunk, 0);
}

void FirestoreCaseStore::batchAttempt(std::shared_ptr<BatchRun> run, QList<int> chunk, int attempt) {
    if (chunk.isEmpty()) {
        batchNextCommit(run);
        return;
    }
    const bool keysKnown = std::all_of(chunk.cbegin(), chunk.cend(), [&run](int index) {
        return run->changes.at(index)->idempotencyKey.isEmpty() || run->keysChecked.contains(index);
    });
    if (run->headKnown && keysKnown) {
        // Our previous commit moved the head and nobody has failed us since: commit right away. Should someone
        // else have moved the head meanwhile, the precondition fails and batchDiagnose reads it again.
        batchCommit(run, chunk, attempt, run->head);
        return;
    }
    // Idempotency first: a change whose key is known was applied by an earlier run and is not written again. The
    // first read takes the keys of every change still waiting, so later commits need no read of their own.
    QStringList reads{kAuditHeadPath};
    QList<int> keyed;
    const QList<int> candidates = run->keysChecked.isEmpty() ? run->waiting : chunk;
    for (int index : candidates) {
        const ChangeSet& change = *run->changes.at(index);
        if (!change.idempotencyKey.isEmpty() && (chunk.contains(index) || !run->keysChecked.contains(index))) {
            reads.append(idempotencyPath(change.idempotencyKey));
            keyed.append(index);
        }
    }
    ++m_stats.readRequests;
    m_client->batchGet(reads).then(guarded(this, [this, run, chunk, attempt, keyed](const Result<Docs>& r) {
        if (!r) {
            batchFail(run, chunk, r.error());
            return;
        }
        for (int index : keyed) {
            run->keysChecked.insert(index);
        }
        QList<int> applied;
        QStringList auditReads;
        for (int k = 0; k < keyed.size(); ++k) {
            if (const auto& doc = r->value(k + 1)) {
                applied.append(keyed.at(k));
                auditReads.append(auditPath(doc->fields.value(QStringLiteral("sequence")).toInteger()));
            }
        }
        QList<int> remaining = chunk;
        for (int index : std::as_const(applied)) {
            remaining.removeOne(index);
        }
        const std::optional<FirestoreDocument> head = r->at(0);
        run->head = head;
        run->headKnown = true;
        if (applied.isEmpty()) {
            batchCommit(run, remaining, attempt, head);
            return;
        }
        // Report what was stored for them, then commit the others.
        ++m_stats.readRequests;
        m_client->batchGet(auditReads)
            .then(guarded(this, [this, run, applied, remaining, attempt, head](const Result<Docs>& audits) {
                for (int k = 0; k < applied.size(); ++k) {
                    CommitResult result;
                    result.alreadyApplied = true;
                    if (audits && audits->value(k)) {
                        result.audit = decodeAudit(audits->value(k)->fields).valueOr(AuditRecord{});
                    }
                    run->settle(applied.at(k), Result<CommitResult>(result));
                }
                batchCommit(run, remaining, attempt, head);
            }));
    }));
}

void FirestoreCaseStore::batchCommit(std::shared_ptr<BatchRun> run, QList<int> chunk, int attempt,
                                     std::optional<FirestoreDocument> head) {
    if (chunk.isEmpty()) {
        batchNextCommit(run);
        return;
    }
    const Result<AuditRecord> headRec = headRecord(head);
    if (!headRec) {
        batchFail(run, chunk, headRec.error());
        return;
    }
    // The records of one commit chain to each other; the head is written once, naming the last of them.
    struct Placed {
        AuditRecord record;
        int stateWrite = -1;
        int eventWrite = -1;
    };
    QList<Placed> placed;
    QList<FirestoreWrite> writes;
    std::optional<AuditRecord> previous;
    if (head) {
        previous = headRec.value();
    }
    for (int index : std::as_const(chunk)) {
        const ChangeSet& change = *run->changes.at(index);
        Placed p;
        p.record = chain(previous ? &*previous : nullptr, change.audit);
        int stateIndex = -1;
        int eventIndex = -1;
        const QList<FirestoreWrite> own = changeWrites(change, p.record, &stateIndex, &eventIndex);
        const int offset = static_cast<int>(writes.size());
        p.stateWrite = stateIndex >= 0 ? offset + stateIndex : -1;
        p.eventWrite = eventIndex >= 0 ? offset + eventIndex : -1;
        writes.append(own);
        previous = p.record;
        placed.append(p);
    }
    writes.append(headWrite(*previous, head));
    if (placed.size() > 1) {
        // The batch's first record, so that the security rules can check the batch continues the chain from the old
        // head before they let it advance by more than one (packaging/firestore/firestore.rules).
        writes.last().fields.insert(QStringLiteral("first"),
                                    FirestoreValue::string(auditRecordId(placed.first().record.sequence)));
    }
    const FirestoreFields headFields = writes.last().fields;
    ++m_stats.commitRequests;
    m_client->commit(writes).then(
        guarded(this, [this, run, chunk, attempt, placed, headFields](const Result<CommitResponse>& c) {
            if (!c) {
                run->headKnown = false;
                const ErrorKind kind = c.error().kind;
                if (kind == ErrorKind::Conflict) {
                    batchDiagnose(run, chunk, attempt, c.error());
                } else if (kind == ErrorKind::Permission && chunk.size() > 1) {
                    // Security rules older than packaging/firestore/firestore.rules let a reviewer's own credential
                    // advance the audit head by one record per commit: go on one change per commit, as apply() does.
                    run->oneByOne = true;
                    batchAttempt(run, chunk.mid(0, 1), attempt);
                } else if (kind == ErrorKind::Invalid && chunk.size() > 1) {
                    // One change the server refuses as invalid must not fail the others: halve the commit until
                    // the refused change is alone. The other half waits for the next commits.
                    batchAttempt(run, chunk.mid(0, chunk.size() / 2), attempt);
                } else {
                    batchFail(run, chunk, c.error());
                }
                return;
            }
            // The head write is the last one; what it wrote is what the head holds now.
            FirestoreDocument newHead;
            newHead.fields = headFields;
            newHead.updateTime = c->updateTimes.value(c->updateTimes.size() - 1);
            run->head = newHead;
            run->headKnown = !newHead.updateTime.isEmpty();
            for (int k = 0; k < chunk.size(); ++k) {
                const Placed& p = placed.at(k);
                CommitResult result;
                result.audit = p.record;
                result.stateVersion = p.stateWrite >= 0 ? c->updateTimes.value(p.stateWrite) : QString();
                result.eventVersion = p.eventWrite >= 0 ? c->updateTimes.value(p.eventWrite) : QString();
                run->settle(chunk.at(k), Result<CommitResult>(result));
            }
            batchNextCommit(run);
        }));
}

void FirestoreCaseStore::batchDiagnose(std::shared_ptr<BatchRun> run, QList<int> chunk, int attempt, Error original) {
    // The head and the keys are read again before the next commit: someone else wrote meanwhile.
    for (int index : std::as_const(chunk)) {
        run->keysChecked.remove(index);
    }
    // A failed commit does not say which precondition failed: read every document that had one. A change whose
    // state or case moved is a conflict; a change whose key now exists was applied meanwhile (batchAttempt reports
    // it); when neither, only the audit head moved and the commit is tried again.
    QStringList reads;
    struct Probe {
        int index = 0;
        int state = -1;
        int event = -1;
        int key = -1;
    };
    QList<Probe> probes;
    for (int index : std::as_const(chunk)) {
        const ChangeSet& change = *run->changes.at(index);
        Probe p;
        p.index = index;
        if (change.newState && change.checkStateVersion) {
            p.state = static_cast<int>(reads.size());
            reads.append(statePath(change.uid));
        }
        if (change.newEvent) {
            p.event = static_cast<int>(reads.size());
            reads.append(eventPath(change.uid, change.newEvent->id));
        }
        if (!change.idempotencyKey.isEmpty()) {
            p.key = static_cast<int>(reads.size());
            reads.append(idempotencyPath(change.idempotencyKey));
        }
        probes.append(p);
    }
    ++m_stats.readRequests;
    m_client->batchGet(reads).then(guarded(this, [this, run, chunk, attempt, original, probes](const Result<Docs>& r) {
        if (!r) {
            batchFail(run, chunk,
                      Error{r.error().kind, QStringLiteral("a commit failed (%1) and reading its cases again failed "
                                                           "too (%2); run it again to retry")
                                                .arg(original.message, r.error().message)});
            return;
        }
        const auto versionOf = [&r](int at) {
            const auto& d = r->value(at);
            return d ? d->updateTime : QString();
        };
        QList<int> remaining;
        bool progressed = false;
        for (const Probe& p : probes) {
            const ChangeSet& change = *run->changes.at(p.index);
            if (p.key >= 0 && r->value(p.key)) {
                remaining.append(p.index); // applied by someone else meanwhile: the next attempt reports it
                progressed = true;
                continue;
            }
            const bool stateMoved = p.state >= 0 && versionOf(p.state) != change.expectedStateVersion;
            const bool eventMoved = p.event >= 0 && versionOf(p.event) != change.expectedEventVersion;
            if (stateMoved || eventMoved) {
                run->settle(p.index, Result<CommitResult>(Error::conflict(
                                         QStringLiteral("someone else changed this case first (%1 of %2 changed "
                                                        "since you read it); reload and try again")
                                             .arg(stateMoved ? QStringLiteral("the state") : QStringLiteral("the case"),
                                                  change.uid))));
                progressed = true;
                continue;
            }
            remaining.append(p.index);
        }
        if (progressed) {
            batchAttempt(run, remaining, attempt);
            return;
        }
        if (attempt + 1 > m_options.auditHeadRetries) {
            batchFail(run, chunk,
                      Error::unavailable(
                          QStringLiteral("the audit trail is busy (%1 attempts); try again").arg(attempt + 1)));
            return;
        }
        // Only the head moved (another reviewer acted meanwhile): spread out a little, then read it again.
        const int delayMs = QRandomGenerator::global()->bounded(10, 40 * (attempt + 1));
        QTimer::singleShot(delayMs, this,
                           [this, run, remaining, attempt] { batchAttempt(run, remaining, attempt + 1); });
    }));
}

void FirestoreCaseStore::batchFail(const std::shared_ptr<BatchRun>& run, const QList<int>& chunk, const Error& error) {
    run->headKnown = false;
    for (int index : chunk) {
        run->settle(index, Result<CommitResult>(error));
    }
    if (stopsTheBatch(error.kind)) {
        const QList<int> rest = run->waiting;
        for (int index : rest) {
            run->settle(index, Result<CommitResult>(Error{
                                   error.kind, QStringLiteral("not attempted: an earlier commit of this batch failed "
                                                              "(%1); run it again to retry")
                                                   .arg(error.message)}));
        }
    }
    batchNextCommit(run);
}

} // namespace fairuse::services
