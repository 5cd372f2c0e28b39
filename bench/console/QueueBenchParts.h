#pragma once
// The parts of fairuse_bench_queue besides the embedded store's queue, each adding its rows to the table.

#include "QueueBenchSupport.h"

namespace fairuse::bench {

/** Aggregating and rendering a 7-day minute-resolution speech chart offscreen. */
void benchChart(QList<TableRow>& table);

/** Start-up to the main window's first paint on the demo store, in `runs` child processes (after one that seeds). */
void benchStartup(QList<TableRow>& table, int runs);

/** `users` flagged users in the Firestore emulator (FIRESTORE_EMULATOR_HOST, else started with the fixture's
 *  script): seeding, the queue without and with per-row enrichment, and the page's requests alone. */
void benchFirestore(QList<TableRow>& table, int users, int loadTimeoutMs);

} // namespace fairuse::bench
