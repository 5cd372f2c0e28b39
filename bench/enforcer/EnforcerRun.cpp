#include "EnforcerRun.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fairuse::bench {

namespace {

double seconds(const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

/** VmHWM of `pid` from /proc/PID/status, in KiB; 0 when it cannot be read. */
long vmHwmKiB(pid_t pid) {
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLong();
        }
    }
    return 0;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (std::string& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

} // namespace

EnforcerRunCost runEnforcer(const QString& program, const QStringList& args, const QString& emulatorHost,
                            const QString& workDir, int timeoutSeconds) {
    EnforcerRunCost cost;
    const QString outPath = QDir(workDir).filePath(QStringLiteral("enforcer.out"));
    const QString errPath = QDir(workDir).filePath(QStringLiteral("enforcer.err"));

    // The peak memory must be the enforcer's own: posix_spawn's child shares this process's memory until exec, and
    // the kernel keeps that memory's high-water mark in the child's rusage (ru_maxrss). /usr/bin/time forks from its
    // own small process and reports its child's ru_maxrss; without it, VmHWM is sampled from /proc while it runs.
    const QString timeFile = QDir(workDir).filePath(QStringLiteral("enforcer.time"));
    const bool viaTime = QFileInfo(QStringLiteral("/usr/bin/time")).isExecutable();
    std::vector<std::string> argv;
    if (viaTime) {
        argv = {"/usr/bin/time", "-f", "%M %U %S", "-o", timeFile.toStdString()};
    }
    argv.push_back(program.toStdString());
    for (const QString& a : args) {
        argv.push_back(a.toStdString());
    }
    std::vector<std::string> env;
    const std::string hostVar = "FIRESTORE_EMULATOR_HOST=";
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::string(*e).rfind(hostVar, 0) != 0) {
            env.emplace_back(*e);
        }
    }
    env.push_back(hostVar + emulatorHost.toStdString());
    std::vector<char*> argvp = pointers(argv);
    std::vector<char*> envp = pointers(env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const QByteArray outFile = QFile::encodeName(outPath);
    const QByteArray errFile = QFile::encodeName(errPath);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outFile.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errFile.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

    QElapsedTimer wall;
    wall.start();
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argvp[0], &actions, nullptr, argvp.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        cost.stderrTail = QStringLiteral("cannot start %1: %2").arg(program, QString::fromLocal8Bit(strerror(spawned)));
        return cost;
    }
    int status = 0;
    rusage usage{};
    bool killed = false;
    while (true) {
        const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
        if (done == pid) {
            break;
        }
        if (done < 0) {
            cost.stderrTail = QStringLiteral("wait4 failed");
            return cost;
        }
        if (!viaTime) {
            cost.peakRssKiB = std::max(cost.peakRssKiB, vmHwmKiB(pid));
        }
        if (!killed && wall.elapsed() > timeoutSeconds * 1000LL) {
            ::kill(pid, SIGKILL); // our own child, by its id
            killed = true;
        }
        QThread::msleep(20);
    }
    cost.wallSeconds = static_cast<double>(wall.nsecsElapsed()) / 1e9;
    cost.cpuSeconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    if (viaTime) {
        // "%M %U %S", after a "Command exited with non-zero status N" line when it failed.
        QFile times(timeFile);
        const QList<QByteArray> lines =
            times.open(QIODevice::ReadOnly) ? times.readAll().trimmed().split('\n') : QList<QByteArray>{};
        const QList<QByteArray> fields = lines.isEmpty() ? QList<QByteArray>{} : lines.last().split(' ');
        if (fields.size() == 3) {
            cost.peakRssKiB = fields[0].toLong();
            cost.cpuSeconds = fields[1].toDouble() + fields[2].toDouble();
        }
    }
    cost.peakRssMethod = viaTime ? QStringLiteral("/usr/bin/time") : QStringLiteral("VmHWM sampled");
    cost.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

    QFile out(outPath);
    if (out.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : out.readAll().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.contains(QStringLiteral("summary"))) {
                cost.summary = o.value(QStringLiteral("summary")).toObject();
            }
        }
    }
    QFile err(errPath);
    if (err.open(QIODevice::ReadOnly)) {
        cost.stderrTail = QString::fromUtf8(err.readAll().right(800));
    }
    return cost;
}

} // namespace fairuse::bench
