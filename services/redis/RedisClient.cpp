#include "redis/RedisClient.h"

#include "redis/RedisReplyReader.h"

#include "common/Promise.h"
#include "logging/Logging.h"

#include <hiredis/hiredis.h>

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QPromise>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <deque>
#include <functional>
#include <vector>

namespace fairuse::services {

namespace {

using Callback = std::function<void(Result<RedisReply>)>;

/** One command waiting to be written or waiting for its reply. */
struct Pending {
    QByteArray encoded;
    Callback done;
    QDeadlineTimer deadline;
    bool internal = false; ///< AUTH / SELECT of the handshake: never reported to a caller
};

Result<QByteArray> encodeCommand(const QList<QByteArray>& argv) {
    if (argv.isEmpty()) {
        return Error::invalid(QStringLiteral("empty Redis command"));
    }
    std::vector<const char*> parts;
    std::vector<size_t> lengths;
    parts.reserve(static_cast<size_t>(argv.size()));
    lengths.reserve(static_cast<size_t>(argv.size()));
    for (const QByteArray& a : argv) {
        parts.push_back(a.constData());
        lengths.push_back(static_cast<size_t>(a.size()));
    }
    char* target = nullptr;
    const int len = redisFormatCommandArgv(&target, static_cast<int>(argv.size()), parts.data(), lengths.data());
    if (len < 0 || target == nullptr) {
        return Error::internal(QStringLiteral("could not encode a Redis command"));
    }
    QByteArray out(target, len);
    redisFreeCommand(target);
    return out;
}

/** Redis refuses AUTH with these codes; anything about credentials is a permission problem, not an outage. */
bool isAuthRefusal(const RedisReply& reply) {
    const QByteArray code = reply.errorCode();
    return code == "WRONGPASS" || code == "NOAUTH" || code == "NOPERM" || reply.text().contains("AUTH") ||
           reply.text().contains("password");
}

/** A pub/sub message (RESP2): an array whose first element is "message" or "pmessage", however malformed the rest. */
bool isPubSubMessage(const RedisReply& reply) {
    if (!reply.isArray() || reply.elements().isEmpty()) {
        return false;
    }
    const QByteArray& kind = reply.elements().first().text();
    return kind == "message" || kind == "pmessage";
}

} // namespace

struct RedisClient::Impl {
    RedisClient* q = nullptr;
    RedisConfig config;
    QTcpSocket* socket = nullptr;             // a QSslSocket for rediss://
    std::unique_ptr<RedisReplyReader> reader; // per connection; bounds what the server can make us allocate
    std::deque<Pending> queue;                // submitted, not written yet
    std::deque<Pending> inFlight;             // written, reply not read yet (FIFO)
    State state = State::Disconnected;
    bool ready = false;   // handshake done: user commands may be written
    bool stopped = false; // no automatic reconnect (client asked to disconnect, or credentials refused)
    std::function<void(const RedisReply&)> pushHandler; // a subscriber's connection: setPushHandler
    int handshakeRemaining = 0;
    int reconnectAttempt = 0;
    quint64 connectionId = 0; // bumps per socket so code after a callback can tell the socket went away
    QString sslErrors;
    QTimer connectTimer;
    QTimer reconnectTimer;
    QTimer timeoutTimer;

    void setState(State s) {
        if (state != s) {
            state = s;
            Q_EMIT q->connectionStateChanged(s);
        }
    }

    QString describe() const { return config.redactedUrl(); }

    void submit(QList<QList<QByteArray>> commands, std::vector<Callback> callbacks) {
        std::vector<Pending> batch;
        for (qsizetype i = 0; i < commands.size(); ++i) {
            Result<QByteArray> encoded = encodeCommand(commands[i]);
            if (!encoded) {
                callbacks[static_cast<size_t>(i)](encoded.error());
                continue;
            }
            batch.push_back(Pending{std::move(encoded).value(), std::move(callbacks[static_cast<size_t>(i)]),
                                    QDeadlineTimer(config.commandTimeoutMs), false});
        }
        if (batch.empty()) {
            return;
        }
        for (Pending& p : batch) {
            queue.push_back(std::move(p));
        }
        if (ready) {
            flushQueue();
        } else if (state == State::Disconnected && !reconnectTimer.isActive()) {
            stopped = false;
            startConnect();
        }
        armTimeout();
    }

