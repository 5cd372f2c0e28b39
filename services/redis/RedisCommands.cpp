#include "redis/RedisCommands.h"

namespace fairuse::services {

QByteArray routingKey(const QList<QByteArray>& argv) {
    if (argv.isEmpty()) {
        return {};
    }
    const QByteArray name = argv.first().toUpper();
    if (name == "EVAL" || name == "EVALSHA" || name == "EVAL_RO" || name == "EVALSHA_RO" || name == "FCALL" ||
        name == "FCALL_RO") {
        bool ok = false;
        const int keys = argv.size() > 2 ? argv.at(2).toInt(&ok) : 0;
        return ok && keys >= 1 && argv.size() > 3 ? argv.at(3) : QByteArray();
    }
    static const QList<QByteArray> keyless{"PING",     "SCAN",   "CLUSTER", "INFO", "ASKING",   "SCRIPT", "FLUSHDB",
                                           "FLUSHALL", "DBSIZE", "CONFIG",  "ACL",  "READONLY", "TIME",   "KEYS"};
    if (argv.size() < 2 || keyless.contains(name)) {
        return {};
    }
    return argv.at(1);
}

} // namespace fairuse::services
