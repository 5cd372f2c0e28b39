// The enforcement service at scale (issue 12): the per-user check of fairuse-enforcer on a real redis-server holding
// N users in the backend's key layouts (BenchPopulation.h: 100,000, or 10,000 with --quick), side by side in one run
// with the backend's own check of the same users (CheckModels.h), then the Firestore writes of the service's commits
// and the memory of the real binary.
//
//  - service: SpeechUserScan over both layouts, then per user what EnforcerPass does in Redis: one pipeline that
//    claims the user's evaluation marker (EvaluationMarkers.h, EVALSHA of a Lua script) and reads the speech
//    (RedisUsageStore::readSpeechAfter: ZRANGEBYSCORE WITHSCORES + HGETALL for each of the three enforced layouts),
//    enforcement::evaluate on a state built in memory, and SET of the done marker: two round trips. No Firestore
//    read, which the pass adds per user (one batchGet) and which the last two parts measure;
//  - service without the markers: readSpeech alone, one round trip (what the pass did before the keyspace work);
//  - backend: per user ZRANGEBYSCORE fair_use:speech:{uid} over the week, then HMGET fair_use:bucket:{uid} of those
//    minutes (two round trips), and the same core evaluation; once on the legacy keys only, once on the three enforced
//    layouts (both round trips pipelined across the layouts).
//
// Every user's window totals are checked against what was seeded, in every mode. Per mode: users per second (wall,
// one user at a time as the pass works), this process's CPU per user (getrusage), redis-server's CPU per user
// (/proc/PID/task/*/schedstat), and from INFO commandstats / INFO stats deltas the Redis commands and the bytes in and
// out per user. The modes take turns on chunks of 1,000 users, so that a change of machine load hits them alike.
//
// Memory and Firestore: the fairuse-enforcer binary, `--once --shadow`, against a redis database holding the first M
// users (--memory-users, 100,000; 2,000 with --quick) and a tenth of them, with the Firestore emulator the benchmark
// starts: the whole pass with its per-user Firestore reads, and its peak resident set (VmHWM at exit) as /usr/bin/time
// reads it (EnforcerRun.h).
//
// Instances: 1, 2 and 3 fairuse-enforcer --once on a Redis Cluster sharing one interval (InstancesBench.h), over
// --instance-users users (10,000; 2,000 with --quick).
//
//   fairuse_bench_enforcer [--quick] [--users N] [--rounds R] [--memory-users M] [--no-memory]
//                          [--instance-users N] [--no-instances] [--enforcer PATH] [--redis-server PATH]
//                          [--firestore-emulator PATH]

#include "BenchPopulation.h"
#include "CheckModels.h"
#include "EmulatorProcesses.h"
#include "EnforcerRun.h"
#include "FirestoreWrites.h"
#include "InstancesBench.h"
#include "ProcessCpu.h"
#include "RedisBenchDriver.h"
#include "RedisBenchServer.h"
#include "ServerStats.h"
#include "common/Await.h"
#include "enforcer/EvaluationMarkers.h"
#include "enforcer/RangeLeases.h"
#include "enforcer/SpeechUserScan.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>
#include <vector>

using namespace fairuse;
using namespace fairuse::bench;
using namespace fairuse::services;

namespace {

constexpr int kTimeoutMs = 120'000;
constexpr qsizetype kChunk = 1'000; ///< users checked by one mode before the next mode takes the same users
constexpr int kModes = 4;           ///< service, service without the markers, backend legacy, backend 3 layouts
const QString kIdentity = QStringLiteral("enforcer@fairuse.example");

/** The population as seeded: what every check must read. */
struct Seeded {
    QHash<QString, int> index;
    std::vector<SpeechTotals> enforced;
    std::vector<SpeechTotals> legacyOnly;
    std::int64_t buckets = 0;
    int kinds[3]{};
    int withV2 = 0;
};

/** One mode's cost over its users, summed over the rounds. */
struct Measure {
    std::int64_t users = 0;
    double wall = 0;
    double cpu = 0; ///< this process
    ServerDelta server;
    std::int64_t roundTrips = 0;
    std::int64_t capHits = 0;
    std::int64_t wrong = 0;   ///< totals that differ from the seeded ones, or failed reads
    double cpuFirstTenth = 0; ///< this process's CPU over the chunks of the first tenth of the users, and of the
    double cpuLastTenth =
        0; ///< last: a cost that grows with the users done (something piling up) shows as last > first
    std::int64_t usersFirstTenth = 0;
    std::int64_t usersLastTenth = 0;

