#pragma once
// A loopback HTTP/1.1 server that answers each request with the next scripted response and records what it got.

#include <QByteArray>
#include <QList>
#include <QTcpServer>
#include <QTcpSocket>

namespace fairuse::testing {

class ScriptedHttpServer : public QObject {
public:
    struct Response {
        int status = 200;
        QByteArray body;
    };
    struct Request {
        QByteArray method;
        QByteArray path;
        QByteArray authorization;
        QByteArray body;
    };

    explicit ScriptedHttpServer(QList<Response> script)
        : m_script(std::move(script)) {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onData(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    quint16 port() const { return m_server.serverPort(); }
    QString hostPort() const { return QStringLiteral("127.0.0.1:%1").arg(port()); }
    const QList<Request>& requests() const { return m_requests; }

private:
    void onData(QTcpSocket* socket) {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            return;
        }
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        Request request;
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        request.path = first.value(1);
        qsizetype length = 0;
        for (const auto& line : lines) {
            const QByteArray lower = line.toLower();
            if (lower.startsWith("content-length:")) {
                length = line.mid(15).trimmed().toLongLong();
            } else if (lower.startsWith("authorization:")) {
                request.authorization = line.mid(14).trimmed();
            }
        }
        if (buffer.size() < headerEnd + 4 + length) {
            return;
        }
        request.body = buffer.mid(headerEnd + 4, length);
        buffer.remove(0, headerEnd + 4 + length);
        m_requests.append(request);
        const Response response = m_script.isEmpty() ? Response{500, "{}"} : m_script.takeFirst();
        socket->write("HTTP/1.1 " + QByteArray::number(response.status) + " X\r\nContent-Type: application/json\r\n" +
                      "Content-Length: " + QByteArray::number(response.body.size()) + "\r\nConnection: close\r\n\r\n" +
                      response.body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<Response> m_script;
    QList<Request> m_requests;
    QHash<QTcpSocket*, QByteArray> m_buffers;
};

} // namespace fairuse::testing
