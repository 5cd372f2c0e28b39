// Metering on a real redis-server, through our RedisClient: the backend's layout (SPEC 4.1: per-minute HINCRBY into
// fair_use:bucket:{uid} + ZADD into fair_use:speech:{uid} + EXPIRE, and on every check ZRANGEBYSCORE over the week
// followed by HMGET of every minute it returned) against our LuaMeter (one EVALSHA per record-and-check), for a light
// user (13 min of speech a day) and a heavy user (12 h a day), both prefilled with 7 days of history.
//
// The same run also measures `redis-benchmark INCRBY` on the same server as the ceiling, at the same concurrency as
// our client: one connection with 1 command in flight (latency-bound), and one connection with D in flight
// (redis-benchmark -c 1 -P D, throughput-bound). Prints one table and the target ratios.
//
// A second table says where the time goes: around each timed phase it resets and reads INFO commandstats (server
// command time per operation) and the CPU clocks of redis-server and of this process, for INCRBY (redis-benchmark and
// our own RedisClient), an empty EVALSHA, both layouts' record-and-check, and K connections (default 4) on this one
// thread with D in flight each: a rate that rises with K means the client was the limit, a flat one the server.
//
//   fairuse_bench_redis [--quick] [--depth D] [--connections K] [--redis-server PATH] [--redis-benchmark PATH]

#include "BackendLayout.h"
#include "RedisBenchDriver.h"
#include "RedisBenchServer.h"
#include "RedisCostProbe.h"
#include "metering/Metering.h"
#include "redis/LuaMeter.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::bench;

