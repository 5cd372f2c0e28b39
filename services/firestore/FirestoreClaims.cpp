#include "firestore/FirestoreClaims.h"

#include "common/Guarded.h"
#include "common/Promise.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/FirestoreClient.h"

namespace fairuse::services {

namespace {

using V = FirestoreValue;

const QString kClaimsCollection = QStringLiteral("fair_use_claims");

} // namespace

Async<std::optional<CaseClaim>> FirestoreCaseStore::getClaim(const QString& uid) {
    if (uid.isEmpty() || uid.contains(QLatin1Char('/'))) {
        return ready<std::optional<CaseClaim>>(Error::invalid(QStringLiteral("\"%1\" is not a user id").arg(uid)));
    }
    return m_client->get(claimPath(uid))
        .then(guarded(this, [](const Result<FirestoreDocument>& r) -> Result<std::optional<CaseClaim>> {
            if (!r) {
                if (r.error().kind == ErrorKind::NotFound) {
                    return std::optional<CaseClaim>();
                }
                return r.error();
            }
            auto c = decodeClaim(*r);
            if (!c) {
                return c.error();
            }
            return std::optional<CaseClaim>(c.value());
        }));
}

Async<QList<CaseClaim>> FirestoreCaseStore::listLiveClaims(TimePoint now) {
    FirestoreQuery q;
    q.collectionId = kClaimsCollection;
    q.filters = {{QStringLiteral("expires_at"), QStringLiteral("GREATER_THAN"), V::timestamp(now)}};
    // One claim per reviewer at a time: a team's live claims fit one page.
    q.limit = 1000;
    return casestore::decodeAll(this, m_client.get(), q, &decodeClaim);
}

Async<CaseClaim> FirestoreCaseStore::renewClaim(const CaseClaim& claim) {
    if (claim.uid.isEmpty() || claim.version.isEmpty()) {
        return ready<CaseClaim>(Error::invalid(QStringLiteral("a claim to renew needs its user and version")));
    }
    const QList<FirestoreWrite> writes{
        FirestoreWrite::update(claimPath(claim.uid), {{QStringLiteral("expires_at"), V::timestamp(claim.expiresAt)}},
                               {QStringLiteral("expires_at")}, Precondition::version(claim.version))};
    return m_client->commit(writes).then(guarded(this, [claim](const Result<CommitResponse>& r) -> Result<CaseClaim> {
        if (!r) {
            if (r.error().kind == ErrorKind::Conflict || r.error().kind == ErrorKind::NotFound) {
                return Error::conflict(
                    QStringLiteral("the claim on %1 changed since you took it (taken over or released)")
                        .arg(claim.uid));
            }
            return r.error();
        }
        CaseClaim renewed = claim;
        renewed.version = r->updateTimes.value(0);
        return renewed;
    }));
}

} // namespace fairuse::services
