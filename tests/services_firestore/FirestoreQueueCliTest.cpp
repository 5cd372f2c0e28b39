// `fairuse queue` end to end: the CLI binary (FAIRUSE_CLI) against the emulator, through QProcess.
#include "EmulatorSupport.h"

#include "firestore/FirestoreCaseStore.h"

#include <QJsonArray>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

/** Runs `fairuse queue ARGS` with FIRESTORE_EMULATOR_HOST=emulatorHost (unset when empty). */
Run runCli(const QStringList& args, const QString& emulatorHost) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (emulatorHost.isEmpty()) {
        env.remove(QStringLiteral("FIRESTORE_EMULATOR_HOST"));
    } else {
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), emulatorHost);
    }
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("FAIRUSE_CLI"), QStringList{QStringLiteral("queue")} + args);
    if (!p.waitForFinished(180000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            QString::fromUtf8(p.readAllStandardError())};
}

TimePoint minute(int m) {
    return parseRfc3339(QStringLiteral("2026-03-20T00:00:00Z")).value() + std::chrono::minutes{m};
}

} // namespace

class FirestoreQueueCliTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void printsTheQueueInOrderAsJson();
    void pagesPastOnePage();
    void badUsageExitsWith2_data();
    void badUsageExitsWith2();
    void unreachableFirestoreExitsWith5();
    void emulatorVariableNeverReplacesARealProject();

private:
    QString m_host;
    QString m_project;
    QList<FairUseState> m_states;
};

void FirestoreQueueCliTest::initTestCase() {
    if (qEnvironmentVariable("FAIRUSE_CLI").isEmpty()) {
        QSKIP("FAIRUSE_CLI is not set (the fairuse executable is not part of this build)");
    }
    m_host = testing::emulatorHost();
    if (m_host.isEmpty()) {
        QSKIP("Firestore emulator not available: install the Google Cloud SDK cloud-firestore-emulator component");
    }
    // A demo- project: the CLI uses FIRESTORE_EMULATOR_HOST only for those (or with --emulator).
    m_project = QStringLiteral("demo-") + testing::freshProject(QStringLiteral("cli"));
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

void FirestoreQueueCliTest::printsTheQueueInOrderAsJson() {
    const Run run = runCli({QStringLiteral("--firestore"), m_project, QStringLiteral("--limit"), QStringLiteral("5"),
                            QStringLiteral("--json")},
                           m_host);
    QCOMPARE(run.exitCode, 0);
    const QJsonArray rows = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(rows.size(), 5);
    for (int i = 0; i < 5; ++i) {
        const QJsonObject row = rows.at(i).toObject();
        const FairUseState& expected = m_states.at(i);
        QCOMPARE(row.value(QStringLiteral("uid")).toString(), expected.uid);
        QCOMPARE(row.value(QStringLiteral("stage")).toString(), toString(expected.stage));
        QCOMPARE(row.value(QStringLiteral("updated_at")).toString(), formatRfc3339(*expected.updatedAt));
        QCOMPARE(row.value(QStringLiteral("last_classifier_score")).toDouble(), *expected.lastClassifierScore);
        QCOMPARE(row.value(QStringLiteral("last_classifier_type")).toString(), QStringLiteral("audiobook"));
        QCOMPARE(row.value(QStringLiteral("last_case_ref")).toString(), expected.lastCaseRef);
    }

    const Run restricted =
        runCli({QStringLiteral("--firestore"), m_project, QStringLiteral("--stage"), QStringLiteral("restrict"),
                QStringLiteral("--limit"), QStringLiteral("1000"), QStringLiteral("--json")},
               m_host);
    QCOMPARE(restricted.exitCode, 0);
    const QJsonArray r = QJsonDocument::fromJson(restricted.out).array();
    const auto expectedRestricted = std::count_if(m_states.begin(), m_states.end(),
                                                  [](const FairUseState& s) { return s.stage == Stage::Restrict; });
    QCOMPARE(r.size(), expectedRestricted);
    for (const auto& v : r) {
        QCOMPARE(v.toObject().value(QStringLiteral("stage")).toString(), QStringLiteral("restrict"));
    }

    // The table form names the exemption.
    const Run table =
        runCli({QStringLiteral("--firestore"), m_project, QStringLiteral("--limit"), QStringLiteral("400")}, m_host);
    QCOMPARE(table.exitCode, 0);
    QVERIFY(QString::fromUtf8(table.out).contains(QStringLiteral("user001")));
    QVERIFY(QString::fromUtf8(table.out).contains(QStringLiteral("(exempt)")));
}

void FirestoreQueueCliTest::pagesPastOnePage() {
    const Run run = runCli({QStringLiteral("--firestore"), m_project, QStringLiteral("--limit"), QStringLiteral("303"),
                            QStringLiteral("--json")},
                           m_host);
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
    const Run all = runCli({QStringLiteral("--firestore"), m_project, QStringLiteral("--limit"),
                            QStringLiteral("10000"), QStringLiteral("--json")},
                           m_host);
    QCOMPARE(QJsonDocument::fromJson(all.out).array().size(), m_states.size());
}

void FirestoreQueueCliTest::badUsageExitsWith2_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("no project") << QStringList{QStringLiteral("--json")} << "--firestore PROJECT is required";
    QTest::newRow("project without value") << QStringList{QStringLiteral("--firestore")} << "--firestore needs";
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
                                    << "unknown option";
}

void FirestoreQueueCliTest::badUsageExitsWith2() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Run run = runCli(args, m_host);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

void FirestoreQueueCliTest::unreachableFirestoreExitsWith5() {
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QString host = QStringLiteral("127.0.0.1:%1").arg(port);
    const Run run = runCli({QStringLiteral("--firestore"), QStringLiteral("demo-p"), QStringLiteral("--json")}, host);
    QCOMPARE(run.exitCode, 5);
    QVERIFY2(run.err.contains(QStringLiteral("cannot reach Firestore at %1").arg(host)), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

void FirestoreQueueCliTest::emulatorVariableNeverReplacesARealProject() {
    // The same data under a project id without demo-: with the variable set and no --emulator, refused before any
    // request, naming the variable and the project.
    const QString real = testing::freshProject(QStringLiteral("real"));
    const Run refused = runCli({QStringLiteral("--firestore"), real, QStringLiteral("--json")}, m_host);
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QStringLiteral("FIRESTORE_EMULATOR_HOST is set (to %1)").arg(m_host)),
             qPrintable(refused.err));
    QVERIFY2(refused.err.contains(QStringLiteral("project \"%1\" is not a demo- project").arg(real)),
             qPrintable(refused.err));
    QVERIFY(refused.out.isEmpty());

    // --emulator says the project is the emulator's: it is used.
    const Run explicitEmulator = runCli(
        {QStringLiteral("--firestore"), m_project.mid(5), QStringLiteral("--emulator"), QStringLiteral("--json")},
        m_host);
    QVERIFY2(explicitEmulator.exitCode == 0, qPrintable(explicitEmulator.err));
    QVERIFY(QJsonDocument::fromJson(explicitEmulator.out).isArray());

    // --emulator without the variable: there is no emulator to use.
    const Run noHost = runCli({QStringLiteral("--firestore"), m_project, QStringLiteral("--emulator")}, QString());
    QCOMPARE(noHost.exitCode, 2);
    QVERIFY2(noHost.err.contains(QLatin1String("--emulator needs FIRESTORE_EMULATOR_HOST")), qPrintable(noHost.err));
}

QTEST_GUILESS_MAIN(FirestoreQueueCliTest)
#include "FirestoreQueueCliTest.moc"
