// The reviewer commands end to end: the built `fairuse` (FAIRUSE_EXE) run through QProcess against the Firestore
// emulator with the shipped security rules loaded into a fresh demo- project, reviewers created and signed in through
// the real Firebase Auth emulator (project demo-fairuse, so the CLI runs with --auth-project demo-fairuse), the
// sign-in kept in the test session's keychain (scripts/with-test-session) under a keychain service of this test, and
// the settings in a temporary XDG_CONFIG_HOME.
#include "CliHarness.h"
#include "RequireBackend.h"

#include "audit/AuditChain.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreValue.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::AuthEmulator;
using namespace fairuse::testing::cli;
namespace cli = fairuse::testing::cli;
namespace backends = fairuse::testing::backends;
using V = services::FirestoreValue;

namespace {

/** Users of the bulk run with one open case each, at warning. */
constexpr int kBulkUsers = 40;

} // namespace

#define REQUIRE_BACKENDS()                                                                                             \
    REQUIRE_BACKEND(QStringLiteral("the Firestore and Auth emulators and a keychain"), m_ready, m_missing)

class ReviewerCommandsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void badUsageExitsWith2_data();
    void badUsageExitsWith2();
    void loginRefusalsSayWhy_data();
    void loginRefusalsSayWhy();
    void passwordIsNeverAnArgument();
    void whoamiShowsEachReviewer();
    void eachRoleDoesWhatItMay();
    void bulkResolvePastedReferencesIdempotently();
    void auditRecordsNameTheVerifiedReviewer();
    void auditVerifyFindsATamperedRecord();
    void reviewersGrantListRevoke();
    void logoutMeansNotSignedIn();
    void passwordsNeverAppearInOutput();

private:
    Run cli(const QStringList& args, const QByteArray& input = {}) { return m_cli.run(args, input); }
    Run login(const Account& account);
    /** Args of the reviewer commands: the test's project and, unless `project` says otherwise, nothing else (the
     *  Auth project and API key are what the login remembered). */
    QStringList onProject(QStringList args) const {
        return args + QStringList{QStringLiteral("--firestore"), m_project};
    }
    Account makeAccount(const QString& name, const QString& role, bool verified) {
        return cli::makeAccount(m_auth, name, role, verified, &m_cli.passwords);
    }
    Result<FairUseEvent> caseNow(const SeededCase& c) { return m_seed->caseNow(c); }
    QString stageOf(const QString& uid) { return m_seed->stageOf(uid); }

    bool m_ready = false;
    QString m_missing;
    cli::CliRunner m_cli;
    QString m_project;
    QTemporaryDir m_config;
    AuthEmulator m_auth{QString()};
    std::shared_ptr<FirestoreClient> m_owner;
    std::unique_ptr<FirestoreCaseStore> m_ownerStore;
    std::unique_ptr<cli::Seeder> m_seed;
    Account m_reviewer;
    Account m_senior;
    // Seeded data
    SeededCase m_warnCase;     // warning, open: the reviewer confirms it
    SeededCase m_throttleUser; // throttle, open: the reviewer may not restrict, the senior may
    SeededCase m_restrictCase; // restrict, open: only a senior may resolve it as false_positive
    SeededCase m_doneCase;     // already resolved by someone else
    QList<SeededCase> m_bulkCases;
    QList<SeededCase> m_twoCaseUser; // throttle with two open cases: false_positive twice lowers it to none
    int m_expectedRecords = 0;
};

