#pragma once
// A TCP proxy on a loopback port in the test process, in front of a real server (redis-server, the Firestore
// emulator), that the test can take away and bring back: goAway() aborts every connection and stops listening, so
// clients see their connection drop and new connections refused, as when a server dies; comeBack() listens on the
// same port again. The test's event loop must run for bytes to flow (spin it while the client works).

#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>

namespace fairuse::testing {

class TcpProxy {
public:
    TcpProxy(QString targetHost, quint16 targetPort)
        : m_targetHost(std::move(targetHost))
        , m_targetPort(targetPort) {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] { accept(); });
    }
    ~TcpProxy() { goAway(); }
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    /** Listens on 127.0.0.1 (the port chosen the first time, kept afterwards). */
    bool start() {
        if (!m_server.listen(QHostAddress::LocalHost, m_port)) {
            return false;
        }
        m_port = m_server.serverPort();
        return true;
    }
    quint16 port() const { return m_port; }
    bool isUp() const { return m_server.isListening(); }

    void goAway() {
        m_server.close();
        for (const Pair& p : m_pairs) {
            if (p.client) {
                p.client->abort();
                p.client->deleteLater();
            }
            if (p.upstream) {
                p.upstream->abort();
                p.upstream->deleteLater();
            }
        }
        m_pairs.clear();
    }
    bool comeBack() { return start(); }

private:
    struct Pair {
        QPointer<QTcpSocket> client;
        QPointer<QTcpSocket> upstream;
    };

    void accept() {
        while (QTcpSocket* client = m_server.nextPendingConnection()) {
            auto* upstream = new QTcpSocket(client);
            Pair pair{client, upstream};
            m_pairs.append(pair);
            QObject::connect(client, &QTcpSocket::readyRead, upstream, [client, upstream] {
                if (upstream->state() == QAbstractSocket::ConnectedState) {
                    upstream->write(client->readAll());
                }
            });
            QObject::connect(upstream, &QTcpSocket::connected, client, [client, upstream] {
                upstream->write(client->readAll()); // what the client sent before the upstream was there
            });
            QObject::connect(upstream, &QTcpSocket::readyRead, client,
                             [client, upstream] { client->write(upstream->readAll()); });
            QObject::connect(client, &QTcpSocket::disconnected, upstream,
                             [upstream] { upstream->disconnectFromHost(); });
            QObject::connect(upstream, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
            QObject::connect(upstream, &QTcpSocket::errorOccurred, client, [client] { client->abort(); });
            QObject::connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
            upstream->connectToHost(m_targetHost, m_targetPort);
        }
    }

    QString m_targetHost;
    quint16 m_targetPort = 0;
    quint16 m_port = 0;
    QTcpServer m_server;
    QList<Pair> m_pairs;
};

} // namespace fairuse::testing
