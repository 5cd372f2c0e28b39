#include "redis/RedisCluster.h"

#include "common/Guarded.h"
#include "common/Promise.h"

#include <algorithm>

namespace fairuse::services {

namespace {

constexpr int kMaxHops = 5;

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
    send(std::move(argv), std::nullopt, false, 0, promise);
    return promise->future();
}

void RedisClusterClient::send(QList<QByteArray> argv, std::optional<ClusterNode> at, bool asking, int hops,
                              std::shared_ptr<QPromise<Result<RedisReply>>> promise) {
    if (m_map.isEmpty() && !at) {
        refresh().then(guarded(this, [this, argv, hops, promise](const Result<QList<SlotRange>>& map) {
            if (!map) {
                finish(promise, Result<RedisReply>(map.error()));
                return;
            }
            send(argv, std::nullopt, false, hops, promise);
        }));
        return;
    }
    const int slot = argv.size() > 1 ? keySlot(argv.at(1)) : 0;
    const std::optional<ClusterNode> node = at ? at : (argv.size() > 1 ? masterOf(slot) : masters().value(0));
    if (!node || node->port == 0) {
        finish(promise, Result<RedisReply>(Error::unavailable(
                            QStringLiteral("no master serves slot %1: the cluster is not ready").arg(slot))));
        return;
    }
    RedisClient* client = clientFor(*node);
    const auto handle = [this, argv, hops, promise](const Result<RedisReply>& r) {
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
            send(argv, redirect->node, true, hops + 1, promise);
            return;
        }
        // MOVED: the slot has a new master for good; read the map again, then go where the reply said.
        refresh().then(
            guarded(this, [this, argv, hops, promise, node = redirect->node](const Result<QList<SlotRange>>&) {
                send(argv, node, false, hops + 1, promise);
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
