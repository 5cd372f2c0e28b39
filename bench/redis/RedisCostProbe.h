#pragma once

#include "RedisBenchDriver.h"
#include "redis/RedisClient.h"

#include <QByteArray>
#include <QList>

#include <cstdint>
#include <vector>

namespace fairuse::bench {

/** CPU nanoseconds used so far by every thread of process `pid` (/proc/PID/task/TID/schedstat), or -1. */
std::int64_t serverCpuNs(qint64 pid);
/** CPU nanoseconds used so far by this process (every thread). */
std::int64_t clientCpuNs();
/** MEMORY USAGE of `keys`, summed. */
std::int64_t memoryUsage(services::RedisClient& c, const QList<QByteArray>& keys);

/** One command's INFO commandstats line over a phase, per operation of the phase. */
struct CommandCost {
    QByteArray name;       // lower case, as INFO spells it ("evalsha", "bitfield")
    double callsPerOp = 0; // how many times it ran per operation (commands a script runs are counted too)
    double usecPerOp = 0;  // its usec per operation (a script's usec includes the commands it ran)
};

/** Where one timed phase spent its time, per operation (one record-and-check, or one INCRBY). */
struct PhaseCost {
    std::vector<CommandCost> commands; // every command of the phase but the probe's own CONFIG and INFO
    double perSec = 0;                 // measured operations per second
    double cmdUsec = -1;    // INFO commandstats usec of the phase's commands, per operation (command execution only)
    double serverCpu = -1;  // redis-server CPU microseconds per operation (execution + parsing + socket I/O)
    double serverUtil = -1; // redis-server CPU time / wall time
    double clientCpu = -1;  // this process's CPU microseconds per operation
    double clientUtil = -1; // this process's CPU time / wall time
};

/**
 * Brackets a timed phase: CONFIG RESETSTAT and both processes' CPU clocks before, INFO commandstats and the clocks
 * after, so a phase's cost splits into the server's command time, the server's whole CPU time and ours.
 */
class RedisCostProbe {
public:
    RedisCostProbe(services::RedisClient& client, qint64 serverPid)
        : m_client(client)
        , m_pid(serverPid) {}

    void begin() {
        call(m_client, {"CONFIG", "RESETSTAT"});
        m_server0 = serverCpuNs(m_pid);
        m_client0 = clientCpuNs();
    }

    /** `ops` operations took `seconds`; `commands` are the lower-case command names the phase sent. */
    PhaseCost end(int ops, double seconds, const QList<QByteArray>& commands) {
        const std::int64_t server1 = serverCpuNs(m_pid);
        const std::int64_t client1 = clientCpuNs();
        PhaseCost c;
        if (ops <= 0 || seconds <= 0) {
            return c;
        }
        c.perSec = ops / seconds;
        if (m_server0 >= 0 && server1 >= 0) {
            c.serverCpu = static_cast<double>(server1 - m_server0) / 1e3 / ops;
            c.serverUtil = static_cast<double>(server1 - m_server0) / 1e9 / seconds;
        }
        c.clientCpu = static_cast<double>(client1 - m_client0) / 1e3 / ops;
        c.clientUtil = static_cast<double>(client1 - m_client0) / 1e9 / seconds;
        c.cmdUsec = commandUsec(commands, &c.commands, ops) / ops;
        return c;
    }

    /**
     * Sum of `usec` over the given commands in INFO commandstats, or -1 when INFO failed. Every other command's line
     * (but CONFIG and INFO, the probe's own) goes to `all`, per operation of the `ops` the phase ran.
     */
    double commandUsec(const QList<QByteArray>& commands, std::vector<CommandCost>* all = nullptr, int ops = 1) {
        const auto info = call(m_client, {"INFO", "commandstats"});
        if (!info || info->isError()) {
            return -1;
        }
        double sum = 0;
        for (const QByteArray& line : info->text().split('\n')) {
            // cmdstat_evalsha:calls=3000,usec=12345,usec_per_call=4.11,rejected_calls=0,failed_calls=0
            const qsizetype colon = line.indexOf(':');
            if (!line.startsWith("cmdstat_") || colon < 0) {
                continue;
            }
            CommandCost cost{line.mid(8, colon - 8), 0, 0};
            for (const QByteArray& field : line.mid(colon + 1).trimmed().split(',')) {
                if (field.startsWith("usec=")) {
                    cost.usecPerOp = field.mid(5).toDouble();
                } else if (field.startsWith("calls=")) {
                    cost.callsPerOp = field.mid(6).toDouble();
                }
            }
            if (commands.contains(cost.name)) {
                sum += cost.usecPerOp;
            }
            if (all && !cost.name.startsWith("config") && !cost.name.startsWith("info")) {
                cost.callsPerOp /= ops;
                cost.usecPerOp /= ops;
                all->push_back(cost);
            }
        }
        return sum;
    }

private:
    services::RedisClient& m_client;
    qint64 m_pid;
    std::int64_t m_server0 = -1;
    std::int64_t m_client0 = 0;
};

} // namespace fairuse::bench
