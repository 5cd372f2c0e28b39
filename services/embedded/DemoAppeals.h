#pragma once

#include "embedded/DemoPopulation.h"

#include <QString>

#include <cstdint>

namespace fairuse::services {

/**
 * Gives some throttled and restricted users of `pop` (not the bulk ones) an appeal against their latest case, oldest
 * first; every fourth is upheld (at most two) with its decide_appeal record appended to `pop.audit` (chained later).
 * The appeals come from a generator of their own, derived from `seed`, so adding them leaves every other value of the
 * population as it was.
 */
void addDemoAppeals(DemoPopulation& pop, std::uint64_t seed, const QString& clientVersion);

} // namespace fairuse::services
