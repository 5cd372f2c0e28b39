#pragma once

#include "redis/RedisClient.h"

#include <QByteArray>

#include <cstdint>
#include <map>
#include <optional>

namespace fairuse::bench {

/** What redis-server says it did so far (INFO stats + commandstats) and the CPU it used (/proc). */
struct ServerSnapshot {
    std::map<QByteArray, std::int64_t> calls; ///< per command, lower case ("zrangebyscore"), as INFO spells it
    std::int64_t netInputBytes = 0;           ///< total_net_input_bytes
    std::int64_t netOutputBytes = 0;          ///< total_net_output_bytes
    std::int64_t cpuNs = 0;                   ///< the server's CPU time, every thread (/proc/PID/task/*/schedstat)
};

/** One INFO call ("INFO stats commandstats") and the server's CPU clock; nullopt when INFO failed. */
std::optional<ServerSnapshot> serverSnapshot(services::RedisClient& client, qint64 serverPid);

/** What the server did between two snapshots, without the probe's own INFO and CONFIG commands. */
struct ServerDelta {
    std::map<QByteArray, std::int64_t> calls;
    std::int64_t commands = 0; ///< every command but INFO and CONFIG
    std::int64_t inBytes = 0;  ///< bytes the server read (requests)
    std::int64_t outBytes = 0; ///< bytes the server wrote (replies)
    std::int64_t cpuNs = 0;
};

/** `after` - `before`, less `probe` (the bytes one snapshot itself costs: see probeCost()). */
ServerDelta serverDelta(const ServerSnapshot& before, const ServerSnapshot& after, const ServerDelta& probe = {});

/** The bytes of one snapshot's own INFO request and reply: the delta of two snapshots taken back to back. */
ServerDelta probeCost(services::RedisClient& client, qint64 serverPid);

} // namespace fairuse::bench
