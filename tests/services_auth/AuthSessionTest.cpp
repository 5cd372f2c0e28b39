// AuthSession with tokens from the real Firebase Auth emulator: refresh before expiry on a fake clock (one refresh
// for concurrent callers), the stale-token grace when the provider is down, identity from the claims (unverified
// e-mail and missing role refused), the identity signal when a role is granted, and the refresh token stored in,
// restored from and removed from the OS keychain (inside scripts/with-test-session).
#include "AuthEmulator.h"
#include "ErrorKindName.h"
#include "RequireBackend.h"
#include "TestResults.h"

#include "auth/AuthSession.h"
#include "common/Await.h"
#include "secrets/KeychainSecretStore.h"
#include "secrets/SessionSecretStore.h"

#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::AuthEmulator;
using fairuse::testing::waitForAuth;
using fairuse::testing::why;
using testsupport::kindName;

namespace {

const QString kPassword = QStringLiteral("correct horse 42");

/** A clock the test moves by hand. */
struct FakeClock {
    std::shared_ptr<TimePoint> now = std::make_shared<TimePoint>();
    AuthSession::Clock clock() const {
        return [now = now] { return *now; };
    }
};

} // namespace

class AuthSessionTest : public QObject {
    Q_OBJECT

private:
    AuthEmulator m_emulator;

    std::shared_ptr<FirebaseAuthClient> client(bool admin = false) const {
        return std::make_shared<FirebaseAuthClient>(m_emulator.config(),
                                                    admin ? StaticToken::emulatorOwner() : nullptr);
    }

