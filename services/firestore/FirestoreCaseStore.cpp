// FirestoreCaseStore's documents: where each one lives and the writes that build them (the store's other parts are
// FirestoreCaseStoreQueue, -Reads, -Apply, -Batch, -Audit and -Spend).
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/FirestoreCasework.h"
#include "firestore/FirestoreClaims.h"
#include "firestore/FirestoreLabels.h"
#include "firestore/FirestoreViews.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace fairuse::services {

using namespace casestore;

using V = FirestoreValue;

QString casestore::newDocumentId() {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString id;
    for (int i = 0; i < 20; ++i) {
        id += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(62)]);
    }
    return id;
}

Status casestore::checkId(const QString& what, const QString& id) {
    if (id.isEmpty() || id.contains(QLatin1Char('/')) || id == QLatin1String(".") || id == QLatin1String("..") ||
        (id.startsWith(QLatin1String("__")) && id.endsWith(QLatin1String("__")))) {
        return Error::invalid(QStringLiteral("%1 \"%2\" is not a valid document id").arg(what, id.left(80)));
    }
    return {};
}

Error casestore::closedError() {
    return Error::unavailable(QStringLiteral("the Firestore connection was closed"));
}

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

QString FirestoreCaseStore::exemptionPath(const QString& uid) {
    return QStringLiteral("%1/%2").arg(kExemptionsCollection, uid);
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
    if (change.label) {
        // The newest verdict on a case replaces an earlier one (a resolution, then its appeal).
        FirestoreFields fields = encodeLabel(*change.label);
        fields.insert(kAuditRecordField, V::string(recordId));
        writes.append(FirestoreWrite::set(labelPath(change.label->eventId), std::move(fields)));
    }
    if (change.noteChange) {
        // A new note is named after its record, so the rules find the note a pin_note record describes.
        const UserNote& note = change.noteChange->note;
        if (note.id.isEmpty()) {
            FirestoreFields fields = encodeNote(note);
            fields.insert(kAuditRecordField, V::string(recordId));
            writes.append(
                FirestoreWrite::set(notePath(change.uid, recordId), std::move(fields), Precondition::mustNotExist()));
        } else {
            auto [fields, mask] = explained(encodeUnpin(note), encodeUnpin(note).keys());
            writes.append(FirestoreWrite::update(notePath(change.uid, note.id), std::move(fields), std::move(mask),
                                                 Precondition::version(change.noteChange->expectedVersion)));
        }
    }
    if (change.caseworkChange) {
        // Written whole (an escalation's or snooze's fields exist only while it is in force) or deleted when neither
        // is left; a deletion is explained by the newest record of the commit.
        const ChangeSet::CaseworkChange& work = *change.caseworkChange;
        const Precondition expected =
            work.expectedVersion.isEmpty() ? Precondition::mustNotExist() : Precondition::version(work.expectedVersion);
        if (work.casework) {
            FirestoreFields fields = encodeCasework(*work.casework);
            fields.insert(QStringLiteral("uid"), V::string(change.uid));
            fields.insert(kAuditRecordField, V::string(recordId));
            writes.append(FirestoreWrite::set(caseworkPath(change.uid), std::move(fields), expected));
        } else {
            writes.append(FirestoreWrite::remove(caseworkPath(change.uid), expected));
        }
    }
    if (change.viewChange) {
        // Written whole, or deleted; a deletion is explained by the newest record of the commit (a delete_view naming
        // the view).
        const ChangeSet::ViewChange& view = *change.viewChange;
        const Precondition expected = Precondition::version(view.expectedVersion);
        if (view.view) {
            FirestoreFields fields = encodeView(*view.view);
            fields.insert(kAuditRecordField, V::string(recordId));
            writes.append(FirestoreWrite::set(viewPath(view.id), std::move(fields), expected));
        } else {
            writes.append(FirestoreWrite::remove(viewPath(view.id), expected));
        }
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

} // namespace fairuse::services