void ReviewerCommandsTest::initTestCase() {
    m_cli.exe = qEnvironmentVariable("FAIRUSE_EXE");
    QVERIFY2(!m_cli.exe.isEmpty(), "FAIRUSE_EXE is not set");
    QVERIFY(m_config.isValid());
    m_cli.configDir = m_config.path();
    m_cli.keychainService = QStringLiteral("fairuse-clitest-%1").arg(QCoreApplication::applicationPid());
    m_cli.firestoreHost = backends::emulatorHost();
    m_cli.authHost = backends::authEmulatorHost();
    if (m_cli.firestoreHost.isEmpty()) {
        m_missing = QStringLiteral("no Firestore emulator (the firestore_emulator fixture starts it)");
        return;
    }
    if (m_cli.authHost.isEmpty()) {
        m_missing = QStringLiteral("no Firebase Auth emulator (firebase-tools in tools/firebase, from scripts/setup)");
        return;
    }
    if (qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS").isEmpty()) {
        m_missing = QStringLiteral("no D-Bus session for the keychain: run under scripts/with-test-session");
        return;
    }
    m_auth = AuthEmulator(m_cli.authHost);
    // A demo- project: the CLI accepts FIRESTORE_EMULATOR_HOST for it without --emulator.
    m_project = QStringLiteral("demo-") + backends::freshProject(QStringLiteral("cli"));
    QFile rules(qEnvironmentVariable("FAIRUSE_SOURCE_DIR") + QStringLiteral("/packaging/firestore/firestore.rules"));
    QVERIFY2(rules.open(QIODevice::ReadOnly), qPrintable(rules.fileName()));
    QVERIFY(fairuse::testing::loadRules(m_cli.firestoreHost, m_project, rules.readAll()));
    m_owner = std::make_shared<FirestoreClient>(fairuse::testing::emulatorConfig(m_project, m_cli.firestoreHost),
                                                StaticToken::emulatorOwner());
    m_ownerStore = std::make_unique<FirestoreCaseStore>(m_owner);
    m_seed = std::make_unique<cli::Seeder>(m_owner);

    m_reviewer = makeAccount(QStringLiteral("reviewer"), QStringLiteral("reviewer"), true);
    m_senior = makeAccount(QStringLiteral("senior"), QStringLiteral("senior_reviewer"), true);
    QVERIFY(!m_reviewer.uid.isEmpty() && !m_senior.uid.isEmpty());

    m_warnCase = m_seed->seedCase(QStringLiteral("warn1"), Stage::Warning);
    m_throttleUser = m_seed->seedCase(QStringLiteral("throttle1"), Stage::Throttle);
    m_restrictCase = m_seed->seedCase(QStringLiteral("restrict1"), Stage::Restrict);
    m_doneCase = m_seed->seedCase(QStringLiteral("done1"), Stage::Warning, true);
    for (int i = 0; i < kBulkUsers; ++i) {
        m_bulkCases.append(m_seed->seedCase(QStringLiteral("bulk%1").arg(i), Stage::Warning));
    }
    const QString two = QStringLiteral("bulk-two");
    m_twoCaseUser = {SeededCase{two, QStringLiteral("e1"), randomCaseRef()},
                     SeededCase{two, QStringLiteral("e2"), randomCaseRef()}};
    VERIFY_OK(m_seed->seedUser(two, Stage::Throttle, m_twoCaseUser));
    m_ready = true;
}

Run ReviewerCommandsTest::login(const Account& account) {
    return cli({QStringLiteral("login"), QStringLiteral("--firestore"), m_project, QStringLiteral("--auth-project"),
                fairuse::testing::kAuthProject, QStringLiteral("--api-key"), fairuse::testing::kAuthApiKey,
                QStringLiteral("--email"), account.email, QStringLiteral("--password-stdin")},
               account.password.toUtf8() + "\n");
}

void ReviewerCommandsTest::badUsageExitsWith2_data() {
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
         QStringLiteral("maybe"), p, demo},
        "--outcome must be");
    row("resolve without a case", {QStringLiteral("resolve"), QStringLiteral("--outcome"), QStringLiteral("confirmed")},
        "CASE_REF is required");
    row("resolve not a case reference",
        {QStringLiteral("resolve"), QStringLiteral("FU-XYZ"), QStringLiteral("--outcome"), QStringLiteral("confirmed")},
        "is not a case reference");
    row("override bad stage",
        {QStringLiteral("override"), QStringLiteral("u1"), QStringLiteral("--stage"), QStringLiteral("banned"),
         QStringLiteral("--reason"), QStringLiteral("x")},
        "--stage must be");
    row("override without reason",
        {QStringLiteral("override"), QStringLiteral("u1"), QStringLiteral("--stage"), QStringLiteral("warning")},
        "--reason TEXT is required");
    row("bulk-resolve without cases",
        {QStringLiteral("bulk-resolve"), QStringLiteral("--outcome"), QStringLiteral("confirmed")}, "--cases FILE");
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

