#include "embedded/EmbeddedChangeSet.h"

#include "audit/AuditChain.h"
#include "embedded/EmbeddedAppeals.h"
#include "embedded/EmbeddedCasework.h"
#include "embedded/EmbeddedClaims.h"
#include "embedded/EmbeddedLabels.h"
#include "embedded/EmbeddedSql.h"
#include "embedded/EmbeddedViews.h"

#include <QSqlQuery>

namespace fairuse::services::embedded {

namespace {

/** Current version of a state (0 when it does not exist). */
Result<std::int64_t> stateVersion(QSqlDatabase& db, const QString& uid) {
    auto q = exec(db, QStringLiteral("SELECT version FROM fair_use_state WHERE uid = ?"), {uid});
    if (!q) {
        return q.error();
    }
    return q->next() ? static_cast<std::int64_t>(q->value(0).toLongLong()) : std::int64_t{0};
}

Result<std::int64_t> eventVersion(QSqlDatabase& db, const QString& uid, const QString& id) {
    auto q = exec(db, QStringLiteral("SELECT version FROM events WHERE uid = ? AND id = ?"), {uid, id});
    if (!q) {
        return q.error();
    }
    return q->next() ? static_cast<std::int64_t>(q->value(0).toLongLong()) : std::int64_t{0};
}

QString versionText(std::int64_t v) {
    return v == 0 ? QString() : QString::number(v);
}

QString describeVersion(const QString& v) {
    return v.isEmpty() ? QStringLiteral("none") : v;
}

Result<std::optional<AuditRecord>> auditBySequence(QSqlDatabase& db, const QString& where, const QVariantList& binds) {
    auto q = exec(db, QStringLiteral("SELECT ") + auditColumns() + QStringLiteral(" FROM audit ") + where, binds);
    if (!q) {
        return q.error();
    }
    std::optional<AuditRecord> r;
    if (q->next()) {
        r = auditFromQuery(*q);
    }
    return r;
}

} // namespace

Result<CommitResult> applyChangeSet(QSqlDatabase& db, ChangeSet change) {
    if (change.viewChange &&
        (!change.uid.isEmpty() || change.newState || change.newEvent || change.exempt || change.claimChange ||
         change.decidedAppeal || change.label || change.noteChange || change.caseworkChange)) {
        return Error::invalid(QStringLiteral("a saved view's change set carries a user's change too"));
    }
    if (change.uid.isEmpty() && !change.viewChange) {
        return Error::invalid(QStringLiteral("change set without a user id"));
    }
    if (change.newState && !change.newState->uid.isEmpty() && change.newState->uid != change.uid) {
        return Error::invalid(
            QStringLiteral("change set for %1 carries the state of %2").arg(change.uid, change.newState->uid));
    }
    if (change.newEvent && !change.newEvent->uid.isEmpty() && change.newEvent->uid != change.uid) {
        return Error::invalid(
            QStringLiteral("change set for %1 carries an event of %2").arg(change.uid, change.newEvent->uid));
    }
    if (change.newEvent && change.newEvent->id.isEmpty()) {
        return Error::invalid(QStringLiteral("change set carries an event without an id"));
    }

    CommitResult result;
    if (!change.idempotencyKey.isEmpty()) {
        auto seen = exec(db, QStringLiteral("SELECT sequence FROM idempotency WHERE key = ?"), {change.idempotencyKey});
        if (!seen) {
            return seen.error();
        }
        if (seen->next()) {
            result.alreadyApplied = true;
            auto rec = auditBySequence(db, QStringLiteral("WHERE sequence = ?"), {seen->value(0)});
            if (!rec) {
                return rec.error();
            }
            if (*rec) {
                result.audit = **rec;
            }
            return result;
        }
    }

    auto currentState = stateVersion(db, change.uid);
    if (!currentState) {
        return currentState.error();
    }
    const QString currentStateText = versionText(*currentState);
    const bool checkState = change.checkStateVersion && (change.newState || !change.expectedStateVersion.isEmpty());
    if (checkState && currentStateText != change.expectedStateVersion) {
        return Error::conflict(
            QStringLiteral("the fair-use state of %1 was changed by someone else "
                           "(expected version %2, found %3)")
                .arg(change.uid, describeVersion(change.expectedStateVersion), describeVersion(currentStateText)));
    }
    std::int64_t currentEvent = 0;
    if (change.newEvent) {
        auto v = eventVersion(db, change.uid, change.newEvent->id);
        if (!v) {
            return v.error();
        }
        currentEvent = *v;
        if (versionText(currentEvent) != change.expectedEventVersion) {
            return Error::conflict(
                QStringLiteral("case %1 of %2 was changed by someone else "
                               "(expected version %3, found %4)")
                    .arg(change.newEvent->caseRef.isEmpty() ? change.newEvent->id : change.newEvent->caseRef,
                         change.uid, describeVersion(change.expectedEventVersion),
                         describeVersion(versionText(currentEvent))));
        }
    }

    if (change.claimChange) {
        if (Status s = checkClaimPrecondition(db, change.uid, *change.claimChange); !s) {
            return s.error();
        }
    }
    if (change.decidedAppeal) {
        if (change.decidedAppeal->uid != change.uid) {
            return Error::invalid(
                QStringLiteral("change set for %1 decides an appeal of %2").arg(change.uid, change.decidedAppeal->uid));
        }
        if (Status s = checkAppealPrecondition(db, *change.decidedAppeal); !s) {
            return s.error();
        }
    }
    if (change.label && (change.label->uid != change.uid || change.label->eventId.isEmpty())) {
        return Error::invalid(QStringLiteral("change set for %1 carries a label of %2 without a case")
                                  .arg(change.uid, change.label->uid));
    }

    if (change.noteChange) {
        if (!change.noteChange->note.uid.isEmpty() && change.noteChange->note.uid != change.uid) {
            return Error::invalid(
                QStringLiteral("change set for %1 writes a note on %2").arg(change.uid, change.noteChange->note.uid));
        }
        if (Status s = checkNotePrecondition(db, change.uid, *change.noteChange); !s) {
            return s.error();
        }
    }
    if (change.caseworkChange) {
        if (Status s = checkCaseworkPrecondition(db, change.uid, *change.caseworkChange); !s) {
            return s.error();
        }
    }
    if (change.viewChange) {
        if (Status s = checkViewPrecondition(db, *change.viewChange); !s) {
            return s.error();
        }
    }

    Writer w(db);
    if (Status s = w.prepare(); !s) {
        return s.error();
    }
    if (change.newState) {
        FairUseState state = *change.newState;
        state.uid = change.uid;
        const std::int64_t next = *currentState + 1;
        if (Status s = w.upsertState(state, next); !s) {
            return s.error();
        }
        result.stateVersion = QString::number(next);
    }
    if (change.newEvent) {
        FairUseEvent event = *change.newEvent;
        event.uid = change.uid;
        const std::int64_t next = currentEvent + 1;
        if (Status s = w.upsertEvent(event, next); !s) {
            return s.error();
        }
        result.eventVersion = QString::number(next);
    }
    if (change.exempt) {
        if (Status s = w.setExempt(change.uid, *change.exempt, change.audit.at, change.audit.reviewer); !s) {
            return s.error();
        }
    }

    if (change.claimChange) {
        auto v = writeClaimChange(db, change.uid, *change.claimChange);
        if (!v) {
            return v.error();
        }
        result.claimVersion = *v;
    }
    if (change.decidedAppeal) {
        auto v = writeAppealDecision(db, *change.decidedAppeal);
        if (!v) {
            return v.error();
        }
        result.appealVersion = *v;
    }
    if (change.caseworkChange) {
        auto v = writeCaseworkChange(db, change.uid, *change.caseworkChange);
        if (!v) {
            return v.error();
        }
        result.caseworkVersion = *v;
    }
    if (change.viewChange) {
        auto v = writeViewChange(db, *change.viewChange);
        if (!v) {
            return v.error();
        }
        result.viewVersion = *v;
    }

    auto last = auditBySequence(db, QStringLiteral("ORDER BY sequence DESC LIMIT 1"), {});
    if (!last) {
        return last.error();
    }
    AuditRecord next = change.audit;
    if (next.uid.isEmpty()) {
        next.uid = change.uid;
    }
    const AuditRecord chained = fairuse::chain(*last ? &**last : nullptr, std::move(next));
    if (Status s = w.insertAudit(chained); !s) {
        return s.error();
    }
    result.audit = chained;
    if (change.label) {
        if (Status s = writeLabel(db, *change.label, chained.sequence); !s) {
            return s.error();
        }
    }
    if (change.noteChange) {
        // A new note is named after its record, as in Firestore (FirestoreCaseStore::auditRecordId).
        auto v = writeNoteChange(db, change.uid, *change.noteChange,
                                 QStringLiteral("%1").arg(chained.sequence, 12, 10, QLatin1Char('0')));
        if (!v) {
            return v.error();
        }
        result.noteId = v->first;
        result.noteVersion = v->second;
    }

    if (!change.idempotencyKey.isEmpty()) {
        auto key =
            exec(db, QStringLiteral("INSERT INTO idempotency (key, sequence, applied_at) VALUES (?,?,?)"),
                 {change.idempotencyKey, QVariant::fromValue<qlonglong>(chained.sequence), timeValue(chained.at)});
        if (!key) {
            return key.error();
        }
    }
    return result;
}

} // namespace fairuse::services::embedded
