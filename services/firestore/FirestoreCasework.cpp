// FirestoreCaseStore's reads of pinned notes and casework documents (their writes are changeWrites').
#include "firestore/FirestoreCasework.h"

#include "common/Guarded.h"
#include "common/Promise.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"

namespace fairuse::services {

namespace {

const QString kNotesCollection = QStringLiteral("fair_use_notes");
const QString kCaseworkCollection = QStringLiteral("fair_use_casework");

bool isUserId(const QString& uid) {
    return !uid.isEmpty() && !uid.contains(QLatin1Char('/'));
}

} // namespace

Async<QList<UserNote>> FirestoreCaseStore::listNotes(const QString& uid) {
    if (!isUserId(uid)) {
        return ready<QList<UserNote>>(Error::invalid(QStringLiteral("\"%1\" is not a user id").arg(uid)));
    }
    FirestoreQuery q;
    q.parent = QStringLiteral("users/%1").arg(uid);
    q.collectionId = kNotesCollection;
    q.orderBy = {{QStringLiteral("created_at"), true}};
    q.limit = 1000;
    return casestore::decodeAll(this, m_client.get(), q, &decodeNote);
}

Async<std::optional<Casework>> FirestoreCaseStore::getCasework(const QString& uid) {
    if (!isUserId(uid)) {
        return ready<std::optional<Casework>>(Error::invalid(QStringLiteral("\"%1\" is not a user id").arg(uid)));
    }
    return m_client->get(caseworkPath(uid))
        .then(guarded(this, [](const Result<FirestoreDocument>& r) -> Result<std::optional<Casework>> {
            if (!r) {
                if (r.error().kind == ErrorKind::NotFound) {
                    return std::optional<Casework>();
                }
                return r.error();
            }
            auto c = decodeCasework(*r);
            if (!c) {
                return c.error();
            }
            return std::optional<Casework>(c.value());
        }));
}

Async<QList<Casework>> FirestoreCaseStore::listCasework() {
    FirestoreQuery q;
    q.collectionId = kCaseworkCollection;
    // A team's escalated and snoozed cases at one time fit one page.
    q.limit = 1000;
    return casestore::decodeAll(this, m_client.get(), q, &decodeCasework);
}

} // namespace fairuse::services
