// `fairuse queue` end to end: the CLI binary (FAIRUSE_CLI) through QProcess against the Firestore emulator with the
// shipped security rules loaded, reading as a reviewer signed in with `fairuse login` through the real Firebase Auth
// emulator (project demo-fairuse), the sign-in kept in the test session's keychain (scripts/with-test-session) under
// a keychain service of this test, the settings in a temporary XDG_CONFIG_HOME. Only the seeding uses the emulator's
// owner access, as the backend's server credentials would.
#include "CliHarness.h"
#include "RequireBackend.h"
#include "RulesSupport.h"

#include "firestore/FirestoreCaseStore.h"
#include "firestore/UserDocument.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::AuthEmulator;
using fairuse::testing::cli::Account;
using fairuse::testing::cli::Run;
namespace backends = fairuse::testing::backends;

namespace {

TimePoint minute(int m) {
    return parseRfc3339(QStringLiteral("2026-03-20T00:00:00Z")).value() + std::chrono::minutes{m};
}

} // namespace

class FirestoreQueueCliTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void notSignedInExitsWith1();
    void printsTheQueueInOrderAsJson();
    void pagesPastOnePage();
    void badUsageExitsWith2_data();
    void badUsageExitsWith2();
    void unreachableFirestoreExitsWith1();
    void emulatorVariableNeverReplacesARealProject();
    void accountWithoutRoleIsRefused();

private:
    /** `fairuse queue ARGS` with the emulators, this test's keychain service and settings. */
    Run queue(const QStringList& args) { return m_cli.run(QStringList{QStringLiteral("queue")} + args); }
    /** `fairuse queue --firestore PROJECT ARGS`: the Auth project and API key are what the login remembered. */
    Run queueOnProject(const QStringList& args) {
        return queue(QStringList{QStringLiteral("--firestore"), m_project} + args);
    }
    /** `fairuse login --firestore PROJECT --auth-project demo-fairuse --email E --password-stdin`. */
    Run login(const Account& r) {
        return m_cli.run({QStringLiteral("login"), QStringLiteral("--firestore"), m_project,
                          QStringLiteral("--auth-project"), fairuse::testing::kAuthProject, QStringLiteral("--api-key"),
                          fairuse::testing::kAuthApiKey, QStringLiteral("--email"), r.email,
                          QStringLiteral("--password-stdin")},
                         r.password.toUtf8() + "\n");
    }
    /** A password account with a verified e-mail and the role claim `role` (AuthEmulator::passwordReviewer). */
    Result<Account> makeReviewer(const QString& name, const QString& role) {
        Account r;
        r.email = AuthEmulator::uniqueEmail(name);
        r.password = QStringLiteral("pw-%1-%2").arg(name).arg(QCoreApplication::applicationPid());
        m_cli.passwords.append(r.password);
        const auto tokens = m_auth.passwordReviewer(r.email, r.password, role);
        if (!tokens) {
            return tokens.error();
        }
        r.uid = tokens->claims.uid;
        r.role = role;
        return r;
    }

    QString m_host;
    QString m_project;
    QList<FairUseState> m_states;
    QHash<QString, QString> m_plans; ///< uid -> the plan in force, from the user document's subscription
    QTemporaryDir m_config;
    fairuse::testing::cli::CliRunner m_cli;
    AuthEmulator m_auth{QString()};
    Account m_reviewer;
};

