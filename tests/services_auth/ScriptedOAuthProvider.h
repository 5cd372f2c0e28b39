#pragma once
// An OAuth 2.0 authorization server with PKCE on a free loopback port (QtHttpServer), strict the way Google's is:
// GET /authorize checks the request and answers 302 back to the redirect URI with a one-time code (or the error a
// test asked for); POST /token checks the code, the redirect URI and that SHA-256 of the verifier is the challenge
// sent with /authorize, and answers with tokens. What a well-behaved client must never send is collected in
// problems(), so a test fails on it rather than on a timeout.

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QCryptographicHash>
#include <QHash>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QRegularExpression>
#include <QStringList>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

namespace fairuse::testing {

class ScriptedOAuthProvider : public QAbstractHttpServer {
public:
    /** What /authorize answers once its checks pass. */
    enum class Consent { Grant, Deny, TamperState };

    struct IssuedCode {
        QString challenge;
        QString redirectUri;
        bool used = false;
    };

    QString clientId = QStringLiteral("1234-test.apps.googleusercontent.com");
    QString clientSecret; ///< required at /token when not empty
    Consent consent = Consent::Grant;
    int tokenDelayMs = 0;
    /** When status is not 0, /token answers this instead of tokens (after its checks). */
    int tokenFailureStatus = 0;
    QByteArray tokenFailureBody;
    QString idToken = QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbCI6InJldmlld2VyQGV4YW1wbGUuY29tIn0.c2ln");
    QString accessToken = QStringLiteral("ya29.test-access-token");
    bool sendIdToken = true;
    /** Google leaves the '/' of its codes as it is in the redirect; other servers percent-encode it. */
    bool encodeSlashInRedirect = true;

    ScriptedOAuthProvider() { m_port = listen(QHostAddress::LocalHost, 0); }

    quint16 port() const { return m_port; }
    QUrl url(const QString& path) const { return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)); }

    const QList<QUrlQuery>& authorizeRequests() const { return m_authorize; }
    const QList<QUrlQuery>& tokenRequests() const { return m_token; }
    const QStringList& problems() const { return m_problems; }

    static QString s256(const QString& verifier) {
        return QString::fromLatin1(QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)
                                       .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    }
    static bool isUnreservedVerifier(const QString& verifier) {
        static const QRegularExpression shape(QStringLiteral("^[A-Za-z0-9._~-]{43,128}$"));
        return shape.match(verifier).hasMatch();
    }

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override {
        const QString path = request.url().path();
        if (path == QLatin1String("/authorize") && request.method() == QHttpServerRequest::Method::Get) {
            authorize(request.query(), socket);
        } else if (path == QLatin1String("/token") && request.method() == QHttpServerRequest::Method::Post) {
            token(request, socket);
        } else {
            m_problems << QStringLiteral("unexpected request %1").arg(path);
            respond(socket, 404, {}, "text/plain", "no such route");
        }
        return true;
    }
    void missingHandler(const QHttpServerRequest& /*request*/, QTcpSocket* socket) override {
        socket->disconnectFromHost();
    }