    void add(const Measure& m) {
        users += m.users;
        wall += m.wall;
        cpu += m.cpu;
        for (const auto& [name, n] : m.server.calls) {
            server.calls[name] += n;
        }
        server.commands += m.server.commands;
        server.inBytes += m.server.inBytes;
        server.outBytes += m.server.outBytes;
        server.cpuNs += m.server.cpuNs;
        roundTrips += m.roundTrips;
        capHits += m.capHits;
        wrong += m.wrong;
        cpuFirstTenth += m.cpuFirstTenth;
        cpuLastTenth += m.cpuLastTenth;
        usersFirstTenth += m.usersFirstTenth;
        usersLastTenth += m.usersLastTenth;
    }
};

/** Seeds users [from, to) into `client`'s database, noting each in `seeded` when given. */
bool seed(RedisClient& client, int from, int to, Seeded* seeded) {
    const Status s = seedUsers(client, from, to, kTimeoutMs, [seeded](const SeededUser& u) {
        if (seeded) {
            seeded->index.insert(u.uid, static_cast<int>(seeded->enforced.size()));
            seeded->enforced.push_back(u.enforced);
            seeded->legacyOnly.push_back(u.legacyOnly);
            seeded->buckets += u.buckets();
            ++seeded->kinds[static_cast<int>(u.kind)];
            seeded->withV2 += u.hasV2() ? 1 : 0;
        }
    });
    if (!s) {
        std::fprintf(stderr, "seeding failed: %s\n", qPrintable(s.error().message));
    }
    return s.ok();
}

/** Runs `check` for every user, bracketed by server snapshots; `expected` is what each must read. */
Measure timed(RedisClient& client, qint64 pid, const ServerDelta& probe, const QStringList& uids, const Seeded& seeded,
              const std::vector<SpeechTotals>& expected,
              const std::function<Result<CheckReading>(const QString&)>& check) {
    const enforcement::Policy policy = enforcement::Policy::forReview();
    Measure m;
    const std::optional<ServerSnapshot> s0 = serverSnapshot(client, pid);
    const double cpu0 = ownCpuSeconds();
    QElapsedTimer t;
    t.start();
    for (const QString& uid : uids) {
        const Result<CheckReading> r = check(uid);
        if (!r) {
            ++m.wrong;
            continue;
        }
        m.roundTrips += r->roundTrips;
        if (r->totals != expected[static_cast<std::size_t>(seeded.index.value(uid))]) {
            ++m.wrong;
        }
        m.capHits += decide(policy, uid, r->totals, kBenchNow) != enforcement::Action::None ? 1 : 0;
    }
    m.wall = static_cast<double>(t.nsecsElapsed()) / 1e9;
    m.cpu = ownCpuSeconds() - cpu0;
    const std::optional<ServerSnapshot> s1 = serverSnapshot(client, pid);
    if (s0 && s1) {
        m.server = serverDelta(*s0, *s1, probe);
    }
    m.users = uids.size();
    return m;
}

QString commandMix(const Measure& m) {
    QStringList parts;
    for (const auto& [name, n] : m.server.calls) {
        parts.append(QStringLiteral("%1 %2").arg(QString::fromLatin1(name)).arg(double(n) / m.users, 0, 'f', 3));
    }
    return parts.join(QStringLiteral(", "));
}

void printRow(const char* name, const Measure& m) {
    const double u = static_cast<double>(m.users);
    const double redisCpu = static_cast<double>(m.server.cpuNs) / 1e9;
    std::printf("%-34s %9.0f %8.1f %10.0f %8.1f %10.0f %6.2f %7.2f %9.0f %9.0f %8.3f\n", name, u / m.wall,
                m.cpu / u * 1e6, u / m.cpu, redisCpu / u * 1e6, u / (m.cpu + redisCpu),
                static_cast<double>(m.roundTrips) / u, static_cast<double>(m.server.commands) / u,
                static_cast<double>(m.server.inBytes) / u, static_cast<double>(m.server.outBytes) / u,
                static_cast<double>(m.capHits) / u);
}

void printRatio(const char* name, const Measure& a, const Measure& b) {
    const auto per = [](const Measure& m, double v) { return v / static_cast<double>(m.users); };
    const double ra = per(a, static_cast<double>(a.server.cpuNs) / 1e9);
    const double rb = per(b, static_cast<double>(b.server.cpuNs) / 1e9);
    std::printf("%-34s %9.2f %8.2f %10.2f %8.2f %10.2f %6.2f %7.2f %9.2f %9.2f\n", name,
                per(a, 1) / a.wall / (per(b, 1) / b.wall), per(a, a.cpu) / per(b, b.cpu), per(b, b.cpu) / per(a, a.cpu),
                ra / rb, (per(b, b.cpu) + rb) / (per(a, a.cpu) + ra),
                per(a, static_cast<double>(a.roundTrips)) / per(b, static_cast<double>(b.roundTrips)),
                per(a, static_cast<double>(a.server.commands)) / per(b, static_cast<double>(b.server.commands)),
                per(a, static_cast<double>(a.server.inBytes)) / per(b, static_cast<double>(b.server.inBytes)),
                per(a, static_cast<double>(a.server.outBytes)) / per(b, static_cast<double>(b.server.outBytes)));
}

std::int64_t usedMemory(RedisClient& client) {
    const auto info = call(client, {"INFO", "memory"});
    if (!info) {
        return -1;
    }
    for (const QByteArray& line : info->text().split('\n')) {
        if (line.startsWith("used_memory:")) {
            return line.mid(12).trimmed().toLongLong();
        }
    }
    return -1;
}

/** The enforcer's memory on `sizes` users (databases 1, 2, ... of the benchmark's server). */
bool measureMemory(const QString& enforcer, const QString& emulatorGiven, quint16 port, const QList<int>& sizes) {
    const QString emulator = findEmulator(emulatorGiven);
    if (emulator.isEmpty() || !QFileInfo(enforcer).isExecutable()) {
        std::printf("\nmemory of the service: skipped (%s not found)\n",
                    emulator.isEmpty() ? "the Firestore emulator" : qPrintable(enforcer));
        return true;
    }
    std::signal(SIGINT, killGroupOnSignal);
    std::signal(SIGTERM, killGroupOnSignal);
    FirestoreEmulatorProcess firestore;
    QString error;
    if (!firestore.start(emulator, &error)) {
        std::printf("\nmemory of the service: skipped (%s)\n", qPrintable(error));
        return true;
    }
    QTemporaryDir work;
    std::printf("\nfairuse-enforcer --once --shadow on the Firestore emulator (%s), empty project: every user new\n",
                qPrintable(firestore.host()));
    std::printf("%8s %5s %9s %9s %9s %12s %9s %s\n", "users", "exit", "wall s", "users/s", "CPU s", "peak RSS MiB",
                "cap hits", "summary");
    bool ok = true;
    QList<std::pair<int, long>> peaks;
    for (qsizetype i = 0; i < sizes.size(); ++i) {
        RedisConfig config;
        config.port = port;
        config.db = static_cast<int>(i) + 1;
        config.commandTimeoutMs = kTimeoutMs;
        RedisClient client(config);
        call(client, {"FLUSHDB"});
        if (!seed(client, 0, sizes[i], nullptr)) {
            std::fprintf(stderr, "seeding database %d failed\n", config.db);
            return false;
        }
        const QStringList args{
            QStringLiteral("--redis"),     QStringLiteral("redis://127.0.0.1:%1/%2").arg(port).arg(config.db),
            QStringLiteral("--firestore"), QStringLiteral("demo-fairuse-bench-%1").arg(sizes[i]),
            QStringLiteral("--identity"),  kIdentity,
            QStringLiteral("--once"),      QStringLiteral("--shadow"),
            QStringLiteral("--now"),       formatRfc3339(kBenchNow),
            QStringLiteral("--log-dir"),   work.filePath(QStringLiteral("logs"))};
        const EnforcerRunCost c = runEnforcer(enforcer, args, firestore.host(), work.path(), 900);
        const int evaluated = c.summary.value(QStringLiteral("users_evaluated")).toInt();
        std::printf("%8d %5d %9.1f %9.0f %9.1f %12.1f %9d %s\n", sizes[i], c.exitCode, c.wallSeconds,
                    evaluated / c.wallSeconds, c.cpuSeconds, static_cast<double>(c.peakRssKiB) / 1024.0,
                    c.summary.value(QStringLiteral("cap_hits")).toInt(),
                    evaluated == sizes[i]
                        ? qPrintable(QStringLiteral("all users evaluated; peak RSS from %1").arg(c.peakRssMethod))
                        : "NOT every user evaluated");
        if (c.exitCode != 0 || evaluated != sizes[i]) {
            std::fprintf(stderr, "enforcer run on %d users: exit %d\n%s\n", sizes[i], c.exitCode,
                         qPrintable(c.stderrTail));
            ok = false;
        }
        peaks.append({sizes[i], c.peakRssKiB});
        call(client, {"FLUSHDB"});
    }
    if (peaks.size() == 2 && peaks[1].first > peaks[0].first) {
        const double perUser = static_cast<double>(peaks[1].second - peaks[0].second) /
                               static_cast<double>(peaks[1].first - peaks[0].first);
        std::printf("peak RSS growth: %.2f KiB per user\n", perUser);
        if (peaks[1].first < 100'000) {
            std::printf("at 100,000 users (extrapolated): %.0f MiB\n",
                        (static_cast<double>(peaks[1].second) + perUser * (100'000 - peaks[1].first)) / 1024.0);
        }
    }
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // scripts/bench shows each table as it comes
    const QStringList args = app.arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    int users = quick ? 10'000 : 100'000;
    int memoryUsers = quick ? 2'000 : 100'000;
    int instanceUsers = quick ? 2'000 : 10'000;
    int rounds = 2;
    bool memory = !args.contains(QStringLiteral("--no-memory"));
    const bool instances = !args.contains(QStringLiteral("--no-instances"));
    QString serverBin = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    QString enforcer = QCoreApplication::applicationDirPath() + QStringLiteral("/../app/enforcer/fairuse-enforcer");
    QString emulator;
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        const QString& v = args[i + 1];
        if (args[i] == QStringLiteral("--users")) {
            users = std::max(1, v.toInt());
        } else if (args[i] == QStringLiteral("--rounds")) {
            rounds = std::max(1, v.toInt());
        } else if (args[i] == QStringLiteral("--memory-users")) {
            memoryUsers = std::max(10, v.toInt());
        } else if (args[i] == QStringLiteral("--instance-users")) {
            instanceUsers = std::max(10, v.toInt());
        } else if (args[i] == QStringLiteral("--redis-server")) {
            serverBin = v;
        } else if (args[i] == QStringLiteral("--enforcer")) {
            enforcer = v;
        } else if (args[i] == QStringLiteral("--firestore-emulator")) {
            emulator = v;
        }
    }
    RedisBenchServer server;
    if (serverBin.isEmpty() || !server.start(serverBin)) {
        std::fprintf(stderr, "could not start redis-server (%s)\n", qPrintable(serverBin));
        return 2;
    }
    RedisConfig config;
    config.port = server.port();
    config.commandTimeoutMs = kTimeoutMs;
    config.autoReconnect = false;
    RedisClient client(config);
    RedisUsageStore usage(&client);
    std::printf("machine: %d cores, load %s, %s; redis-server %s on 127.0.0.1:%u; checks at %s\n",
                QThread::idealThreadCount(), qPrintable(loadAverage()),
                qPrintable(QDateTime::currentDateTimeUtc().toString(Qt::ISODate)), qPrintable(serverBin), server.port(),
                qPrintable(formatRfc3339(kBenchNow)));

    Seeded seeded;
    QElapsedTimer seedTimer;
    seedTimer.start();
    const std::int64_t memory0 = usedMemory(client);
    if (!seed(client, 0, users, &seeded)) {
        std::fprintf(stderr, "seeding failed\n");
        return 2;
    }
    const std::int64_t memory1 = usedMemory(client);
    std::printf("seeded %d users in %.1f s: %d light, %d medium, %d heavy; %d with v2 keys; %.1f minute buckets per "
                "user (%lld); redis used_memory %.0f bytes per user\n",
                users, static_cast<double>(seedTimer.nsecsElapsed()) / 1e9, seeded.kinds[0], seeded.kinds[1],
                seeded.kinds[2], seeded.withV2, static_cast<double>(seeded.buckets) / users,
                static_cast<long long>(seeded.buckets), static_cast<double>(memory1 - memory0) / users);

    const ServerDelta probe = probeCost(client, server.pid());
    Measure scan;
    Measure service;
    Measure unmarked;
    Measure legacy;
    Measure layouts;
    bool ok = true;
    for (int round = 0; round < rounds; ++round) {
        // The service: the user scan, then one readSpeech per user.
        const std::optional<ServerSnapshot> s0 = serverSnapshot(client, server.pid());
        const double cpu0 = ownCpuSeconds();
        QElapsedTimer t;
        t.start();
        const Result<SpeechUsers> found = scanSpeechUsers(client, 1000, kTimeoutMs);
        Measure s;
        s.wall = static_cast<double>(t.nsecsElapsed()) / 1e9;
        s.cpu = ownCpuSeconds() - cpu0;
        const std::optional<ServerSnapshot> s1 = serverSnapshot(client, server.pid());
        if (!found || found->uids.size() != users) {
            std::fprintf(stderr, "the scan found %lld users of %d\n",
                         found ? static_cast<long long>(found->uids.size()) : -1LL, users);
            return 1;
        }
        s.users = users;
        if (s0 && s1) {
            s.server = serverDelta(*s0, *s1, probe);
            s.roundTrips = s.server.calls["scan"];
        }
        scan.add(s);
        const QStringList& uids = found->uids;
        // The pass's evaluation markers (EvaluationMarkers.h), a new interval each round so that every claim takes.
        const enforcement::Policy policy = enforcement::Policy::forReview();
        EvaluationMarkers markers(
            &client, RangeLeases::epochOf(kBenchNow + round * policy.checkInterval, policy.checkInterval),
            QByteArrayLiteral("bench"), std::chrono::minutes(1), 2 * policy.checkInterval, kTimeoutMs);
        const auto read = [&usage](const QString& uid, int roundTrips) -> Result<CheckReading> {
            const Result<SpeechReading> r = awaitResult(usage.readSpeech(uid, kBenchNow), kTimeoutMs);
            if (!r) {
                return r.error();
            }
            return CheckReading{r->totals, roundTrips};
        };
        const std::function<Result<CheckReading>(const QString&)> checks[kModes]{
            [&markers, &usage](const QString& uid) -> Result<CheckReading> {
                // As EnforcerPass::evaluateMarked: the claim in the reads' pipeline, then the done marker.
                const Result<RedisUsageStore::SpeechReadingAfter> r =
                    awaitResult(usage.readSpeechAfter(markers.claimCommand(uid), uid, kBenchNow), kTimeoutMs);
                if (!r) {
                    return r.error();
                }
                const Result<EvaluationMarkers::Claim> claim = markers.claimFrom(r->first, uid);
                if (!claim) {
                    return claim.error();
                }
                if (*claim != EvaluationMarkers::Claim::Taken) {
                    return Error::internal(QStringLiteral("the marker of %1 was not free").arg(uid));
                }
                if (const Status done = markers.finish(uid); !done) {
                    return done.error();
                }
                return CheckReading{r->reading.totals, 2};
            },
            [&read](const QString& uid) { return read(uid, 1); },
            [&client](const QString& uid) { return backendCheck(client, uid, kBenchNow, false, kTimeoutMs); },
            [&client](const QString& uid) { return backendCheck(client, uid, kBenchNow, true, kTimeoutMs); }};
        Measure* measures[kModes]{&service, &unmarked, &legacy, &layouts};
        const std::vector<SpeechTotals>* expected[kModes]{&seeded.enforced, &seeded.enforced, &seeded.legacyOnly,
                                                          &seeded.enforced};
        // Chunks of users, each checked by every mode in turn (the mode that goes first rotating): a change of
        // machine load, or a cache the first mode warms for the next, hits every mode alike.
        const qsizetype tenth = uids.size() / 10;
        for (qsizetype from = 0, chunk = 0; from < uids.size(); from += kChunk, ++chunk) {
            const QStringList part = uids.mid(from, kChunk);
            for (int k = 0; k < kModes; ++k) {
                const int mode = static_cast<int>((chunk + k) % kModes);
                Measure m = timed(client, server.pid(), probe, part, seeded, *expected[mode], checks[mode]);
                if (from < tenth) {
                    m.cpuFirstTenth = m.cpu;
                    m.usersFirstTenth = m.users;
                } else if (from >= uids.size() - tenth) {
                    m.cpuLastTenth = m.cpu;
                    m.usersLastTenth = m.users;
                }
                measures[mode]->add(m);
            }
        }
    }
    const auto withScan = [&scan](const Measure& m) {
        Measure total = m;
        total.add(scan);
        total.capHits = m.capHits;
        total.users = m.users;
        return total;
    };
    const Measure serviceTotal = withScan(service);
    const Measure unmarkedTotal = withScan(unmarked);

    std::printf(
        "\nper user check, %d users x %d rounds, one user at a time (as the pass works), the modes taking turns "
        "on chunks of %lld users\n",
        users, rounds, static_cast<long long>(kChunk));
    std::printf("%-34s %9s %8s %10s %8s %10s %6s %7s %9s %9s %8s\n", "mode", "users/s", "CPU us", "users/CPUs",
                "redis us", "users/both", "RTs", "cmds", "bytes in", "bytes out", "cap hit");
    printRow("service: user scan (per user)", scan);
    printRow("service: marker+read+evaluate+done", service);
    printRow("service: total", serviceTotal);
    printRow("service w/o markers: total", unmarkedTotal);
    printRow("backend: legacy keys", legacy);
    printRow("backend: 3 enforced layouts", layouts);
    std::printf("%-34s %9s %8s %10s %8s %10s %6s %7s %9s %9s\n", "ratio (service total / backend)", "users/s", "CPU us",
                "users/CPUs", "redis us", "users/both", "RTs", "cmds", "bytes in", "bytes out");
    printRatio("service / backend legacy keys", serviceTotal, legacy);
    printRatio("service / backend 3 layouts", serviceTotal, layouts);
    printRatio("service / service w/o markers", serviceTotal, unmarkedTotal);
    printRatio("w/o markers / backend 3 layouts", unmarkedTotal, layouts);
    std::printf("columns: users/s wall; CPU us = this process's CPU per user; users/CPUs = users per CPU-second of "
                "this process;\nredis us = redis-server CPU per user; users/both = users per CPU-second of both "
                "processes; RTs = round trips\nper user; cmds = Redis commands per user (INFO commandstats); bytes = "
                "INFO stats net input/output per user.\n");
    std::printf("commands per user: service %s; scan %s\n  service w/o markers %s\n  backend legacy %s\n  backend 3 "
                "layouts %s\n",
                qPrintable(commandMix(service)), qPrintable(commandMix(scan)), qPrintable(commandMix(unmarked)),
                qPrintable(commandMix(legacy)), qPrintable(commandMix(layouts)));
    for (const auto& [name, m] : {std::pair{"service", &service}, std::pair{"service w/o markers", &unmarked},
                                  std::pair{"backend legacy", &legacy}, std::pair{"backend 3 layouts", &layouts}}) {
        if (m->wrong > 0) {
            std::printf("!! %s: %lld checks read totals other than the seeded ones\n", name,
                        static_cast<long long>(m->wrong));
            ok = false;
        }
    }
    if (ok) {
        std::printf("every check of every mode read exactly the seeded window totals; cap hits: service %lld, "
                    "backend legacy keys %lld (misses the v2 keys), backend 3 layouts %lld\n",
                    static_cast<long long>(service.capHits / rounds), static_cast<long long>(legacy.capHits / rounds),
                    static_cast<long long>(layouts.capHits / rounds));
    }

    const auto tenthCpu = [](const Measure& m, bool first) {
        const double users = static_cast<double>(first ? m.usersFirstTenth : m.usersLastTenth);
        return users > 0 ? (first ? m.cpuFirstTenth : m.cpuLastTenth) / users * 1e6 : 0.0;
    };
    std::printf("CPU per user over the first / last tenth of the users (us): service %.0f / %.0f, w/o markers %.0f / "
                "%.0f, backend legacy %.0f / %.0f, backend 3 layouts %.0f / %.0f\n",
                tenthCpu(service, true), tenthCpu(service, false), tenthCpu(unmarked, true), tenthCpu(unmarked, false),
                tenthCpu(legacy, true), tenthCpu(legacy, false), tenthCpu(layouts, true), tenthCpu(layouts, false));

    ok = printFirestoreWrites(kIdentity) && ok;

    if (memory) {
        QList<int> sizes{std::max(10, memoryUsers / 10), memoryUsers};
        ok = measureMemory(enforcer, emulator, server.port(), sizes) && ok;
    }
    if (instances) {
        server.stop(); // the cluster's six nodes and the instances need the machine
        ok = measureInstances(enforcer, emulator, instanceUsers, {1, 2, 3}) && ok;
    }
    return ok ? 0 : 1;
}
