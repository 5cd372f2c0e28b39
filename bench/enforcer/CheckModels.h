#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "enforcement/Enforcement.h"
#include "enforcement/Policy.h"
#include "redis/RedisCommands.h"

#include <QString>

namespace fairuse::bench {

/** What one check read and how many round trips it took. */
struct CheckReading {
    SpeechTotals totals;
    int roundTrips = 0;
};

/**
 * The backend's own check of one user (SPEC 4.1's keys; the backend's check_soft_caps: "zrangebyscore + hmget", the
 * sequence diagram of the seed PR; SPEC 2.1's window rule): ZRANGEBYSCORE fair_use:speech:{uid} over the week
 * (now - 168 h .. now), then HMGET fair_use:bucket:{uid} of every minute it returned (skipped when it returned none),
 * summed into the daily, 3-day and weekly windows on the client from each member's minute * 60. Two round trips.
 *
 * `allEnforcedLayouts` models a backend that also reads the v2 keys of the enforced sources (realtime, sync_fresh),
 * as the newer backend must (SPEC 4.1: totals add the old keys until they expire), in the way most favourable to it:
 * the three ZRANGEBYSCOREs in one pipeline, then the HMGETs of the non-empty ones in a second: still two round trips.
 */
Result<CheckReading> backendCheck(services::RedisCommands& redis, const QString& uid, TimePoint now,
                                  bool allEnforcedLayouts, int timeoutMs);

/**
 * The core's decision for `uid` on `totals` at `now`, as EnforcerPass::evaluateUser makes it before any classifier
 * call: a state built in memory (no Firestore read: a new user on the basic plan), the caps of its effective plan,
 * the deterministic case id of a cap hit, enforcement::evaluate.
 */
enforcement::Action decide(const enforcement::Policy& policy, const QString& uid, const SpeechTotals& totals,
                           TimePoint now);

} // namespace fairuse::bench
