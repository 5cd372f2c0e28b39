// The reviewer commands' usage and sign-in: bad usage exits with 2, a refused login says why and keeps nothing, the
// password is never an argument, whoami shows each reviewer, logout means not signed in, and no password ever shows.
#include "ReviewerCommandsTestBase.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::cli;

class ReviewerLoginTest : public ReviewerCommandsTestBase {
    Q_OBJECT

private Q_SLOTS:
    void badUsageExitsWith2_data();
    void badUsageExitsWith2();
    void loginRefusalsSayWhy_data();
    void loginRefusalsSayWhy();
    void passwordIsNeverAnArgument();
    void whoamiShowsEachReviewer();
    void logoutMeansNotSignedIn();
    void passwordsNeverAppearInOutput();
};

void ReviewerLoginTest::badUsageExitsWith2_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const auto row = [](const char* name, QStringList args, const char* expected) {
        QTest::newRow(name) << args << QString::fromLatin1(expected);
    };
    const QString p = QStringLiteral("--firestore");
    const QString demo = QStringLiteral("demo-nothing");
    row("resolve without outcome", {QStringLiteral("resolve"), QStringLiteral("FU-0A1B2C3D4E5F"), p, demo},
        "--outcome is required");
    row("resolve bad outcome",
        {QStringLiteral("resolve"), QStringLiteral("FU-0A1B2C3D4E5F"), QStringLiteral("--outcome"),
         QStringLiteral("maybe"), QStringLiteral("--reason-code"), QStringLiteral("media_confirmed"), p, demo},
        "--outcome must be");
    row("resolve without a case",
        {QStringLiteral("resolve"), QStringLiteral("--outcome"), QStringLiteral("confirmed"),
         QStringLiteral("--reason-code"), QStringLiteral("media_confirmed")},
        "CASE_REF is required");
    row("resolve not a case reference",
        {QStringLiteral("resolve"), QStringLiteral("FU-XYZ"), QStringLiteral("--outcome"), QStringLiteral("confirmed"),
         QStringLiteral("--reason-code"), QStringLiteral("media_confirmed")},
        "is not a case reference");
    row("override bad stage",
        {QStringLiteral("override"), QStringLiteral("u1"), QStringLiteral("--stage"), QStringLiteral("banned"),
         QStringLiteral("--reason-code"), QStringLiteral("repeat_violation"), QStringLiteral("--notes"),
         QStringLiteral("x")},
        "--stage must be");
    row("resolve with a free-text reason",
        {QStringLiteral("resolve"), QStringLiteral("FU-0A1B2C3D4E5F"), QStringLiteral("--outcome"),
         QStringLiteral("confirmed"), QStringLiteral("--reason-code"), QStringLiteral("looked at it")},
        "use one of: media_confirmed, legitimate_use");
    row("resolve without a reason code",
        {QStringLiteral("resolve"), QStringLiteral("FU-0A1B2C3D4E5F"), QStringLiteral("--outcome"),
         QStringLiteral("confirmed")},
        "--reason-code CODE is required");
    row("resolve with an unknown verdict",
        {QStringLiteral("resolve"), QStringLiteral("FU-0A1B2C3D4E5F"), QStringLiteral("--outcome"),
         QStringLiteral("confirmed"), QStringLiteral("--reason-code"), QStringLiteral("media_confirmed"),
         QStringLiteral("--verdict"), QStringLiteral("meh")},
        "--verdict must be one of");
    row("override without reason",
        {QStringLiteral("override"), QStringLiteral("u1"), QStringLiteral("--stage"), QStringLiteral("warning")},
        "--reason-code CODE is required");
    row("bulk-resolve without cases",
        {QStringLiteral("bulk-resolve"), QStringLiteral("--outcome"), QStringLiteral("confirmed"),
         QStringLiteral("--reason-code"), QStringLiteral("media_confirmed")},
        "--cases FILE");
    row("unknown option", {QStringLiteral("whoami"), QStringLiteral("--frobnicate")}, "Unknown option");
    row("missing option value", {QStringLiteral("whoami"), QStringLiteral("--firestore")}, "Missing value");
    row("reviewers bad role",
        {QStringLiteral("reviewers"), QStringLiteral("grant"), QStringLiteral("a@example.com"), QStringLiteral("boss")},
        "ROLE must be");
    row("reviewers unknown subcommand", {QStringLiteral("reviewers"), QStringLiteral("promote")}, "unknown subcommand");
    row("audit without verify", {QStringLiteral("audit")}, "subcommand is missing");
    row("login password as an option",
        {QStringLiteral("login"), p, demo, QStringLiteral("--email"), QStringLiteral("a@example.com"),
         QStringLiteral("--password"), QStringLiteral("pw-typed-on-the-command-line")},
        "Unknown option 'password'");
    row("login password as an argument",
        {QStringLiteral("login"), p, demo, QStringLiteral("--email"), QStringLiteral("a@example.com"),
         QStringLiteral("--password-stdin"), QStringLiteral("pw-typed-on-the-command-line")},
        "not shown");
    row("login email without password-stdin",
        {QStringLiteral("login"), p, demo, QStringLiteral("--email"), QStringLiteral("a@example.com")},
        "--email needs --password-stdin");
    row("login with an unknown provider",
        {QStringLiteral("login"), p, demo, QStringLiteral("--provider"), QStringLiteral("facebook.com")},
        "--provider must be");
    row("a real-looking project while the emulator variable is set",
        {QStringLiteral("whoami"), p, QStringLiteral("acme-prod")}, "not a demo- project");
}

