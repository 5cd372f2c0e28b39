#include "ServerStats.h"

#include "RedisBenchDriver.h"
#include "RedisCostProbe.h"

namespace fairuse::bench {

std::optional<ServerSnapshot> serverSnapshot(services::RedisClient& client, qint64 serverPid) {
    const auto info = call(client, {"INFO", "stats", "commandstats"});
    if (!info || info->isError()) {
        return std::nullopt;
    }
    ServerSnapshot s;
    s.cpuNs = serverCpuNs(serverPid);
    for (QByteArray line : info->text().split('\n')) {
        line = line.trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon < 0) {
            continue;
        }
        const QByteArray name = line.left(colon);
        const QByteArray value = line.mid(colon + 1);
        if (name == "total_net_input_bytes") {
            s.netInputBytes = value.toLongLong();
        } else if (name == "total_net_output_bytes") {
            s.netOutputBytes = value.toLongLong();
        } else if (name.startsWith("cmdstat_")) {
            // cmdstat_hmget:calls=3000,usec=12345,usec_per_call=4.11,rejected_calls=0,failed_calls=0
            for (const QByteArray& field : value.split(',')) {
                if (field.startsWith("calls=")) {
                    s.calls[name.mid(8)] = field.mid(6).toLongLong();
                }
            }
        }
    }
    return s;
}

ServerDelta serverDelta(const ServerSnapshot& before, const ServerSnapshot& after, const ServerDelta& probe) {
    ServerDelta d;
    for (const auto& [name, calls] : after.calls) {
        const auto was = before.calls.find(name);
        const std::int64_t n = calls - (was == before.calls.end() ? 0 : was->second);
        if (n <= 0 || name == "info" || name.startsWith("config")) {
            continue;
        }
        d.calls[name] = n;
        d.commands += n;
    }
    d.inBytes = after.netInputBytes - before.netInputBytes - probe.inBytes;
    d.outBytes = after.netOutputBytes - before.netOutputBytes - probe.outBytes;
    d.cpuNs = after.cpuNs - before.cpuNs;
    return d;
}

ServerDelta probeCost(services::RedisClient& client, qint64 serverPid) {
    // The first INFO after a new command appears is longer; take the third of three back-to-back snapshots.
    std::optional<ServerSnapshot> a = serverSnapshot(client, serverPid);
    std::optional<ServerSnapshot> b = serverSnapshot(client, serverPid);
    std::optional<ServerSnapshot> c = serverSnapshot(client, serverPid);
    if (!a || !b || !c) {
        return {};
    }
    return serverDelta(*b, *c);
}

} // namespace fairuse::bench
