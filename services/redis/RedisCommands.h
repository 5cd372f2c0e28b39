#pragma once

#include "common/Result.h"
#include "redis/RedisReply.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>

namespace fairuse::services {

/**
 * What the stores and the enforcement service need of Redis, whether it is one server (RedisClient) or a cluster
 * (RedisClusterClient, which routes each command to the master of its key's slot). Replies, failures and error
 * replies mean the same on both (RedisClient.h's failure model).
 */
class RedisCommands {
public:
    virtual ~RedisCommands() = default;

    /** One command, e.g. {"HINCRBY", key, field, "5"}. */
    virtual QFuture<Result<RedisReply>> command(QList<QByteArray> argv) = 0;
    /** Several commands at once, one reply per command in order (some may be error replies). On one server they
     *  share a round trip; on a cluster, one round trip per master involved, in parallel. A transport failure fails
     *  the whole pipeline. */
    virtual QFuture<Result<QList<RedisReply>>> pipeline(QList<QList<QByteArray>> commands) = 0;

    /** The nodes that hold keys, by address: the server itself, or each master of a cluster (the slot map is read
     *  when none is known). Whole-keyspace work (SCAN) runs once on each. */
    virtual QFuture<Result<QStringList>> keyNodes() = 0;
    /** Sends argv to the node of keyNodes() named `node`, as it is (SCAN's cursor belongs to that node). */
    virtual QFuture<Result<RedisReply>> commandAt(const QString& node, QList<QByteArray> argv) = 0;

    /** "redis://user:***@host:port/db", or "cluster redis://…" for a cluster's seed; never a password. */
    virtual QString describe() const = 0;
    /** The Error for an error reply to `what` (RedisClient::replyError). */
    virtual Error replyError(const RedisReply& reply, const QString& what) const = 0;
};

/**
 * The key a command is routed by on a cluster: argv[1] for commands on one key, the first key of EVAL / EVALSHA /
 * FCALL (argv[3], when numkeys is at least 1), and none (empty) for commands without a key (PING, SCAN, CLUSTER, a
 * script with no keys).
 */
QByteArray routingKey(const QList<QByteArray>& argv);

} // namespace fairuse::services