void ReviewerLoginTest::badUsageExitsWith2() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    if (m_cli.firestoreHost.isEmpty()) {
        m_cli.firestoreHost = QStringLiteral("127.0.0.1:1"); // never reached: usage is checked first
    }
    const Run r = cli(args);
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
    QVERIFY2(r.err.contains(expected), qPrintable(r.describe()));
    QVERIFY2(!r.err.contains(QLatin1String("pw-typed-on-the-command-line")), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

void ReviewerLoginTest::loginRefusalsSayWhy_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrong password") << QStringLiteral("wrong-password") << QStringLiteral("wrong e-mail or password");
    QTest::newRow("unverified e-mail") << QStringLiteral("unverified") << QStringLiteral("is not verified");
    QTest::newRow("no role") << QStringLiteral("no-role") << QStringLiteral("is not a reviewer");
}

void ReviewerLoginTest::loginRefusalsSayWhy() {
    REQUIRE_BACKENDS();
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    Account a = makeAccount(kind, kind == QLatin1String("no-role") ? QString() : QStringLiteral("reviewer"),
                            kind != QLatin1String("unverified"));
    QVERIFY(!a.uid.isEmpty());
    if (kind == QLatin1String("wrong-password")) {
        a.password += QStringLiteral("-wrong");
        m_cli.passwords.append(a.password);
    }
    const Run r = login(a);
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    QVERIFY2(r.err.contains(expected), qPrintable(r.describe()));
    // Nothing was kept: a refused login leaves whoever was signed in before (nobody here) signed in.
    const Run who = cli(onProject({QStringLiteral("whoami")}));
    QVERIFY2(who.exitCode == 1, qPrintable(who.describe()));
}

