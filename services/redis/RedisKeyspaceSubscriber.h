#pragma once

#include "common/Result.h"
#include "redis/RedisConfig.h"
#include "redis/RedisReply.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <memory>

namespace fairuse::services {

/** One push of a keyspace subscription (RESP2), decoded strictly by decodeKeyspacePush. */
struct KeyspacePush {
    enum class Kind {
        Event,      ///< ["pmessage", pattern, "__keyspace@<db>__:<key>", event]
        Subscribed, ///< ["psubscribe", pattern, subscriptions]: the confirmation of a PSUBSCRIBE
    };
    Kind kind = Kind::Event;
    QByteArray pattern;
    int db = -1;                    ///< Event: the database of the channel
    QByteArray key;                 ///< Event: the key the event is about
    QByteArray event;               ///< Event: what happened to it ("hincrby", "expire", "del", ...)
    std::int64_t subscriptions = 0; ///< Subscribed: the connection's subscription count
};

/**
 * Reads a push strictly: an array of bulk strings of exactly the shape of its kind, a channel
 * `__keyspace@<db>__:<key>` with a decimal db and a non-empty key, an event name of lower-case letters, digits and
 * '_'. Anything else (a short array, an integer where a string belongs, another channel, a "message" of a plain
 * SUBSCRIBE) is Invalid, naming what is wrong; it never crashes on input.
 */
Result<KeyspacePush> decodeKeyspacePush(const RedisReply& push);

/** True for the events that record speech in a bucket hash (HINCRBY, HSET, HINCRBYFLOAT, HSETNX). Expiries,
 *  deletions and renames bring no new speech. */
bool isBucketWriteEvent(const QByteArray& event);

/**
 * Keyspace notifications of the backend's bucket keys (SPEC 4.1), for prompt enforcement (issue 12): on each node
 * it is given (one server, or every master of a cluster: each publishes only its own keys' events) it keeps a
 * connection of its own (a RedisClient in push mode: the same AUTH, ACL user, SELECT, TLS and reply limits as every
 * other connection) and PSUBSCRIBEs `__keyspace@<db>__:fair_use:bucket:*` and `__keyspace@<db>__:fair_use:v2:bucket:*`.
 * Each write to a bucket key is emitted as the user it names (uidOfBucketKey).
 *
 * Notifications are a hint, never the only way a user is found: Redis does not queue them for a subscriber that is
 * away, so a dropped connection loses every event until it is back. The subscriber says so (notificationsLost), and
 * reconnects with backoff (RedisClient::backoffDelayMs); the caller's periodic SCAN finds the users meanwhile. It
 * never turns notifications on (`CONFIG SET notify-keyspace-events` is the operator's); when `CONFIG GET` is allowed
 * and shows them off for hash keys, it logs one warning that the scan alone will find users.
 *
 * A malformed push is counted (malformed()) and logged, and the connection kept. A subscribed connection is pinged
 * every pingIntervalMs so that a connection lost without a reset is noticed within the command timeout.
 */
class RedisKeyspaceSubscriber : public QObject {
    Q_OBJECT
public:
    struct Options {
        int pingIntervalMs = 30'000;
        int reconnectInitialMs = 250;
        int reconnectMaxMs = 30'000;
    };

    explicit RedisKeyspaceSubscriber(Options options, QObject* parent = nullptr);
    explicit RedisKeyspaceSubscriber(QObject* parent = nullptr);
    ~RedisKeyspaceSubscriber() override;

    /**
     * Subscribes on each node of `nodes` (its own connection each, named by host:port). A node subscribed already is
     * kept as it is; a node no longer listed is dropped (a cluster's master that failed over).
     */
    void setNodes(const QList<RedisConfig>& nodes);
    /** The nodes it was given (setNodes), as host:port, subscribed or not. */
    QStringList nodes() const;
    /** The nodes whose subscriptions are confirmed now, as host:port. */
    QStringList subscribedNodes() const;
    /** The patterns subscribed for database `db`. */
    static QList<QByteArray> patterns(int db);

    std::int64_t notifications() const { return m_notifications; } ///< well-formed events received
    std::int64_t malformed() const { return m_malformed; }         ///< pushes decodeKeyspacePush refused
    std::int64_t reconnects() const { return m_reconnects; }       ///< subscriptions made again after a loss
    std::int64_t losses() const { return m_losses; }               ///< subscribed connections lost

Q_SIGNALS:
    /** A bucket key of `uid` was written (HINCRBY, HSET, ...). */
    void bucketWritten(const QString& uid);
    /** Both patterns are subscribed on `node` (host:port). */
    void subscribed(const QString& node);
    /** The subscribed connection to `node` dropped: events until it is back are lost; the scan finds those users. */
    void notificationsLost(const QString& node, const QString& reason);

private:
    struct Node;
    void connectNode(Node& node);
    void onConnected(Node& node);
    void onDisconnected(Node& node);
    void onPush(Node& node, const RedisReply& push);
    void checkServerConfig(const RedisReply& reply, const QString& node);
    void retryLater(Node& node);

    Options m_options;
    std::map<QString, std::unique_ptr<Node>> m_nodes;
    std::int64_t m_notifications = 0;
    std::int64_t m_malformed = 0;
    std::int64_t m_reconnects = 0;
    std::int64_t m_losses = 0;
    bool m_warnedOff = false;
};

} // namespace fairuse::services
