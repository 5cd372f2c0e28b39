#pragma once

#include "embedded/DemoPopulation.h"

namespace fairuse::services {

/**
 * Generates the population. Daily speech of the `users` population follows a distribution with median 12.7 min,
 * P95 2.1 h and P99 3.4 h (a log-normal through the median and P95, bent to pass through P99 above it), with one
 * planted top user at 11.7 h/day. Flagged users are taken from the heaviest users, so the distribution holds for
 * the whole population. Deterministic: a seeded 64-bit Mersenne Twister with the generator's own uniform and
 * normal transforms, so results do not depend on the standard library.
 */
DemoPopulation generateDemoPopulation(const DemoOptions& options);

} // namespace fairuse::services