void FirestoreQueueCliTest::initTestCase() {
    QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_CLI")), "FAIRUSE_CLI does not name the built fairuse");
    m_host = testing::emulatorHost();
    REQUIRE_FIRESTORE_EMULATOR(m_host);
    REQUIRE_AUTH_EMULATOR();
    REQUIRE_KEYCHAIN();
    QVERIFY(m_config.isValid());
    m_cli.exe = qEnvironmentVariable("FAIRUSE_CLI");
    m_cli.firestoreHost = m_host;
    m_cli.authHost = backends::authEmulatorHost();
    m_cli.configDir = m_config.path();
    m_cli.keychainService = QStringLiteral("fairuse-queuetest-%1").arg(QCoreApplication::applicationPid());
    m_auth = AuthEmulator(m_cli.authHost);

    // A demo- project: the CLI uses FIRESTORE_EMULATOR_HOST only for those (or with --emulator). The shipped rules
    // decide what the reviewer may read.
    m_project = QStringLiteral("demo-") + testing::freshProject(QStringLiteral("cli"));
    QVERIFY(testing::loadShippedRules(m_host, m_project));
    const auto reviewer = makeReviewer(QStringLiteral("queue-reviewer"), QStringLiteral("reviewer"));
    QVERIFY2(reviewer.ok(), qPrintable(reviewer.ok() ? QString() : reviewer.error().message));
    m_reviewer = *reviewer;

    // Seeded with the emulator's owner access, as the backend's server credentials write.
    FirestoreClient client(testing::emulatorConfig(m_project, m_host), StaticToken::emulatorOwner());
    // 305 flagged users (more than one 300-row page) and a few unflagged ones.
    QList<FirestoreWrite> writes;
    const Stage stages[] = {Stage::Warning, Stage::Throttle, Stage::Restrict, Stage::None};
    for (int i = 0; i < 310; ++i) {
        FairUseState s;
        s.uid = QStringLiteral("user%1").arg(i, 3, 10, QLatin1Char('0'));
        s.stage = i < 305 ? stages[i % 3] : Stage::None;
        s.updatedAt = minute((i * 37) % 311); // scrambled, all distinct
        s.lastClassifierScore = 0.5 + (i % 50) / 100.0;
        s.lastClassifierType = UsageType::Audiobook;
        s.lastCaseRef = QStringLiteral("FU-%1").arg(i, 12, 16, QLatin1Char('0')).toUpper();
        writes.append(FirestoreWrite::set(FirestoreCaseStore::statePath(s.uid), encodeState(s)));
        // The plan is the user document's: none, unlimited in its period, unlimited whose period ended, legacy free.
        const std::optional<Subscription> subscriptions[] = {
            std::nullopt,
            Subscription{QStringLiteral("unlimited"), QStringLiteral("active"), minute(0) + std::chrono::days(3650)},
            Subscription{QStringLiteral("unlimited"), QStringLiteral("canceled"), minute(0) - std::chrono::days(30)},
            Subscription{QStringLiteral("free"), QStringLiteral("active"), std::nullopt}};
        if (const auto& sub = subscriptions[i % 4]) {
            writes.append(FirestoreWrite::set(userDocumentPath(s.uid),
                                              {{QStringLiteral("subscription"), encodeSubscription(*sub)}}));
        }
        m_plans.insert(s.uid, i % 4 == 1 ? QStringLiteral("unlimited") : QStringLiteral("basic"));
        if (s.stage != Stage::None) {
            m_states.append(s);
        }
    }
    writes.append(FirestoreWrite::set(QStringLiteral("fair_use_exemptions/user001"),
                                      {{QStringLiteral("exempt"), FirestoreValue::boolean(true)}}));
    auto r = awaitResult(client.commitInBatches(writes), 120000);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
    std::sort(m_states.begin(), m_states.end(),
              [](const FairUseState& a, const FairUseState& b) { return *a.updatedAt > *b.updatedAt; });
}

void FirestoreQueueCliTest::cleanupTestCase() {
    if (!m_cli.exe.isEmpty() && !m_cli.keychainService.isEmpty()) {
        m_cli.run({QStringLiteral("logout")}); // the refresh token out of the session's keychain
    }
}

