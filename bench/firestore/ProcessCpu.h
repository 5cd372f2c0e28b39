#pragma once

#include <QString>

#include <sys/types.h>

namespace fairuse::bench {

/** The machine's load averages over 1, 5 and 15 minutes ("1.20 0.95 0.80"), or "?". */
QString loadAverage();
/** CPU seconds (user + system) used so far by the live processes of process group `group` (the emulator's JVM and
 *  its wrapper), from /proc/PID/stat. */
double groupCpuSeconds(pid_t group);
/** CPU seconds (user + system, all threads) used so far by this process. */
double ownCpuSeconds();

} // namespace fairuse::bench
