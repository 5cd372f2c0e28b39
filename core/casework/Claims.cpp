#include "casework/Claims.h"

#include "enforcement/ActionSupport.h"

#include <QDateTime>

namespace fairuse::casework {

using enforcement::ActionContext;

namespace {

bool sameReviewer(const CaseClaim& claim, const Reviewer& r) {
    if (!claim.reviewerUid.isEmpty() && !r.uid.isEmpty()) {
        return claim.reviewerUid == r.uid;
    }
    return claim.reviewer.compare(r.email, Qt::CaseInsensitive) == 0;
}

std::chrono::seconds boundedLease(std::chrono::seconds lease) {
    if (lease <= std::chrono::seconds::zero()) {
        return kClaimLease;
    }
    return std::min<std::chrono::seconds>(lease, kMaxClaimLease);
}

CaseClaim claimFor(const FairUseState& state, const ActionContext& ctx, std::chrono::seconds lease) {
    CaseClaim c;
    c.uid = state.uid;
    c.reviewer = ctx.reviewer.email;
    c.reviewerUid = ctx.reviewer.uid;
    c.claimedAt = ctx.now;
    c.expiresAt = ctx.now + boundedLease(lease);
    return c;
}

ChangeSet claimChangeSet(const FairUseState& state, const std::optional<CaseClaim>& current, const ActionContext& ctx,
                         AuditAction action, const QString& reason) {
    ChangeSet cs = enforcement::baseChangeSet(state, ctx, action, reason);
    // A claim changes who works the case, not the case: the state is neither written nor a precondition.
    cs.checkStateVersion = false;
    ChangeSet::ClaimChange change;
    change.expectedVersion = current ? current->version : QString();
    cs.claimChange = change;
    return cs;
}

} // namespace

bool isLive(const CaseClaim& claim, TimePoint now) {
    return claim.expiresAt > now;
}

ClaimHolder holderOf(const std::optional<CaseClaim>& claim, const Reviewer& me, TimePoint now) {
    if (!claim || !isLive(*claim, now)) {
        return ClaimHolder::Nobody;
    }
    return sameReviewer(*claim, me) ? ClaimHolder::Me : ClaimHolder::SomeoneElse;
}

QString describeClaim(const CaseClaim& claim) {
    const QDateTime since = QDateTime::fromMSecsSinceEpoch(toUnixMs(claim.claimedAt), Qt::UTC);
    return QStringLiteral("being reviewed by %1 since %2").arg(claim.reviewer, since.toString(QStringLiteral("HH:mm")));
}

Result<ChangeSet> buildClaim(const FairUseState& state, const std::optional<CaseClaim>& current,
                             const ActionContext& ctx, std::chrono::seconds lease) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    switch (holderOf(current, ctx.reviewer, ctx.now)) {
    case ClaimHolder::Me:
        return Error::conflict(QStringLiteral("you already hold the case of %1; renew the claim").arg(state.uid));
    case ClaimHolder::SomeoneElse:
        return Error::conflict(QStringLiteral("the case of %1 is %2; a senior reviewer can take it over")
                                   .arg(state.uid, describeClaim(*current)));
    case ClaimHolder::Nobody:
        break;
    }
    ChangeSet cs = claimChangeSet(state, current, ctx, AuditAction::Claim, {});
    cs.claimChange->claim = claimFor(state, ctx, lease);
    return cs;
}

Result<ChangeSet> buildTakeOver(const FairUseState& state, const std::optional<CaseClaim>& current,
                                const QString& reason, const ActionContext& ctx, std::chrono::seconds lease) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (holderOf(current, ctx.reviewer, ctx.now) != ClaimHolder::SomeoneElse) {
        return Error::conflict(
            QStringLiteral("nobody else holds the case of %1; claim it instead of taking it over").arg(state.uid));
    }
    if (Status st =
            enforcement::requireRole(ctx, enforcement::roleNeeded(AuditAction::TakeOverClaim, state.stage, state.stage),
                                     QStringLiteral("taking over a case %1").arg(describeClaim(*current)));
        !st) {
        return st.error();
    }
    if (Status st = enforcement::requireText(reason, QStringLiteral("a reason")); !st) {
        return st.error();
    }
    ChangeSet cs = claimChangeSet(state, current, ctx, AuditAction::TakeOverClaim,
                                  QStringLiteral("from %1: %2").arg(current->reviewer, reason.trimmed()));
    cs.claimChange->claim = claimFor(state, ctx, lease);
    return cs;
}

Result<ChangeSet> buildRelease(const FairUseState& state, const std::optional<CaseClaim>& current,
                               const ActionContext& ctx) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (!current) {
        return Error::invalid(QStringLiteral("the case of %1 is not claimed").arg(state.uid));
    }
    if (!sameReviewer(*current, ctx.reviewer)) {
        return Error::conflict(
            QStringLiteral("the case of %1 is held by %2, not by you").arg(state.uid, current->reviewer));
    }
    ChangeSet cs = claimChangeSet(state, current, ctx, AuditAction::ReleaseClaim, {});
    cs.claimChange->release = true;
    return cs;
}

Result<CaseClaim> renewed(const std::optional<CaseClaim>& current, const Reviewer& me, TimePoint now,
                          std::chrono::seconds lease) {
    if (holderOf(current, me, now) != ClaimHolder::Me) {
        if (current && isLive(*current, now)) {
            return Error::conflict(
                QStringLiteral("the case of %1 is now %2").arg(current->uid, describeClaim(*current)));
        }
        return Error::conflict(QStringLiteral("your claim has ended; claim the case again"));
    }
    CaseClaim c = *current;
    c.expiresAt = std::max(c.expiresAt, now + boundedLease(lease));
    return c;
}

void releaseOnDecision(ChangeSet& decision, const std::optional<CaseClaim>& current, const Reviewer& decider,
                       TimePoint now) {
    if (holderOf(current, decider, now) != ClaimHolder::Me) {
        return;
    }
    ChangeSet::ClaimChange change;
    change.release = true;
    change.expectedVersion = current->version;
    decision.claimChange = change;
}

} // namespace fairuse::casework