    void flushQueue() {
        if (!ready || queue.empty()) {
            return;
        }
        QByteArray out;
        while (!queue.empty()) {
            out += queue.front().encoded;
            inFlight.push_back(std::move(queue.front()));
            queue.pop_front();
        }
        socket->write(out);
    }

    void startConnect() {
        reconnectTimer.stop();
        detachSocket();
        ++connectionId;
        reader =
            std::make_unique<RedisReplyReader>(RedisReplyReader::Limits{config.maxReplyElements, config.maxReplyBytes});
        sslErrors.clear();
        const quint64 id = connectionId;
        if (config.tls) {
            auto* ssl = new QSslSocket(q);
            QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
            if (!config.caCertificates.isEmpty()) {
                conf.addCaCertificates(config.caCertificates);
            }
            conf.setPeerVerifyMode(config.verifyPeer ? QSslSocket::VerifyPeer : QSslSocket::VerifyNone);
            ssl->setSslConfiguration(conf);
            QObject::connect(ssl, &QSslSocket::encrypted, q, [this, id] {
                if (id == connectionId) {
                    onTransportReady();
                }
            });
            QObject::connect(ssl, &QSslSocket::sslErrors, q, [this, id](const QList<QSslError>& errors) {
                if (id != connectionId) {
                    return;
                }
                QStringList texts;
                for (const QSslError& e : errors) {
                    texts << e.errorString();
                }
                sslErrors = texts.join(QStringLiteral("; "));
            });
            socket = ssl;
        } else {
            socket = new QTcpSocket(q);
            QObject::connect(socket, &QTcpSocket::connected, q, [this, id] {
                if (id == connectionId) {
                    onTransportReady();
                }
            });
        }
        QObject::connect(socket, &QAbstractSocket::readyRead, q, [this, id] {
            if (id == connectionId) {
                onReadyRead();
            }
        });
        QObject::connect(socket, &QAbstractSocket::errorOccurred, q, [this, id](QAbstractSocket::SocketError) {
            if (id == connectionId) {
                onSocketLost();
            }
        });
        QObject::connect(socket, &QAbstractSocket::disconnected, q, [this, id] {
            if (id == connectionId) {
                onSocketLost();
            }
        });
        setState(State::Connecting);
        connectTimer.start(config.connectTimeoutMs);
        qCDebug(lcRedis) << "connecting to" << describe();
        if (config.tls) {
            static_cast<QSslSocket*>(socket)->connectToHostEncrypted(config.host, config.port);
        } else {
            socket->connectToHost(config.host, config.port);
        }
    }

    void onTransportReady() {
        // AUTH and SELECT go first; user commands wait in the queue until both succeeded.
        QList<QList<QByteArray>> handshake;
        if (!config.password.isEmpty()) {
            if (config.user.isEmpty()) {
                handshake.append({"AUTH", config.password.toUtf8()});
            } else {
                handshake.append({"AUTH", config.user.toUtf8(), config.password.toUtf8()});
            }
        }
        if (config.db != 0) {
            handshake.append({"SELECT", QByteArray::number(config.db)});
        }
        if (handshake.isEmpty()) {
            onHandshakeDone();
            return;
        }
        handshakeRemaining = static_cast<int>(handshake.size());
        QByteArray out;
        for (const auto& argv : handshake) {
            Result<QByteArray> encoded = encodeCommand(argv);
            if (!encoded) {
                continue; // only on out-of-memory; the connect timeout reports it
            }
            out += encoded.value();
            const bool isAuth = argv.first() == "AUTH";
            inFlight.push_back(Pending{std::move(encoded).value(),
                                       [this, isAuth](Result<RedisReply> r) { onHandshakeReply(isAuth, r); },
                                       QDeadlineTimer(config.connectTimeoutMs), true});
        }
        socket->write(out);
    }