namespace {

struct Row {
    const char* what;
    double backendPerSec;
    double oursPerSec;
};

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    int depth = 32;
    int connections = 4;
    QString serverBin = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    QString benchBin = QStandardPaths::findExecutable(QStringLiteral("redis-benchmark"));
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QStringLiteral("--depth")) {
            depth = std::max(1, args[i + 1].toInt());
        } else if (args[i] == QStringLiteral("--connections")) {
            connections = std::max(2, args[i + 1].toInt());
        } else if (args[i] == QStringLiteral("--redis-server")) {
            serverBin = args[i + 1];
        } else if (args[i] == QStringLiteral("--redis-benchmark")) {
            benchBin = args[i + 1];
        }
    }
    if (serverBin.isEmpty()) {
        std::fprintf(stderr, "redis-server not found\n");
        return 2;
    }
    RedisBenchServer server;
    if (!server.start(serverBin)) {
        std::fprintf(stderr, "could not start redis-server\n");
        return 2;
    }
    RedisConfig config;
    config.port = server.port();
    config.commandTimeoutMs = 60'000;
    config.autoReconnect = false;
    RedisClient client(config);
    LuaMeter meter(&client);
    RedisCostProbe probe(client, server.pid());

    // Seven days of history, checked at 23:30 UTC of the last day: after every speech minute of both users, so a
    // check never sees minutes "from the future" (the backend's window excludes them, our meter would not).
    const std::int64_t today = unixMinute(std::chrono::time_point_cast<Milliseconds>(std::chrono::system_clock::now()));
    const std::int64_t firstDay = today - today % kDayMinutes - 7 * kDayMinutes;
    const std::int64_t prefillEnd = firstDay + 6 * kDayMinutes + 23 * 60 + 30; // unix minute

    std::printf("redis-server %s on 127.0.0.1:%u; concurrency: one connection, 1 in flight and %d in flight\n",
                qPrintable(serverBin), server.port(), depth);

    struct UserResult {
        const char* name;
        std::int64_t buckets = 0;
        std::int64_t backendBytes = 0;
        std::int64_t oursBytes = 0;
        bool agree = false;
        double backendCheck[2]{};
        double oursCheck[2]{};
        double backendRac[2]{};
        double oursRac[2]{};
        PhaseCost backendRacCost[2];
        PhaseCost oursRacCost[2];
        PhaseCost oursCheckCost[2];
    };
    std::vector<UserResult> results;
    const int depths[2] = {1, depth};

    for (const bool heavy : {false, true}) {
        UserResult res;
        res.name = heavy ? "heavy (12 h/day)" : "light (13 min/day)";
        const QString uidBackend = heavy ? QStringLiteral("bench-heavy") : QStringLiteral("bench-light");
        const QString uidOurs = uidBackend + QStringLiteral("-lua");
        BackendLayout backend{client, uidBackend};
        const auto history = speechMinutes(heavy, firstDay, 7);
        res.buckets = static_cast<std::int64_t>(history.size());

        // Prefill: the backend's keys with pipelined record commands, ours with one script call per speech minute.
        QList<QList<QByteArray>> batch;
        for (const auto& [minute, ms] : history) {
            batch.append(backend.recordCommands(minute, ms));
            if (batch.size() >= 4000) {
                client.pipeline(std::exchange(batch, {}));
            }
        }
        bool prefillOk = true;
        QEventLoop pl;
        client.pipeline(batch).then(QtFuture::Launch::Sync, [&](Result<QList<RedisReply>> r) {
            prefillOk = r.ok();
            pl.quit();
        });
        pl.exec();
        const double prefillSeconds = drive(static_cast<int>(history.size()), 64, [&](int i, Done done) {
            meter.recordAndCheck(uidOurs, history[i].second, fromUnixMinute(history[i].first) + Milliseconds{59'000})
                .then(QtFuture::Launch::Sync, [done](Result<MeterReading> r) { done(r.ok()); });
        });
        if (!prefillOk || prefillSeconds < 0) {
            std::fprintf(stderr, "prefill failed\n");
            return 1;
        }
        res.backendBytes = memoryUsage(client, {backend.bucket(), backend.speech()});
        res.oursBytes = memoryUsage(client, {LuaMeter::key(uidOurs)});

        // Both layouts must give the same totals before their speed means anything.
        const std::int64_t nowSeconds = prefillEnd * 60;
        std::optional<SpeechTotals> backendTotals;
        std::optional<SpeechTotals> oursTotals;
        {
            QEventLoop l;
            int pending = 2;
            backend.check(nowSeconds, [&](bool ok, SpeechTotals t) {
                if (ok) {
                    backendTotals = t;
                }
                if (--pending == 0) {
                    l.quit();
                }
            });
            meter.recordAndCheck(uidOurs, 0, fromUnixMinute(prefillEnd))
                .then(QtFuture::Launch::Sync, [&](Result<MeterReading> r) {
                    if (r.ok()) {
                        oursTotals = r.value().totals;
                    }
                    if (--pending == 0) {
                        l.quit();
                    }
                });
            l.exec();
        }
        res.agree = backendTotals && oursTotals && backendTotals->dailyMs == oursTotals->dailyMs &&
                    backendTotals->threeDayMs == oursTotals->threeDayMs &&
                    backendTotals->weeklyMs == oursTotals->weeklyMs;
        std::printf("%s: %lld buckets, weekly %lld ms (backend) / %lld ms (ours), %s\n", res.name,
                    static_cast<long long>(res.buckets),
                    static_cast<long long>(backendTotals ? backendTotals->weeklyMs : -1),
                    static_cast<long long>(oursTotals ? oursTotals->weeklyMs : -1),
                    res.agree ? "totals agree" : "TOTALS DIFFER");

        // Check only, at a fixed time: the hot path of every status read and every periodic cap check.
        const int checkOpsBackend = quick ? (heavy ? 300 : 3000) : (heavy ? 1500 : 20000);
        const int checkOpsOurs = quick ? 3000 : 20000;
        for (int k = 0; k < 2; ++k) {
            const double b = drive(checkOpsBackend, depths[k], [&](int, Done done) {
                backend.check(nowSeconds, [done](bool ok, SpeechTotals) { done(ok); });
            });
            probe.begin();
            const double o = drive(checkOpsOurs, depths[k], [&](int, Done done) {
                meter.recordAndCheck(uidOurs, 0, fromUnixMinute(prefillEnd))
                    .then(QtFuture::Launch::Sync, [done](Result<MeterReading> r) { done(r.ok()); });
            });
            res.oursCheckCost[k] = probe.end(checkOpsOurs, o, kOursCommands);
            res.backendCheck[k] = b > 0 ? checkOpsBackend / b : 0;
            res.oursCheck[k] = o > 0 ? checkOpsOurs / o : 0;
        }

        // Record-and-check, moving forward in time: each call is the user's next speech minute after the prefill (a
        // heavy user's night is a jump of 12 h, so our script evicts 720 minutes at once now and then).
        const int futureDays = heavy ? (quick ? 12 : 60) : (quick ? 500 : 3200);
        const auto future = speechMinutes(heavy, firstDay + 7 * kDayMinutes, futureDays);
        // Each layout walks its own cursor through the future, so the second run continues where the first stopped
        // and every check sees a full week of history (steady state), never a window emptied by a jump.
        std::size_t backendCursor = 0;
        std::size_t oursCursor = 0;
        for (int k = 0; k < 2; ++k) {
            const int n = quick ? (heavy ? 300 : 1000) : (heavy ? 1500 : 5000);
            const int nOurs = quick ? 3000 : 20000;
            if (backendCursor + static_cast<std::size_t>(n) > future.size() ||
                oursCursor + static_cast<std::size_t>(nOurs) > future.size()) {
                std::fprintf(stderr, "future timeline too short\n");
                return 1;
            }
            probe.begin();
            const double b = drive(n, depths[k], [&](int i, Done done) {
                const auto& [minute, ms] = future[backendCursor + static_cast<std::size_t>(i)];
                backend.recordAndCheck(minute, ms, minute * 60 + 59, done);
            });
            res.backendRacCost[k] = probe.end(n, b, kBackendCommands);
            probe.begin();
            const double o = drive(nOurs, depths[k], [&](int i, Done done) {
                const auto& [minute, ms] = future[oursCursor + static_cast<std::size_t>(i)];
                meter.recordAndCheck(uidOurs, ms, fromUnixMinute(minute) + Milliseconds{59'000})
                    .then(QtFuture::Launch::Sync, [done](Result<MeterReading> r) { done(r.ok()); });
            });
            res.oursRacCost[k] = probe.end(nOurs, o, kOursCommands);
            backendCursor += static_cast<std::size_t>(n);
            oursCursor += static_cast<std::size_t>(nOurs);
            res.backendRac[k] = b > 0 ? n / b : 0;
            res.oursRac[k] = o > 0 ? nOurs / o : 0;
        }
        results.push_back(res);
    }

    // The ceiling, same server, same concurrency.
    double ceiling[2] = {-1, -1};
    PhaseCost ceilingCost[2];
    if (!benchBin.isEmpty()) {
        for (int k = 0; k < 2; ++k) {
            const int n = k == 0 ? (quick ? 50'000 : 200'000) : (quick ? 200'000 : 1'000'000);
            probe.begin();
            QElapsedTimer t;
            t.start();
            ceiling[k] = incrbyCeiling(benchBin, server.port(), n, depths[k]);
            // Wall time includes redis-benchmark's start-up, so utilisation is a lower bound; per-op costs are exact.
            ceilingCost[k] = probe.end(n, static_cast<double>(t.nsecsElapsed()) / 1e9, kIncrbyCommands);
            ceilingCost[k].perSec = ceiling[k];
        }
    }

    // INCRBY through our own RedisClient, same depths: the like-for-like baseline for the client's overhead.
    PhaseCost ourIncrby[2];
    for (int k = 0; k < 2; ++k) {
        const int n = k == 0 ? (quick ? 10'000 : 40'000) : (quick ? 60'000 : 250'000);
        probe.begin();
        const double s = drive(n, depths[k], [&](int, Done done) {
            client.command({"INCRBY", "bench:incrby:ours", "1"})
                .then(QtFuture::Launch::Sync, [done](Result<RedisReply> r) { done(r.ok() && !r.value().isError()); });
        });
        ourIncrby[k] = probe.end(n, s, kIncrbyCommands);
    }

    // An EVALSHA of `return 1` at the same depths: the floor any Lua script pays per call on this server.
    PhaseCost emptyScript[2];
    if (const auto sha = call(client, {"SCRIPT", "LOAD", "return 1"}); sha && !sha->isError()) {
        const QByteArray digest = sha->text();
        for (int k = 0; k < 2; ++k) {
            const int n = k == 0 ? (quick ? 10'000 : 40'000) : (quick ? 60'000 : 250'000);
            probe.begin();
            const double s = drive(n, depths[k], [&](int, Done done) {
                client.command({"EVALSHA", digest, "0"}).then(QtFuture::Launch::Sync, [done](Result<RedisReply> r) {
                    done(r.ok() && !r.value().isError());
                });
            });
            emptyScript[k] = probe.end(n, s, kOursCommands);
        }
    }

    // K connections on this one thread, each with `depth` in flight (round-robin, so K x depth in total): if the rate
    // rises with K the client's per-connection path was the limit; if it stays flat the server (or this thread) is.
    struct MultiRow {
        int connections;
        PhaseCost incrby;
        PhaseCost ours;
    };
    std::vector<MultiRow> multi;
    for (const int kConn : {1, connections}) {
        std::vector<std::unique_ptr<RedisClient>> clients;
        std::vector<std::unique_ptr<LuaMeter>> meters;
        for (int c = 0; c < kConn; ++c) {
            clients.push_back(std::make_unique<RedisClient>(config));
            meters.push_back(std::make_unique<LuaMeter>(clients.back().get()));
        }
        MultiRow row{kConn, {}, {}};
        const int n = quick ? 60'000 : 250'000;
        probe.begin();
        const double si = drive(n, depth * kConn, [&](int i, Done done) {
            clients[static_cast<std::size_t>(i % kConn)]
                ->command({"INCRBY", "bench:incrby:multi", "1"})
                .then(QtFuture::Launch::Sync, [done](Result<RedisReply> r) { done(r.ok() && !r.value().isError()); });
        });
        row.incrby = probe.end(n, si, kIncrbyCommands);
        // Light users, one per connection, each walking its own timeline from an empty key (no prefill: the script's
        // cost for a light user hardly depends on the history it keeps).
        const int nOurs = quick ? 12'000 : 60'000;
        const auto timeline = speechMinutes(false, firstDay, nOurs / kConn / 13 + 2);
        const QString tag = QStringLiteral("bench-multi%1-").arg(kConn);
        probe.begin();
        const double so = drive(nOurs, depth * kConn, [&](int i, Done done) {
            const auto c = static_cast<std::size_t>(i % kConn);
            const auto& [minute, ms] = timeline[static_cast<std::size_t>(i / kConn)];
            meters[c]
                ->recordAndCheck(tag + QString::number(c), ms, fromUnixMinute(minute) + Milliseconds{59'000})
                .then(QtFuture::Launch::Sync, [done](Result<MeterReading> r) { done(r.ok()); });
        });
        row.ours = probe.end(nOurs, so, kOursCommands);
        for (auto& c : clients) {
            c->disconnectFromServer();
        }
        multi.push_back(row);
    }

    std::printf("\n%-20s %-26s %12s %12s %9s\n", "user", "operation (in flight)", "backend/s", "ours/s", "ours/bk");
    for (const UserResult& r : results) {
        for (int k = 0; k < 2; ++k) {
            const QByteArray check = QByteArrayLiteral("check (") + QByteArray::number(depths[k]) + ')';
            const QByteArray rac = QByteArrayLiteral("record+check (") + QByteArray::number(depths[k]) + ')';
            std::printf("%-20s %-26s %12.0f %12.0f %8.1fx\n", r.name, check.constData(), r.backendCheck[k],
                        r.oursCheck[k], r.backendCheck[k] > 0 ? r.oursCheck[k] / r.backendCheck[k] : 0.0);
            std::printf("%-20s %-26s %12.0f %12.0f %8.1fx\n", r.name, rac.constData(), r.backendRac[k], r.oursRac[k],
                        r.backendRac[k] > 0 ? r.oursRac[k] / r.backendRac[k] : 0.0);
        }
    }
    std::printf("\n%-20s %12s %12s %12s\n", "user", "backend B", "ours B", "round trips");
    for (const UserResult& r : results) {
        std::printf("%-20s %12lld %12lld %12s\n", r.name, static_cast<long long>(r.backendBytes),
                    static_cast<long long>(r.oursBytes), "3 vs 1");
    }
    std::printf("(round trips per record-and-check: backend 1 pipelined HINCRBY+ZADD+EXPIRE x2, 1 ZRANGEBYSCORE, "
                "1 HMGET = 3; check alone 2; ours 1 EVALSHA for either)\n");

    // Where the time goes, per record-and-check (or per INCRBY). cmd us: INFO commandstats usec (command execution
    // only), its ceiling 1e6/cmd us; srv us: redis-server's whole CPU time (adds parsing, replies, syscalls), its
    // ceiling 1e6/srv us; cli us: this process's CPU time. util: CPU time / wall time (1.00 = one core saturated).
    std::printf("\nServer-side cost per operation (CONFIG RESETSTAT before each phase, INFO commandstats and "
                "/proc/PID/task/*/schedstat after)\n");
    std::printf("%-40s %10s %7s %10s %7s %10s %5s %7s %5s %9s\n", "phase (in flight)", "measured/s", "cmd us",
                "cmd ceil/s", "srv us", "srv ceil/s", "util", "cli us", "util", "/INCRBY*");
    const auto costRow = [](const QByteArray& name, const PhaseCost& c, double incrbySameClient) {
        std::printf("%-40s %10.0f %7.2f %10.0f %7.2f %10.0f %5.2f %7.2f %5.2f %9s\n", name.constData(), c.perSec,
                    c.cmdUsec, c.cmdUsec > 0 ? 1e6 / c.cmdUsec : 0.0, c.serverCpu,
                    c.serverCpu > 0 ? 1e6 / c.serverCpu : 0.0, c.serverUtil, c.clientCpu, c.clientUtil,
                    incrbySameClient > 0 ? qPrintable(QString::number(c.perSec / incrbySameClient, 'f', 2)) : "-");
    };
    for (int k = 0; k < 2; ++k) {
        const QByteArray d = " (" + QByteArray::number(depths[k]) + ")";
        if (ceiling[k] > 0) {
            costRow("INCRBY, redis-benchmark" + d, ceilingCost[k], 0);
        }
        costRow("INCRBY, our RedisClient" + d, ourIncrby[k], 0);
        costRow("EVALSHA 'return 1', our RedisClient" + d, emptyScript[k], ourIncrby[k].perSec);
        for (const UserResult& r : results) {
            costRow("check ours " + QByteArray(r.name).left(5) + d, r.oursCheckCost[k], ourIncrby[k].perSec);
            costRow("rec+chk ours " + QByteArray(r.name).left(5) + d, r.oursRacCost[k], ourIncrby[k].perSec);
            costRow("rec+chk backend " + QByteArray(r.name).left(5) + d, r.backendRacCost[k], ourIncrby[k].perSec);
        }
    }
    for (const MultiRow& m : multi) {
        const QByteArray d = " (" + QByteArray::number(m.connections) + " conn x " + QByteArray::number(depth) + ")";
        costRow("INCRBY, our RedisClient" + d, m.incrby, 0);
        costRow("rec+chk ours light" + d, m.ours, m.incrby.perSec);
    }
    std::printf("(*: ours / INCRBY through the same client at the same concurrency. cmd us sums the phase's commands "
                "per record-and-check: EVALSHA for ours; HINCRBY+ZADD+2 EXPIRE+ZRANGEBYSCORE+HMGET for the backend. "
                "util 1.00 = one core busy; the machine has %d.)\n",
                QThread::idealThreadCount());

    // Inside our script: the commands it ran (INFO commandstats counts them too), per call, and what is left of
    // EVALSHA's time for Lua itself (argument and reply conversion, the script's own code).
    std::printf("\nInside EVALSHA, per call: redis.call()s the script made (calls x us) and the rest (Lua itself)\n");
    const auto insideRow = [](const QByteArray& name, const PhaseCost& c) {
        double evalsha = 0;
        double inner = 0;
        double calls = 0;
        QByteArray detail;
        for (const CommandCost& cc : c.commands) {
            if (cc.name == "evalsha" || cc.name == "eval") {
                evalsha += cc.usecPerOp;
                continue;
            }
            inner += cc.usecPerOp;
            calls += cc.callsPerOp;
            detail += ' ' + cc.name + ' ' + QByteArray::number(cc.callsPerOp, 'f', 2) + 'x' +
                      QByteArray::number(cc.callsPerOp > 0 ? cc.usecPerOp / cc.callsPerOp : 0.0, 'f', 2);
        }
        std::printf("%-34s evalsha %6.2f us = %5.2f calls %6.2f us + Lua %6.2f us |%s\n", name.constData(), evalsha,
                    calls, inner, evalsha - inner, detail.constData());
    };
    for (int k = 0; k < 2; ++k) {
        const QByteArray d = " (" + QByteArray::number(depths[k]) + ")";
        insideRow("EVALSHA 'return 1'" + d, emptyScript[k]);
        for (const UserResult& r : results) {
            insideRow("check ours " + QByteArray(r.name).left(5) + d, r.oursCheckCost[k]);
            insideRow("rec+chk ours " + QByteArray(r.name).left(5) + d, r.oursRacCost[k]);
        }
    }

    const UserResult& heavyRes = results.back();
    bool ok = heavyRes.agree && results.front().agree;
    std::printf("\nTargets\n");
    const double heavyRatio = heavyRes.backendCheck[0] > 0 ? heavyRes.oursCheck[0] / heavyRes.backendCheck[0] : 0;
    const double heavyRatioD = heavyRes.backendCheck[1] > 0 ? heavyRes.oursCheck[1] / heavyRes.backendCheck[1] : 0;
    std::printf("  heavy-user check vs backend layout:   %.1fx (1 in flight), %.1fx (%d in flight)   target >= 20x\n",
                heavyRatio, heavyRatioD, depth);
    for (int k = 0; k < 2; ++k) {
        const double best = std::max(heavyRes.oursRac[k], results.front().oursRac[k]);
        const double worst = std::min(heavyRes.oursRac[k], results.front().oursRac[k]);
        std::printf("  record+check vs INCRBY ceiling (%2d):  %.0f-%.0f/s vs %.0f/s = %.2f-%.2f   target >= 0.5\n",
                    depths[k], worst, best, ceiling[k], ceiling[k] > 0 ? worst / ceiling[k] : 0.0,
                    ceiling[k] > 0 ? best / ceiling[k] : 0.0);
    }
    std::printf("  heaviest user's Redis memory (ours):  %lld B = %.1f KB (backend %.1f KB)          target <= 40 KB\n",
                static_cast<long long>(heavyRes.oursBytes), static_cast<double>(heavyRes.oursBytes) / 1024.0,
                static_cast<double>(heavyRes.backendBytes) / 1024.0);
    const UserResult& lightRes = results.front();
    std::printf("  light user's Redis memory (ours):     %lld B = %.1f KB (backend %.1f KB)           target < 2 KB\n",
                static_cast<long long>(lightRes.oursBytes), static_cast<double>(lightRes.oursBytes) / 1024.0,
                static_cast<double>(lightRes.backendBytes) / 1024.0);
    std::printf("  totals identical in both layouts:     %s\n", ok ? "yes" : "NO");
    client.disconnectFromServer();
    return ok ? 0 : 1;
}