    Result<AuthTokens> reviewer(const QString& name, const QString& role) const {
        return m_emulator.passwordReviewer(AuthEmulator::uniqueEmail(name), kPassword, role);
    }

private Q_SLOTS:
    void refreshesFiveMinutesBeforeExpiry() {
        REQUIRE_AUTH_EMULATOR();
        const auto tokens = reviewer(QStringLiteral("clock"), QStringLiteral("reviewer"));
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));
        FakeClock clock;
        *clock.now = tokens->claims.issuedAt;
        AuthSession session(client(), std::make_shared<SessionSecretStore>(), *tokens, clock.clock());
        QSignalSpy refreshed(&session, &AuthSession::tokenRefreshed);

        // Fresh, and still more than five minutes to live: the same token, no request.
        QCOMPARE(*waitForAuth(session.token()), tokens->idToken);
        *clock.now = tokens->claims.expiresAt - std::chrono::minutes{5} - std::chrono::seconds{1};
        const auto early = session.token();
        QVERIFY(early.isFinished());
        QCOMPARE(*early.result(), tokens->idToken);
        QCOMPARE(refreshed.count(), 0);

        // Within five minutes of expiry: renewed. Two callers at once share one refresh.
        QTest::qWait(1100); // iat has one-second resolution; make the new token differ for sure
        *clock.now = tokens->claims.expiresAt - std::chrono::minutes{4};
        const auto a = session.token();
        const auto b = session.token();
        QVERIFY(!a.isFinished());
        const auto ra = waitForAuth(a);
        const auto rb = waitForAuth(b);
        QVERIFY2(ra.ok(), qPrintable(why(ra)));
        QVERIFY2(rb.ok(), qPrintable(why(rb)));
        QCOMPARE(*ra, *rb);
        QVERIFY(*ra != tokens->idToken);
        QCOMPARE(refreshed.count(), 1);
        QVERIFY(session.claims().issuedAt > tokens->claims.issuedAt);

        // The new token serves until five minutes before its own expiry.
        *clock.now = session.claims().expiresAt - std::chrono::minutes{5} - std::chrono::seconds{1};
        const auto after = session.token();
        QVERIFY(after.isFinished());
        QCOMPARE(*after.result(), *ra);
        QCOMPARE(refreshed.count(), 1);

        // invalidate() (the server said 401) forces the next call to refresh.
        session.invalidate();
        QVERIFY2(waitForAuth(session.token()).ok(), "refresh after invalidate");
        QCOMPARE(refreshed.count(), 2);
    }

    void providerDownKeepsAValidTokenOnly() {
        REQUIRE_AUTH_EMULATOR();
        const auto tokens = reviewer(QStringLiteral("down"), QStringLiteral("reviewer"));
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));
        auto config = m_emulator.config();
        config.emulatorHost = QStringLiteral("127.0.0.1:%1").arg(testing::backends::closedPort());
        FakeClock clock;
        *clock.now = tokens->claims.issuedAt;
        AuthSession session(std::make_shared<FirebaseAuthClient>(config), std::make_shared<SessionSecretStore>(),
                            *tokens, clock.clock());

        // Due for renewal but still valid: the refresh fails, the current token serves.
        *clock.now = tokens->claims.expiresAt - std::chrono::minutes{4};
        const auto stale = waitForAuth(session.token());
        QVERIFY2(stale.ok(), qPrintable(why(stale)));
        QCOMPARE(*stale, tokens->idToken);
        // Callers right after do not each wait for another refresh to fail.
        *clock.now += std::chrono::seconds{10};
        const auto soon = session.token();
        QVERIFY(soon.isFinished());
        QCOMPARE(*soon.result(), tokens->idToken);

        // About to expire: the failure is the answer.
        *clock.now = tokens->claims.expiresAt - std::chrono::seconds{10};
        const auto expired = waitForAuth(session.token());
        QVERIFY(!expired.ok());
        QCOMPARE(kindName(expired.error().kind), kindName(ErrorKind::Unavailable));
        QVERIFY(session.isSignedIn()); // a provider that is down does not sign anyone out
    }

    void identityFromTheClaims() {
        REQUIRE_AUTH_EMULATOR();
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("who"));
        const auto tokens = m_emulator.passwordReviewer(email, kPassword, QStringLiteral("senior_reviewer"));
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));
        AuthSession session(client(), std::make_shared<SessionSecretStore>(), *tokens);
        const auto who = session.identity();
        QVERIFY2(who.ok(), qPrintable(why(who)));
        QCOMPARE(who->email, email);
        QCOMPARE(who->uid, tokens->claims.uid);
        QCOMPARE(int(who->role), int(Role::SeniorReviewer));
        QCOMPARE(session.describe(), QStringLiteral("%1 (senior_reviewer, signed in with password)").arg(email));
    }

    void googleIdentity() {
        REQUIRE_AUTH_EMULATOR();
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("gwho"));
        const auto tokens = m_emulator.googleReviewer(email, QStringLiteral("admin"));
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));
        AuthSession session(client(), std::make_shared<SessionSecretStore>(), *tokens);
        QCOMPARE(int(session.identity()->role), int(Role::Admin));
        QCOMPARE(session.describe(), QStringLiteral("%1 (admin, signed in with google.com)").arg(email));
    }

    void refusedIdentities_data() {
        QTest::addColumn<bool>("verified");
        QTest::addColumn<QString>("role");
        QTest::addColumn<QString>("message"); // with %1 for the e-mail
        QTest::newRow("unverified e-mail")
            << false << QStringLiteral("admin") << QStringLiteral("the e-mail address %1 is not verified");
        QTest::newRow("no role") << true << QString()
                                 << QStringLiteral("%1 is not a reviewer of this project; an admin can grant a role "
                                                   "with `fairuse reviewers grant`");
        QTest::newRow("unknown role") << true << QStringLiteral("superuser")
                                      << QStringLiteral("%1 is not a reviewer of this project; an admin can grant a "
                                                        "role with `fairuse reviewers grant`");
    }

    void refusedIdentities() {
        REQUIRE_AUTH_EMULATOR();
        QFETCH(bool, verified);
        QFETCH(QString, role);
        QFETCH(QString, message);
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("refused"));
        const auto uid = m_emulator.createPasswordUser(email, kPassword);
        QVERIFY2(uid.ok(), qPrintable(why(uid)));
        QVERIFY(m_emulator
                    .updateUser(*uid, verified,
                                role.isEmpty() ? QJsonObject() : QJsonObject{{QStringLiteral("role"), role}})
                    .ok());
        const auto tokens = m_emulator.signInWithPassword(email, kPassword);
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));
        AuthSession session(client(), std::make_shared<SessionSecretStore>(), *tokens);
        const auto who = session.identity();
        QVERIFY(!who.ok());
        QCOMPARE(kindName(who.error().kind), kindName(ErrorKind::Permission));
        QCOMPARE(who.error().message, message.arg(email));
    }

    void grantedRoleChangesTheIdentityOnRefresh() {
        REQUIRE_AUTH_EMULATOR();
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("promote"));
        const auto tokens = m_emulator.passwordReviewer(email, kPassword, QStringLiteral("reviewer"));
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));
        AuthSession session(client(), std::make_shared<SessionSecretStore>(), *tokens);
        QSignalSpy changed(&session, &AuthSession::identityChanged);

        // A refresh that changes nothing is no identity change.
        session.invalidate();
        QVERIFY(waitForAuth(session.token()).ok());
        QCOMPARE(changed.count(), 0);

        auto admin = client(true);
        QVERIFY(waitForAuth(
                    admin->setCustomClaims(tokens->claims.uid,
                                           QJsonObject{{QStringLiteral("role"), QStringLiteral("senior_reviewer")}}))
                    .ok());
        session.invalidate();
        QVERIFY(waitForAuth(session.token()).ok());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(int(session.identity()->role), int(Role::SeniorReviewer));
    }

    void restoreWithNobodySignedInIsNotFound() {
        auto store = std::make_shared<SessionSecretStore>();
        const auto r = waitForAuth(AuthSession::restore(client(), store));
        QVERIFY(!r.ok());
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::NotFound));
        QCOMPARE(r.error().message, QStringLiteral("nobody is signed in to project demo-fairuse"));
    }

    void restoreWithARevokedTokenForgetsIt() {
        REQUIRE_AUTH_EMULATOR();
        auto store = std::make_shared<SessionSecretStore>();
        const QString key = AuthSession::secretKey(QStringLiteral("demo-fairuse"));
        QCOMPARE(key, QStringLiteral("firebase-refresh-token/demo-fairuse"));
        QVERIFY(waitForAuth(store->write(key, QStringLiteral("revoked-refresh-token"))).ok());
        const auto r = waitForAuth(AuthSession::restore(client(), store));
        QCOMPARE(kindName(r.error().kind), kindName(ErrorKind::Permission));
        QCOMPARE(kindName(waitForAuth(store->read(key)).error().kind), kindName(ErrorKind::NotFound));
    }

    void refreshTokenInTheKeychain() {
        REQUIRE_AUTH_EMULATOR();
        REQUIRE_KEYCHAIN();
        // A service name of this process only: real "fairuse" entries of the person running the tests stay
        // untouched, and parallel test processes do not see each other's keys.
        auto keychain = std::make_shared<KeychainSecretStore>(
            QStringLiteral("fairuse-test-auth-%1").arg(QCoreApplication::applicationPid()));
        const QString key = AuthSession::secretKey(QStringLiteral("demo-fairuse"));
        const QString email = AuthEmulator::uniqueEmail(QStringLiteral("keychain"));
        const auto tokens = m_emulator.passwordReviewer(email, kPassword, QStringLiteral("reviewer"));
        QVERIFY2(tokens.ok(), qPrintable(why(tokens)));

        const auto session = waitForAuth(AuthSession::signedIn(client(), keychain, *tokens));
        QVERIFY2(session.ok(), qPrintable(why(session)));
        const auto stored = waitForAuth(keychain->read(key));
        QVERIFY2(stored.ok(), qPrintable(why(stored)));
        QCOMPARE(*stored, tokens->refreshToken);

        // The next start: the same reviewer, from the keychain alone.
        const auto restored = waitForAuth(AuthSession::restore(client(), keychain));
        QVERIFY2(restored.ok(), qPrintable(why(restored)));
        QCOMPARE((*restored)->identity()->uid, tokens->claims.uid);
        QCOMPARE((*restored)->identity()->email, email);
        const auto restoredToken = waitForAuth((*restored)->token());
        QVERIFY2(restoredToken.ok(), qPrintable(why(restoredToken)));

        // Sign out: the key is gone, the session refuses, and the next start finds nobody.
        QSignalSpy signedOut(restored->get(), &AuthSession::signedOut);
        QVERIFY(waitForAuth((*restored)->signOut()).ok());
        QCOMPARE(signedOut.count(), 1);
        QCOMPARE(kindName(waitForAuth(keychain->read(key)).error().kind), kindName(ErrorKind::NotFound));
        QCOMPARE(kindName(waitForAuth((*restored)->token()).error().kind), kindName(ErrorKind::Permission));
        QCOMPARE(kindName((*restored)->identity().error().kind), kindName(ErrorKind::Permission));
        QCOMPARE(kindName(waitForAuth(AuthSession::restore(client(), keychain)).error().kind),
                 kindName(ErrorKind::NotFound));
    }
};

QTEST_GUILESS_MAIN(AuthSessionTest)
#include "AuthSessionTest.moc"