    void onHandshakeReply(bool isAuth, const Result<RedisReply>& r) {
        if (!r) {
            return; // the connection failed; onSocketLost reports it
        }
        if (r->isError()) {
            Error error =
                isAuth && isAuthRefusal(*r)
                    ? Error::permission(QStringLiteral("Redis at %1 refused the credentials: %2")
                                            .arg(describe(), QString::fromUtf8(r->text())))
                    : Error::invalid(QStringLiteral("Redis at %1 refused %2: %3")
                                         .arg(describe(), isAuth ? QStringLiteral("AUTH") : QStringLiteral("SELECT"),
                                              QString::fromUtf8(r->text())));
            if (!isAuth && r->errorCode() == "NOPERM") {
                error = q->replyError(*r, QStringLiteral("select database %1").arg(config.db));
            }
            qCWarning(lcRedis).noquote() << error.message;
            // Retrying the same credentials cannot help: stop until the next command asks again.
            stopped = true;
            failConnection(error, true);
            return;
        }
        if (--handshakeRemaining == 0) {
            onHandshakeDone();
        }
    }

    void onHandshakeDone() {
        connectTimer.stop();
        reconnectAttempt = 0;
        ready = true;
        qCInfo(lcRedis).noquote() << "connected to" << describe();
        setState(State::Connected);
        if (ready) {
            flushQueue();
            armTimeout();
        }
    }

    void onReadyRead() {
        const QByteArray data = socket->readAll();
        if (Status fed = reader->feed(data.constData(), static_cast<size_t>(data.size())); !fed) {
            failConnection(Error::unavailable(QStringLiteral("Redis at %1 sent data that could not be read: %2")
                                                  .arg(describe(), fed.error().message)),
                           false);
            return;
        }
        const quint64 id = connectionId;
        for (;;) {
            Result<std::optional<RedisReply>> next = reader->next();
            if (!next) {
                failConnection(
                    Error::unavailable(
                        QStringLiteral("Redis at %1 broke the protocol: %2").arg(describe(), next.error().message)),
                    false);
                return;
            }
            if (!next->has_value()) {
                break;
            }
            RedisReply value = std::move(**next);
            if (pushHandler && (inFlight.empty() || isPubSubMessage(value))) {
                pushHandler(value);
                if (id != connectionId || reader == nullptr) {
                    return;
                }
                continue;
            }
            if (inFlight.empty()) {
                failConnection(
                    Error::unavailable(QStringLiteral("Redis at %1 sent a reply nobody asked for").arg(describe())),
                    false);
                return;
            }
            Pending p = std::move(inFlight.front());
            inFlight.pop_front();
            p.done(std::move(value));
            if (id != connectionId || reader == nullptr) {
                return; // the callback closed or replaced the connection
            }
        }
        armTimeout();
    }

    void onSocketLost() {
        QString reason = socket != nullptr ? socket->errorString() : QString();
        if (!sslErrors.isEmpty()) {
            reason = sslErrors;
        }
        const bool wasReady = ready;
        const Error error = Error::unavailable(
            wasReady ? QStringLiteral("lost the connection to Redis at %1: %2").arg(describe(), reason)
                     : QStringLiteral("could not connect to Redis at %1: %2").arg(describe(), reason));
        qCWarning(lcRedis).noquote() << error.message;
        failConnection(error, !wasReady);
    }

    /** Closes the socket without emitting anything for it. */
    void detachSocket() {
        if (socket != nullptr) {
            QObject::disconnect(socket, nullptr, q, nullptr);
            socket->abort();
            socket->deleteLater();
            socket = nullptr;
        }
        reader.reset();
        ready = false;
        handshakeRemaining = 0;
        connectTimer.stop();
    }

