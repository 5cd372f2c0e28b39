#pragma once

#include "common/Result.h"
#include "embedded/DemoPopulation.h"

#include <QFuture>

namespace fairuse::services {

class EmbeddedDatabase;

/**
 * Writes the population into an empty or existing embedded store in one transaction with prepared statements, records
 * the reference time (the store's default clock) and the queue's speech snapshot at it. Runs on the store's worker.
 */
QFuture<Status> writeToEmbeddedAsync(DemoPopulation population, EmbeddedDatabase& database);
/** Blocking form for the command line and tests. */
Status writeToEmbedded(const DemoPopulation& population, EmbeddedDatabase& database);

} // namespace fairuse::services