private:
    void authorize(const QUrlQuery& query, QTcpSocket* socket) {
        m_authorize.append(query);
        const auto value = [&query](const char* key) {
            return query.queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
        };
        const QUrl redirect(value("redirect_uri"));
        QStringList wrong;
        if (value("response_type") != QLatin1String("code")) {
            wrong << QStringLiteral("response_type");
        }
        if (value("client_id") != clientId) {
            wrong << QStringLiteral("client_id");
        }
        if (redirect.scheme() != QLatin1String("http") || redirect.host() != QLatin1String("127.0.0.1") ||
            redirect.port() <= 0 || redirect.path() != QLatin1String("/") || redirect.hasQuery()) {
            wrong << QStringLiteral("redirect_uri %1").arg(redirect.toString());
        }
        if (value("code_challenge_method") != QLatin1String("S256")) {
            wrong << QStringLiteral("code_challenge_method");
        }
        static const QRegularExpression challengeShape(QStringLiteral("^[A-Za-z0-9_-]{43}$"));
        if (!challengeShape.match(value("code_challenge")).hasMatch()) {
            wrong << QStringLiteral("code_challenge");
        }
        if (!value("scope").split(QLatin1Char(' ')).contains(QStringLiteral("openid"))) {
            wrong << QStringLiteral("scope");
        }
        if (value("state").isEmpty()) {
            wrong << QStringLiteral("state");
        }
        if (!wrong.isEmpty()) {
            m_problems << QStringLiteral("/authorize: bad %1").arg(wrong.join(QStringLiteral(", ")));
            respond(socket, 400, {}, "text/plain", "invalid_request");
            return;
        }
        QUrlQuery back;
        switch (consent) {
        case Consent::Deny:
            back.addQueryItem(QStringLiteral("error"), QStringLiteral("access_denied"));
            back.addQueryItem(QStringLiteral("error_description"), QStringLiteral("The user denied the request"));
            back.addQueryItem(QStringLiteral("state"), value("state"));
            break;
        case Consent::Grant:
        case Consent::TamperState: {
            // Shaped like Google's codes ("4/0A..."), with a '+' too: both must survive the browser's round trip.
            const QString code = QStringLiteral("4/0A%1-code+x_%2").arg(++m_codes).arg(m_port);
            m_issued.insert(code, IssuedCode{value("code_challenge"), value("redirect_uri")});
            back.addQueryItem(QStringLiteral("code"), QString::fromLatin1(QUrl::toPercentEncoding(
                                                          code, encodeSlashInRedirect ? QByteArray() : "/")));
            // A tampered state is what an attacker's own sign-in would bring back.
            QString state = value("state");
            if (consent == Consent::TamperState) {
                state += QLatin1Char('x');
            }
            back.addQueryItem(QStringLiteral("state"), state);
            back.addQueryItem(QStringLiteral("scope"), value("scope"));
            break;
        }
        }
        QUrl location = redirect;
        location.setQuery(back);
        respond(socket, 302, {{"Location", location.toEncoded()}}, "text/plain", {});
    }

    void token(const QHttpServerRequest& request, QTcpSocket* socket) {
        const QUrlQuery form(QString::fromUtf8(request.body()));
        m_token.append(form);
        const auto value = [&form](const char* key) {
            return form.queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
        };
        QByteArray contentType;
        for (const auto& [key, headerValue] : request.headers()) {
            if (key.compare("content-type", Qt::CaseInsensitive) == 0) {
                contentType = headerValue;
            }
        }
        if (!contentType.startsWith("application/x-www-form-urlencoded")) {
            return refuse(socket, "invalid_request", QStringLiteral("the body must be form-encoded"), true);
        }
        if (value("grant_type") != QLatin1String("authorization_code")) {
            return refuse(socket, "unsupported_grant_type", value("grant_type"), true);
        }
        if (value("client_id") != clientId || (!clientSecret.isEmpty() && value("client_secret") != clientSecret)) {
            return refuse(socket, "invalid_client", QStringLiteral("Unauthorized"), true);
        }
        auto issued = m_issued.find(value("code"));
        if (issued == m_issued.end() || issued->used) {
            return refuse(socket, "invalid_grant", QStringLiteral("Malformed auth code."), true);
        }
        issued->used = true;
        if (value("redirect_uri") != issued->redirectUri) {
            return refuse(socket, "redirect_uri_mismatch", QStringLiteral("Bad Request"), true);
        }
        const QString verifier = value("code_verifier");
        if (!isUnreservedVerifier(verifier)) {
            return refuse(socket, "invalid_request", QStringLiteral("Invalid code verifier."), true);
        }
        if (s256(verifier) != issued->challenge) {
            // A mismatch is the attack PKCE exists to stop; the client must report it, not send it.
            return refuse(socket, "invalid_grant", QStringLiteral("code_verifier does not match the challenge"), false);
        }
        if (tokenFailureStatus != 0) {
            respond(socket, tokenFailureStatus, {}, "application/json", tokenFailureBody);
            return;
        }
        QJsonObject answer{{QStringLiteral("access_token"), accessToken},
                           {QStringLiteral("expires_in"), 3599},
                           {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                           {QStringLiteral("scope"), QStringLiteral("openid email profile")}};
        if (sendIdToken) {
            answer.insert(QStringLiteral("id_token"), idToken);
        }
        respond(socket, 200, {}, "application/json", QJsonDocument(answer).toJson(QJsonDocument::Compact));
    }

    void refuse(QTcpSocket* socket, const char* error, const QString& description, bool isProblem) {
        if (isProblem) {
            m_problems << QStringLiteral("/token: %1 (%2)").arg(QString::fromLatin1(error), description);
        }
        const QJsonObject body{{QStringLiteral("error"), QString::fromLatin1(error)},
                               {QStringLiteral("error_description"), description}};
        respond(socket, 400, {}, "application/json", QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    // Written straight onto the socket with "Connection: close", so an answer can be held back (QHttpServerResponder
    // in Qt 6.4 must not outlive handleRequest).
    void respond(QTcpSocket* socket, int status, const QList<QPair<QByteArray, QByteArray>>& headers,
                 const QByteArray& contentType, const QByteArray& body) {
        QByteArray raw = "HTTP/1.1 " + QByteArray::number(status) + " Scripted\r\nContent-Type: " + contentType +
                         "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n";
        for (const auto& [key, value] : headers) {
            raw += key + ": " + value + "\r\n";
        }
        raw += "\r\n" + body;
        const int delayMs = contentType == "application/json" ? tokenDelayMs : 0;
        QPointer<QTcpSocket> guard(socket);
        QTimer::singleShot(delayMs, socket, [guard, raw] {
            if (guard && guard->state() == QAbstractSocket::ConnectedState) {
                guard->write(raw);
                guard->disconnectFromHost();
            }
        });
    }

    quint16 m_port = 0;
    int m_codes = 0;
    QHash<QString, IssuedCode> m_issued;
    QList<QUrlQuery> m_authorize;
    QList<QUrlQuery> m_token;
    QStringList m_problems;
};

} // namespace fairuse::testing
