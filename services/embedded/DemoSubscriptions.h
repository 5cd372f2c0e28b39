#pragma once

#include "common/Domain.h"
#include "common/Time.h"

#include <optional>

namespace fairuse::services::embedded {

/**
 * Subscriptions of the demo population, as the backend keeps them on the user document: the mix a reviewer meets in
 * production, derived from values the generator has already drawn (so the rest of the population is unchanged).
 */

/** An ordinary user from their plan draw in [0, 1): 10 % legacy `free`, 35 % basic, 10 % no subscription, 35 %
 *  basic, 7 % unlimited in their period, 3 % unlimited whose period ended before `reference` (on basic now). */
std::optional<Subscription> ordinarySubscription(double planDraw, TimePoint reference);

/** A flagged user: heavy users (`paid`) are on unlimited, every fourth of them with a period that ended six days
 *  before `reference`; of the others, a third carry the legacy `free` name, a third an unlimited plan whose period
 *  ended nine days before `reference` (on basic now), a third basic. `ordinal` counts the users of one kind. */
Subscription flaggedSubscription(bool paid, int ordinal, TimePoint reference);

} // namespace fairuse::services::embedded
