#pragma once

#include "common/Result.h"
#include "redis/RedisCommands.h"
#include "redis/RedisConfig.h"
#include "redis/RedisReply.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QObject>

#include <functional>
#include <memory>

namespace fairuse::services {

/**
 * Asynchronous, pipelined Redis client for the thread it lives on (the GUI thread in the console).
 *
 * Commands are encoded with hiredis' redisFormatCommandArgv and replies parsed with hiredis' reader; the transport
 * is a QTcpSocket (QSslSocket for rediss://). Any number of commands may be in flight: they are written as soon as
 * the connection is ready and their replies are matched in FIFO order.
 *
 * Failure model (what a caller sees; nothing is lost silently):
 * - the connection drops: every command already written fails with ErrorKind::Unavailable (it may or may not have
 *   run); commands not yet written wait for the reconnect, within their command timeout;
 * - a connect attempt fails (refused, connect timeout, TLS error): commands waiting for it fail with Unavailable;
 * - AUTH is refused (WRONGPASS, NOPERM, ...): waiting commands fail with ErrorKind::Permission and no automatic
 *   reconnect is attempted (retrying a wrong password cannot help);
 * - a reply does not arrive within commandTimeoutMs: it and every later in-flight command fail with Unavailable and
 *   the connection is dropped, because replies can no longer be matched to commands;
 * - a Redis error reply (e.g. WRONGTYPE, or NOPERM from the server's ACL) is a successful Result holding an error
 *   RedisReply: the transport worked. replyError() turns one into an Error for callers that fail on it;
 * - SELECT refused by the ACL (NOPERM) fails waiting commands with ErrorKind::Permission, like a refused AUTH.
 *
 * After a drop the client reconnects with exponential backoff (reconnectInitialMs doubling up to reconnectMaxMs,
 * each delay with random jitter in [50 %, 100 %]) when autoReconnect is set. A new command also starts a connection
 * when none is up or scheduled.
 */
class RedisClient : public QObject, public RedisCommands {
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    explicit RedisClient(RedisConfig config, QObject* parent = nullptr);
    ~RedisClient() override;

    /** Starts connecting (commands do this themselves; call it to connect eagerly). */
    void connectToServer();
    /** Closes the connection, fails what is pending with Unavailable and stops reconnecting. */
    void disconnectFromServer();

    /**
     * Makes this a subscriber's connection (RedisKeyspaceSubscriber): a pub/sub message (an array starting "message"
     * or "pmessage"), and any reply while no command waits for one, goes to `handler` as read, however malformed,
     * instead of being matched to a command or dropping the connection as a reply nobody asked for. Commands
     * (PSUBSCRIBE, PING) are still matched to their replies in order. The handler belongs to the client: its owner
     * sets it and outlives it (a callback rather than a signal: RedisReply is no meta type). Empty: off (default).
     */
    void setPushHandler(std::function<void(const RedisReply&)> handler);

    State state() const;
    const RedisConfig& config() const;
    /** The server as "redis://user:***@host:port/db", never with the password. */
    QString describe() const override;

    /** Sends one command, e.g. {"HINCRBY", key, field, "5"}. */
    QFuture<Result<RedisReply>> command(QList<QByteArray> argv) override;

    /**
     * Sends several commands back to back (one write, one round trip). On success the list holds one reply per
     * command, in order (some may be error replies); a transport failure fails the whole pipeline.
     */
    QFuture<Result<QList<RedisReply>>> pipeline(QList<QList<QByteArray>> commands) override;
    /** One server holds every key: {describe()}. */
    QFuture<Result<QStringList>> keyNodes() override;
    /** command(argv): there is one node. */
    QFuture<Result<RedisReply>> commandAt(const QString& node, QList<QByteArray> argv) override;

    /**
     * Delay before reconnect attempt `attempt` (0-based): initialMs doubled per attempt, capped at maxMs, then scaled
     * into [50 %, 100 %] by `jitter` in [0, 1] so many clients do not reconnect in lockstep.
     */
    static int backoffDelayMs(int attempt, int initialMs, int maxMs, double jitter);

    /**
     * The Error for this server's error reply to `what` ("read fair_use:bucket:u1"), for callers that treat an error
     * reply as a failure. The kind is replyErrorKind(); a refusal by the server's ACL names the ACL user, and the
     * server's own text is kept.
     */
    Error replyError(const RedisReply& reply, const QString& what) const override;
    /** replyError's wording for the server `where` (redacted) and its ACL user; the cluster client words its
     *  nodes' error replies the same way. */
    static Error replyErrorAt(const QString& where, const QString& aclUser, const RedisReply& reply,
                              const QString& what);
    /**
     * NOPERM (the ACL user may not run that command or touch that key; inside a script, the ERR that says so), NOAUTH
     * and WRONGPASS are ErrorKind::Permission; WRONGTYPE is Invalid; anything else (OOM, BUSY, ERR, ...) is Internal.
     */
    static ErrorKind replyErrorKind(const RedisReply& reply);

Q_SIGNALS:
    void connectionStateChanged(fairuse::services::RedisClient::State state);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace fairuse::services
