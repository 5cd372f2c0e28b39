// `fairuse login --provider google.com` end to end: the CLI runs the OAuth loopback sign-in against a scripted
// authorization server (tests/services_auth/ScriptedOAuthProvider.h, standing in for Google's endpoints through
// --authorization-url and --token-url), prints the address to open on standard error, and this test is the browser.
// The Google ID token the provider hands out is the Auth emulator's stand-in for one, so Firebase Auth (the real
// emulator) signs the reviewer in with provider google.com; the reviewer then acts through the shipped security rules.
#include "CliHarness.h"
#include "RequireBackend.h"
#include "ScriptedOAuthProvider.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::cli;
using fairuse::testing::AuthEmulator;
namespace backends = fairuse::testing::backends;

class GoogleLoginCliTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void signsInWithGoogleAndActsUnderThatIdentity();
    void consentRefusedInTheBrowserIsAFailure();

private:
    /** Runs the login, opens the printed address like a browser, and returns the finished login. */
    Run loginThroughBrowser(fairuse::testing::ScriptedOAuthProvider& provider);

    bool m_ready = false;
    QString m_missing;
    QTemporaryDir m_config;
    CliRunner m_cli;
    AuthEmulator m_auth{QString()};
    QString m_project;
    std::shared_ptr<FirestoreClient> m_owner;
    std::unique_ptr<Seeder> m_seed;
};

#define REQUIRE_BACKENDS()                                                                                             \
    REQUIRE_BACKEND(QStringLiteral("the Firestore and Auth emulators and a keychain"), m_ready, m_missing)

void GoogleLoginCliTest::initTestCase() {
    QVERIFY(m_config.isValid());
    QVERIFY2(m_cli.prepare(m_config.path(), QStringLiteral("fairuse-googletest")), "FAIRUSE_EXE is not set");
    if (m_cli.firestoreHost.isEmpty() || m_cli.authHost.isEmpty() ||
        qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS").isEmpty()) {
        m_missing = QStringLiteral("the Firestore and Auth emulators (fixtures) and a keychain session "
                                   "(scripts/with-test-session) are needed");
        return;
    }
    m_auth = AuthEmulator(m_cli.authHost);
    m_project = QStringLiteral("demo-") + backends::freshProject(QStringLiteral("gcli"));
    QFile rules(qEnvironmentVariable("FAIRUSE_SOURCE_DIR") + QStringLiteral("/packaging/firestore/firestore.rules"));
    QVERIFY2(rules.open(QIODevice::ReadOnly), qPrintable(rules.fileName()));
    QVERIFY(fairuse::testing::loadRules(m_cli.firestoreHost, m_project, rules.readAll()));
    m_owner = std::make_shared<FirestoreClient>(fairuse::testing::emulatorConfig(m_project, m_cli.firestoreHost),
                                                StaticToken::emulatorOwner());
    m_seed = std::make_unique<Seeder>(m_owner);
    m_ready = true;
}

