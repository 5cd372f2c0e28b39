// FirebaseAuthClient against the real Firebase Auth emulator (password and google.com sign-in, refresh, custom
// claims through the admin calls) and against a scripted loopback server for what the emulator cannot be made to
// do (malformed answers, 5xx, silence), plus the mapping of Identity Toolkit errors.
#include "AuthEmulator.h"
#include "ErrorKindName.h"
#include "RequireBackend.h"
#include "ScriptedHttpServer.h"
#include "TestResults.h"

#include "auth/FirebaseAuthClient.h"
#include "common/Await.h"
#include "firestore/FirestoreAuth.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::AuthEmulator;
using fairuse::testing::ScriptedHttpServer;
using fairuse::testing::waitForAuth;
using fairuse::testing::why;
using testsupport::kindName;

namespace {

const QString kPassword = QStringLiteral("correct horse 42");

/** JSON written with single quotes (moc misreads raw string literals with quotes inside). */
QByteArray j(const char* text) {
    return QByteArray(text).replace('\'', '"');
}

FirebaseAuthConfig scriptedConfig(const QString& hostPort) {
    FirebaseAuthConfig c;
    c.projectId = QStringLiteral("demo-fairuse");
    c.apiKey = QStringLiteral("AIzaSyTestKeyThatMustStayOutOfUrls");
    c.emulatorHost = hostPort;
    c.requestTimeoutMs = 5000;
    return c;
}

QByteArray signInAnswer(const QString& idToken) {
    return QJsonDocument(QJsonObject{{QStringLiteral("idToken"), idToken},
                                     {QStringLiteral("refreshToken"), QStringLiteral("refresh-1")},
                                     {QStringLiteral("expiresIn"), QStringLiteral("3600")},
                                     {QStringLiteral("localId"), QStringLiteral("u1")}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class FirebaseAuthClientTest : public QObject {
    Q_OBJECT

private:
    AuthEmulator m_emulator;

    std::unique_ptr<FirebaseAuthClient> client(bool admin = false) const {
        return std::make_unique<FirebaseAuthClient>(m_emulator.config(),
                                                    admin ? StaticToken::emulatorOwner() : nullptr);
    }

private Q_SLOTS:
    // ---- URLs and configuration ---------------------------------------------------------------------------------

    void urlsFollowTheFirebaseSdks() {
        FirebaseAuthConfig production;
        production.projectId = QStringLiteral("p1");
        QCOMPARE(production.identityToolkitUrl(QStringLiteral("accounts:signInWithPassword")).toString(),
                 QStringLiteral("https://identitytoolkit.googleapis.com/v1/accounts:signInWithPassword"));
        QCOMPARE(production.secureTokenUrl().toString(), QStringLiteral("https://securetoken.googleapis.com/v1/token"));
        FirebaseAuthConfig emulator = production;
        emulator.emulatorHost = QStringLiteral("127.0.0.1:9099");
        QCOMPARE(emulator.identityToolkitUrl(QStringLiteral("projects/p1/accounts:update")).toString(),
                 QStringLiteral("http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/projects/p1/accounts:update"));
        QCOMPARE(emulator.secureTokenUrl().toString(),
                 QStringLiteral("http://127.0.0.1:9099/securetoken.googleapis.com/v1/token"));
    }

    void emulatorHostComesFromTheEnvironment() {
        const QByteArray before = qgetenv("FIREBASE_AUTH_EMULATOR_HOST");
        qputenv("FIREBASE_AUTH_EMULATOR_HOST", " 127.0.0.1:9099 ");
        const auto c = FirebaseAuthConfig::fromEnvironment(QStringLiteral("p1"), QStringLiteral("key"));
        qunsetenv("FIREBASE_AUTH_EMULATOR_HOST");
        const auto production = FirebaseAuthConfig::fromEnvironment(QStringLiteral("p1"), QStringLiteral("key"));
        if (!before.isNull()) {
            qputenv("FIREBASE_AUTH_EMULATOR_HOST", before);
        }
        QCOMPARE(c.emulatorHost, QStringLiteral("127.0.0.1:9099"));
        QVERIFY(c.isEmulator());
        QVERIFY(!production.isEmulator());
        QCOMPARE(production.apiKey, QStringLiteral("key"));
    }

    void apiKeyTravelsInAHeaderNeverInTheUrl() {
        ScriptedHttpServer server(
            {{200, signInAnswer(emulatorIdToken(QStringLiteral("demo-fairuse"), QStringLiteral("u1"),
                                                QStringLiteral("a@example.com"), {}))},
             {400, j("{'error':{'code':400,'message':'INVALID_REFRESH_TOKEN'}}")}});
        FirebaseAuthClient c(scriptedConfig(server.hostPort()));
        QVERIFY(waitForAuth(c.signInWithPassword(QStringLiteral("a@example.com"), kPassword)).ok());
        (void)waitForAuth(c.refresh(QStringLiteral("refresh-1")));
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests().at(0).path,
                 QByteArray("/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword"));
        QCOMPARE(server.requests().at(1).path, QByteArray("/securetoken.googleapis.com/v1/token"));
        for (const auto& r : server.requests()) {
            QVERIFY2(!r.path.contains("key") && !r.path.contains("AIza"), r.path.constData());
            QVERIFY(r.authorization.isEmpty());
        }
        QCOMPARE(server.requests().at(1).body, QByteArray("grant_type=refresh_token&refresh_token=refresh-1"));
    }

    // ---- against the Auth emulator ------------------------------------------------------------------------------

    void passwordSignIn() {
        REQUIRE_AUTH_EMULATOR();
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("pw"));
        const auto uid = m_emulator.createPasswordUser(email, kPassword);
        QVERIFY2(uid.ok(), qPrintable(why(uid)));

        const auto tokens = waitForAuth(client()->signInWithPassword(email, kPassword));
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));
        QVERIFY(!tokens->idToken.isEmpty());
        QVERIFY(!tokens->refreshToken.isEmpty());
        QCOMPARE(tokens->expiresIn, std::chrono::seconds{3600});
        QCOMPARE(tokens->claims.uid, *uid);
        QCOMPARE(tokens->claims.email, email);
        QVERIFY(!tokens->claims.emailVerified);
        QCOMPARE(tokens->claims.role, QString());
        QCOMPARE(tokens->claims.signInProvider, QStringLiteral("password"));
        QCOMPARE(tokens->claims.projectId, QStringLiteral("demo-fairuse"));
        QCOMPARE(tokens->claims.issuer, QStringLiteral("https://securetoken.google.com/demo-fairuse"));
        QCOMPARE(tokens->claims.expiresAt - tokens->claims.issuedAt, std::chrono::milliseconds{3600 * 1000});
    }

