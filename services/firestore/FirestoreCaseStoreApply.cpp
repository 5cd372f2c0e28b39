// FirestoreCaseStore::apply: one ChangeSet in one atomic commit, chained to the audit head, retried while only the
// head moved (see the header for the contract).
#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/FirestoreCasework.h"
#include "firestore/FirestoreClaims.h"
#include "firestore/FirestoreViews.h"

#include "audit/AuditChain.h"

#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>

namespace fairuse::services {

using namespace casestore;

namespace {

int indexOf(const QList<FirestoreWrite>& writes, const QString& path) {
    for (int i = 0; i < writes.size(); ++i) {
        if (!path.isEmpty() && writes.at(i).path == path) {
            return i;
        }
    }
    return -1;
}

/** A saved view's change is the team's: it names no user and carries nothing but the view and its record. */
Status checkViewChange(const ChangeSet& change) {
    const ChangeSet::ViewChange& view = *change.viewChange;
    if (!change.uid.isEmpty() || change.newState || change.newEvent || change.exempt || change.claimChange ||
        change.decidedAppeal || change.label || change.noteChange || change.caseworkChange) {
        return Error::invalid(QStringLiteral("a saved view's change set carries a user's change too"));
    }
    if (!isViewId(view.id) || (view.view && view.view->id != view.id)) {
        return Error::invalid(
            QStringLiteral("a saved view's change names no view id, or two (\"%1\")").arg(view.id.left(40)));
    }
    const AuditAction expected = view.view ? AuditAction::SaveView : AuditAction::DeleteView;
    if (change.audit.action != expected) {
        return Error::invalid(QStringLiteral("a saved view's change is recorded as %1, not %2")
                                  .arg(toString(change.audit.action), toString(expected)));
    }
    return {};
}

/** The conflict of a view's change whose view now has version `now` ("": none). */
Error viewConflict(const ChangeSet::ViewChange& view, const QString& now) {
    const QString what = now.isEmpty()                    ? QStringLiteral("was deleted by someone else")
                         : view.expectedVersion.isEmpty() ? QStringLiteral("exists already")
                                                          : QStringLiteral("was changed by someone else");
    return Error::conflict(QStringLiteral("saved view %1 %2; reload the views and try again").arg(view.id, what));
}

} // namespace

Result<std::shared_ptr<ChangeSet>> FirestoreCaseStore::prepareChange(const ChangeSet& change) const {
    if (change.viewChange) {
        if (Status ok = checkViewChange(change); !ok) {
            return ok.error();
        }
    } else if (auto ok = checkId(QStringLiteral("user id"), change.uid); !ok) {
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
            const QString noteId = !change->noteChange                     ? QString()
                                   : change->noteChange->note.id.isEmpty() ? auditRecordId(record.sequence)
                                                                           : change->noteChange->note.id;
            const int noteIndex = indexOf(writes, noteId.isEmpty() ? QString() : notePath(change->uid, noteId));
            const int caseworkIndex = change->caseworkChange && change->caseworkChange->casework
                                          ? indexOf(writes, caseworkPath(change->uid))
                                          : -1;
            const int viewIndex =
                change->viewChange && change->viewChange->view ? indexOf(writes, viewPath(change->viewChange->id)) : -1;
            writes.append(headWrite(record, head));
            ++m_stats.commitRequests;
            const QString headVersion = head ? head->updateTime : QString();
            m_client->commit(writes).then(guarded(this, [this, change, promise, attempt, record, stateIndex, eventIndex,
                                                         claimIndex, appealIndex, noteId, noteIndex, caseworkIndex,
                                                         viewIndex, headVersion](const Result<CommitResponse>& c) {
                if (!c) {
                    if (c.error().kind == ErrorKind::Conflict) {
                        diagnoseConflict(change, promise, attempt, c.error());
                    } else if (c.error().kind == ErrorKind::Permission) {
                        diagnoseDenial(change, promise, attempt, headVersion, c.error());
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
                result.noteId = noteId;
                result.noteVersion = noteIndex >= 0 ? c->updateTimes.value(noteIndex) : QString();
                result.caseworkVersion = caseworkIndex >= 0 ? c->updateTimes.value(caseworkIndex) : QString();
                result.viewVersion = viewIndex >= 0 ? c->updateTimes.value(viewIndex) : QString();
                finish(promise, Result<CommitResult>(result));
            }));
        }));
}

void FirestoreCaseStore::diagnoseDenial(std::shared_ptr<ChangeSet> change, PromisePtr<CommitResult> promise,
                                        int attempt, const QString& headVersion, Error original) {
    // The security rules are evaluated against the database as it is when the commit arrives, before the
    // preconditions: when another reviewer's commit moved the audit head in between, this commit's record no longer
    // follows the head and the rules refuse it (PERMISSION_DENIED) instead of the head's precondition failing. Tell
    // that apart from a real refusal by reading the head again; a moved head is a conflict to diagnose and retry.
    ++m_stats.readRequests;
    m_client->batchGet({kAuditHeadPath})
        .then(guarded(this, [this, change, promise, attempt, headVersion,
                             original](const Result<QList<std::optional<FirestoreDocument>>>& r) {
            const bool moved = r && !r->isEmpty() && (r->at(0) ? r->at(0)->updateTime : QString()) != headVersion;
            if (moved) {
                diagnoseConflict(change, promise, attempt, original);
            } else if (change->viewChange) {
                diagnoseViewDenial(change, promise, original);
            } else {
                finish(promise, Result<CommitResult>(original));
            }
        }));
}

void FirestoreCaseStore::diagnoseViewDenial(std::shared_ptr<ChangeSet> change, PromisePtr<CommitResult> promise,
                                            Error original) {
    // The rules judge a view's change against the view as it is now: one deleted or changed since it was read may be
    // refused rather than failing its precondition. Such a view is a conflict, reported as one. A view we may not
    // read is someone else's personal view: it was un-shared since, or never ours to change; either way a refusal.
    ++m_stats.readRequests;
    m_client->batchGet({viewPath(change->viewChange->id)})
        .then(guarded(this, [change, promise, original](const Result<QList<std::optional<FirestoreDocument>>>& r) {
            const ChangeSet::ViewChange& view = *change->viewChange;
            if (!r && r.error().kind == ErrorKind::Permission) {
                finish(promise, Result<CommitResult>(Error::permission(
                                    QStringLiteral("saved view %1 is someone else's personal view (un-shared since you "
                                                   "read it?): %2")
                                        .arg(view.id, original.message))));
                return;
            }
            const QString now = r && !r->isEmpty() && r->at(0) ? r->at(0)->updateTime : QString();
            if (!r || now == view.expectedVersion) {
                finish(promise, Result<CommitResult>(original));
                return;
            }
            finish(promise, Result<CommitResult>(viewConflict(view, now)));
        }));
}

void FirestoreCaseStore::diagnoseConflict(std::shared_ptr<ChangeSet> change, PromisePtr<CommitResult> promise,
                                          int attempt, Error original) {
    if (change->viewChange) {
        diagnoseViewConflict(change, promise, attempt, original);
        return;
    }
    // The commit names no document, so read the ones with preconditions to tell a real conflict (this case changed)
    // from a busy audit head (another case was acted on at the same moment), which is retried.
    QStringList reads{statePath(change->uid)};
    reads.append(change->newEvent ? eventPath(change->uid, change->newEvent->id) : statePath(change->uid));
    reads.append(claimPath(change->uid));
    reads.append(change->decidedAppeal ? appealPath(change->uid, change->decidedAppeal->id) : claimPath(change->uid));
    const bool unpin = change->noteChange && !change->noteChange->note.id.isEmpty();
    reads.append(unpin ? notePath(change->uid, change->noteChange->note.id) : claimPath(change->uid));
    reads.append(caseworkPath(change->uid));
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
        if (r->size() > 6 && r->at(6)) {
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
        if (change->noteChange && !change->noteChange->note.id.isEmpty() &&
            versionOf(r->at(4)) != change->noteChange->expectedVersion) {
            finish(promise, Result<CommitResult>(Error::conflict(
                                QStringLiteral("note %1 of %2 changed since you read it (unpinned by someone else?)")
                                    .arg(change->noteChange->note.id, change->uid))));
            return;
        }
        if (change->caseworkChange && versionOf(r->at(5)) != change->caseworkChange->expectedVersion) {
            finish(promise, Result<CommitResult>(Error::conflict(
                                QStringLiteral("the escalation or snooze of %1 changed since you read it; reload and "
                                               "try again")
                                    .arg(change->uid))));
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
        retryAfterHeadMoved(change, promise, attempt);
    }));
}

