#include "EnforcerRun.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QThread>

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

    std::vector<std::string> argv{program.toStdString()};
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
        if (!killed && wall.elapsed() > timeoutSeconds * 1000LL) {
            ::kill(pid, SIGKILL); // our own child, by its id
            killed = true;
        }
        QThread::msleep(20);
    }
    cost.wallSeconds = static_cast<double>(wall.nsecsElapsed()) / 1e9;
    cost.cpuSeconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    cost.peakRssKiB = usage.ru_maxrss;
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