void ReviewerCommandsTest::badUsageExitsWith2() {
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

void ReviewerCommandsTest::loginRefusalsSayWhy_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrong password") << QStringLiteral("wrong-password") << QStringLiteral("wrong e-mail or password");
    QTest::newRow("unverified e-mail") << QStringLiteral("unverified") << QStringLiteral("is not verified");
    QTest::newRow("no role") << QStringLiteral("no-role") << QStringLiteral("is not a reviewer");
}

void ReviewerCommandsTest::loginRefusalsSayWhy() {
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

void ReviewerCommandsTest::passwordIsNeverAnArgument() {
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

void ReviewerCommandsTest::whoamiShowsEachReviewer() {
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

void ReviewerCommandsTest::eachRoleDoesWhatItMay() {
    REQUIRE_BACKENDS();
    // --- the plain reviewer -------------------------------------------------------------------------------------
    QVERIFY(login(m_reviewer).exitCode == 0);
    Run r = cli(onProject({QStringLiteral("resolve"), pasted(m_warnCase.caseRef, 0), QStringLiteral("--outcome"),
                           QStringLiteral("confirmed"), QStringLiteral("--notes"), QStringLiteral("seen it"),
                           QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("resolved"));
    QCOMPARE(o.value(QStringLiteral("case_ref")).toString(), m_warnCase.caseRef);
    QJsonObject audit = o.value(QStringLiteral("audit")).toObject();
    QCOMPARE(audit.value(QStringLiteral("reviewer")).toString(), m_reviewer.email);
    QCOMPARE(audit.value(QStringLiteral("reviewer_uid")).toString(), m_reviewer.uid);
    QCOMPARE(audit.value(QStringLiteral("role")).toString(), QStringLiteral("reviewer"));
    QVERIFY(audit.value(QStringLiteral("sequence")).toInteger() >= 1);
    const qint64 firstSequence = audit.value(QStringLiteral("sequence")).toInteger();
    ++m_expectedRecords;
    {
        const auto e = caseNow(m_warnCase);
        VERIFY_OK(e);
        QVERIFY(e->resolved);
        QCOMPARE(e->resolvedBy, m_reviewer.email);
    }

    // The same resolve again: nothing applied twice, the earlier record reported.
    r = cli(onProject({QStringLiteral("resolve"), pasted(m_warnCase.caseRef, 1), QStringLiteral("--outcome"),
                       QStringLiteral("confirmed"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("already_applied"));
    QCOMPARE(r.json().value(QStringLiteral("audit")).toObject().value(QStringLiteral("sequence")).toInteger(),
             firstSequence);

    // A plain reviewer may not restrict: refused by the core, with the reason, and nothing written.
    r = cli(onProject({QStringLiteral("override"), m_throttleUser.uid, QStringLiteral("--stage"),
                       QStringLiteral("restrict"), QStringLiteral("--reason"), QStringLiteral("keeps going")}));
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    QVERIFY2(r.err.contains(QLatin1String("refused")) && r.err.contains(QLatin1String("senior_reviewer")),
             qPrintable(r.describe()));
    QCOMPARE(stageOf(m_throttleUser.uid), QStringLiteral("throttle"));
    // Nor lift a restriction through a false-positive resolution.
    r = cli(onProject({QStringLiteral("resolve"), m_restrictCase.caseRef, QStringLiteral("--outcome"),
                       QStringLiteral("false_positive"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("refused"));
    QVERIFY(!caseNow(m_restrictCase)->resolved);
    // A case someone else resolved is a conflict; an unknown reference is not found.
    r = cli(onProject(
        {QStringLiteral("resolve"), m_doneCase.caseRef, QStringLiteral("--outcome"), QStringLiteral("confirmed")}));
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("conflict")) &&
                 r.err.contains(QLatin1String("someone-else@example.com")),
             qPrintable(r.describe()));
    r = cli(onProject(
        {QStringLiteral("resolve"), randomCaseRef(), QStringLiteral("--outcome"), QStringLiteral("confirmed")}));
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("not_found")), qPrintable(r.describe()));

    // --- the senior reviewer ------------------------------------------------------------------------------------
    QVERIFY(login(m_senior).exitCode == 0);
    QStringList overrideArgs{QStringLiteral("override"), m_throttleUser.uid,         QStringLiteral("--stage"),
                             QStringLiteral("restrict"), QStringLiteral("--reason"), QStringLiteral("keeps going"),
                             QStringLiteral("--json")};
    const quint16 redisPort = backends::redisPort();
    REQUIRE_REDIS(redisPort);
    RedisConfig config;
    config.port = redisPort;
    RedisClient redis(config);
    RedisUsageStore usage(&redis);
    VERIFY_OK(awaitResult(usage.writeStageCache(m_throttleUser.uid, Stage::Throttle), 20000));
    overrideArgs += {QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1").arg(redisPort)};
    r = cli(onProject(overrideArgs));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    o = r.json();
    QCOMPARE(o.value(QStringLiteral("stage_before")).toString(), QStringLiteral("throttle"));
    QCOMPARE(o.value(QStringLiteral("stage_after")).toString(), QStringLiteral("restrict"));
    audit = o.value(QStringLiteral("audit")).toObject();
    QCOMPARE(audit.value(QStringLiteral("reviewer")).toString(), m_senior.email);
    QCOMPARE(audit.value(QStringLiteral("role")).toString(), QStringLiteral("senior_reviewer"));
    QCOMPARE(audit.value(QStringLiteral("action")).toString(), QStringLiteral("override_stage"));
    QCOMPARE(audit.value(QStringLiteral("reason")).toString(), QStringLiteral("keeps going"));
    ++m_expectedRecords;
    QCOMPARE(stageOf(m_throttleUser.uid), QStringLiteral("restrict"));
    QCOMPARE(o.value(QStringLiteral("stage_cache")).toString(), QStringLiteral("dropped"));
    const auto cached = awaitResult(usage.readStageCache(m_throttleUser.uid), 20000);
    VERIFY_OK(cached);
    QVERIFY(cached->isEmpty());
    // An unreachable Redis: the override is applied and the output says the cache could not be dropped.
    r = cli(onProject({QStringLiteral("override"), m_throttleUser.uid, QStringLiteral("--stage"),
                       QStringLiteral("throttle"), QStringLiteral("--reason"), QStringLiteral("one step back"),
                       QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1").arg(backends::closedPort())}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("could NOT delete"), qPrintable(r.describe()));
    ++m_expectedRecords;

    // The senior may lift the restriction by a false-positive resolution: restrict -> throttle.
    r = cli(onProject({QStringLiteral("resolve"), pasted(m_restrictCase.caseRef, 2), QStringLiteral("--outcome"),
                       QStringLiteral("false_positive"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    o = r.json();
    QCOMPARE(o.value(QStringLiteral("stage_before")).toString(), QStringLiteral("restrict"));
    QCOMPARE(o.value(QStringLiteral("stage_after")).toString(), QStringLiteral("throttle"));
    QCOMPARE(o.value(QStringLiteral("audit")).toObject().value(QStringLiteral("role")).toString(),
             QStringLiteral("senior_reviewer"));
    QVERIFY(o.value(QStringLiteral("stage_cache")).isNull()); // no --redis: not asked
    ++m_expectedRecords;
    QCOMPARE(stageOf(m_restrictCase.uid), QStringLiteral("throttle"));
}

void ReviewerCommandsTest::bulkResolvePastedReferencesIdempotently() {
    REQUIRE_BACKENDS();
    QVERIFY(login(m_reviewer).exitCode == 0);
    QByteArray file = "# cases of the weekly sweep\n\n";
    for (int i = 0; i < m_bulkCases.size(); ++i) {
        file += pasted(m_bulkCases.at(i).caseRef, i).toUtf8() + "\n";
    }
    for (const SeededCase& c : std::as_const(m_twoCaseUser)) {
        file += pasted(c.caseRef, 0).toUtf8() + "   # the user with two cases\n";
    }
    const QString unknown = randomCaseRef();
    file += "not-a-case\n" + unknown.toUtf8() + "\n" + pasted(m_bulkCases.first().caseRef, 1).toUtf8() + "\n";
    QTemporaryDir dir;
    QFile cases(dir.filePath(QStringLiteral("cases.txt")));
    QVERIFY(cases.open(QIODevice::WriteOnly));
    cases.write(file);
    cases.close();
    const QStringList args =
        onProject({QStringLiteral("bulk-resolve"), QStringLiteral("--cases"), cases.fileName(),
                   QStringLiteral("--outcome"), QStringLiteral("false_positive"), QStringLiteral("--notes"),
                   QStringLiteral("weekly sweep"), QStringLiteral("--json")});
    const int listed = static_cast<int>(m_bulkCases.size() + m_twoCaseUser.size()) + 3;

    QElapsedTimer clock;
    clock.start();
    Run r = cli(args);
    const qint64 firstMs = clock.elapsed();
    const QString firstSummary = r.err.trimmed().split(QLatin1Char('\n')).last();
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe())); // the invalid and unknown lines
    QList<QJsonObject> results = r.lines();
    QCOMPARE(results.size(), listed);
    QMap<QString, int> statuses;
    for (const QJsonObject& o : std::as_const(results)) {
        ++statuses[o.value(QStringLiteral("status")).toString()];
        if (o.value(QStringLiteral("status")).toString() == QLatin1String("resolved")) {
            const QJsonObject audit = o.value(QStringLiteral("audit")).toObject();
            QCOMPARE(audit.value(QStringLiteral("reviewer")).toString(), m_reviewer.email);
            QCOMPARE(audit.value(QStringLiteral("role")).toString(), QStringLiteral("reviewer"));
            QCOMPARE(audit.value(QStringLiteral("reason")).toString(), QStringLiteral("false_positive: weekly sweep"));
        }
    }
    const int resolvable = static_cast<int>(m_bulkCases.size() + m_twoCaseUser.size());
    if (statuses.value(QStringLiteral("resolved")) != resolvable) {
        for (const QJsonObject& o : std::as_const(results)) {
            if (o.value(QStringLiteral("status")).toString() != QLatin1String("resolved")) {
                qWarning("%s", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
            }
        }
        qWarning("%s", qPrintable(r.err));
    }
    QCOMPARE(statuses.value(QStringLiteral("resolved")), resolvable);
    QCOMPARE(statuses.value(QStringLiteral("invalid")), 1);
    QCOMPARE(statuses.value(QStringLiteral("not_found")), 1);
    QCOMPARE(statuses.value(QStringLiteral("duplicate")), 1);
    QCOMPARE(results.at(listed - 3).value(QStringLiteral("input")).toString(), QStringLiteral("not-a-case"));
    QCOMPARE(results.at(listed - 2).value(QStringLiteral("case_ref")).toString(), unknown);
    QVERIFY2(r.err.contains(QLatin1String("commit")), qPrintable(r.err)); // progress per commit
    m_expectedRecords += resolvable;
    for (const SeededCase& c : std::as_const(m_bulkCases)) {
        QCOMPARE(stageOf(c.uid), QStringLiteral("none")); // warning lowered one step
        QCOMPARE(caseNow(c)->resolvedBy, m_reviewer.email);
    }
    // Two cases of one user: the second built on the stage the first left (throttle -> warning -> none).
    QCOMPARE(stageOf(m_twoCaseUser.first().uid), QStringLiteral("none"));

    // The same file again: every case reported already applied, nothing written.
    const auto headBefore = fairuse::testing::wait(m_ownerStore->readAuditHead());
    VERIFY_OK(headBefore);
    clock.restart();
    r = cli(args);
    const qint64 rerunMs = clock.elapsed();
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    results = r.lines();
    QCOMPARE(results.size(), listed);
    statuses.clear();
    for (const QJsonObject& o : std::as_const(results)) {
        ++statuses[o.value(QStringLiteral("status")).toString()];
    }
    QCOMPARE(statuses.value(QStringLiteral("already_applied")), resolvable);
    QCOMPARE(statuses.value(QStringLiteral("resolved")), 0);
    const auto headAfter = fairuse::testing::wait(m_ownerStore->readAuditHead());
    VERIFY_OK(headAfter);
    QCOMPARE(headAfter->sequence, headBefore->sequence);
    qInfo("bulk-resolve of %d cases (%d listed lines) as a reviewer: %.1f s (%s); rerun, all already applied: %.1f s "
          "(%s)",
          resolvable, listed, static_cast<double>(firstMs) / 1000.0, qPrintable(firstSummary),
          static_cast<double>(rerunMs) / 1000.0, qPrintable(r.err.trimmed().split(QLatin1Char('\n')).last()));

    // Standard input works too, and a clean file exits 0.
    r = cli(onProject({QStringLiteral("bulk-resolve"), QStringLiteral("--cases"), QStringLiteral("-"),
                       QStringLiteral("--outcome"), QStringLiteral("false_positive"), QStringLiteral("--notes"),
                       QStringLiteral("weekly sweep")}),
            m_bulkCases.first().caseRef.toUtf8() + "\n");
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("already_applied"), qPrintable(r.describe()));
}

void ReviewerCommandsTest::auditRecordsNameTheVerifiedReviewer() {
    REQUIRE_BACKENDS();
    const auto records = fairuse::testing::wait(m_ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(records);
    QCOMPARE(records->size(), m_expectedRecords);
    for (const AuditRecord& a : *records) {
        const Account& who = a.reviewer == m_senior.email ? m_senior : m_reviewer;
        QCOMPARE(a.reviewer, who.email);
        QCOMPARE(a.reviewerUid, who.uid);
        QCOMPARE(toString(a.role), who.role);
        QVERIFY(a.clientVersion.startsWith(QLatin1String("fairuse-cli/")));
    }
    QVERIFY(verifyChain(*records).ok);
}

void ReviewerCommandsTest::auditVerifyFindsATamperedRecord() {
    REQUIRE_BACKENDS();
    Run r = cli(onProject({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(r.json().value(QStringLiteral("records")).toInt(), m_expectedRecords);

    // The owner (server credentials bypass the rules) rewrites the reason of record #2.
    VERIFY_OK(fairuse::testing::wait(m_owner->patch(FirestoreCaseStore::auditPath(2),
                                                    {{QStringLiteral("reason"), V::string(QStringLiteral("nothing"))}},
                                                    {QStringLiteral("reason")})));
    r = cli(onProject({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")}));
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    const QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("ok")).toBool(), false);
    QCOMPARE(o.value(QStringLiteral("broken")).toObject().value(QStringLiteral("sequence")).toInteger(), 2);
    QVERIFY2(r.err.contains(QLatin1String("BROKEN at record #2")), qPrintable(r.err));
    r = cli(onProject({QStringLiteral("audit"), QStringLiteral("verify")}));
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("record #2")), qPrintable(r.describe()));
}

void ReviewerCommandsTest::reviewersGrantListRevoke() {
    REQUIRE_BACKENDS();
    const Account newcomer = makeAccount(QStringLiteral("newcomer"), QString(), true);
    QVERIFY(!newcomer.uid.isEmpty());
    Run r = cli(onProject(
        {QStringLiteral("reviewers"), QStringLiteral("grant"), newcomer.email, QStringLiteral("senior_reviewer")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.err.contains(QLatin1String("sign in again")), qPrintable(r.describe()));

    const auto listed = [this](const QString& email) -> QJsonObject {
        const Run l = cli(onProject({QStringLiteral("reviewers"), QStringLiteral("list"), QStringLiteral("--json")}));
        if (l.exitCode != 0) {
            qWarning("%s", qPrintable(l.describe()));
            return QJsonObject{{QStringLiteral("error"), true}};
        }
        for (const QJsonValue& v : QJsonDocument::fromJson(l.out).array()) {
            if (v.toObject().value(QStringLiteral("email")).toString() == email) {
                return v.toObject();
            }
        }
        return {};
    };
    QJsonObject entry = listed(newcomer.email);
    QCOMPARE(entry.value(QStringLiteral("role")).toString(), QStringLiteral("senior_reviewer"));
    QCOMPARE(entry.value(QStringLiteral("uid")).toString(), newcomer.uid);
    QCOMPARE(entry.value(QStringLiteral("email_verified")).toBool(), true);
    QVERIFY(!listed(m_senior.email).isEmpty());

    // The newcomer signs in and acts with the granted role.
    QVERIFY(login(newcomer).exitCode == 0);
    r = cli({QStringLiteral("whoami"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("role")).toString(), QStringLiteral("senior_reviewer"));

    // Revoked: the next command refreshes the token and finds no role.
    r = cli(onProject({QStringLiteral("reviewers"), QStringLiteral("revoke"), newcomer.email}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(listed(newcomer.email).isEmpty());
    r = cli({QStringLiteral("whoami")});
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("is not a reviewer")), qPrintable(r.describe()));

    r = cli(onProject({QStringLiteral("reviewers"), QStringLiteral("grant"),
                       QStringLiteral("nobody-%1@example.com").arg(QCoreApplication::applicationPid()),
                       QStringLiteral("reviewer")}));
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("has no account")), qPrintable(r.describe()));
}

void ReviewerCommandsTest::logoutMeansNotSignedIn() {
    REQUIRE_BACKENDS();
    QVERIFY(login(m_reviewer).exitCode == 0);
    Run r = cli({QStringLiteral("logout")});
    QVERIFY2(r.exitCode == 0 && r.out.contains("signed out of"), qPrintable(r.describe()));
    const QString expected = QStringLiteral("not signed in to %1; run fairuse login --firestore %1").arg(m_project);
    for (const QStringList& args :
         {QStringList{QStringLiteral("whoami")},
          QStringList{QStringLiteral("resolve"), m_doneCase.caseRef, QStringLiteral("--outcome"),
                      QStringLiteral("confirmed")},
          QStringList{QStringLiteral("override"), m_throttleUser.uid, QStringLiteral("--stage"),
                      QStringLiteral("warning"), QStringLiteral("--reason"), QStringLiteral("x")},
          QStringList{QStringLiteral("audit"), QStringLiteral("verify")}}) {
        r = cli(onProject(args));
        QVERIFY2(r.exitCode == 1 && r.err.contains(expected), qPrintable(r.describe()));
    }
    // Logged out, the last project is forgotten as well.
    r = cli({QStringLiteral("whoami")});
    QVERIFY2(r.exitCode == 1 && r.err.contains(QLatin1String("not signed in")), qPrintable(r.describe()));
}

void ReviewerCommandsTest::passwordsNeverAppearInOutput() {
    REQUIRE_BACKENDS();
    QVERIFY2(m_cli.leaks.isEmpty(), qPrintable(m_cli.leaks.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(ReviewerCommandsTest)
#include "ReviewerCommandsTest.moc"
