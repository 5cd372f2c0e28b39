#include "firestore/FirestoreAppeals.h"

#include "common/Guarded.h"
#include "common/Promise.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"

namespace fairuse::services {

namespace {

using V = FirestoreValue;

const QString kAppealsCollection = QStringLiteral("fair_use_appeals");
const QString kOpen = QStringLiteral("open");

} // namespace

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
