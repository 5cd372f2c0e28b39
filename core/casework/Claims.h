#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/ReviewerActions.h"

#include <QString>

#include <chrono>
#include <optional>

/**
 * @file
 * Claims: a reviewer who opens a user's case to act on it holds it for a lease, so two reviewers do not work one
 * case. A claim is taken, taken over and released with an audit record, in the same commit as the claim document;
 * renewing the holder's own lease changes only its end. A claim never replaces the update-time preconditions of a
 * decision: a reviewer warned about someone else's claim may still act, and a conflict is still detected.
 *
 * Roles: any reviewer claims an unclaimed case (or one whose lease ran out), renews and releases their own claim;
 * taking over someone else's live claim needs a senior reviewer and a reason.
 */
namespace fairuse::casework {

/** How long a claim holds without renewal. */
inline constexpr std::chrono::minutes kClaimLease{15};
/** The longest lease a renewal may set (the rules refuse a claim that ends later than this after the request). */
inline constexpr std::chrono::minutes kMaxClaimLease{30};

/** Who holds a user's case at a given time, from the point of view of one reviewer. */
enum class ClaimHolder { Nobody, Me, SomeoneElse };

/** True while the lease has not run out. */
bool isLive(const CaseClaim& claim, TimePoint now);

/** Nobody for no claim or an expired one; Me when the reviewer's uid (or, without one, e-mail) holds it. */
ClaimHolder holderOf(const std::optional<CaseClaim>& claim, const Reviewer& me, TimePoint now);

/** "being reviewed by ana@example.com since 14:05" (UTC), for banners, tool tips and warnings. */
QString describeClaim(const CaseClaim& claim);

/**
 * Claim the user's case for `lease`: a new claim when nobody holds it (or the lease ran out), with an audit record
 * `claim`. Conflict when the reviewer already holds it (renew instead) or someone else does (the message says who
 * and since when; a senior reviewer can take it over). The open case, when given in the context, is named in the
 * record.
 */
Result<ChangeSet> buildClaim(const FairUseState& state, const std::optional<CaseClaim>& current,
                             const enforcement::ActionContext& ctx, std::chrono::seconds lease = kClaimLease);

/** Senior reviewer: take over someone else's live claim, with a reason (audit record `take_over_claim`). */
Result<ChangeSet> buildTakeOver(const FairUseState& state, const std::optional<CaseClaim>& current,
                                const QString& reason, const enforcement::ActionContext& ctx,
                                std::chrono::seconds lease = kClaimLease);

/** Release the reviewer's own claim (closing the case page without a decision): audit record `release_claim`.
 *  Releasing a claim the reviewer does not hold is a Conflict; there being none is Invalid. */
Result<ChangeSet> buildRelease(const FairUseState& state, const std::optional<CaseClaim>& current,
                               const enforcement::ActionContext& ctx);

/** The holder's claim with its lease renewed to now + lease (at most kMaxClaimLease); Conflict when the reviewer
 *  no longer holds it (taken over, released, or run out). */
Result<CaseClaim> renewed(const std::optional<CaseClaim>& current, const Reviewer& me, TimePoint now,
                          std::chrono::seconds lease = kClaimLease);

/** A decision ends the decider's own claim: adds the release of `current` to `decision` when the decider holds it,
 *  and leaves it untouched otherwise (someone else's claim stays theirs). */
void releaseOnDecision(ChangeSet& decision, const std::optional<CaseClaim>& current, const Reviewer& decider,
                       TimePoint now);

} // namespace fairuse::casework
