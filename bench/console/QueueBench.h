#pragma once

#include <QString>

#include <chrono>

class QWidget;

namespace fairuse::bench {

/** What `fairuse_bench_queue` measures: the console's queue table, speech chart and start-up. */
struct QueueBenchOptions {
    /** Flagged users seeded into a throw-away embedded store (in a child process, so its memory is not counted). */
    int embeddedUsers = 100'000;
    /** Flagged users written to the Firestore emulator (0: skip). Uses FIRESTORE_EMULATOR_HOST when set, else
     *  starts the emulator with the test fixture's script under FAIRUSE_SOURCE_DIR and stops it afterwards. */
    int firestoreUsers = 10'000;
    /** Reuse this embedded store file (seeded when it does not exist). */
    QString dbPath;
    /** Runs of the startup probe (a fresh console process each, after one run that seeds the demo store). */
    int startupRuns = 3;
};

/**
 * Prints a table: per store, time to the first rows and to fully loaded, the longest UI-thread stall while loading,
 * sort latency on three columns (the call, and the call plus a full repaint), filter latency (rows shown at once,
 * and the store's answer complete), peak RSS (VmHWM); the time to build and render a 7-day minute-resolution speech
 * chart offscreen; and start-up to the main window's first paint on the demo store. Prints figures against the
 * targets; never asserts. Returns the process exit code.
 */
int runQueueBench(const QueueBenchOptions& options);

/** The child `--seed N --db FILE`: writes N bulk flagged users (plus a small demo population) to FILE. */
int runBenchSeed(int flaggedUsers, const QString& dbPath);

/** The child `--startup --db FILE`: opens the console's main window on the demo profile over FILE, with
 *  armStartupProbe(). Returns the process exit code. */
int runStartupChild(const QString& dbPath, std::chrono::steady_clock::time_point mainEntered);

/**
 * On the first paint event of `window` (or any widget in it), prints
 * "startup-first-paint-ms MAIN EXEC" (milliseconds since `mainEntered` and since the kernel started the process)
 * and quits the application.
 */
void armStartupProbe(QWidget* window, std::chrono::steady_clock::time_point mainEntered);

} // namespace fairuse::bench