void FirestoreQueueCliTest::notSignedInExitsWith1() {
    // No login yet: nothing is read, under any credential.
    const Run run = queue({QStringLiteral("--firestore"), m_project, QStringLiteral("--auth-project"),
                           fairuse::testing::kAuthProject, QStringLiteral("--api-key"), fairuse::testing::kAuthApiKey,
                           QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 1, qPrintable(run.describe()));
    QVERIFY2(run.err.contains(QStringLiteral("not signed in to %1; run fairuse login --firestore %1").arg(m_project)),
             qPrintable(run.describe()));
    QVERIFY(run.out.isEmpty());
    // Nor without a project: there is no earlier login to take it from.
    const Run noProject = queue({QStringLiteral("--json")});
    QVERIFY2(noProject.exitCode == 1 && noProject.err.contains(QLatin1String("not signed in")),
             qPrintable(noProject.describe()));
    QVERIFY(noProject.out.isEmpty());
}

void FirestoreQueueCliTest::printsTheQueueInOrderAsJson() {
    const Run in = login(m_reviewer);
    QVERIFY2(in.exitCode == 0, qPrintable(in.describe()));
    const Run run = queue({QStringLiteral("--firestore"), m_project, QStringLiteral("--limit"), QStringLiteral("5"),
                           QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray rows = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(rows.size(), 5);
    for (int i = 0; i < 5; ++i) {
        const QJsonObject row = rows.at(i).toObject();
        const FairUseState& expected = m_states.at(i);
        QCOMPARE(row.value(QStringLiteral("uid")).toString(), expected.uid);
        QCOMPARE(row.value(QStringLiteral("stage")).toString(), toString(expected.stage));
        QCOMPARE(row.value(QStringLiteral("plan")).toString(), m_plans.value(expected.uid));
        QCOMPARE(row.value(QStringLiteral("updated_at")).toString(), formatRfc3339(*expected.updatedAt));
        QCOMPARE(row.value(QStringLiteral("last_classifier_score")).toDouble(), *expected.lastClassifierScore);
        QCOMPARE(row.value(QStringLiteral("last_classifier_type")).toString(), QStringLiteral("audiobook"));
        QCOMPARE(row.value(QStringLiteral("last_case_ref")).toString(), expected.lastCaseRef);
    }

    const Run restricted =
        queue({QStringLiteral("--firestore"), m_project, QStringLiteral("--stage"), QStringLiteral("restrict"),
               QStringLiteral("--limit"), QStringLiteral("1000"), QStringLiteral("--json")});
    QCOMPARE(restricted.exitCode, 0);
    const QJsonArray r = QJsonDocument::fromJson(restricted.out).array();
    const auto expectedRestricted = std::count_if(m_states.begin(), m_states.end(),
                                                  [](const FairUseState& s) { return s.stage == Stage::Restrict; });
    QCOMPARE(r.size(), expectedRestricted);
    QSet<QString> plans;
    for (const auto& v : r) {
        QCOMPARE(v.toObject().value(QStringLiteral("stage")).toString(), QStringLiteral("restrict"));
        const QString uid = v.toObject().value(QStringLiteral("uid")).toString();
        QCOMPARE(v.toObject().value(QStringLiteral("plan")).toString(), m_plans.value(uid));
        plans.insert(v.toObject().value(QStringLiteral("plan")).toString());
    }
    QCOMPARE(plans, (QSet<QString>{QStringLiteral("basic"), QStringLiteral("unlimited")}));

    // The table form names the exemption.
    const Run table =
        queue({QStringLiteral("--firestore"), m_project, QStringLiteral("--limit"), QStringLiteral("400")});
    QCOMPARE(table.exitCode, 0);
    QVERIFY(QString::fromUtf8(table.out).contains(QStringLiteral("user001")));
    QVERIFY(QString::fromUtf8(table.out).contains(QStringLiteral("(exempt)")));
}

void FirestoreQueueCliTest::pagesPastOnePage() {
    QVERIFY(login(m_reviewer).exitCode == 0);
    const Run run = queue({QStringLiteral("--firestore"), m_project, QStringLiteral("--limit"), QStringLiteral("303"),
                           QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray rows = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(rows.size(), 303);
    QSet<QString> seen;
    for (int i = 0; i < rows.size(); ++i) {
        const QString uid = rows.at(i).toObject().value(QStringLiteral("uid")).toString();
        QCOMPARE(uid, m_states.at(i).uid);
        seen.insert(uid);
    }
    QCOMPARE(seen.size(), 303);
    // Asking for more than exist returns all flagged users, once each.
    const Run all = queue({QStringLiteral("--firestore"), m_project, QStringLiteral("--limit"), QStringLiteral("10000"),
                           QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(all.out).array().size(), m_states.size());
}

void FirestoreQueueCliTest::badUsageExitsWith2_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("project without value") << QStringList{QStringLiteral("--firestore")} << "Missing value";
    QTest::newRow("stage none") << QStringList{QStringLiteral("--firestore"), QStringLiteral("p"),
                                               QStringLiteral("--stage"), QStringLiteral("none")}
                                << "--stage must be";
    QTest::newRow("stage junk") << QStringList{QStringLiteral("--firestore"), QStringLiteral("p"),
                                               QStringLiteral("--stage"), QStringLiteral("banned")}
                                << "\"banned\"";
    QTest::newRow("limit zero") << QStringList{QStringLiteral("--firestore"), QStringLiteral("p"),
                                               QStringLiteral("--limit"), QStringLiteral("0")}
                                << "--limit must be";
    QTest::newRow("limit text") << QStringList{QStringLiteral("--firestore"), QStringLiteral("p"),
                                               QStringLiteral("--limit"), QStringLiteral("ten")}
                                << "--limit must be";
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--firestore"), QStringLiteral("p"),
                                                   QStringLiteral("--colour")}
                                    << "Unknown option";
    // The command has no server credentials: it reads as the signed-in reviewer only.
    QTest::newRow("token command") << QStringList{QStringLiteral("--firestore"), QStringLiteral("demo-p"),
                                                  QStringLiteral("--token-command"), QStringLiteral("gcloud")}
                                   << "Unknown option 'token-command'";
    QTest::newRow("positional argument") << QStringList{QStringLiteral("--firestore"), QStringLiteral("demo-p"),
                                                        QStringLiteral("restrict")}
                                         << "unexpected argument";
}

void FirestoreQueueCliTest::badUsageExitsWith2() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Run run = queue(args);
    QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

void FirestoreQueueCliTest::unreachableFirestoreExitsWith1() {
    QVERIFY(login(m_reviewer).exitCode == 0);
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QString host = QStringLiteral("127.0.0.1:%1").arg(port);
    m_cli.firestoreHost = host;
    const Run run = queue({QStringLiteral("--firestore"), QStringLiteral("demo-p"), QStringLiteral("--auth-project"),
                           fairuse::testing::kAuthProject, QStringLiteral("--api-key"), fairuse::testing::kAuthApiKey,
                           QStringLiteral("--json")});
    m_cli.firestoreHost = m_host;
    QVERIFY2(run.exitCode == 1, qPrintable(run.describe()));
    QVERIFY2(run.err.contains(QStringLiteral("cannot reach Firestore at %1").arg(host)), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

void FirestoreQueueCliTest::emulatorVariableNeverReplacesARealProject() {
    QVERIFY(login(m_reviewer).exitCode == 0);
    // The same data under a project id without demo-: with the variable set and no --emulator, refused before any
    // request, naming the variable and the project.
    const QString real = testing::freshProject(QStringLiteral("real"));
    const Run refused = queue({QStringLiteral("--firestore"), real, QStringLiteral("--json")});
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QStringLiteral("FIRESTORE_EMULATOR_HOST is set (to %1)").arg(m_host)),
             qPrintable(refused.err));
    QVERIFY2(refused.err.contains(QStringLiteral("project \"%1\" is not a demo- project").arg(real)),
             qPrintable(refused.err));
    QVERIFY(refused.out.isEmpty());

    // --emulator says the project is the emulator's: it is used, as the signed-in reviewer, under the shipped rules.
    const QString named = m_project.mid(5);
    QVERIFY(testing::loadShippedRules(m_host, named));
    const Run explicitEmulator =
        queue({QStringLiteral("--firestore"), named, QStringLiteral("--emulator"), QStringLiteral("--auth-project"),
               fairuse::testing::kAuthProject, QStringLiteral("--api-key"), fairuse::testing::kAuthApiKey,
               QStringLiteral("--json")});
    QVERIFY2(explicitEmulator.exitCode == 0, qPrintable(explicitEmulator.describe()));
    QVERIFY(QJsonDocument::fromJson(explicitEmulator.out).isArray());

    // --emulator without the variable: there is no emulator to use.
    m_cli.firestoreHost.clear();
    const Run noHost = queueOnProject({QStringLiteral("--emulator")});
    m_cli.firestoreHost = m_host;
    QCOMPARE(noHost.exitCode, 2);
    QVERIFY2(noHost.err.contains(QLatin1String("--emulator needs FIRESTORE_EMULATOR_HOST")), qPrintable(noHost.err));
}

void FirestoreQueueCliTest::accountWithoutRoleIsRefused() {
    // A reviewer signs in, then an admin takes the role away: the next queue refreshes the token, finds no role
    // claim and reads nothing.
    const auto former = makeReviewer(QStringLiteral("queue-former"), QStringLiteral("reviewer"));
    QVERIFY2(former.ok(), qPrintable(former.ok() ? QString() : former.error().message));
    const Run in = login(*former);
    QVERIFY2(in.exitCode == 0, qPrintable(in.describe()));
    QVERIFY2(queueOnProject({QStringLiteral("--limit"), QStringLiteral("1"), QStringLiteral("--json")}).exitCode == 0,
             "the reviewer reads the queue while the role holds");
    const Status revoked = m_auth.updateUser(former->uid, std::nullopt, QJsonObject());
    QVERIFY2(revoked.ok(), qPrintable(revoked.ok() ? QString() : revoked.error().message));
    const Run run = queueOnProject({QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 1, qPrintable(run.describe()));
    QVERIFY2(run.err.contains(QStringLiteral("%1 is not a reviewer").arg(former->email)), qPrintable(run.describe()));
    QVERIFY(run.out.isEmpty());

    // No password was ever an argument or in the output.
    QVERIFY2(m_cli.leaks.isEmpty(), qPrintable(m_cli.leaks.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(FirestoreQueueCliTest)
#include "FirestoreQueueCliTest.moc"
