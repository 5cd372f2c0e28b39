#include "RedisCostProbe.h"

#include <QDir>
#include <QFile>

#include <ctime>

namespace fairuse::bench {

using namespace fairuse::services;

std::int64_t serverCpuNs(qint64 pid) {
    const QString base = QStringLiteral("/proc/%1/task").arg(pid);
    const QStringList tasks = QDir(base).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    if (tasks.isEmpty()) {
        return -1;
    }
    std::int64_t sum = 0;
    for (const QString& t : tasks) {
        QFile f(base + QLatin1Char('/') + t + QStringLiteral("/schedstat"));
        if (f.open(QIODevice::ReadOnly)) {
            sum += f.readAll().split(' ').value(0).trimmed().toLongLong();
        }
    }
    return sum;
}

std::int64_t clientCpuNs() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t memoryUsage(RedisClient& c, const QList<QByteArray>& keys) {
    std::int64_t sum = 0;
    for (const QByteArray& k : keys) {
        if (auto r = call(c, {"MEMORY", "USAGE", k, "SAMPLES", "0"})) {
            sum += r->integerValue();
        }
    }
    return sum;
}

} // namespace fairuse::bench