    void wrongPasswordAndUnknownEmail_data() {
        QTest::addColumn<bool>("knownEmail");
        QTest::newRow("wrong password") << true;
        QTest::newRow("unknown e-mail") << false;
    }

    void wrongPasswordAndUnknownEmail() {
        REQUIRE_AUTH_EMULATOR();
        QFETCH(bool, knownEmail);
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("wrong"));
        if (knownEmail) {
            QVERIFY(m_emulator.createPasswordUser(email, kPassword).ok());
        }
        const auto r = waitForAuth(client()->signInWithPassword(email, QStringLiteral("not the password")));
        QVERIFY(!r.ok());
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Permission));
        // The same words either way: the message must not tell which e-mails have accounts.
        QCOMPARE(r.error().message, QStringLiteral("wrong e-mail or password"));
    }

    void googleSignIn() {
        REQUIRE_AUTH_EMULATOR();
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("google"));
        const auto r = waitForAuth(
            client()->signInWithIdp(AuthEmulator::fakeGoogleCredential(QStringLiteral("g-") + email, email, true)));
        QVERIFY2(r.ok(), qPrintable(why(r)));
        QCOMPARE(r->claims.email, email);
        QVERIFY(r->claims.emailVerified);
        QCOMPARE(r->claims.signInProvider, QStringLiteral("google.com"));
        QCOMPARE(r->claims.projectId, QStringLiteral("demo-fairuse"));
        QVERIFY(!r->refreshToken.isEmpty());

        // Signing in again is the same account.
        const auto again = waitForAuth(
            client()->signInWithIdp(AuthEmulator::fakeGoogleCredential(QStringLiteral("g-") + email, email, true)));
        QVERIFY2(again.ok(), qPrintable(why(again)));
        QCOMPARE(again->claims.uid, r->claims.uid);
    }

    void googleSignInWithAnUnverifiedEmailSaysSo() {
        REQUIRE_AUTH_EMULATOR();
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("gunverified"));
        const auto r = m_emulator.signInWithGoogle(QStringLiteral("g-") + email, email, false);
        QVERIFY2(r.ok(), qPrintable(why(r)));
        QVERIFY(!r->claims.emailVerified);
    }

    void idpCredentialTheProviderRefuses() {
        REQUIRE_AUTH_EMULATOR();
        IdpCredential credential;
        credential.providerId = QStringLiteral("google.com");
        credential.idToken = QStringLiteral("{not strict json");
        const auto r = waitForAuth(client()->signInWithIdp(credential));
        QVERIFY(!r.ok());
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Permission));
        QVERIFY2(r.error().message.contains(QStringLiteral("INVALID_IDP_RESPONSE")), qPrintable(r.error().message));
        // The emulator's answer repeats the credential; the message must not.
        QVERIFY2(!r.error().message.contains(QStringLiteral("not strict json")), qPrintable(r.error().message));

        credential.idToken.clear();
        const auto empty = waitForAuth(client()->signInWithIdp(credential));
        QCOMPARE(kindName(empty.error().kind), kindName(ErrorKind::Invalid));
    }

    void refreshReturnsANewIdToken() {
        REQUIRE_AUTH_EMULATOR();
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("refresh"));
        const auto first = m_emulator.passwordReviewer(email, kPassword, QStringLiteral("reviewer"));
        QVERIFY2(first.ok(), qPrintable(why(first)));
        // iat has a resolution of one second: wait so the new token cannot equal the old one by chance.
        QTest::qWait(1100);
        const auto refreshed = waitForAuth(client()->refresh(first->refreshToken));
        QVERIFY2(refreshed.ok(), qPrintable(why(refreshed)));
        QVERIFY(refreshed->idToken != first->idToken);
        QVERIFY(refreshed->claims.issuedAt > first->claims.issuedAt);
        QCOMPARE(refreshed->claims.uid, first->claims.uid);
        QCOMPARE(refreshed->claims.role, QStringLiteral("reviewer"));
        QVERIFY(!refreshed->refreshToken.isEmpty());
        QCOMPARE(refreshed->expiresIn, std::chrono::seconds{3600});
    }

    void revokedRefreshTokenMeansSignInAgain() {
        REQUIRE_AUTH_EMULATOR();
        const auto r = waitForAuth(client()->refresh(QStringLiteral("not-a-refresh-token")));
        QVERIFY(!r.ok());
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Permission));
        QVERIFY2(r.error().message.contains(QStringLiteral("sign in again")), qPrintable(r.error().message));
    }

    void roleGrantedByAdminAppearsAfterRefresh() {
        REQUIRE_AUTH_EMULATOR();
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("grant"));
        const auto tokens = m_emulator.passwordReviewer(email, kPassword, QString());
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));
        QCOMPARE(tokens->claims.role, QString());

        auto admin = client(true);
        const auto found = waitForAuth(admin->lookupByEmail(email));
        QVERIFY2(found.ok(), qPrintable(why(found)));
        QCOMPARE(found->uid, tokens->claims.uid);
        QVERIFY(found->emailVerified);
        QCOMPARE(found->role, QString());
        QVERIFY(found->providers.contains(QStringLiteral("password")));

        const auto granted = waitForAuth(admin->setCustomClaims(
            found->uid, QJsonObject{{QStringLiteral("role"), QStringLiteral("senior_reviewer")}}));
        QVERIFY2(granted.ok(), qPrintable(why(granted)));
        QCOMPARE(waitForAuth(admin->lookupByEmail(email))->role, QStringLiteral("senior_reviewer"));

        // The old token does not change; the next one carries the claim.
        const auto refreshed = waitForAuth(client()->refresh(tokens->refreshToken));
        QVERIFY2(refreshed.ok(), qPrintable(why(refreshed)));
        QCOMPARE(refreshed->claims.role, QStringLiteral("senior_reviewer"));

        // Revoking is setting no claims.
        QVERIFY(waitForAuth(admin->setCustomClaims(found->uid, QJsonObject())).ok());
        QCOMPARE(waitForAuth(client()->refresh(tokens->refreshToken))->claims.role, QString());
    }

    void listUsersPagesThroughTheProject() {
        REQUIRE_AUTH_EMULATOR();
        QStringList mine;
        for (int i = 0; i < 3; ++i) {
            const QString email = AuthEmulator::uniqueEmail(QStringLiteral("list%1").arg(i));
            QVERIFY(m_emulator.passwordReviewer(email, kPassword, QStringLiteral("reviewer")).ok());
            mine.append(email);
        }
        auto admin = client(true);
        QStringList seen;
        QString pageToken;
        int pages = 0;
        do {
            const auto page = waitForAuth(admin->listUsers(pageToken, 2));
            QVERIFY2(page.ok(), qPrintable(why(page)));
            QVERIFY(page->users.size() <= 2);
            for (const auto& u : page->users) {
                seen.append(u.email);
                if (mine.contains(u.email)) {
                    QCOMPARE(u.role, QStringLiteral("reviewer"));
                }
            }
            pageToken = page->nextPageToken;
            QVERIFY(++pages < 10000);
        } while (!pageToken.isEmpty());
        for (const QString& email : std::as_const(mine)) {
            QVERIFY2(seen.contains(email), qPrintable(email));
        }
    }

    void adminCallsNeedAnAdminCredential() {
        REQUIRE_AUTH_EMULATOR();
        auto plain = client(false);
        const auto r = waitForAuth(plain->lookupByEmail(QStringLiteral("x@example.com")));
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Permission));
        // A credential the emulator does not know is refused too.
        FirebaseAuthClient wrong(m_emulator.config(), std::make_shared<StaticToken>(QStringLiteral("not-owner")));
        const auto refused = waitForAuth(wrong.setCustomClaims(QStringLiteral("uid"), QJsonObject()));
        QVERIFY(!refused.ok());
        QCOMPARE(kindName(refused.error().kind), kindName(ErrorKind::Permission));
    }

    void adminErrors() {
        REQUIRE_AUTH_EMULATOR();
        auto admin = client(true);
        const auto missing = waitForAuth(admin->lookupByEmail(AuthEmulator::uniqueEmail(QStringLiteral("nobody"))));
        QCOMPARE(kindName(missing.error().kind), kindName(ErrorKind::NotFound));
        const auto noUser = waitForAuth(admin->setCustomClaims(
            QStringLiteral("no-such-uid"), QJsonObject{{QStringLiteral("role"), QStringLiteral("admin")}}));
        QCOMPARE(kindName(noUser.error().kind), kindName(ErrorKind::NotFound));
        const auto tooBig = waitForAuth(admin->setCustomClaims(
            QStringLiteral("uid"), QJsonObject{{QStringLiteral("pad"), QString(1001, QLatin1Char('x'))}}));
        QCOMPARE(kindName(tooBig.error().kind), kindName(ErrorKind::Invalid));
    }

    void missingApiKeyIsReportedAsConfiguration() {
        REQUIRE_AUTH_EMULATOR();
        auto config = m_emulator.config();
        config.apiKey.clear();
        FirebaseAuthClient c(config);
        const auto r = waitForAuth(c.signInWithPassword(QStringLiteral("a@example.com"), kPassword));
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Invalid));
        QVERIFY2(r.error().message.contains(QStringLiteral("API key")), qPrintable(r.error().message));
    }

    // ---- answers the emulator does not give ---------------------------------------------------------------------

    void malformedAnswersAreInvalid_data() {
        QTest::addColumn<bool>("isRefresh");
        QTest::addColumn<QByteArray>("body");
        const QByteArray unsignedToken =
            emulatorIdToken(QStringLiteral("demo-fairuse"), QStringLiteral("u1"), QStringLiteral("a@x.com"), {})
                .toLatin1();
        QTest::newRow("sign-in: not JSON") << false << QByteArray("<html>502 Bad Gateway</html>");
        QTest::newRow("sign-in: empty") << false << QByteArray();
        QTest::newRow("sign-in: array") << false << QByteArray("[1,2]");
        QTest::newRow("sign-in: truncated") << false << j("{'idToken':'abc");
        QTest::newRow("sign-in: no idToken") << false << j("{'refreshToken':'r','expiresIn':'3600'}");
        QTest::newRow("sign-in: idToken a number") << false << j("{'idToken':5,'refreshToken':'r','expiresIn':'3600'}");
        QTest::newRow("sign-in: idToken not a JWT")
            << false << j("{'idToken':'x.y.z','refreshToken':'r','expiresIn':'3600'}");
        QTest::newRow("sign-in: no refreshToken")
            << false << j("{'idToken':'") + unsignedToken + j("','expiresIn':'3600'}");
        QTest::newRow("sign-in: expiresIn junk")
            << false << j("{'idToken':'") + unsignedToken + j("','refreshToken':'r','expiresIn':'soon'}");
        QTest::newRow("sign-in: expiresIn negative")
            << false << j("{'idToken':'") + unsignedToken + j("','refreshToken':'r','expiresIn':-5}");
        QTest::newRow("refresh: not JSON") << true << QByteArray("{{{{");
        QTest::newRow("refresh: sign-in field names")
            << true << j("{'idToken':'") + unsignedToken + j("','refreshToken':'r','expiresIn':'3600'}");
        QTest::newRow("refresh: id_token an object")
            << true << j("{'id_token':{},'refresh_token':'r','expires_in':'3600'}");
    }

    void malformedAnswersAreInvalid() {
        QFETCH(bool, isRefresh);
        QFETCH(QByteArray, body);
        ScriptedHttpServer server({{200, body}});
        FirebaseAuthClient c(scriptedConfig(server.hostPort()));
        const auto r = isRefresh ? waitForAuth(c.refresh(QStringLiteral("refresh-1")))
                                 : waitForAuth(c.signInWithPassword(QStringLiteral("a@example.com"), kPassword));
        QVERIFY(!r.ok());
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Invalid));
        // Never a token in a message: Firebase ID tokens start with the base64 of '{"'.
        QVERIFY2(!r.error().message.contains(QStringLiteral("eyJ")), qPrintable(r.error().message));
    }

    void malformedAdminAnswersAreInvalid_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("users not a list") << j("{'users':{'localId':'u'}}");
        QTest::newRow("user not an object") << j("{'users':['u']}");
        QTest::newRow("user without localId") << j("{'users':[{'email':'a@x.com'}]}");
        QTest::newRow("claims not JSON") << j("{'users':[{'localId':'u','customAttributes':'{role'}]}");
        QTest::newRow("not JSON") << QByteArray("users: none");
    }

    void malformedAdminAnswersAreInvalid() {
        QFETCH(QByteArray, body);
        ScriptedHttpServer server({{200, body}});
        FirebaseAuthClient c(scriptedConfig(server.hostPort()), StaticToken::emulatorOwner());
        const auto r = waitForAuth(c.lookupByEmail(QStringLiteral("a@x.com")));
        QVERIFY(!r.ok());
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Invalid));
        QCOMPARE(server.requests().value(0).authorization, QByteArray("Bearer owner"));
        QCOMPARE(server.requests().value(0).path,
                 QByteArray("/identitytoolkit.googleapis.com/v1/projects/demo-fairuse/accounts:lookup"));
    }

    void errorsMapToKinds_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message"); // a part of it
        const auto e = [](const char* message) {
            return QJsonDocument(QJsonObject{{QStringLiteral("error"),
                                              QJsonObject{{QStringLiteral("code"), 400},
                                                          {QStringLiteral("message"), QString::fromLatin1(message)}}}})
                .toJson(QJsonDocument::Compact);
        };
        QTest::newRow("INVALID_PASSWORD") << 400 << e("INVALID_PASSWORD") << QStringLiteral("Permission")
                                          << QStringLiteral("wrong e-mail or password");
        QTest::newRow("INVALID_LOGIN_CREDENTIALS")
            << 400 << e("INVALID_LOGIN_CREDENTIALS") << QStringLiteral("Permission")
            << QStringLiteral("wrong e-mail or password");
        QTest::newRow("EMAIL_NOT_FOUND") << 400 << e("EMAIL_NOT_FOUND") << QStringLiteral("Permission")
                                         << QStringLiteral("wrong e-mail or password");
        QTest::newRow("USER_DISABLED") << 400 << e("USER_DISABLED") << QStringLiteral("Permission")
                                       << QStringLiteral("disabled");
        QTest::newRow("TOO_MANY_ATTEMPTS_TRY_LATER")
            << 400 << e("TOO_MANY_ATTEMPTS_TRY_LATER : Access to this account has been temporarily disabled")
            << QStringLiteral("Quota") << QStringLiteral("too many sign-in attempts");
        QTest::newRow("TOKEN_EXPIRED") << 400 << e("TOKEN_EXPIRED") << QStringLiteral("Permission")
                                       << QStringLiteral("sign in again");
        QTest::newRow("INVALID_REFRESH_TOKEN")
            << 400 << e("INVALID_REFRESH_TOKEN") << QStringLiteral("Permission") << QStringLiteral("sign in again");
        QTest::newRow("oauth invalid_grant") << 400 << j("{'error':'invalid_grant','error_description':'Bad Request'}")
                                             << QStringLiteral("Permission") << QStringLiteral("sign in again");
        QTest::newRow("USER_NOT_FOUND") << 400 << e("USER_NOT_FOUND") << QStringLiteral("NotFound")
                                        << QStringLiteral("no such account");
        QTest::newRow("INVALID_EMAIL") << 400 << e("INVALID_EMAIL") << QStringLiteral("Invalid")
                                       << QStringLiteral("not a valid e-mail");
        QTest::newRow("bad API key") << 400 << e("API key not valid. Please pass a valid API key.")
                                     << QStringLiteral("Invalid") << QStringLiteral("API key");
        QTest::newRow("WEAK_PASSWORD") << 400 << e("WEAK_PASSWORD : Password should be at least 6 characters")
                                       << QStringLiteral("Invalid") << QStringLiteral("WEAK_PASSWORD");
        QTest::newRow("429") << 429 << QByteArray("{}") << QStringLiteral("Quota") << QStringLiteral("quota");
        QTest::newRow("403 PERMISSION_DENIED")
            << 403 << j("{'error':{'code':403,'message':'Caller lacks permission','status':'PERMISSION_DENIED'}}")
            << QStringLiteral("Permission") << QStringLiteral("may not do this");
        QTest::newRow("503") << 503 << QByteArray("Service Unavailable") << QStringLiteral("Unavailable")
                             << QStringLiteral("the sign-in provider is not reachable: h:1 answered HTTP 503");
        QTest::newRow("500 JSON") << 500 << e("INTERNAL") << QStringLiteral("Unavailable")
                                  << QStringLiteral("the sign-in provider is not reachable");
        QTest::newRow("418 junk") << 418 << QByteArray("\xff\xfe") << QStringLiteral("Invalid")
                                  << QStringLiteral("HTTP 418");
    }

    void errorsMapToKinds() {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, kind);
        QFETCH(QString, message);
        const Error e = FirebaseAuthClient::mapError(status, body, QStringLiteral("h:1"));
        QCOMPARE(kindName(e.kind), kind);
        QVERIFY2(e.message.contains(message), qPrintable(e.message));
    }

    void serverErrorIsUnavailable() {
        ScriptedHttpServer server({{503, "upstream connect error"}});
        FirebaseAuthClient c(scriptedConfig(server.hostPort()));
        const auto r = waitForAuth(c.signInWithPassword(QStringLiteral("a@example.com"), kPassword));
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Unavailable));
        QVERIFY2(r.error().message.startsWith(QStringLiteral("the sign-in provider is not reachable: ")),
                 qPrintable(r.error().message));
    }

    void unreachableProviderIsUnavailable() {
        FirebaseAuthClient c(scriptedConfig(QStringLiteral("127.0.0.1:%1").arg(testing::backends::closedPort())));
        const auto r = waitForAuth(c.refresh(QStringLiteral("refresh-1")));
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Unavailable));
        QVERIFY2(r.error().message.startsWith(QStringLiteral("the sign-in provider is not reachable: 127.0.0.1:")),
                 qPrintable(r.error().message));
        QVERIFY(!r.error().message.contains(QStringLiteral("refresh-1")));
    }

    void silentProviderTimesOut() {
        QTcpServer silent; // accepts connections, never answers
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        auto config = scriptedConfig(QStringLiteral("127.0.0.1:%1").arg(silent.serverPort()));
        config.requestTimeoutMs = 300;
        FirebaseAuthClient c(config);
        QElapsedTimer timer;
        timer.start();
        const auto r = waitForAuth(c.signInWithPassword(QStringLiteral("a@example.com"), kPassword));
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Unavailable));
        QVERIFY(timer.elapsed() < 10000);
    }

    void closingTheClientAnswersCallsInFlight() {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        auto c = std::make_unique<FirebaseAuthClient>(
            scriptedConfig(QStringLiteral("127.0.0.1:%1").arg(silent.serverPort())));
        const auto pending = c->signInWithPassword(QStringLiteral("a@example.com"), kPassword);
        QTest::qWait(50);
        c.reset();
        QVERIFY(await(pending, 5000));
        QVERIFY(!pending.isCanceled());
        QCOMPARE(kindName(pending.result().error().kind), kindName(ErrorKind::Unavailable));
    }
};

QTEST_GUILESS_MAIN(FirebaseAuthClientTest)
#include "FirebaseAuthClientTest.moc"