    /**
     * Drops the connection. Commands written on it fail with `error`; commands not written yet fail too when
     * `failQueued` (they were waiting for this very attempt) or when no reconnect will follow.
     */
    void failConnection(const Error& error, bool failQueued) {
        ++connectionId;
        detachSocket();
        std::deque<Pending> failed;
        failed.swap(inFlight);
        const bool reconnect = config.autoReconnect && !stopped;
        if (failQueued || !reconnect) {
            while (!queue.empty()) {
                failed.push_back(std::move(queue.front()));
                queue.pop_front();
            }
        }
        setState(State::Disconnected);
        if (reconnect) {
            scheduleReconnect();
        }
        armTimeout();
        for (Pending& p : failed) {
            if (!p.internal) {
                p.done(error);
            }
        }
    }

    void scheduleReconnect() {
        const int delay =
            RedisClient::backoffDelayMs(reconnectAttempt, config.reconnectInitialMs, config.reconnectMaxMs,
                                        QRandomGenerator::global()->generateDouble());
        ++reconnectAttempt;
        qCDebug(lcRedis) << "reconnecting in" << delay << "ms";
        reconnectTimer.start(delay);
    }

    void armTimeout() {
        QDeadlineTimer earliest = QDeadlineTimer::Forever;
        if (!inFlight.empty()) {
            earliest = std::min(earliest, inFlight.front().deadline);
        }
        if (!queue.empty()) {
            earliest = std::min(earliest, queue.front().deadline);
        }
        if (earliest.isForever()) {
            timeoutTimer.stop();
            return;
        }
        timeoutTimer.start(static_cast<int>(std::max<qint64>(0, earliest.remainingTime()) + 1));
    }

    void onTimeout() {
        if (!inFlight.empty() && inFlight.front().deadline.hasExpired()) {
            // Replies are matched by order: once one is missing, nothing after it can be trusted.
            const Error error = Error::unavailable(
                QStringLiteral("Redis at %1 did not answer within %2 ms").arg(describe()).arg(config.commandTimeoutMs));
            qCWarning(lcRedis).noquote() << error.message;
            failConnection(error, false);
        }
        std::vector<Pending> expired;
        while (!queue.empty() && queue.front().deadline.hasExpired()) {
            expired.push_back(std::move(queue.front()));
            queue.pop_front();
        }
        armTimeout();
        const Error error = Error::unavailable(
            QStringLiteral("Redis at %1 was not reachable within %2 ms").arg(describe()).arg(config.commandTimeoutMs));
        for (Pending& p : expired) {
            p.done(error);
        }
    }

