#pragma once

#include "common/Promise.h"
#include "common/Result.h"
#include "redis/ClusterSlots.h"
#include "redis/RedisClient.h"
#include "redis/RedisCommands.h"
#include "redis/RedisConfig.h"
#include "redis/RedisReply.h"

#include <QByteArray>
#include <QFuture>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPromise>
#include <QString>

#include <memory>
#include <optional>

/**
 * @file
 * Redis Cluster: key slots, the CLUSTER SLOTS map, and a client that routes each command to the master of its key's
 * slot, follows MOVED (the map changed: read it again) and ASK (a slot being migrated) redirections, and reaches every
 * master for whole-keyspace work (SCAN runs per master: a cluster node scans only its own keys).
 */
namespace fairuse::services {

class RedisClusterClient : public QObject, public RedisCommands {
    Q_OBJECT
public:
    /** `seed` is one node of the cluster (host, port) and the settings every connection uses (password, TLS,
     *  timeouts); db must be 0 (a cluster has one database). */
    explicit RedisClusterClient(RedisConfig seed, QObject* parent = nullptr);
    ~RedisClusterClient() override;

    /** Reads the slot map from the seed (or, when it fails, from any node known). */
    QFuture<Result<QList<SlotRange>>> refresh();
    /** The map as last read. */
    QList<SlotRange> slotMap() const { return m_map; }
    /** Replaces the map (tests: a stale map is corrected by the MOVED replies it causes). */
    void setSlotMap(QList<SlotRange> map) { m_map = std::move(map); }
    /** The masters of the map, in slot order. */
    QList<ClusterNode> masters() const;
    std::optional<ClusterNode> masterOf(int slot) const;

    /** Sends argv to the master of its key's slot (routingKey(); commands without a key go to the first master). A
     * MOVED reply reads the map again and retries at the node it names, an ASK reply retries there after ASKING; at
     * most five redirections, then Unavailable. Reads the map first when none is known. */
    QFuture<Result<RedisReply>> command(QList<QByteArray> argv) override;
    /** Each command goes to the master of its routingKey()'s slot: one pipeline per master, sent at once, the
     *  replies put back in order. A command answered MOVED or ASK is sent again on its own (command()). */
    QFuture<Result<QList<RedisReply>>> pipeline(QList<QList<QByteArray>> commands) override;
    /** The masters' addresses (reads the map when none is known). */
    QFuture<Result<QStringList>> keyNodes() override;
    /** commandOn the master at `node` ("host:port"). */
    QFuture<Result<RedisReply>> commandAt(const QString& node, QList<QByteArray> argv) override;
    /** "cluster redis://host:port" of the seed. */
    QString describe() const override;
    Error replyError(const RedisReply& reply, const QString& what) const override;
    /** Sends argv to `node` as it is, without routing or redirections (SCAN on one master, CLUSTER commands). */
    QFuture<Result<RedisReply>> commandOn(const ClusterNode& node, QList<QByteArray> argv);

    /** Redirections followed so far (MOVED and ASK), for tests and metrics. */
    int redirections() const { return m_redirections; }
    /** Commands sent again after their node failed (a failover), for tests and metrics. */
    int failoverRetries() const { return m_failoverRetries; }
    /** How long a command whose master failed waits for a failover (default 30 s: node timeout plus election). A
     *  command whose connection dropped may have run: it is sent again, so this suits commands that may run twice
     *  (reads, SET, DEL, compare-and-set scripts), which is what the enforcement service sends. */
    void setFailoverWaitMs(int ms) { m_failoverWaitMs = ms; }

private:
    RedisClient* clientFor(const ClusterNode& node);
    /** The master of `key`'s slot, or the first master for an empty key; nullopt when no master serves it. */
    std::optional<ClusterNode> nodeFor(const QByteArray& key) const;
    void sendPipeline(QList<QList<QByteArray>> commands, PromisePtr<QList<RedisReply>> promise);
    void refreshFrom(QList<ClusterNode> candidates, qsizetype next, Error last,
                     std::shared_ptr<QPromise<Result<QList<SlotRange>>>> promise);
    /** `failingSince`: when the command's node first failed (ms since the epoch), 0 while it has not. */
    void send(QList<QByteArray> argv, std::optional<ClusterNode> at, bool asking, int hops,
              std::shared_ptr<QPromise<Result<RedisReply>>> promise, qint64 failingSince);
    /** A command whose node failed: after a pause, read the map from the other nodes and send it again, until a new
     *  master serves its slot or failoverWaitMs has passed since it first failed. */
    void retryAfterFailure(QList<QByteArray> argv, ClusterNode failed, int hops, qint64 failingSince,
                           std::shared_ptr<QPromise<Result<RedisReply>>> promise, Error error);
    QFuture<Result<QList<SlotRange>>> refreshAvoiding(const ClusterNode& failed);

    RedisConfig m_seed;
    QList<SlotRange> m_map;
    QHash<QString, RedisClient*> m_clients;
    int m_redirections = 0;
    int m_failoverRetries = 0;
    int m_failoverWaitMs = 30000;
};

} // namespace fairuse::services
