#pragma once
// A loopback TCP proxy that a test can cut and restore, to lose the connection to a real server (the Firestore
// emulator) in the middle of a session: cut() closes the listening port and drops every open connection, so the
// client sees a reset and then "connection refused" until restore() listens on the same port again.

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

namespace fairuse::testing {

class TcpProxy : public QObject {
public:
    TcpProxy(QString targetHost, quint16 targetPort)
        : m_targetHost(std::move(targetHost))
        , m_targetPort(targetPort) {
        connect(&m_server, &QTcpServer::newConnection, this, &TcpProxy::accept);
    }

    /** Listens on a free loopback port; false if it cannot. */
    bool start() {
        if (!m_server.listen(QHostAddress::LocalHost, m_port)) {
            return false;
        }
        m_port = m_server.serverPort();
        return true;
    }
    quint16 port() const { return m_port; }
    int accepted() const { return m_accepted; }

    /** The server goes away: open connections are reset and new ones refused. */
    void cut() {
        m_server.close();
        for (const QPointer<QTcpSocket>& s : std::as_const(m_sockets)) {
            if (s) {
                s->abort();
            }
        }
        m_sockets.clear();
    }
    /** The server is back on the same port. */
    bool restore() { return start(); }

private:
    void accept() {
        while (m_server.hasPendingConnections()) {
            QTcpSocket* in = m_server.nextPendingConnection();
            auto* out = new QTcpSocket(in); // dies with the client side
            ++m_accepted;
            m_sockets.append(in);
            m_sockets.append(out);
            // Bytes the client sends before the server side is connected wait in the client socket's buffer.
            connect(out, &QTcpSocket::connected, in, [in, out] {
                out->write(in->readAll());
                connect(in, &QTcpSocket::readyRead, out, [in, out] { out->write(in->readAll()); });
            });
            connect(out, &QTcpSocket::readyRead, in, [in, out] { in->write(out->readAll()); });
            connect(out, &QTcpSocket::disconnected, in, [in] { in->disconnectFromHost(); });
            connect(out, &QTcpSocket::errorOccurred, in, [in] { in->abort(); });
            connect(in, &QTcpSocket::disconnected, in, [in] { in->deleteLater(); });
            out->connectToHost(m_targetHost, m_targetPort);
        }
    }

    QString m_targetHost;
    quint16 m_targetPort;
    quint16 m_port = 0;
    int m_accepted = 0;
    QTcpServer m_server;
    QList<QPointer<QTcpSocket>> m_sockets;
};

} // namespace fairuse::testing
