// The OAuth 2.0 loopback sign-in with PKCE against a scripted authorization server on loopback, with the browser
// played by a network manager that follows redirects: success, PKCE (challenge, verifier, a wrong verifier),
// refused consent, a tampered state, token endpoint errors, timeout, cancel, and that nothing secret is logged.
#include "ErrorKindName.h"
#include "ScriptedOAuthProvider.h"

#include "auth/OAuthLoopbackFlow.h"
#include "common/Await.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <functional>
#include <memory>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::ScriptedOAuthProvider;
using fairuse::testsupport::kindName;

namespace {

constexpr int kWaitMs = 10000;

/** The system browser: opens what openBrowser() asks for and follows redirects. `rewrite` lets a test change the
 *  authorization URL on its way, as a hostile page or extension could. */
class Browser : public QObject {
public:
    std::function<QUrl(const QUrl&)> rewrite;
    int opened = 0;
    int loaded = 0;
    int lastStatus = 0;
    QString lastPage;

    void open(const QUrl& url) {
        ++opened;
        visit(rewrite ? rewrite(url) : url);
    }
    void visit(const QUrl& url) {
        QNetworkReply* reply = m_network.get(QNetworkRequest(url));
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            reply->deleteLater();
            lastStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            lastPage = QString::fromUtf8(reply->readAll());
            ++loaded;
        });
    }

private:
    QNetworkAccessManager m_network;
};

OAuthLoopbackConfig configFor(const ScriptedOAuthProvider& provider,
                              const QString& providerId = QStringLiteral("google.com")) {
    OAuthLoopbackConfig config;
    config.providerId = providerId;
    config.authorizationUrl = provider.url(QStringLiteral("/authorize"));
    config.tokenUrl = provider.url(QStringLiteral("/token"));
    config.clientId = provider.clientId;
    config.clientSecret = provider.clientSecret;
    return config;
}

bool acceptsConnections(quint16 port) {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    return socket.waitForConnected(2000);
}

/** Every log line while it lives, with Qt's own OAuth categories and ours at debug level. */
class LogCapture {
public:
    LogCapture() {
        s_lines.clear();
        QLoggingCategory::setFilterRules(QStringLiteral("qt.networkauth*=true\nfairuse.auth*=true"));
        m_previous = qInstallMessageHandler([](QtMsgType, const QMessageLogContext& context, const QString& message) {
            s_lines << QString::fromLatin1(context.category ? context.category : "") + QLatin1Char(' ') + message;
        });
    }
    ~LogCapture() {
        qInstallMessageHandler(m_previous);
        QLoggingCategory::setFilterRules(QString());
    }
    static QStringList lines() { return s_lines; }

private:
    static inline QStringList s_lines;
    QtMessageHandler m_previous = nullptr;
};

} // namespace

class OAuthLoopbackFlowTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void challengeIsS256OfTheVerifier() {
        // RFC 7636, appendix B.
        QCOMPARE(OAuthLoopbackFlow::codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                 QByteArray("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    }

    void verifiersAreLongRandomAndUnreserved() {
        QSet<QByteArray> seen;
        for (int i = 0; i < 200; ++i) {
            const QByteArray verifier = OAuthLoopbackFlow::makeCodeVerifier();
            QVERIFY2(ScriptedOAuthProvider::isUnreservedVerifier(QString::fromLatin1(verifier)), verifier.constData());
            seen.insert(verifier);
        }
        QCOMPARE(seen.size(), 200);
    }

    void postBody_data() {
        QTest::addColumn<QString>("providerId");
        QTest::addColumn<QString>("idToken");
        QTest::addColumn<QString>("accessToken");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("google id token") << QStringLiteral("google.com") << QStringLiteral("aaa.bbb.ccc")
                                         << QStringLiteral("ya29.x")
                                         << QByteArray("id_token=aaa.bbb.ccc&providerId=google.com");
        QTest::newRow("oidc id token") << QStringLiteral("oidc.acme") << QStringLiteral("h.p.s") << QString()
                                       << QByteArray("id_token=h.p.s&providerId=oidc.acme");
        QTest::newRow("access token only, encoded")
            << QStringLiteral("google.com") << QString() << QStringLiteral("ya29.a+b/c=&d")
            << QByteArray("access_token=ya29.a%2Bb%2Fc%3D%26d&providerId=google.com");
        QTest::newRow("provider id encoded") << QStringLiteral("oidc.a&b=c") << QStringLiteral("t") << QString()
                                             << QByteArray("id_token=t&providerId=oidc.a%26b%3Dc");
    }
    void postBody() {
        QFETCH(QString, providerId);
        QFETCH(QString, idToken);
        QFETCH(QString, accessToken);
        QFETCH(QByteArray, expected);
        QCOMPARE((IdpCredential{providerId, idToken, accessToken}.postBody()), expected);
    }

    void googleIsTheDefault() {
        const OAuthLoopbackConfig config = OAuthLoopbackConfig::google(QStringLiteral("id.apps.googleusercontent.com"));
        QCOMPARE(config.providerId, QStringLiteral("google.com"));
        QCOMPARE(config.authorizationUrl, QUrl(QStringLiteral("https://accounts.google.com/o/oauth2/v2/auth")));
        QCOMPARE(config.tokenUrl, QUrl(QStringLiteral("https://oauth2.googleapis.com/token")));
        QCOMPARE(config.scopes,
                 (QStringList{QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("profile")}));
        QCOMPARE(config.browserTimeout, std::chrono::milliseconds(std::chrono::minutes(5)));
        QVERIFY(config.validate().ok());
    }

    void badConfigurationFailsAtOnce_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("no client id") << QStringLiteral("clientId") << QString() << QStringLiteral("client id");
        QTest::newRow("no provider id") << QStringLiteral("providerId") << QString() << QStringLiteral("provider id");
        QTest::newRow("plain http to a remote token endpoint")
            << QStringLiteral("tokenUrl") << QStringLiteral("http://oauth2.example.com/token")
            << QStringLiteral("https");
        QTest::newRow("relative authorization URL")
            << QStringLiteral("authorizationUrl") << QStringLiteral("/authorize") << QStringLiteral("absolute");
        QTest::newRow("no scopes") << QStringLiteral("scopes") << QString() << QStringLiteral("scope");
    }
    void badConfigurationFailsAtOnce() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, message);
        OAuthLoopbackConfig config = OAuthLoopbackConfig::google(QStringLiteral("id.apps.googleusercontent.com"));
        if (field == QLatin1String("clientId")) {
            config.clientId = value;
        } else if (field == QLatin1String("providerId")) {
            config.providerId = value;
        } else if (field == QLatin1String("tokenUrl")) {
            config.tokenUrl = QUrl(value);
        } else if (field == QLatin1String("authorizationUrl")) {
            config.authorizationUrl = QUrl(value);
        } else {
            config.scopes.clear();
        }
        OAuthLoopbackFlow flow(config);
        QSignalSpy opened(&flow, &OAuthLoopbackFlow::openBrowser);
        const auto future = flow.start();
        QVERIFY(future.isFinished());
        const Result<IdpCredential> result = future.result();
        QVERIFY(!result.ok());
        QCOMPARE(kindName(result.error().kind), QStringLiteral("Invalid"));
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
        QCOMPARE(opened.count(), 0);
        QVERIFY(!flow.isRunning());
    }

    void signInReturnsTheIdToken_data() {
        QTest::addColumn<bool>("encodeSlash");
        QTest::newRow("code percent-encoded in the redirect") << true;
        QTest::newRow("code with a raw slash, as Google sends it") << false;
    }
    void signInReturnsTheIdToken() {
        QFETCH(bool, encodeSlash);
        ScriptedOAuthProvider provider;
        provider.encodeSlashInRedirect = encodeSlash;
        // Google's installed-app "secret" has characters a form must encode.
        provider.clientSecret = QStringLiteral("GOCSPX-a+b/c&d=e");
        Browser browser;
        OAuthLoopbackFlow flow(configFor(provider));
        connect(&flow, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);

        const auto future = flow.start();
        QVERIFY(flow.isRunning());
        const QUrl redirect = flow.redirectUri();
        QCOMPARE(redirect.scheme(), QStringLiteral("http"));
        QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(redirect.path(), QStringLiteral("/"));
        QVERIFY(redirect.port() > 0);

        const Result<IdpCredential> result = awaitResult(future, kWaitMs);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QVERIFY2(provider.problems().isEmpty(), qPrintable(provider.problems().join(QLatin1Char('\n'))));
        QCOMPARE(result->providerId, QStringLiteral("google.com"));
        QCOMPARE(result->idToken, provider.idToken);
        QCOMPARE(result->accessToken, provider.accessToken);
        QCOMPARE(browser.opened, 1);

        QCOMPARE(provider.authorizeRequests().size(), 1);
        QCOMPARE(provider.tokenRequests().size(), 1);
        const QUrlQuery authorize = provider.authorizeRequests().constFirst();
        const QUrlQuery token = provider.tokenRequests().constFirst();
        QCOMPARE(QUrl(authorize.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded)), redirect);
        QCOMPARE(authorize.queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded),
                 QStringLiteral("openid email profile"));
        QCOMPARE(authorize.queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
        QVERIFY(authorize.queryItemValue(QStringLiteral("state")).size() >= 32);
        QVERIFY(!authorize.hasQueryItem(QStringLiteral("code_verifier")));
        const QString verifier = token.queryItemValue(QStringLiteral("code_verifier"), QUrl::FullyDecoded);
        QVERIFY(ScriptedOAuthProvider::isUnreservedVerifier(verifier));
        QCOMPARE(ScriptedOAuthProvider::s256(verifier), authorize.queryItemValue(QStringLiteral("code_challenge")));
        QCOMPARE(token.queryItemValue(QStringLiteral("client_secret"), QUrl::FullyDecoded), provider.clientSecret);
        QVERIFY(token.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded).startsWith(QStringLiteral("4/0A")));

        QTRY_COMPARE(browser.loaded, 1);
        QCOMPARE(browser.lastStatus, 200);
        QVERIFY2(browser.lastPage.contains(QStringLiteral("Sign-in finished. You can close this window")),
                 qPrintable(browser.lastPage));

        QVERIFY(!flow.isRunning());
        QVERIFY(flow.redirectUri().isEmpty());
        QVERIFY(!acceptsConnections(redirect.port()));
    }

    void oidcProviderWithoutIdTokenGivesTheAccessToken() {
        ScriptedOAuthProvider provider;
        provider.sendIdToken = false;
        Browser browser;
        OAuthLoopbackFlow flow(configFor(provider, QStringLiteral("oidc.acme")));
        connect(&flow, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const Result<IdpCredential> result = awaitResult(flow.start(), kWaitMs);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QCOMPARE(result->providerId, QStringLiteral("oidc.acme"));
        QVERIFY(result->idToken.isEmpty());
        QCOMPARE(result->postBody(), QByteArray("access_token=ya29.test-access-token&providerId=oidc.acme"));
    }

    void aWrongVerifierIsRefused() {
        ScriptedOAuthProvider provider;
        Browser browser;
        // The code gets bound to a challenge this flow did not make, as with a code injected from another sign-in.
        browser.rewrite = [](const QUrl& url) {
            QUrlQuery query(url);
            query.removeAllQueryItems(QStringLiteral("code_challenge"));
            query.addQueryItem(QStringLiteral("code_challenge"), QString::fromLatin1(OAuthLoopbackFlow::codeChallenge(
                                                                     OAuthLoopbackFlow::makeCodeVerifier())));
            QUrl changed = url;
            changed.setQuery(query);
            return changed;
        };
        OAuthLoopbackFlow flow(configFor(provider));
        connect(&flow, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const Result<IdpCredential> result = awaitResult(flow.start(), kWaitMs);
        QVERIFY(!result.ok());
        QVERIFY2(provider.problems().isEmpty(), qPrintable(provider.problems().join(QLatin1Char('\n'))));
        QCOMPARE(provider.tokenRequests().size(), 1);
        QCOMPARE(kindName(result.error().kind), QStringLiteral("Invalid"));
        QVERIFY2(result.error().message.contains(QStringLiteral("invalid_grant: code_verifier does not match")),
                 qPrintable(result.error().message));
        QVERIFY(!flow.isRunning());
    }

    void refusedConsentIsAPermissionError() {
        ScriptedOAuthProvider provider;
        provider.consent = ScriptedOAuthProvider::Consent::Deny;
        Browser browser;
        OAuthLoopbackFlow flow(configFor(provider));
        connect(&flow, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const Result<IdpCredential> result = awaitResult(flow.start(), kWaitMs);
        QVERIFY(!result.ok());
        QCOMPARE(kindName(result.error().kind), QStringLiteral("Permission"));
        QVERIFY2(result.error().message.contains(QStringLiteral("refused in the browser")) &&
                     result.error().message.contains(QStringLiteral("access_denied")),
                 qPrintable(result.error().message));
        QCOMPARE(provider.tokenRequests().size(), 0);
        QTRY_COMPARE(browser.loaded, 1);
        QVERIFY2(browser.lastPage.contains(QStringLiteral("Sign-in was cancelled")), qPrintable(browser.lastPage));
    }

    void aTamperedStateIsRefused() {
        ScriptedOAuthProvider provider;
        provider.consent = ScriptedOAuthProvider::Consent::TamperState;
        Browser browser;
        OAuthLoopbackFlow flow(configFor(provider));
        connect(&flow, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const Result<IdpCredential> result = awaitResult(flow.start(), kWaitMs);
        QVERIFY(!result.ok());
        QCOMPARE(kindName(result.error().kind), QStringLiteral("Invalid"));
        QVERIFY2(result.error().message.contains(QStringLiteral("state")), qPrintable(result.error().message));
        // The code that came with the wrong state is never exchanged.
        QTest::qWait(100);
        QCOMPARE(provider.tokenRequests().size(), 0);
        QTRY_COMPARE(browser.loaded, 1);
        QVERIFY2(browser.lastPage.contains(QStringLiteral("does not belong")), qPrintable(browser.lastPage));
    }

    void tokenEndpointErrors_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("text");
        QTest::newRow("invalid_client")
            << 401 << QByteArray(R"({"error":"invalid_client","error_description":"The OAuth client was not found."})")
            << QStringLiteral("Invalid") << QStringLiteral("invalid_client: The OAuth client was not found.");
        QTest::newRow("server down") << 503 << QByteArray(R"({"error":"temporarily_unavailable"})")
                                     << QStringLiteral("Unavailable") << QStringLiteral("temporarily_unavailable");
        QTest::newRow("HTML error page") << 502 << QByteArray("<html>Bad Gateway</html>")
                                         << QStringLiteral("Unavailable") << QStringLiteral("HTTP 502");
        QTest::newRow("200 that is not JSON") << 200 << QByteArray("access_token=secret") << QStringLiteral("Invalid")
                                              << QStringLiteral("not a JSON object");
        QTest::newRow("200 without tokens") << 200 << QByteArray(R"({"token_type":"Bearer"})")
                                            << QStringLiteral("Invalid") << QStringLiteral("without an ID token");
    }
    void tokenEndpointErrors() {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, kind);
        QFETCH(QString, text);
        ScriptedOAuthProvider provider;
        provider.tokenFailureStatus = status;
        provider.tokenFailureBody = body;
        Browser browser;
        OAuthLoopbackFlow flow(configFor(provider));
        connect(&flow, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const Result<IdpCredential> result = awaitResult(flow.start(), kWaitMs);
        QVERIFY(!result.ok());
        QCOMPARE(kindName(result.error().kind), kind);
        QVERIFY2(result.error().message.contains(text), qPrintable(result.error().message));
        QVERIFY2(!result.error().message.contains(QStringLiteral("secret")), qPrintable(result.error().message));
        QVERIFY(result.error().message.contains(QStringLiteral("127.0.0.1")));
    }

    void tokenEndpointThatDoesNotAnswerTimesOut() {
        ScriptedOAuthProvider provider;
        provider.tokenDelayMs = 3000;
        Browser browser;
        OAuthLoopbackConfig config = configFor(provider);
        config.tokenTimeout = std::chrono::milliseconds(300);
        OAuthLoopbackFlow flow(config);
        connect(&flow, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const Result<IdpCredential> result = awaitResult(flow.start(), kWaitMs);
        QVERIFY(!result.ok());
        QCOMPARE(kindName(result.error().kind), QStringLiteral("Unavailable"));
        QVERIFY2(result.error().message.contains(QStringLiteral("did not answer within 1 s")),
                 qPrintable(result.error().message));
    }

    void noAnswerFromTheBrowserTimesOut() {
        ScriptedOAuthProvider provider;
        OAuthLoopbackConfig config = configFor(provider);
        config.browserTimeout = std::chrono::milliseconds(300);
        OAuthLoopbackFlow flow(config);
        QSignalSpy opened(&flow, &OAuthLoopbackFlow::openBrowser); // nobody opens it
        const auto future = flow.start();
        const quint16 port = static_cast<quint16>(flow.redirectUri().port());
        QCOMPARE(opened.count(), 1);
        QVERIFY(acceptsConnections(port));
        const Result<IdpCredential> result = awaitResult(future, kWaitMs);
        QVERIFY(!result.ok());
        QCOMPARE(kindName(result.error().kind), QStringLiteral("Unavailable"));
        QVERIFY2(result.error().message.contains(QStringLiteral("no answer from the browser within 1 s")),
                 qPrintable(result.error().message));
        QVERIFY(!acceptsConnections(port));
        QCOMPARE(provider.authorizeRequests().size(), 0);
    }

    void cancelStopsWaiting() {
        ScriptedOAuthProvider provider;
        OAuthLoopbackFlow flow(configFor(provider));
        QSignalSpy opened(&flow, &OAuthLoopbackFlow::openBrowser);
        const auto future = flow.start();
        const QUrl authorizationUrl = opened.value(0).value(0).toUrl();
        const quint16 port = static_cast<quint16>(flow.redirectUri().port());
        flow.cancel();
        QVERIFY(future.isFinished());
        const Result<IdpCredential> result = future.result();
        QVERIFY(!result.ok());
        QCOMPARE(kindName(result.error().kind), QStringLiteral("Unavailable"));
        QCOMPARE(result.error().message, QStringLiteral("sign-in was cancelled"));
        QVERIFY(!flow.isRunning());
        QVERIFY(!acceptsConnections(port));
        // A browser that finishes afterwards finds nobody listening; no code is exchanged.
        Browser browser;
        browser.open(authorizationUrl);
        QTRY_COMPARE(browser.loaded, 1);
        QCOMPARE(provider.tokenRequests().size(), 0);
        flow.cancel(); // a second cancel is harmless
    }

    void destroyingTheFlowDuringTheExchangeCancelsIt() {
        ScriptedOAuthProvider provider;
        provider.tokenDelayMs = 1000;
        Browser browser;
        auto flow = std::make_unique<OAuthLoopbackFlow>(configFor(provider));
        connect(flow.get(), &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const auto future = flow->start();
        QTRY_COMPARE(provider.tokenRequests().size(), 1);
        flow.reset();
        QVERIFY(future.isFinished());
        QCOMPARE(future.result().error().message, QStringLiteral("sign-in was cancelled"));
        QTest::qWait(1200); // the held answer arrives at nobody
    }

    void strayRequestsToThePortAreIgnored() {
        ScriptedOAuthProvider provider;
        Browser browser;
        OAuthLoopbackFlow flow(configFor(provider));
        QSignalSpy opened(&flow, &OAuthLoopbackFlow::openBrowser);
        const auto future = flow.start();
        QUrl favicon = flow.redirectUri();
        favicon.setPath(QStringLiteral("/favicon.ico"));
        // Qt's own flow notices it too and warns; the sign-in goes on.
        QTest::ignoreMessage(QtWarningMsg, "AuthenticationError: Code not received");
        browser.visit(favicon);
        QTRY_COMPARE(browser.loaded, 1);
        QVERIFY(flow.isRunning());
        browser.open(opened.value(0).value(0).toUrl());
        const Result<IdpCredential> result = awaitResult(future, kWaitMs);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    }

    void twoFlowsGetTheirOwnVerifierStateAndPort() {
        ScriptedOAuthProvider provider;
        Browser browser;
        OAuthLoopbackFlow first(configFor(provider));
        OAuthLoopbackFlow second(configFor(provider));
        connect(&first, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        connect(&second, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const auto a = first.start();
        const auto b = second.start();
        QVERIFY(first.redirectUri().port() != second.redirectUri().port());
        QVERIFY(awaitResult(a, kWaitMs).ok());
        QVERIFY(awaitResult(b, kWaitMs).ok());
        QVERIFY2(provider.problems().isEmpty(), qPrintable(provider.problems().join(QLatin1Char('\n'))));
        // Counted as sets: the browser may send an /authorize request twice when it retries on a closed connection.
        const auto distinct = [](const QList<QUrlQuery>& requests, const char* key) {
            QSet<QString> values;
            for (const QUrlQuery& query : requests) {
                values.insert(query.queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded));
            }
            return values.size();
        };
        QCOMPARE(provider.tokenRequests().size(), 2);
        QCOMPARE(distinct(provider.authorizeRequests(), "code_challenge"), 2);
        QCOMPARE(distinct(provider.authorizeRequests(), "state"), 2);
        QCOMPARE(distinct(provider.authorizeRequests(), "redirect_uri"), 2);
        QCOMPARE(distinct(provider.tokenRequests(), "code_verifier"), 2);
        QCOMPARE(distinct(provider.tokenRequests(), "redirect_uri"), 2);
        // A second start() is the same sign-in.
        QVERIFY(first.start().result().ok());
    }

    void nothingSecretIsLogged() {
        ScriptedOAuthProvider provider;
        provider.clientSecret = QStringLiteral("GOCSPX-not-to-be-logged");
        Browser browser;
        LogCapture log;
        OAuthLoopbackFlow flow(configFor(provider));
        connect(&flow, &OAuthLoopbackFlow::openBrowser, &browser, &Browser::open);
        const Result<IdpCredential> result = awaitResult(flow.start(), kWaitMs);
        QVERIFY(result.ok());
        const QUrlQuery token = provider.tokenRequests().value(0);
        const QStringList secrets{provider.idToken,
                                  provider.accessToken,
                                  provider.clientSecret,
                                  token.queryItemValue(QStringLiteral("code_verifier"), QUrl::FullyDecoded),
                                  token.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded),
                                  QString::fromLatin1(QUrl::toPercentEncoding(
                                      token.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded)))};
        const QStringList lines = LogCapture::lines();
        QVERIFY2(lines.join(QLatin1Char('\n')).contains(QStringLiteral("fairuse.auth")),
                 "the flow logs what it does (without secrets)");
        for (const QString& line : lines) {
            for (const QString& secret : secrets) {
                QVERIFY2(!line.contains(secret), qPrintable(line));
            }
        }
    }
};

QTEST_GUILESS_MAIN(OAuthLoopbackFlowTest)
#include "OAuthLoopbackFlowTest.moc"
