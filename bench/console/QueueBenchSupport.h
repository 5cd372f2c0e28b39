#pragma once
// The queue bench's figures: wall-clock milliseconds, medians, this process's peak RSS and age, the table every part
// of the bench adds its rows to, the event loop run with a stall meter, and a child run of the bench executable.

#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>

namespace fairuse::bench {

using Clock = std::chrono::steady_clock;

/** One line of the printed table: what was measured, the figure, and the target it is read against. */
struct TableRow {
    QString what;
    QString value;
    QString target;
};

double msSince(Clock::time_point start);

/** The median of `values`; -1 when there are none. */
double median(QList<double> values);

/** Peak resident set size of this process, from /proc/self/status (VmHWM), in MiB; -1 when unreadable. */
double peakRssMiB();

/** Milliseconds since the kernel started this process (/proc/self/stat starttime, 10 ms resolution). */
double msSinceExec();

/** A figure for the table: "n/a" when negative (not measured). */
QString fmt(double ms, int decimals = 1);

/** Runs the event loop until `done` or `timeoutMs`; a 5 ms ticker records the longest gap (UI-thread stall). */
bool spin(const std::function<bool()>& done, int timeoutMs, double* longestStallMs = nullptr,
          const std::function<void()>& onLongestStall = {});

/** Runs this executable with `args` and returns its stdout; empty on failure or timeout. */
QByteArray runSelf(const QStringList& args, const QProcessEnvironment& env, int timeoutMs, QString* error);

} // namespace fairuse::bench
