#include "redis/RedisKeyspaceSubscriber.h"

#include "common/Guarded.h"
#include "logging/Logging.h"
#include "redis/RedisClient.h"
#include "redis/SpeechBuckets.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTimer>

namespace fairuse::services {

namespace {

const QByteArray kChannelPrefix = QByteArrayLiteral("__keyspace@");

/** Logged in full for the first few, then one in this many: a server sending junk must not flood the log. */
constexpr std::int64_t kMalformedLogEvery = 1000;
constexpr std::int64_t kMalformedLoggedInFull = 10;

bool allStrings(const QList<RedisReply>& elements, qsizetype from, qsizetype to) {
    for (qsizetype i = from; i < to; ++i) {
        if (!elements.at(i).isString()) {
            return false;
        }
    }
    return true;
}

bool isEventName(const QByteArray& event) {
    if (event.isEmpty() || event.size() > 64) {
        return false;
    }
    for (const char c : event) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

} // namespace

Result<KeyspacePush> decodeKeyspacePush(const RedisReply& push) {
    const auto invalid = [](const QString& why) {
        return Error::invalid(QStringLiteral("keyspace push: %1").arg(why));
    };
    if (!push.isArray() || push.elements().isEmpty() || !push.elements().first().isString()) {
        return invalid(QStringLiteral("not an array starting with its kind"));
    }
    const QList<RedisReply>& e = push.elements();
    const QByteArray& kind = e.first().text();
    KeyspacePush out;
    if (kind == "psubscribe") {
        if (e.size() != 3 || !e.at(1).isString() || !e.at(2).isInteger() || e.at(2).integerValue() < 0) {
            return invalid(QStringLiteral("a psubscribe confirmation is not [kind, pattern, count]"));
        }
        out.kind = KeyspacePush::Kind::Subscribed;
        out.pattern = e.at(1).text();
        out.subscriptions = e.at(2).integerValue();
        return out;
    }
    if (kind != "pmessage") {
        return invalid(QStringLiteral("unexpected kind \"%1\"").arg(QString::fromUtf8(kind.left(40))));
    }
    if (e.size() != 4 || !allStrings(e, 1, 4)) {
        return invalid(QStringLiteral("a pmessage is not four strings [kind, pattern, channel, event]"));
    }
    out.pattern = e.at(1).text();
    const QByteArray& channel = e.at(2).text();
    if (!channel.startsWith(kChannelPrefix)) {
        return invalid(QStringLiteral("channel is not a keyspace channel"));
    }
    const qsizetype dbEnd = channel.indexOf("__:", kChannelPrefix.size());
    const QByteArray db = channel.mid(kChannelPrefix.size(), dbEnd - kChannelPrefix.size());
    const std::optional<std::int64_t> dbNumber = parseStrictInt64(db);
    if (dbEnd < 0 || db.size() > 5 || !dbNumber || *dbNumber < 0) {
        return invalid(QStringLiteral("channel has no database number"));
    }
    out.db = static_cast<int>(*dbNumber);
    out.key = channel.mid(dbEnd + 3);
    if (out.key.isEmpty()) {
        return invalid(QStringLiteral("channel names no key"));
    }
    out.event = e.at(3).text();
    if (!isEventName(out.event)) {
        return invalid(QStringLiteral("event is not an event name"));
    }
    return out;
}

bool isBucketWriteEvent(const QByteArray& event) {
    return event == "hincrby" || event == "hset" || event == "hincrbyfloat" || event == "hsetnx";
}

struct RedisKeyspaceSubscriber::Node {
    QString name; ///< host:port
    RedisConfig config;
    std::unique_ptr<RedisClient> client;
    QTimer reconnect;
    QTimer ping;
    int attempt = 0;
    int confirmed = 0;      ///< PSUBSCRIBE confirmations on this connection
    quint64 generation = 0; ///< bumps per connection: replies to an older one are ignored
    bool subscribed = false;
    bool configChecked = false;
    bool lostOnce = false; ///< a subscription here was lost before: the next one is a reconnect

