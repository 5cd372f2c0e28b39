#pragma once
// The base of the reviewer command tests: the built `fairuse` (FAIRUSE_EXE) run through QProcess against the Firestore
// emulator with the shipped security rules loaded into a fresh demo- project, reviewers created and signed in through
// the real Firebase Auth emulator (project demo-fairuse, so the CLI runs with --auth-project demo-fairuse), the
// sign-in kept in the test session's keychain (scripts/with-test-session) under a keychain service of this test, and
// the settings in a temporary XDG_CONFIG_HOME. Before the first test function: a reviewer, a senior reviewer and the
// cases they work on; after the last, no password showed up in any argument or output.

#include "CliHarness.h"
#include "RequireBackend.h"

#include "firestore/FirestoreCaseStore.h"

#include <QTemporaryDir>
#include <QTest>

namespace fairuse::testing::cli {

using V = services::FirestoreValue;

/** Users of the bulk run with one open case each, at warning. */
inline constexpr int kBulkUsers = 40;
/** Of them, users 0, 7, 14, 21 and 28 are escalated or snoozed. */
inline constexpr int kCaseworkBulkUsers = 5;

#define REQUIRE_BACKENDS()                                                                                             \
    REQUIRE_BACKEND(QStringLiteral("the Firestore and Auth emulators and a keychain"), m_ready, m_missing)

class ReviewerCommandsTestBase : public QObject {
    Q_OBJECT

protected:
    Run cli(const QStringList& args, const QByteArray& input = {}) { return m_cli.run(args, input); }
    Run login(const Account& account) {
        return cli({QStringLiteral("login"), QStringLiteral("--firestore"), m_project, QStringLiteral("--auth-project"),
                    fairuse::testing::kAuthProject, QStringLiteral("--api-key"), fairuse::testing::kAuthApiKey,
                    QStringLiteral("--email"), account.email, QStringLiteral("--password-stdin")},
                   account.password.toUtf8() + "\n");
    }
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
    std::shared_ptr<services::FirestoreClient> m_owner;
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

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_config.isValid());
        QVERIFY2(m_cli.prepare(m_config.path(), QStringLiteral("fairuse-clitest")), "FAIRUSE_EXE is not set");
        if (m_cli.firestoreHost.isEmpty()) {
            m_missing = QStringLiteral("no Firestore emulator (the firestore_emulator fixture starts it)");
            return;
        }
        if (m_cli.authHost.isEmpty()) {
            m_missing =
                QStringLiteral("no Firebase Auth emulator (firebase-tools in tools/firebase, from scripts/setup)");
            return;
        }
        if (qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS").isEmpty()) {
            m_missing = QStringLiteral("no D-Bus session for the keychain: run under scripts/with-test-session");
            return;
        }
        m_auth = AuthEmulator(m_cli.authHost);
        // A demo- project: the CLI accepts FIRESTORE_EMULATOR_HOST for it without --emulator.
        m_project = QStringLiteral("demo-") + backends::freshProject(QStringLiteral("cli"));
        QVERIFY(loadShippedRules(m_cli.firestoreHost, m_project));
        m_owner = std::make_shared<services::FirestoreClient>(emulatorConfig(m_project, m_cli.firestoreHost),
                                                              services::StaticToken::emulatorOwner());
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
        // Escalated and snoozed cases: a decision from the command line ends them in its own commit.
        VERIFY_OK(m_seed->seedCasework(m_warnCase, false));
        VERIFY_OK(m_seed->seedCasework(m_throttleUser, true));
        for (int i = 0; i < kCaseworkBulkUsers; ++i) {
            VERIFY_OK(m_seed->seedCasework(m_bulkCases.at(i * 7), i % 2 == 0));
        }
        VERIFY_OK(m_seed->seedCasework(m_twoCaseUser.first(), false));
        m_ready = true;
    }

    void cleanupTestCase() { QVERIFY2(m_cli.leaks.isEmpty(), qPrintable(m_cli.leaks.join(QLatin1Char('\n')))); }
};

} // namespace fairuse::testing::cli
