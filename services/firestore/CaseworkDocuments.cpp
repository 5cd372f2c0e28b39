#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreCasework.h"
#include "firestore/FirestoreClaims.h"

#include "firestore/FieldReader.h"

// The casework documents' mapping (claims, appeals, notes, escalation and snooze), apart from the store's requests so
// the fuzz targets can link it.
namespace fairuse::services {

namespace {

using V = FirestoreValue;

const QString kOpen = QStringLiteral("open");

} // namespace

QString claimPath(const QString& uid) {
    return QStringLiteral("fair_use_claims/%1").arg(uid);
}

FirestoreFields encodeClaim(const CaseClaim& claim) {
    return {{QStringLiteral("uid"), V::string(claim.uid)},
            {QStringLiteral("reviewer"), V::string(claim.reviewer)},
            {QStringLiteral("reviewer_uid"), V::string(claim.reviewerUid)},
            {QStringLiteral("claimed_at"), V::timestamp(claim.claimedAt)},
            {QStringLiteral("expires_at"), V::timestamp(claim.expiresAt)}};
}

Result<CaseClaim> decodeClaim(const FirestoreDocument& doc) {
    FieldReader r(doc.fields, doc.relativePath().isEmpty() ? QStringLiteral("claim") : doc.relativePath());
    for (const char* name : {"uid", "reviewer", "claimed_at", "expires_at"}) {
        r.require(QString::fromLatin1(name));
    }
    CaseClaim c;
    c.uid = r.string(QStringLiteral("uid"));
    c.reviewer = r.string(QStringLiteral("reviewer"));
    c.reviewerUid = r.string(QStringLiteral("reviewer_uid"));
    c.claimedAt = r.time(QStringLiteral("claimed_at")).value_or(TimePoint{});
    c.expiresAt = r.time(QStringLiteral("expires_at")).value_or(TimePoint{});
    c.version = doc.updateTime;
    if (r.error()) {
        return *r.error();
    }
    return c;
}

QString appealPath(const QString& uid, const QString& id) {
    return QStringLiteral("users/%1/fair_use_appeals/%2").arg(uid, id);
}

FirestoreFields encodeAppeal(const Appeal& a) {
    FirestoreFields f{{QStringLiteral("created_at"), V::timestamp(a.createdAt)},
                      {QStringLiteral("message"), V::string(a.message)},
                      {QStringLiteral("case_ref"), V::string(a.caseRef)},
                      {QStringLiteral("channel"), V::string(a.channel)},
                      {QStringLiteral("status"), V::string(a.decision ? toString(*a.decision) : kOpen)}};
    if (a.decision) {
        f.insert(QStringLiteral("decided_by"), V::string(a.decidedBy));
        f.insert(QStringLiteral("decided_at"), a.decidedAt ? V::timestamp(*a.decidedAt) : V::null());
        f.insert(QStringLiteral("decision_reason"), V::string(a.decisionReason));
    }
    return f;
}

Result<Appeal> decodeAppeal(const FirestoreDocument& doc) {
    FieldReader r(doc.fields, doc.relativePath().isEmpty() ? QStringLiteral("appeal") : doc.relativePath());
    r.require(QStringLiteral("created_at"));
    Appeal a;
    const QStringList path = doc.pathSegments();
    if (path.size() == 4) {
        a.uid = path.at(1);
        a.id = path.at(3);
    }
    a.createdAt = r.time(QStringLiteral("created_at")).value_or(TimePoint{});
    a.message = r.string(QStringLiteral("message"));
    a.caseRef = r.string(QStringLiteral("case_ref"));
    a.channel = r.string(QStringLiteral("channel"));
    const QString status = r.string(QStringLiteral("status"));
    if (!status.isEmpty() && status != kOpen) {
        a.decision = r.named<AppealDecision>(QStringLiteral("status"), appealDecisionFromString);
    }
    a.decidedBy = r.string(QStringLiteral("decided_by"));
    a.decidedAt = r.time(QStringLiteral("decided_at"));
    a.decisionReason = r.string(QStringLiteral("decision_reason"));
    a.version = doc.updateTime;
    if (r.error()) {
        return *r.error();
    }
    return a;
}

} // namespace fairuse::services