void FirestoreCaseStore::diagnoseViewConflict(std::shared_ptr<ChangeSet> change, PromisePtr<CommitResult> promise,
                                              int attempt, Error original) {
    // A view's commit has no user documents: read the view (and the key) to tell a changed view from a busy head.
    QStringList reads{viewPath(change->viewChange->id)};
    if (!change->idempotencyKey.isEmpty()) {
        reads.append(idempotencyPath(change->idempotencyKey));
    }
    ++m_stats.readRequests;
    m_client->batchGet(reads).then(guarded(
        this, [this, change, promise, attempt, original](const Result<QList<std::optional<FirestoreDocument>>>& r) {
            if (!r || r->isEmpty()) {
                finish(promise, Result<CommitResult>(original));
                return;
            }
            if (r->size() > 1 && r->at(1)) {
                applyAttempt(change, promise, attempt); // reports alreadyApplied
                return;
            }
            const ChangeSet::ViewChange& view = *change->viewChange;
            const QString now = r->at(0) ? r->at(0)->updateTime : QString();
            if (now != view.expectedVersion) {
                finish(promise, Result<CommitResult>(viewConflict(view, now)));
                return;
            }
            retryAfterHeadMoved(change, promise, attempt);
        }));
}

void FirestoreCaseStore::retryAfterHeadMoved(std::shared_ptr<ChangeSet> change, PromisePtr<CommitResult> promise,
                                             int attempt) {
    if (attempt + 1 > m_options.auditHeadRetries) {
        finish(promise, Result<CommitResult>(Error::unavailable(
                            QStringLiteral("the audit trail is busy (%1 attempts); try again").arg(attempt + 1))));
        return;
    }
    // Spread competing writers out a little before re-reading the head.
    const int delayMs = QRandomGenerator::global()->bounded(10, 40 * (attempt + 1));
    QTimer::singleShot(delayMs, this, [this, change, promise, attempt] { applyAttempt(change, promise, attempt + 1); });
}

} // namespace fairuse::services