    void failAll(const Error& error) {
        std::deque<Pending> failed;
        failed.swap(inFlight);
        while (!queue.empty()) {
            failed.push_back(std::move(queue.front()));
            queue.pop_front();
        }
        for (Pending& p : failed) {
            if (!p.internal) {
                p.done(error);
            }
        }
    }
};

RedisClient::RedisClient(RedisConfig config, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Impl>()) {
    d->q = this;
    d->config = std::move(config);
    d->connectTimer.setSingleShot(true);
    d->reconnectTimer.setSingleShot(true);
    d->timeoutTimer.setSingleShot(true);
    connect(&d->connectTimer, &QTimer::timeout, this, [this] {
        const Error error = Error::unavailable(QStringLiteral("could not connect to Redis at %1 within %2 ms")
                                                   .arg(d->describe())
                                                   .arg(d->config.connectTimeoutMs));
        qCWarning(lcRedis).noquote() << error.message;
        d->failConnection(error, true);
    });
    connect(&d->reconnectTimer, &QTimer::timeout, this, [this] { d->startConnect(); });
    connect(&d->timeoutTimer, &QTimer::timeout, this, [this] { d->onTimeout(); });
}

RedisClient::~RedisClient() {
    d->stopped = true;
    d->reconnectTimer.stop();
    ++d->connectionId;
    d->detachSocket();
    d->failAll(Error::unavailable(QStringLiteral("the Redis client was closed")));
}

void RedisClient::connectToServer() {
    if (d->state != State::Disconnected) {
        return;
    }
    d->stopped = false;
    d->startConnect();
}

void RedisClient::disconnectFromServer() {
    d->stopped = true;
    d->reconnectTimer.stop();
    ++d->connectionId;
    d->detachSocket();
    d->setState(State::Disconnected);
    d->failAll(Error::unavailable(QStringLiteral("disconnected from Redis at %1").arg(d->describe())));
    d->armTimeout();
}

int RedisClient::backoffDelayMs(int attempt, int initialMs, int maxMs, double jitter) {
    const int shift = std::clamp(attempt, 0, 30);
    const qint64 base = std::min<qint64>(static_cast<qint64>(std::max(initialMs, 1)) << shift, std::max(maxMs, 1));
    const double factor = 0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0);
    return static_cast<int>(std::max<qint64>(1, static_cast<qint64>(static_cast<double>(base) * factor)));
}

Error RedisClient::replyError(const RedisReply& reply, const QString& what) const {
    return replyErrorAt(d->describe(), d->config.aclUser(), reply, what);
}

QFuture<Result<QStringList>> RedisClient::keyNodes() {
    return ready(Result<QStringList>(QStringList{describe()}));
}

QFuture<Result<RedisReply>> RedisClient::commandAt(const QString& /*node*/, QList<QByteArray> argv) {
    return command(std::move(argv));
}

void RedisClient::setPushHandler(std::function<void(const RedisReply&)> handler) {
    d->pushHandler = std::move(handler);
}

RedisClient::State RedisClient::state() const {
    return d->state;
}

const RedisConfig& RedisClient::config() const {
    return d->config;
}

QString RedisClient::describe() const {
    return d->describe();
}

QFuture<Result<RedisReply>> RedisClient::command(QList<QByteArray> argv) {
    auto promise = std::make_shared<QPromise<Result<RedisReply>>>();
    QFuture<Result<RedisReply>> future = promise->future();
    promise->start();
    std::vector<Callback> callbacks;
    callbacks.emplace_back([promise](Result<RedisReply> r) {
        promise->addResult(std::move(r));
        promise->finish();
    });
    d->submit({std::move(argv)}, std::move(callbacks));
    return future;
}

QFuture<Result<QList<RedisReply>>> RedisClient::pipeline(QList<QList<QByteArray>> commands) {
    using Out = Result<QList<RedisReply>>;
    auto promise = std::make_shared<QPromise<Out>>();
    QFuture<Out> future = promise->future();
    promise->start();
    if (commands.isEmpty()) {
        promise->addResult(Out{QList<RedisReply>{}});
        promise->finish();
        return future;
    }
    struct Gather {
        QList<RedisReply> replies;
        qsizetype remaining = 0;
        bool finished = false;
    };
    auto gather = std::make_shared<Gather>();
    gather->replies.resize(commands.size());
    gather->remaining = commands.size();
    std::vector<Callback> callbacks;
    for (qsizetype i = 0; i < commands.size(); ++i) {
        callbacks.emplace_back([promise, gather, i](Result<RedisReply> r) {
            if (gather->finished) {
                return;
            }
            if (!r) {
                gather->finished = true;
                promise->addResult(Out{r.error()});
                promise->finish();
                return;
            }
            gather->replies[i] = std::move(r).value();
            if (--gather->remaining == 0) {
                gather->finished = true;
                promise->addResult(Out{std::move(gather->replies)});
                promise->finish();
            }
        });
    }
    d->submit(std::move(commands), std::move(callbacks));
    return future;
}

} // namespace fairuse::services
