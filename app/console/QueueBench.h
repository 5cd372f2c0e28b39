#pragma once

#include <optional>

#include <QString>

namespace fairuse::console {

/**
 * The hidden `--bench-queue N` option: seeds a throw-away embedded store with N bulk flagged users, opens the
 * queue (model, sorting proxy and table, offscreen-capable) and prints the time to the first rows and to fully
 * loaded. Prints figures; never asserts. Returns the process exit code.
 */
int runQueueBench(int flaggedUsers, const QString& dbPath);

} // namespace fairuse::console