void ReviewerLoginTest::passwordIsNeverAnArgument() {
    REQUIRE_BACKENDS();
    // While the login waits for the password on standard input, its command line (what `ps` shows every user of
    // the machine) holds no password.
    QProcess p;
    p.setProcessEnvironment(m_cli.environment());
    p.start(m_cli.exe,
            {QStringLiteral("login"), QStringLiteral("--firestore"), m_project, QStringLiteral("--auth-project"),
             fairuse::testing::kAuthProject, QStringLiteral("--api-key"), fairuse::testing::kAuthApiKey,
             QStringLiteral("--email"), m_reviewer.email, QStringLiteral("--password-stdin")});
    QVERIFY(p.waitForStarted());
    QTest::qWait(300);
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(p.processId()));
    QVERIFY2(cmdline.open(QIODevice::ReadOnly), "no /proc/PID/cmdline");
    const QByteArray args = cmdline.readAll();
    QVERIFY(args.contains(m_reviewer.email.toUtf8()));
    QVERIFY(!args.contains(m_reviewer.password.toUtf8()));
    p.write(m_reviewer.password.toUtf8() + "\n");
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(kProcessTimeoutMs));
    const QByteArray out = p.readAllStandardOutput();
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(p.exitCode() == 0, err.constData());
    QVERIFY(out.contains(m_reviewer.email.toUtf8()));
    QVERIFY(!out.contains(m_reviewer.password.toUtf8()) && !err.contains(m_reviewer.password.toUtf8()));
}

void ReviewerLoginTest::whoamiShowsEachReviewer() {
    REQUIRE_BACKENDS();
    for (const Account* a : {&m_reviewer, &m_senior}) {
        const Run in = login(*a);
        QVERIFY2(in.exitCode == 0, qPrintable(in.describe()));
        QVERIFY2(in.out.contains(a->email.toUtf8()), qPrintable(in.describe()));
        // No --firestore: the project of the last login.
        const Run who = cli({QStringLiteral("whoami"), QStringLiteral("--json")});
        QVERIFY2(who.exitCode == 0, qPrintable(who.describe()));
        const QJsonObject o = who.json();
        QCOMPARE(o.value(QStringLiteral("email")).toString(), a->email);
        QCOMPARE(o.value(QStringLiteral("uid")).toString(), a->uid);
        QCOMPARE(o.value(QStringLiteral("role")).toString(), a->role);
        QCOMPARE(o.value(QStringLiteral("project")).toString(), m_project);
        QCOMPARE(o.value(QStringLiteral("auth_project")).toString(), fairuse::testing::kAuthProject);
        QCOMPARE(o.value(QStringLiteral("email_verified")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("sign_in_provider")).toString(), QStringLiteral("password"));
        const QString text = QString::fromUtf8(who.out);
        QVERIFY(!text.contains(fairuse::testing::kAuthApiKey)); // the API key is never printed
    }
}

void ReviewerLoginTest::logoutMeansNotSignedIn() {
    REQUIRE_BACKENDS();
    QVERIFY(login(m_reviewer).exitCode == 0);
    Run r = cli({QStringLiteral("logout")});
    QVERIFY2(r.exitCode == 0 && r.out.contains("signed out of"), qPrintable(r.describe()));
    const QString expected = QStringLiteral("not signed in to %1; run fairuse login --firestore %1").arg(m_project);
    for (const QStringList& args :
         {QStringList{QStringLiteral("whoami")},
          QStringList{QStringLiteral("resolve"), m_doneCase.caseRef, QStringLiteral("--outcome"),
                      QStringLiteral("confirmed"), QStringLiteral("--reason-code"), QStringLiteral("media_confirmed")},
          QStringList{QStringLiteral("override"), m_throttleUser.uid, QStringLiteral("--stage"),
                      QStringLiteral("warning"), QStringLiteral("--reason-code"), QStringLiteral("repeat_violation"),
                      QStringLiteral("--notes"), QStringLiteral("x")},
          QStringList{QStringLiteral("audit"), QStringLiteral("verify")}}) {
        r = cli(onProject(args));
        QVERIFY2(r.exitCode == 1 && r.err.contains(expected), qPrintable(r.describe()));
    }
    // Logged out, the last project is forgotten as well.
    r = cli({QStringLiteral("whoami")});
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("not signed in")), qPrintable(r.describe()));
}

void ReviewerLoginTest::passwordsNeverAppearInOutput() {
    REQUIRE_BACKENDS();
    QVERIFY2(m_cli.leaks.isEmpty(), qPrintable(m_cli.leaks.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(ReviewerLoginTest)
#include "ReviewerLoginTest.moc"