    ~Node() {
        if (client) {
            QObject::disconnect(client.get(), nullptr, nullptr, nullptr);
        }
    }
};

RedisKeyspaceSubscriber::RedisKeyspaceSubscriber(Options options, QObject* parent)
    : QObject(parent)
    , m_options(options) {}

RedisKeyspaceSubscriber::RedisKeyspaceSubscriber(QObject* parent)
    : RedisKeyspaceSubscriber(Options{}, parent) {}

RedisKeyspaceSubscriber::~RedisKeyspaceSubscriber() {
    // Continuations of commands still in flight look their node up: with the map empty first, they find none.
    auto nodes = std::move(m_nodes);
    m_nodes.clear();
    nodes.clear();
}

QList<QByteArray> RedisKeyspaceSubscriber::patterns(int db) {
    const QByteArray channel = kChannelPrefix + QByteArray::number(db) + "__:";
    return {channel + kLegacyBucketPrefix + '*', channel + kV2BucketPrefix + '*'};
}

QStringList RedisKeyspaceSubscriber::nodes() const {
    QStringList out;
    for (const auto& entry : m_nodes) {
        out.append(entry.first);
    }
    return out;
}

QStringList RedisKeyspaceSubscriber::subscribedNodes() const {
    QStringList out;
    for (const auto& [name, node] : m_nodes) {
        if (node->subscribed) {
            out.append(name);
        }
    }
    return out;
}

void RedisKeyspaceSubscriber::setNodes(const QList<RedisConfig>& nodes) {
    QSet<QString> wanted;
    for (const RedisConfig& c : nodes) {
        const QString name = QStringLiteral("%1:%2").arg(c.host).arg(c.port);
        wanted.insert(name);
        if (m_nodes.count(name) != 0) {
            continue;
        }
        auto node = std::make_unique<Node>();
        node->name = name;
        node->config = c;
        // The subscriber reconnects itself (after re-subscribing is the only way to be whole again).
        node->config.autoReconnect = false;
        node->reconnect.setSingleShot(true);
        Node* n = node.get();
        connect(&node->reconnect, &QTimer::timeout, this, [this, n] { connectNode(*n); });
        connect(&node->ping, &QTimer::timeout, this, [n] {
            // The answer does not matter: no answer within the command timeout drops the connection.
            n->client->command({QByteArrayLiteral("PING")});
        });
        m_nodes.emplace(name, std::move(node));
        qCInfo(lcRedis).noquote() << "subscribing to bucket-key notifications on" << c.redactedUrl();
        connectNode(*n);
    }
    for (auto it = m_nodes.begin(); it != m_nodes.end();) {
        if (wanted.contains(it->first)) {
            ++it;
            continue;
        }
        qCInfo(lcRedis).noquote() << "no longer subscribed on" << it->first << "(not a master any more)";
        std::unique_ptr<Node> gone = std::move(it->second);
        it = m_nodes.erase(it);
        gone.reset();
    }
}

void RedisKeyspaceSubscriber::connectNode(Node& node) {
    ++node.generation;
    node.subscribed = false;
    node.confirmed = 0;
    node.ping.stop();
    if (node.client) {
        QObject::disconnect(node.client.get(), nullptr, this, nullptr);
        node.client.reset();
    }
    node.client = std::make_unique<RedisClient>(node.config);
    Node* n = &node;
    node.client->setPushHandler([this, n](const RedisReply& push) { onPush(*n, push); });
    connect(node.client.get(), &RedisClient::connectionStateChanged, this, [this, n](RedisClient::State s) {
        if (s == RedisClient::State::Connected) {
            onConnected(*n);
        } else if (s == RedisClient::State::Disconnected) {
            onDisconnected(*n);
        }
    });
    node.client->connectToServer();
}

void RedisKeyspaceSubscriber::onConnected(Node& node) {
    const QString name = node.name;
    const quint64 generation = node.generation;
    const auto current = [this, name, generation]() -> Node* {
        const auto it = m_nodes.find(name);
        return it != m_nodes.end() && it->second->generation == generation ? it->second.get() : nullptr;
    };
    if (!node.configChecked) {
        // Before PSUBSCRIBE: a subscribed connection may send nothing but (P)SUBSCRIBE, PING and the like.
        node.client
            ->command(
                {QByteArrayLiteral("CONFIG"), QByteArrayLiteral("GET"), QByteArrayLiteral("notify-keyspace-events")})
            .then(guarded(this, [this, current, name](const Result<RedisReply>& r) {
                if (Node* n = current(); n != nullptr && r) {
                    n->configChecked = true;
                    checkServerConfig(*r, name);
                }
            }));
    }
    for (const QByteArray& pattern : patterns(node.config.db)) {
        // One pattern per command: each gets exactly one confirmation, matched to it in order.
        node.client->command({QByteArrayLiteral("PSUBSCRIBE"), pattern})
            .then(guarded(this, [this, current, name, pattern](const Result<RedisReply>& r) {
                Node* n = current();
                if (n == nullptr || !r) {
                    return; // the connection dropped: onDisconnected retries
                }
                const Result<KeyspacePush> confirmation = decodeKeyspacePush(*r);
                if (r->isError() || !confirmation || confirmation->kind != KeyspacePush::Kind::Subscribed ||
                    confirmation->pattern != pattern) {
                    const QString why =
                        r->isError()
                            ? n->client->replyError(*r, QStringLiteral("PSUBSCRIBE %1").arg(QString::fromUtf8(pattern)))
                                  .message
                            : QStringLiteral("%1 answered PSUBSCRIBE with something else").arg(name);
                    qCWarning(lcRedis).noquote() << "bucket-key notifications unavailable:" << why
                                                 << "- the scan alone finds users; retrying later";
                    n->client->disconnectFromServer(); // onDisconnected schedules the retry
                    return;
                }
                if (++n->confirmed < 2) {
                    return;
                }
                n->subscribed = true;
                n->attempt = 0;
                if (n->lostOnce) {
                    ++m_reconnects;
                }
                n->ping.start(m_options.pingIntervalMs);
                qCInfo(lcRedis).noquote() << "subscribed to bucket-key notifications on" << name;
                Q_EMIT subscribed(name);
            }));
    }
}

void RedisKeyspaceSubscriber::onDisconnected(Node& node) {
    const bool wasSubscribed = node.subscribed;
    node.subscribed = false;
    node.confirmed = 0;
    node.ping.stop();
    if (wasSubscribed) {
        ++m_losses;
        node.lostOnce = true;
        const QString reason = QStringLiteral("the connection dropped");
        qCWarning(lcRedis).noquote() << "bucket-key notifications from" << node.name
                                     << "lost: the connection dropped; until it is back the scan finds new users";
        Q_EMIT notificationsLost(node.name, reason);
    }
    retryLater(node);
}

void RedisKeyspaceSubscriber::retryLater(Node& node) {
    const int delay =
        RedisClient::backoffDelayMs(node.attempt++, m_options.reconnectInitialMs, m_options.reconnectMaxMs,
                                    QRandomGenerator::global()->generateDouble());
    qCDebug(lcRedis) << "re-subscribing on" << node.name << "in" << delay << "ms";
    node.reconnect.start(delay);
}

void RedisKeyspaceSubscriber::onPush(Node& node, const RedisReply& push) {
    const Result<KeyspacePush> decoded = decodeKeyspacePush(push);
    if (decoded && decoded->kind == KeyspacePush::Kind::Subscribed) {
        return; // a confirmation that came when no command waited: nothing to do
    }
    QString why = decoded ? QString() : decoded.error().message;
    if (decoded && decoded->db != node.config.db) {
        why = QStringLiteral("keyspace push: an event of database %1, subscribed to %2")
                  .arg(decoded->db)
                  .arg(node.config.db);
    }
    if (!why.isEmpty()) {
        ++m_malformed;
        if (m_malformed <= kMalformedLoggedInFull || m_malformed % kMalformedLogEvery == 0) {
            qCWarning(lcRedis).noquote() << node.name << "sent a push that is not a keyspace notification (" << why
                                         << "); ignored," << m_malformed << "so far";
        }
        return;
    }
    ++m_notifications;
    if (!isBucketWriteEvent(decoded->event)) {
        return;
    }
    const QString uid = uidOfBucketKey(decoded->key);
    if (uid.isEmpty() || uid.contains(QLatin1Char('/'))) {
        return; // a key naming no user: the scan counts it as junk
    }
    Q_EMIT bucketWritten(uid);
}

void RedisKeyspaceSubscriber::checkServerConfig(const RedisReply& reply, const QString& node) {
    if (reply.isError()) {
        // CONFIG is not the service's to run (its ACL user has no CONFIG): whether notifications are on is unknown.
        qCDebug(lcRedis).noquote() << "notify-keyspace-events of" << node
                                   << "unknown:" << QString::fromUtf8(reply.text());
        return;
    }
    if (!reply.isArray() || reply.elements().size() != 2 || !reply.elements().at(1).isString()) {
        return;
    }
    const QByteArray flags = reply.elements().at(1).text();
    const bool on = flags.contains('K') && (flags.contains('h') || flags.contains('A'));
    if (!on && !m_warnedOff) {
        m_warnedOff = true;
        qCWarning(lcRedis).noquote()
            << "keyspace notifications for hash keys are off on" << node << "(notify-keyspace-events \""
            << QString::fromUtf8(flags)
            << "\"): the periodic scan alone will find users with new speech; an operator may enable them with "
               "CONFIG SET notify-keyspace-events Kh";
    }
}

} // namespace fairuse::services
