#include "ScriptedOpenAiServer.h"

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace fairuse::testing {

ScriptedResponse ScriptedResponse::json(int status, QByteArray body, QList<QPair<QByteArray, QByteArray>> headers) {
    ScriptedResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

QByteArray RecordedRequest::header(const QByteArray& name) const {
    const QByteArray lower = name.toLower();
    for (const auto& [key, value] : headers) {
        if (key == lower) {
            return value;
        }
    }
    return {};
}

ScriptedOpenAiServer::ScriptedOpenAiServer(QObject* parent)
    : QAbstractHttpServer(parent) {}

bool ScriptedOpenAiServer::start() {
    m_port = listen(QHostAddress::LocalHost, 0);
    return m_port != 0;
}

QUrl ScriptedOpenAiServer::baseUrl() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(m_port));
}

void ScriptedOpenAiServer::enqueue(ScriptedResponse response) {
    m_script.append(std::move(response));
}

QByteArray ScriptedOpenAiServer::chatCompletion(const QByteArray& content, const QString& model,
                                                const QString& finishReason, int promptTokens, int completionTokens,
                                                const QString& refusal) {
    QJsonObject message{
        {QStringLiteral("role"), QStringLiteral("assistant")},
        {QStringLiteral("content"),
         refusal.isEmpty() ? QJsonValue(QString::fromUtf8(content)) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("refusal"), refusal.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(refusal)}};
    QJsonObject choice{{QStringLiteral("index"), 0},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("finish_reason"), finishReason}};
    QJsonObject usage{{QStringLiteral("prompt_tokens"), promptTokens},
                      {QStringLiteral("completion_tokens"), completionTokens},
                      {QStringLiteral("total_tokens"), promptTokens + completionTokens}};
    QJsonObject root{{QStringLiteral("id"), QStringLiteral("chatcmpl-test")},
                     {QStringLiteral("object"), QStringLiteral("chat.completion")},
                     {QStringLiteral("created"), 1700000000},
                     {QStringLiteral("model"), model},
                     {QStringLiteral("choices"), QJsonArray{choice}},
                     {QStringLiteral("usage"), usage}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QByteArray ScriptedOpenAiServer::apiError(const QString& type, const QString& code, const QString& message) {
    QJsonObject error{{QStringLiteral("message"), message},
                      {QStringLiteral("type"), type},
                      {QStringLiteral("param"), QJsonValue(QJsonValue::Null)},
                      {QStringLiteral("code"), code.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(code)}};
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}).toJson(QJsonDocument::Compact);
}

bool ScriptedOpenAiServer::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) {
    RecordedRequest recorded;
    switch (request.method()) {
    case QHttpServerRequest::Method::Post:
        recorded.method = "POST";
        break;
    case QHttpServerRequest::Method::Get:
        recorded.method = "GET";
        break;
    default:
        recorded.method = "OTHER";
        break;
    }
    recorded.path = request.url().path();
    for (const auto& [key, value] : request.headers()) {
        recorded.headers.append({key.toLower(), value});
    }
    recorded.body = request.body();
    m_requests.append(recorded);

    if (recorded.path != QStringLiteral("/v1/chat/completions") || recorded.method != "POST") {
        respondLater(socket, ScriptedResponse::json(404, apiError(QStringLiteral("invalid_request_error"),
                                                                  QStringLiteral("unknown_url"),
                                                                  QStringLiteral("no such route"))));
        return true;
    }
    if (m_script.isEmpty() && m_responder) {
        respondLater(socket, m_responder(recorded));
        return true;
    }
    if (m_script.isEmpty()) {
        ++m_unscripted;
        respondLater(socket, ScriptedResponse::json(500, apiError(QStringLiteral("server_error"), {},
                                                                  QStringLiteral("no scripted response left"))));
        return true;
    }
    respondLater(socket, m_script.takeFirst());
    return true;
}

void ScriptedOpenAiServer::missingHandler(const QHttpServerRequest& /*request*/, QTcpSocket* socket) {
    socket->disconnectFromHost();
}

void ScriptedOpenAiServer::respondLater(QTcpSocket* socket, const ScriptedResponse& response) {
    QByteArray raw = "HTTP/1.1 " + QByteArray::number(response.status) + " Scripted\r\n";
    raw += "Content-Type: application/json\r\n";
    raw += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    raw += "Connection: close\r\n";
    for (const auto& [key, value] : response.headers) {
        raw += key + ": " + value + "\r\n";
    }
    raw += "\r\n" + response.body;

    // The socket is the timer's context: when the client gave up (timeout) and the socket is gone, nothing fires.
    QPointer<QTcpSocket> guard(socket);
    QTimer::singleShot(response.delayMs, socket, [guard, raw] {
        if (!guard || guard->state() != QAbstractSocket::ConnectedState) {
            return;
        }
        guard->write(raw);
        guard->disconnectFromHost();
    });
}

} // namespace fairuse::testing
