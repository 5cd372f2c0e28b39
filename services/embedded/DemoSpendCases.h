#pragma once

#include "embedded/DemoPopulation.h"

#include <QString>

namespace fairuse::services {

/** The identity the demo's enforcement service writes under (its `enforce` records). */
inline constexpr const char* kDemoServiceEmail = "enforcer@fairuse.example";

/**
 * Runs the enforcement service's LLM-spend review (enforcement/SpendReview.h) over the demo's spend records at the
 * reference time: each user over their plan's daily or monthly LLM cap gets an open spend case and the service's
 * `enforce` record (appended to `pop.audit`, chained later), as fairuse-enforcer would write them. Deterministic: it
 * draws nothing.
 */
void addDemoSpendCases(DemoPopulation& pop, const QString& clientVersion);

} // namespace fairuse::services
