#include "QueueBenchSupport.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <ctime>
#include <unistd.h>

namespace fairuse::bench {

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(QList<double> values) {
    if (values.isEmpty()) {
        return -1;
    }
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

double peakRssMiB() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
        }
    }
    return -1;
}

double msSinceExec() {
    QFile stat(QStringLiteral("/proc/self/stat"));
    if (!stat.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    // Field 22 of the file is the 20th after "pid (comm)".
    const double startTicks = fields.value(19).toDouble();
    timespec boot{};
    clock_gettime(CLOCK_BOOTTIME, &boot);
    const double nowMs = static_cast<double>(boot.tv_sec) * 1000.0 + static_cast<double>(boot.tv_nsec) / 1e6;
    return nowMs - startTicks * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

QString fmt(double ms, int decimals) {
    return ms < 0 ? QStringLiteral("n/a") : QString::number(ms, 'f', decimals);
}

bool spin(const std::function<bool()>& done, int timeoutMs, double* longestStallMs,
          const std::function<void()>& onLongestStall) {
    QEventLoop loop;
    QTimer ticker;
    ticker.setInterval(5);
    Clock::time_point last = Clock::now();
    double stall = 0;
    const Clock::time_point start = Clock::now();
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        if (msSince(last) > stall) {
            stall = msSince(last);
            if (onLongestStall) {
                onLongestStall();
            }
        }
        last = Clock::now();
        if (done() || msSince(start) > timeoutMs) {
            loop.quit();
        }
    });
    ticker.start();
    if (!done()) {
        loop.exec();
    }
    if (longestStallMs) {
        *longestStallMs = stall;
    }
    return done();
}

QByteArray runSelf(const QStringList& args, const QProcessEnvironment& env, int timeoutMs, QString* error) {
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QCoreApplication::applicationFilePath(), args);
    if (!child.waitForFinished(timeoutMs)) {
        child.kill();
        child.waitForFinished(5000);
        *error = QStringLiteral("timed out after %1 ms").arg(timeoutMs);
        return {};
    }
    if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0) {
        *error = QStringLiteral("exit code %1: %2")
                     .arg(child.exitCode())
                     .arg(QString::fromUtf8(child.readAllStandardError().right(400)));
        return {};
    }
    return child.readAllStandardOutput();
}

} // namespace fairuse::bench
