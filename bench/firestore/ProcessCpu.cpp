#include "ProcessCpu.h"

#include <QDir>
#include <QFile>
#include <QStringList>

#include <sys/resource.h>
#include <unistd.h>

namespace fairuse::bench {

QString loadAverage() {
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly)) {
        return QStringLiteral("?");
    }
    return QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 2);
}

double groupCpuSeconds(pid_t group) {
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double total = 0;
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& pid : pids) {
        bool numeric = false;
        pid.toInt(&numeric);
        if (!numeric) {
            continue;
        }
        QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!f.open(QIODevice::ReadOnly)) {
            continue;
        }
        // The command name may contain spaces: the fields start after its closing parenthesis, at "state".
        const QByteArray stat = f.readAll();
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 12 && fields.at(2).toInt() == group) {
            total += static_cast<double>(fields.at(11).toLongLong() + fields.at(12).toLongLong()) / tick;
        }
    }
    return total;
}

double ownCpuSeconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

} // namespace fairuse::bench
