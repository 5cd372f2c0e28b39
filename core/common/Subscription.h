#pragma once

#include "common/Domain.h"
#include "common/Time.h"

#include <optional>

/**
 * @file
 * The plan in force, from the subscription the backend keeps on the user document (SPEC 4.2), by the backend's rule
 * (get_user_valid_subscription, is_free_credits_exhausted):
 *  - no subscription, plan `basic` or the legacy `free`: basic, the free tier;
 *  - any other plan is paid and counts while its current_period_end has not passed (now <= end); without an end, or
 *    once it has passed, the user is on basic;
 *  - a paid plan the core has no caps for (not `unlimited`) gets the unlimited caps: every paid plan is above basic.
 */
namespace fairuse {

/** The plan in force at `now`. */
Plan effectivePlan(const std::optional<Subscription>& subscription, TimePoint now);

/** True for the free tier at `now`: the users the free-credit path applies to (restricted when credits run out). */
bool onFreeTier(const std::optional<Subscription>& subscription, TimePoint now);

/** True when the stored plan names a paid plan (neither basic nor the legacy free), whatever its period. */
bool isPaidPlanName(const QString& plan);

/** True when a paid plan's period has ended at `now`, so the user is back on basic. */
bool paidPlanLapsed(const std::optional<Subscription>& subscription, TimePoint now);

/** The end of the billing cycle in force at `now` (a paid plan's current_period_end, when it has not passed). */
std::optional<TimePoint> billingCycleEnd(const std::optional<Subscription>& subscription, TimePoint now);

} // namespace fairuse
