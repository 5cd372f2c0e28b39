#include "firestore/FirestoreAppeals.h"

#include "common/Guarded.h"
#include "common/Promise.h"
#include "firestore/FieldReader.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"

namespace fairuse::services {

namespace {

using V = FirestoreValue;

const QString kAppealsCollection = QStringLiteral("fair_use_appeals");
const QString kOpen = QStringLiteral("open");

} // namespace

QString appealPath(const QString& uid, const QString& id) {
    return QStringLiteral("users/%1/%2/%3").arg(uid, kAppealsCollection, id);
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

FirestoreWrite appealDecisionWrite(const Appeal& decided, const QString& recordId) {
    FirestoreFields fields = encodeAppeal(decided);
    fields.insert(QStringLiteral("audit_record"), V::string(recordId));
    const QStringList mask{QStringLiteral("status"), QStringLiteral("decided_by"), QStringLiteral("decided_at"),
                           QStringLiteral("decision_reason"), QStringLiteral("audit_record")};
    for (auto it = fields.begin(); it != fields.end();) {
        it = mask.contains(it.key()) ? std::next(it) : fields.erase(it);
    }
    return FirestoreWrite::update(appealPath(decided.uid, decided.id), std::move(fields), mask,
                                  Precondition::version(decided.version));
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

Async<QList<Appeal>> FirestoreCaseStore::listAppeals(const QString& uid) {
    if (uid.isEmpty() || uid.contains(QLatin1Char('/'))) {
        return ready<QList<Appeal>>(Error::invalid(QStringLiteral("\"%1\" is not a user id").arg(uid)));
    }
    FirestoreQuery q;
    q.parent = QStringLiteral("users/%1").arg(uid);
    q.collectionId = kAppealsCollection;
    q.orderBy = {{QStringLiteral("created_at"), true}};
    q.limit = 1000;
    return casestore::decodeAll(this, m_client.get(), q, &decodeAppeal);
}

Async<QList<Appeal>> FirestoreCaseStore::listOpenAppeals(int limit) {
    FirestoreQuery q;
    q.collectionId = kAppealsCollection;
    q.allDescendants = true;
    q.filters = {{QStringLiteral("status"), QStringLiteral("EQUAL"), V::string(kOpen)}};
    q.orderBy = {{QStringLiteral("created_at"), false}};
    q.limit = std::clamp(limit, 1, 1000);
    return casestore::decodeAll(this, m_client.get(), q, &decodeAppeal);
}

} // namespace fairuse::services
