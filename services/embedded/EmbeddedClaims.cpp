#include "embedded/EmbeddedClaims.h"

#include "embedded/EmbeddedSql.h"

#include <QSqlQuery>

namespace fairuse::services::embedded {

namespace {

const QString kColumns = QStringLiteral("uid, reviewer, reviewer_uid, claimed_at, expires_at, version");

CaseClaim claimFromQuery(const QSqlQuery& q) {
    CaseClaim c;
    c.uid = q.value(0).toString();
    c.reviewer = q.value(1).toString();
    c.reviewerUid = q.value(2).toString();
    c.claimedAt = timeOr(q.value(3));
    c.expiresAt = timeOr(q.value(4));
    c.version = q.value(5).toString();
    return c;
}

QString describeVersion(const QString& v) {
    return v.isEmpty() ? QStringLiteral("no claim") : QStringLiteral("version %1").arg(v);
}

} // namespace

Result<std::optional<CaseClaim>> readClaim(QSqlDatabase& db, const QString& uid) {
    auto q = exec(db, QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM claims WHERE uid = ?"), {uid});
    if (!q) {
        return q.error();
    }
    std::optional<CaseClaim> c;
    if (q->next()) {
        c = claimFromQuery(*q);
    }
    return c;
}

Result<QList<CaseClaim>> readLiveClaims(QSqlDatabase& db, TimePoint now) {
    auto q = exec(db,
                  QStringLiteral("SELECT ") + kColumns +
                      QStringLiteral(" FROM claims WHERE expires_at > ? ORDER BY claimed_at, uid"),
                  {timeValue(now)});
    if (!q) {
        return q.error();
    }
    QList<CaseClaim> out;
    while (q->next()) {
        out.append(claimFromQuery(*q));
    }
    return out;
}

Status checkClaimPrecondition(QSqlDatabase& db, const QString& uid, const ChangeSet::ClaimChange& change) {
    auto current = readClaim(db, uid);
    if (!current) {
        return current.error();
    }
    const QString found = *current ? (*current)->version : QString();
    if (found != change.expectedVersion) {
        const QString who = *current ? QStringLiteral(" (now held by %1)").arg((*current)->reviewer) : QString();
        return Error::conflict(QStringLiteral("the claim on %1 was changed by someone else%2 (expected %3, found %4)")
                                   .arg(uid, who, describeVersion(change.expectedVersion), describeVersion(found)));
    }
    if (change.release && !*current) {
        return Error::conflict(QStringLiteral("the case of %1 is not claimed").arg(uid));
    }
    return {};
}

Result<QString> writeClaimChange(QSqlDatabase& db, const QString& uid, const ChangeSet::ClaimChange& change) {
    if (change.release) {
        auto q = exec(db, QStringLiteral("DELETE FROM claims WHERE uid = ?"), {uid});
        if (!q) {
            return q.error();
        }
        return QString();
    }
    if (!change.claim) {
        return Error::invalid(QStringLiteral("a claim change for %1 without a claim or a release").arg(uid));
    }
    const CaseClaim& c = *change.claim;
    const qlonglong next = change.expectedVersion.toLongLong() + 1;
    auto q = exec(db,
                  QStringLiteral("INSERT INTO claims (") + kColumns +
                      QStringLiteral(") VALUES (?,?,?,?,?,?) ON CONFLICT (uid) DO UPDATE SET reviewer ="
                                     " excluded.reviewer, reviewer_uid = excluded.reviewer_uid, claimed_at ="
                                     " excluded.claimed_at, expires_at = excluded.expires_at, version ="
                                     " excluded.version"),
                  {uid, c.reviewer, c.reviewerUid, timeValue(c.claimedAt), timeValue(c.expiresAt), next});
    if (!q) {
        return q.error();
    }
    return QString::number(next);
}

Result<CaseClaim> renewStoredClaim(QSqlDatabase& db, const CaseClaim& claim) {
    const qlonglong next = claim.version.toLongLong() + 1;
    auto q = exec(db,
                  QStringLiteral("UPDATE claims SET expires_at = ?, version = ? WHERE uid = ? AND version = ? AND"
                                 " reviewer = ?"),
                  {timeValue(claim.expiresAt), next, claim.uid, claim.version, claim.reviewer});
    if (!q) {
        return q.error();
    }
    if (q->numRowsAffected() != 1) {
        auto now = readClaim(db, claim.uid);
        if (!now) {
            return now.error();
        }
        return Error::conflict(
            *now ? QStringLiteral("the claim on %1 changed: now held by %2").arg(claim.uid, (*now)->reviewer)
                 : QStringLiteral("the claim on %1 was released").arg(claim.uid));
    }
    CaseClaim renewed = claim;
    renewed.version = QString::number(next);
    return renewed;
}

} // namespace fairuse::services::embedded
