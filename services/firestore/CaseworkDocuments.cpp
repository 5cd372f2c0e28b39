#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreClaims.h"

#include "firestore/FieldReader.h"

// The casework documents' mapping (claims, appeals), apart from the store's requests so the fuzz targets can link it.
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
