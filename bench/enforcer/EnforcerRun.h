#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace fairuse::bench {

/** What one run of the fairuse-enforcer binary cost, from wait4()'s rusage. */
struct EnforcerRunCost {
    int exitCode = -1;      ///< -1 when it could not run or was killed
    double wallSeconds = 0; ///< start to exit
    double cpuSeconds = 0;  ///< user + system, every thread
    long peakRssKiB = 0;    ///< the peak resident set of the enforcer alone (its VmHWM at exit)
    QString peakRssMethod;  ///< how it was read: /usr/bin/time's ru_maxrss, or VmHWM sampled from /proc
    QJsonObject summary;    ///< the pass's summary line (users_evaluated, ...), empty when it printed none
    QString stderrTail;     ///< the end of its standard error, for a failed run
};

/**
 * Runs `program` with `args` and FIRESTORE_EMULATOR_HOST=`emulatorHost` (and the rest of this environment), its
 * output into files of `workDir`, and waits for it (killed after `timeoutSeconds`). Under /usr/bin/time when there is
 * one, whose ru_maxrss of its child is the peak memory /proc/PID/status reports as VmHWM, read by the kernel at exit
 * (no sampling, no race with the exit); otherwise VmHWM is sampled every 20 ms.
 */
EnforcerRunCost runEnforcer(const QString& program, const QStringList& args, const QString& emulatorHost,
                            const QString& workDir, int timeoutSeconds);

} // namespace fairuse::bench