namespace fairuse::services {

QString notePath(const QString& uid, const QString& id) {
    return QStringLiteral("users/%1/fair_use_notes/%2").arg(uid, id);
}

FirestoreFields encodeNote(const UserNote& n) {
    return {{QStringLiteral("text"), V::string(n.text)},
            {QStringLiteral("author"), V::string(n.author)},
            {QStringLiteral("author_uid"), V::string(n.authorUid)},
            {QStringLiteral("created_at"), V::timestamp(n.createdAt)},
            {QStringLiteral("case_ref"), V::string(n.caseRef)},
            {QStringLiteral("pinned"), V::boolean(n.pinned)}};
}

FirestoreFields encodeUnpin(const UserNote& n) {
    return {{QStringLiteral("pinned"), V::boolean(n.pinned)},
            {QStringLiteral("unpinned_by"), V::string(n.unpinnedBy)},
            {QStringLiteral("unpinned_at"), V::optionalTimestamp(n.unpinnedAt)}};
}

Result<UserNote> decodeNote(const FirestoreDocument& doc) {
    FieldReader r(doc.fields, doc.relativePath().isEmpty() ? QStringLiteral("note") : doc.relativePath());
    r.requireAll({"text", "author", "created_at"});
    UserNote n;
    const QStringList path = doc.pathSegments();
    if (path.size() == 4) {
        n.uid = path.at(1);
        n.id = path.at(3);
    }
    n.text = r.string(QStringLiteral("text"));
    n.author = r.string(QStringLiteral("author"));
    n.authorUid = r.string(QStringLiteral("author_uid"));
    n.createdAt = r.time(QStringLiteral("created_at")).value_or(TimePoint{});
    n.caseRef = r.string(QStringLiteral("case_ref"));
    n.pinned = r.has(QStringLiteral("pinned")) ? r.boolean(QStringLiteral("pinned")) : true;
    n.unpinnedBy = r.string(QStringLiteral("unpinned_by"));
    n.unpinnedAt = r.time(QStringLiteral("unpinned_at"));
    n.version = doc.updateTime;
    if (r.error()) {
        return *r.error();
    }
    return n;
}

QString caseworkPath(const QString& uid) {
    return QStringLiteral("fair_use_casework/%1").arg(uid);
}

FirestoreFields encodeCasework(const Casework& c) {
    FirestoreFields f{{QStringLiteral("uid"), V::string(c.uid)}, {QStringLiteral("case_ref"), V::string(c.caseRef)}};
    if (c.escalated()) {
        f.insert(QStringLiteral("escalated_at"), V::timestamp(*c.escalatedAt));
        f.insert(QStringLiteral("escalated_by"), V::string(c.escalatedBy));
        f.insert(QStringLiteral("escalated_by_uid"), V::string(c.escalatedByUid));
        f.insert(QStringLiteral("escalation_note"), V::string(c.escalationNote));
    }
    if (c.snoozed()) {
        f.insert(QStringLiteral("snoozed_at"), V::timestamp(*c.snoozedAt));
        if (c.snoozedUntil) {
            f.insert(QStringLiteral("snoozed_until"), V::timestamp(*c.snoozedUntil));
        }
        f.insert(QStringLiteral("snooze_until_cap_hit"), V::boolean(c.snoozeUntilCapHit));
        f.insert(QStringLiteral("snoozed_by"), V::string(c.snoozedBy));
        f.insert(QStringLiteral("snoozed_by_uid"), V::string(c.snoozedByUid));
    }
    return f;
}

Result<Casework> decodeCasework(const FirestoreDocument& doc) {
    FieldReader r(doc.fields, doc.relativePath().isEmpty() ? QStringLiteral("casework") : doc.relativePath());
    r.require(QStringLiteral("uid"));
    Casework c;
    c.uid = r.string(QStringLiteral("uid"));
    c.caseRef = r.string(QStringLiteral("case_ref"));
    c.escalatedAt = r.time(QStringLiteral("escalated_at"));
    c.escalatedBy = r.string(QStringLiteral("escalated_by"));
    c.escalatedByUid = r.string(QStringLiteral("escalated_by_uid"));
    c.escalationNote = r.string(QStringLiteral("escalation_note"));
    c.snoozedAt = r.time(QStringLiteral("snoozed_at"));
    c.snoozedUntil = r.time(QStringLiteral("snoozed_until"));
    c.snoozeUntilCapHit =
        r.has(QStringLiteral("snooze_until_cap_hit")) && r.boolean(QStringLiteral("snooze_until_cap_hit"));
    c.snoozedBy = r.string(QStringLiteral("snoozed_by"));
    c.snoozedByUid = r.string(QStringLiteral("snoozed_by_uid"));
    c.version = doc.updateTime;
    if (r.error()) {
        return *r.error();
    }
    return c;
}

} // namespace fairuse::services
