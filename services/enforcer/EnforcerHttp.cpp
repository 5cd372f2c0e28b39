#include "enforcer/EnforcerHttp.h"

#include "enforcer/EnforcerMetrics.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QTcpServer>

namespace fairuse::services {

namespace {

using Status = QHttpServerResponder::StatusCode;

QByteArray jsonBody(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

EnforcerHttp::EnforcerHttp(const EnforcerMetrics* metrics, Clock clock, QObject* parent)
    : QAbstractHttpServer(parent)
    , m_metrics(metrics)
    , m_clock(std::move(clock)) {}

Result<quint16> EnforcerHttp::start(const QHostAddress& address, quint16 port) {
    // QAbstractHttpServer::listen says only "0" on failure; a server of our own keeps the reason.
    auto* server = new QTcpServer(this);
    if (!server->listen(address, port)) {
        const QString why = server->errorString();
        delete server;
        return Error::unavailable(
            QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(why));
    }
    bind(server);
    return server->serverPort();
}

bool EnforcerHttp::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) {
    QHttpServerResponder responder = makeResponder(request, socket);
    const QString path = request.url().path();
    const bool metrics = path == QLatin1String("/metrics");
    const bool health = path == QLatin1String("/healthz");
    if (!metrics && !health) {
        responder.write(jsonBody({{QStringLiteral("error"), QStringLiteral("not found: /metrics and /healthz")}}),
                        "application/json", Status::NotFound);
        return true;
    }
    if (request.method() != QHttpServerRequest::Method::Get) {
        responder.write(jsonBody({{QStringLiteral("error"), QStringLiteral("method not allowed: GET only")}}),
                        {{"Content-Type", "application/json"}, {"Allow", "GET"}}, Status::MethodNotAllowed);
        return true;
    }
    const TimePoint now = m_clock();
    if (metrics) {
        responder.write(m_metrics->exposition(now), EnforcerMetrics::kContentType, Status::Ok);
    } else {
        const EnforcerHealth h = m_metrics->health(now);
        responder.write(jsonBody(h.body), "application/json",
                        h.httpStatus == 200 ? Status::Ok : Status::ServiceUnavailable);
    }
    return true;
}

void EnforcerHttp::missingHandler(const QHttpServerRequest& /*request*/, QTcpSocket* socket) {
    // handleRequest answers every request; a request that still lands here gets its connection closed.
    socket->disconnectFromHost();
}

} // namespace fairuse::services
