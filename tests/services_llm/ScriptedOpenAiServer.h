#pragma once

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <functional>

namespace fairuse::testing {

/** One scripted answer of the fake server: what to send back, and how long to hold it first. */
struct ScriptedResponse {
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers; ///< extra headers (Content-Type is always application/json)
    QByteArray body;
    int delayMs = 0; ///< hold the answer this long (to provoke client timeouts)

    static ScriptedResponse json(int status, QByteArray body, QList<QPair<QByteArray, QByteArray>> headers = {});
};

/** What the fake server received. Header names are stored lower-case. */
struct RecordedRequest {
    QByteArray method;
    QString path;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    /** Value of a header (case-insensitive name), empty when absent. */
    QByteArray header(const QByteArray& name) const;
};

/**
 * A scripted OpenAI-compatible server on a free loopback port inside the test process. It answers
 * POST /v1/chat/completions from a queue of ScriptedResponse, in order, and records every request. When the queue
 * is empty it answers 500 and counts the request as unscripted, so a test that makes one call too many fails
 * on that count rather than hanging.
 *
 * Responses are written straight onto the socket with "Connection: close": that lets a response be delayed
 * (QHttpServerResponder in Qt 6.4 keeps a reference to the request and must not outlive handleRequest) and keeps
 * every attempt on its own connection, as a real client sees after an error.
 */
class ScriptedOpenAiServer : public QAbstractHttpServer {
    Q_OBJECT
public:
    explicit ScriptedOpenAiServer(QObject* parent = nullptr);

    /** Listens on 127.0.0.1 on a port chosen by the kernel. False if that failed. */
    bool start();
    quint16 port() const { return m_port; }
    /** http://127.0.0.1:PORT/v1, the value to use as the client's base URL. */
    QUrl baseUrl() const;

    void enqueue(ScriptedResponse response);
    /** Answers the requests the queue does not (the queue goes first): for callers whose order is not known, such as
     *  a service classifying users in its own order. */
    using Responder = std::function<ScriptedResponse(const RecordedRequest&)>;
    void setResponder(Responder responder) { m_responder = std::move(responder); }
    int pendingResponses() const { return static_cast<int>(m_script.size()); }
    const QList<RecordedRequest>& requests() const { return m_requests; }
    int unscriptedRequests() const { return m_unscripted; }

    /** A chat.completion body as the OpenAI API sends it. `refusal` empty means JSON null. */
    static QByteArray chatCompletion(const QByteArray& content, const QString& model = QStringLiteral("gpt-test-1"),
                                     const QString& finishReason = QStringLiteral("stop"), int promptTokens = 1200,
                                     int completionTokens = 150, const QString& refusal = {});
    /** An OpenAI error body: {"error": {"message", "type", "code"}}. */
    static QByteArray apiError(const QString& type, const QString& code, const QString& message);

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    void respondLater(QTcpSocket* socket, const ScriptedResponse& response);

    QList<ScriptedResponse> m_script;
    Responder m_responder;
    QList<RecordedRequest> m_requests;
    int m_unscripted = 0;
    quint16 m_port = 0;
};

} // namespace fairuse::testing
