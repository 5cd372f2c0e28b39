#include "redis/RedisCluster.h"

#include "common/Guarded.h"
#include "common/Promise.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>

namespace fairuse::services {

namespace {

constexpr int kMaxHops = 5;
constexpr int kFailoverPollMs = 500;

} // namespace

RedisClusterClient::RedisClusterClient(RedisConfig seed, QObject* parent)
    : QObject(parent)
    , m_seed(std::move(seed)) {
    m_seed.db = 0;
}

RedisClusterClient::~RedisClusterClient() = default;

RedisClient* RedisClusterClient::clientFor(const ClusterNode& node) {
    const QString key = node.address();
    if (RedisClient* c = m_clients.value(key)) {
        return c;
    }
    RedisConfig config = m_seed;
    config.host = node.host;
    config.port = node.port;
    auto* c = new RedisClient(config, this);
    m_clients.insert(key, c);
    return c;
}

QList<ClusterNode> RedisClusterClient::masters() const {
    QList<ClusterNode> out;
    for (const SlotRange& r : m_map) {
        if (!out.contains(r.master)) {
            out.append(r.master);
        }
    }
    return out;
}

std::optional<ClusterNode> RedisClusterClient::masterOf(int slot) const {
    for (const SlotRange& r : m_map) {
        if (slot >= r.first && slot <= r.last) {
            return r.master;
        }
    }
    return std::nullopt;
}

std::optional<ClusterNode> RedisClusterClient::nodeFor(const QByteArray& key) const {
    if (key.isEmpty()) {
        const QList<ClusterNode> all = masters();
        return all.isEmpty() ? std::nullopt : std::optional<ClusterNode>(all.first());
    }
    return masterOf(keySlot(key));
}

QString RedisClusterClient::describe() const {
    return QStringLiteral("cluster ") + m_seed.redactedUrl();
}

Error RedisClusterClient::replyError(const RedisReply& reply, const QString& what) const {
    return RedisClient::replyErrorAt(describe(), m_seed.aclUser(), reply, what);
}

QFuture<Result<QStringList>> RedisClusterClient::keyNodes() {
    const auto addresses = [this] {
        QStringList out;
        for (const ClusterNode& m : masters()) {
            out.append(m.address());
        }
        return out;
    };
    if (!m_map.isEmpty()) {
        return ready(Result<QStringList>(addresses()));
    }
    return refresh().then(guarded(this, [addresses](const Result<QList<SlotRange>>& map) -> Result<QStringList> {
        if (!map) {
            return map.error();
        }
        return addresses();
    }));
}

QFuture<Result<RedisReply>> RedisClusterClient::commandAt(const QString& node, QList<QByteArray> argv) {
    for (const ClusterNode& m : masters()) {
        if (m.address() == node) {
            return commandOn(m, std::move(argv));
        }
    }
    return ready(Result<RedisReply>(
        Error::unavailable(QStringLiteral("%1 is not a master of the cluster at %2 any more").arg(node, describe()))));
}

QFuture<Result<QList<RedisReply>>> RedisClusterClient::pipeline(QList<QList<QByteArray>> commands) {
    auto promise = makePromise<QList<RedisReply>>();
    if (commands.isEmpty()) {
        finish(promise, Result<QList<RedisReply>>(QList<RedisReply>{}));
    } else if (m_map.isEmpty()) {
        refresh().then(guarded(this, [this, commands, promise](const Result<QList<SlotRange>>& map) {
            if (!map) {
                finish(promise, Result<QList<RedisReply>>(map.error()));
                return;
            }
            sendPipeline(commands, promise);
        }));
    } else {
        sendPipeline(std::move(commands), promise);
    }
    return promise->future();
}

void RedisClusterClient::sendPipeline(QList<QList<QByteArray>> commands, PromisePtr<QList<RedisReply>> promise) {
    struct Gathered {
        QList<RedisReply> replies;
        qsizetype outstanding = 0;
        bool failed = false;
    };
    auto gathered = std::make_shared<Gathered>();
    gathered->replies.resize(commands.size());
    gathered->outstanding = commands.size();
    const auto settle = [gathered, promise](qsizetype index, const Result<RedisReply>& r) {
        if (gathered->failed) {
            return;
        }
        if (!r) {
            gathered->failed = true;
            finish(promise, Result<QList<RedisReply>>(r.error()));
            return;
        }
        gathered->replies[index] = *r;
        if (--gathered->outstanding == 0) {
            finish(promise, Result<QList<RedisReply>>(gathered->replies));
        }
    };
    const auto follow = [this, settle](const QList<QByteArray>& argv, const Redirection& redirect, qsizetype index) {
        auto one = std::make_shared<QPromise<Result<RedisReply>>>();
        one->start();
        one->future().then(guarded(this, [settle, index](const Result<RedisReply>& x) { settle(index, x); }));
        send(argv, redirect.node, redirect.ask, 1, one, 0);
    };
    // One pipeline per master, in the order the commands were given.
    QList<ClusterNode> nodes;
    QList<QList<qsizetype>> groups;
    for (qsizetype i = 0; i < commands.size(); ++i) {
        const std::optional<ClusterNode> node = nodeFor(routingKey(commands.at(i)));
        if (!node || node->port == 0) {
            settle(i, Result<RedisReply>(Error::unavailable(
                          QStringLiteral("no master serves the slot of a command: the cluster is not ready"))));
            return;
        }
        const qsizetype at = nodes.indexOf(*node);
        if (at < 0) {
            nodes.append(*node);
            groups.append(QList<qsizetype>{i});
        } else {
            groups[at].append(i);
        }
    }
    for (qsizetype g = 0; g < nodes.size(); ++g) {
        const QList<qsizetype> indexes = groups.at(g);
        QList<QList<QByteArray>> part;
        for (const qsizetype i : indexes) {
            part.append(commands.at(i));
        }
        clientFor(nodes.at(g))
            ->pipeline(part)
            .then(guarded(this, [this, indexes, part, settle, follow,
                                 node = nodes.at(g)](const Result<QList<RedisReply>>& r) {
                if (!r && r.error().kind == ErrorKind::Unavailable) {
                    // The master is gone (or going): each command waits for the failover on its own.
                    for (qsizetype j = 0; j < indexes.size(); ++j) {
                        auto one = std::make_shared<QPromise<Result<RedisReply>>>();
                        one->start();
                        one->future().then(guarded(
                            this, [settle, index = indexes.at(j)](const Result<RedisReply>& x) { settle(index, x); }));
                        retryAfterFailure(part.at(j), node, 0, QDateTime::currentMSecsSinceEpoch(), one, r.error());
                    }
                    return;
                }
                if (!r || r->size() != indexes.size()) {
                    settle(indexes.first(),
                           r ? Result<RedisReply>(Error::internal(QStringLiteral("a pipeline lost replies")))
                             : Result<RedisReply>(r.error()));
                    return;
                }
                // A redirected command alone follows its redirection: ASK at once, MOVED once the map has been read
                // again (one read for the whole part), so the pipeline ends on the cluster's new map.
                QList<std::pair<qsizetype, Redirection>> moved;
                for (qsizetype j = 0; j < indexes.size(); ++j) {
                    const std::optional<Redirection> redirect = parseRedirection(r->at(j));
                    if (!redirect) {
                        settle(indexes.at(j), r->at(j));
                        continue;
                    }
                    ++m_redirections;
                    if (redirect->ask) {
                        follow(part.at(j), *redirect, indexes.at(j));
                    } else {
                        moved.append({j, *redirect});
                    }
                }
                if (!moved.isEmpty()) {
                    refresh().then(guarded(this, [moved, part, indexes, follow](const Result<QList<SlotRange>>&) {
                        for (const auto& [j, redirect] : moved) {
                            follow(part.at(j), redirect, indexes.at(j));
                        }
                    }));
                }
            }));
    }
}

QFuture<Result<QList<SlotRange>>> RedisClusterClient::refresh() {
    auto promise = makePromise<QList<SlotRange>>();
    ClusterNode seed;
    seed.host = m_seed.host;
    seed.port = m_seed.port;
    QList<ClusterNode> candidates{seed};
    for (const ClusterNode& m : masters()) {
        if (!candidates.contains(m)) {
            candidates.append(m);
        }
    }
    refreshFrom(candidates, 0, Error::unavailable(QStringLiteral("no cluster node answered")), promise);
    return promise->future();
}

void RedisClusterClient::refreshFrom(QList<ClusterNode> candidates, qsizetype next, Error last,
                                     std::shared_ptr<QPromise<Result<QList<SlotRange>>>> promise) {
    if (next >= candidates.size()) {
        finish(promise, Result<QList<SlotRange>>(last));
        return;
    }
    clientFor(candidates.at(next))
        ->command({"CLUSTER", "SLOTS"})
        .then(guarded(this, [this, candidates, next, promise](const Result<RedisReply>& r) {
            Result<QList<SlotRange>> map = r ? parseClusterSlots(*r) : Result<QList<SlotRange>>(r.error());
            if (!map) {
                refreshFrom(candidates, next + 1, map.error(), promise); // the next node may know
                return;
            }
            m_map = *map;
            finish(promise, std::move(map));
        }));
}

QFuture<Result<RedisReply>> RedisClusterClient::commandOn(const ClusterNode& node, QList<QByteArray> argv) {
    return clientFor(node)->command(std::move(argv));
}

QFuture<Result<RedisReply>> RedisClusterClient::command(QList<QByteArray> argv) {
    auto promise = std::make_shared<QPromise<Result<RedisReply>>>();
    promise->start();
    send(std::move(argv), std::nullopt, false, 0, promise, 0);
    return promise->future();
}

void RedisClusterClient::retryAfterFailure(QList<QByteArray> argv, ClusterNode failed, int hops, qint64 failingSince,
                                           std::shared_ptr<QPromise<Result<RedisReply>>> promise, Error error) {
    if (QDateTime::currentMSecsSinceEpoch() - failingSince >= m_failoverWaitMs) {
        finish(promise, Result<RedisReply>(
                            Error::unavailable(QStringLiteral("%1 (no other master took its slots over within %2 s)")
                                                   .arg(error.message)
                                                   .arg(m_failoverWaitMs / 1000))));
        return;
    }
    ++m_failoverRetries;
    QTimer::singleShot(kFailoverPollMs, this, [this, argv, failed, hops, failingSince, promise] {
        refreshAvoiding(failed).then(
            guarded(this, [this, argv, hops, failingSince, promise](const Result<QList<SlotRange>>&) {
                send(argv, std::nullopt, false, hops, promise, failingSince);
            }));
    });
}

QFuture<Result<QList<SlotRange>>> RedisClusterClient::refreshAvoiding(const ClusterNode& failed) {
    // Every node the map knows, masters then replicas, the failed one last: a replica promoted by the failover
    // answers with the new map.
    QList<ClusterNode> candidates;
    const auto add = [&candidates, &failed](const ClusterNode& n) {
        if (!(n == failed) && !candidates.contains(n)) {
            candidates.append(n);
        }
    };
    for (const SlotRange& r : m_map) {
        add(r.master);
    }
    for (const SlotRange& r : m_map) {
        for (const ClusterNode& replica : r.replicas) {
            add(replica);
        }
    }
    ClusterNode seed;
    seed.host = m_seed.host;
    seed.port = m_seed.port;
    add(seed);
    candidates.append(failed);
    auto promise = makePromise<QList<SlotRange>>();
    refreshFrom(candidates, 0, Error::unavailable(QStringLiteral("no cluster node answered")), promise);
    return promise->future();
}

void RedisClusterClient::send(QList<QByteArray> argv, std::optional<ClusterNode> at, bool asking, int hops,
                              std::shared_ptr<QPromise<Result<RedisReply>>> promise, qint64 failingSince) {
    if (m_map.isEmpty() && !at) {
        refresh().then(guarded(this, [this, argv, hops, promise, failingSince](const Result<QList<SlotRange>>& map) {
            if (!map) {
                finish(promise, Result<RedisReply>(map.error()));
                return;
            }
            send(argv, std::nullopt, false, hops, promise, failingSince);
        }));
        return;
    }
    const QByteArray key = routingKey(argv);
    const int slot = key.isEmpty() ? 0 : keySlot(key);
    const std::optional<ClusterNode> node = at ? at : nodeFor(key);
    if (!node || node->port == 0) {
        finish(promise, Result<RedisReply>(Error::unavailable(
                            QStringLiteral("no master serves slot %1: the cluster is not ready").arg(slot))));
        return;
    }
    RedisClient* client = clientFor(*node);
    const auto handle = [this, argv, hops, promise, failingSince, node = *node](const Result<RedisReply>& r) {
        if (!r && r.error().kind == ErrorKind::Unavailable) {
            // The node is gone: a failover may promote one of its replicas (cluster-node-timeout, then an
            // election). Read the map from the other nodes until the slot has a new master, then send again.
            retryAfterFailure(argv, node, hops, failingSince == 0 ? QDateTime::currentMSecsSinceEpoch() : failingSince,
                              promise, r.error());
            return;
        }
        const std::optional<Redirection> redirect = r ? parseRedirection(*r) : std::nullopt;
        if (!redirect) {
            finish(promise, r);
            return;
        }
        if (hops + 1 > kMaxHops) {
            finish(promise, Result<RedisReply>(Error::unavailable(
                                QStringLiteral("slot %1 was redirected %2 times: the cluster is resharding; try again")
                                    .arg(redirect->slot)
                                    .arg(hops + 1))));
            return;
        }
        ++m_redirections;
        if (redirect->ask) {
            send(argv, redirect->node, true, hops + 1, promise, failingSince);
            return;
        }
        // MOVED: the slot has a new master for good; read the map again, then go where the reply said.
        refresh().then(guarded(
            this, [this, argv, hops, promise, failingSince, node = redirect->node](const Result<QList<SlotRange>>&) {
                send(argv, node, false, hops + 1, promise, failingSince);
            }));
    };
    if (asking) {
        client->pipeline({{"ASKING"}, argv}).then(guarded(this, [handle](const Result<QList<RedisReply>>& r) {
            handle(r ? (r->size() == 2 ? Result<RedisReply>(r->at(1))
                                       : Result<RedisReply>(Error::internal(QStringLiteral("ASKING: no reply"))))
                     : Result<RedisReply>(r.error()));
        }));
        return;
    }
    client->command(argv).then(guarded(this, handle));
}

} // namespace fairuse::services