Run GoogleLoginCliTest::loginThroughBrowser(fairuse::testing::ScriptedOAuthProvider& provider) {
    QProcess p;
    p.setProcessEnvironment(m_cli.environment());
    p.start(m_cli.exe, {QStringLiteral("login"), QStringLiteral("--firestore"), m_project,
                        QStringLiteral("--auth-project"), fairuse::testing::kAuthProject, QStringLiteral("--api-key"),
                        fairuse::testing::kAuthApiKey, QStringLiteral("--provider"), QStringLiteral("google.com"),
                        QStringLiteral("--client-id"), provider.clientId, QStringLiteral("--authorization-url"),
                        provider.url(QStringLiteral("/authorize")).toString(), QStringLiteral("--token-url"),
                        provider.url(QStringLiteral("/token")).toString()});
    Run r;
    if (!p.waitForStarted()) {
        r.err = QStringLiteral("could not start the CLI");
        return r;
    }
    p.closeWriteChannel();
    // The address to open, printed on standard error (the provider answers from this process's event loop, so wait
    // by spinning it).
    static const QRegularExpression address(QStringLiteral("(http://127\\.0\\.0\\.1:\\d+/authorize\\?\\S+)"));
    QByteArray err;
    QRegularExpressionMatch match;
    for (int waited = 0; waited < 60000 && !match.hasMatch() && p.state() == QProcess::Running; waited += 50) {
        QTest::qWait(50);
        err += p.readAllStandardError();
        match = address.match(QString::fromUtf8(err));
    }
    if (match.hasMatch()) {
        QNetworkAccessManager browser;
        QNetworkReply* page = browser.get(QNetworkRequest(QUrl(match.captured(1), QUrl::StrictMode)));
        for (int waited = 0; waited < 60000 && !page->isFinished(); waited += 50) {
            QTest::qWait(50);
        }
        page->deleteLater();
    }
    for (int waited = 0; waited < 120000 && p.state() == QProcess::Running; waited += 50) {
        QTest::qWait(50);
    }
    if (p.state() == QProcess::Running) {
        p.kill();
        p.waitForFinished();
        r.err = QString::fromUtf8(err) + QStringLiteral("\n(timed out)");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(err + p.readAllStandardError());
    return r;
}

void GoogleLoginCliTest::signsInWithGoogleAndActsUnderThatIdentity() {
    REQUIRE_BACKENDS();
    const QString email = AuthEmulator::uniqueEmail(QStringLiteral("google-senior"));
    const auto created = m_auth.googleReviewer(email, QStringLiteral("senior_reviewer"));
    VERIFY_OK(created);
    fairuse::testing::ScriptedOAuthProvider provider;
    provider.clientId = QStringLiteral("fairuse-cli-test.apps.googleusercontent.com");
    provider.idToken = AuthEmulator::fakeGoogleCredential(QStringLiteral("google-") + email, email, true).idToken;

    const Run in = loginThroughBrowser(provider);
    QVERIFY2(in.exitCode == 0, qPrintable(in.describe()));
    QVERIFY2(provider.problems().isEmpty(), qPrintable(provider.problems().join(QLatin1Char('\n'))));
    QCOMPARE(provider.tokenRequests().size(), 1);
    QVERIFY2(!in.err.contains(provider.idToken) && !in.out.contains(provider.idToken.toUtf8()), qPrintable(in.err));

    Run who = m_cli.run({QStringLiteral("whoami"), QStringLiteral("--json")});
    QVERIFY2(who.exitCode == 0, qPrintable(who.describe()));
    QCOMPARE(who.json().value(QStringLiteral("email")).toString(), email);
    QCOMPARE(who.json().value(QStringLiteral("uid")).toString(), created->claims.uid);
    QCOMPARE(who.json().value(QStringLiteral("role")).toString(), QStringLiteral("senior_reviewer"));
    QCOMPARE(who.json().value(QStringLiteral("sign_in_provider")).toString(), QStringLiteral("google.com"));

    // The Google-signed-in senior lifts a restriction; the record names the token's e-mail, uid and role.
    const SeededCase restricted = m_seed->seedCase(QStringLiteral("restricted"), Stage::Restrict);
    const Run resolved =
        m_cli.run({QStringLiteral("resolve"), restricted.caseRef.toLower(), QStringLiteral("--outcome"),
                   QStringLiteral("false_positive"), QStringLiteral("--reason-code"),
                   QStringLiteral("classifier_error"), QStringLiteral("--json")});
    QVERIFY2(resolved.exitCode == 0, qPrintable(resolved.describe()));
    const QJsonObject audit = resolved.json().value(QStringLiteral("audit")).toObject();
    QCOMPARE(audit.value(QStringLiteral("reviewer")).toString(), email);
    QCOMPARE(audit.value(QStringLiteral("reviewer_uid")).toString(), created->claims.uid);
    QCOMPARE(audit.value(QStringLiteral("role")).toString(), QStringLiteral("senior_reviewer"));
    QCOMPARE(m_seed->stageOf(restricted.uid), QStringLiteral("throttle"));
}

void GoogleLoginCliTest::consentRefusedInTheBrowserIsAFailure() {
    REQUIRE_BACKENDS();
    fairuse::testing::ScriptedOAuthProvider provider;
    provider.clientId = QStringLiteral("fairuse-cli-test.apps.googleusercontent.com");
    provider.consent = fairuse::testing::ScriptedOAuthProvider::Consent::Deny;
    const Run in = loginThroughBrowser(provider);
    QVERIFY2(in.exitCode == 1, qPrintable(in.describe()));
    QVERIFY2(in.err.contains(QLatin1String("refused")), qPrintable(in.describe()));
}

QTEST_GUILESS_MAIN(GoogleLoginCliTest)
#include "GoogleLoginCliTest.moc"
