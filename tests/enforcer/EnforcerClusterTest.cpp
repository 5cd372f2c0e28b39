// Three fairuse-enforcer instances on a Redis Cluster (3 masters, 3 replicas: the redis_cluster fixture) and the
// Firestore emulator share a few hundred users in the backend's key layout; one instance is killed (SIGKILL) in the
// middle of its pass. Its ranges are taken over when their leases expire, every user is still evaluated (every range
// is done exactly once), the stored stages and cases are exactly what the core decides, and no case or audit record
// is written twice.
#include "EnforcerPopulation.h"
#include "RequireBackend.h"

#include "audit/AuditChain.h"
#include "common/Await.h"
#include "enforcer/RangeLeases.h"
#include "firestore/FirestoreAuth.h"
#include "redis/RedisCluster.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTest>

#include <memory>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::enforcer;

class EnforcerClusterTest : public QObject {
    Q_OBJECT

    QList<quint16> m_ports;
    QString m_host;
    QString m_project;
    std::unique_ptr<RedisClusterClient> m_cluster;
    std::shared_ptr<FirestoreClient> m_firestore;
    std::unique_ptr<FirestoreCaseStore> m_store;
    QList<User> m_users;

    std::unique_ptr<QProcess> startInstance(int n) {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        p->setProcessEnvironment(env);
        p->start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
                 {QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1").arg(m_ports.first() + n % 3),
                  QStringLiteral("--redis-cluster"), QStringLiteral("--firestore"), m_project,
                  QStringLiteral("--identity"), kIdentity, QStringLiteral("--once"), QStringLiteral("--now"),
                  formatRfc3339(kT), QStringLiteral("--lease-ttl"), QStringLiteral("3"), QStringLiteral("--log-dir"),
                  qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-cluster-logs-%1").arg(n)});
        return p;
    }

    void buildPopulation() {
        int n = 0;
        const auto add = [&](int count, Kind kind, std::int64_t speechMs, Stage stage, int pastCases) {
            for (int i = 0; i < count; ++i) {
                m_users.append(makeUser(QStringLiteral("u%1").arg(n++, 4, 10, QLatin1Char('0')), kind,
                                        speechMs + i * 1000, stage, pastCases));
            }
        };
        add(60, Kind::Audiobook, 3 * 3'600'000, Stage::None, 0);
        add(40, Kind::Meeting, 3 * 3'600'000, Stage::None, 0);
        add(16, Kind::Audiobook, 2 * 3'600'000 + 600'000, Stage::Warning, 1);
        add(8, Kind::Audiobook, 2 * 3'600'000 + 600'000, Stage::Throttle, 2);
        add(110, Kind::Light, 30 * 60'000, Stage::None, 0);
        const qsizetype v2From = m_users.size();
        add(6, Kind::Audiobook, 3 * 3'600'000, Stage::None, 0);
        for (qsizetype i = v2From; i < m_users.size(); ++i) {
            m_users[i].v2 = true;
        }
    }

private Q_SLOTS:
    void initTestCase() {
        m_ports = fairuse::testing::backends::redisClusterPorts();
        REQUIRE_REDIS(m_ports.value(0));
        m_host = fairuse::testing::backends::emulatorHost();
        REQUIRE_FIRESTORE_EMULATOR(m_host);
        QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE")), "FAIRUSE_ENFORCER_EXE is not built");
        RedisConfig seed;
        seed.port = m_ports.first();
        m_cluster = std::make_unique<RedisClusterClient>(seed);
        QVERIFY(awaitResult(m_cluster->refresh(), 20000));
        // The cluster is this test's alone (RESOURCE_LOCK): start from an empty keyspace.
        for (const ClusterNode& master : m_cluster->masters()) {
            QVERIFY(awaitResult(m_cluster->commandOn(master, {"FLUSHALL"}), 20000));
        }
        m_project = fairuse::testing::backends::freshProject(QStringLiteral("demo-encl"));
        FirestoreConfig fc;
        fc.projectId = m_project;
        fc.emulatorHost = m_host;
        m_firestore = std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner());
        m_store = std::make_unique<FirestoreCaseStore>(m_firestore);
        buildPopulation();
        for (const User& u : m_users) {
            const auto r = awaitResult(m_cluster->pipeline(speechCommands(u)), 20000);
            QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        }
        const auto written = awaitResult(m_firestore->commitInBatches(firestoreWrites(m_users)), 60000);
        QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    }

    void aKilledInstancesRangesAreTakenOver() {
        std::vector<std::unique_ptr<QProcess>> instances;
        for (int n = 0; n < 3; ++n) {
            instances.push_back(startInstance(n));
            QVERIFY(instances.back()->waitForStarted());
        }
        // Instance 0 dies right after a decision on a user who is not the last of their range: in the middle of a
        // range it holds (a pass works a range's users in uid order).
        QHash<int, QString> lastOfRange;
        for (const User& u : m_users) {
            QString& last = lastOfRange[RangeLeases::rangeOf(u.uid)];
            last = std::max(last, u.uid);
        }
        QByteArray killedOut;
        QElapsedTimer timer;
        timer.start();
        bool midRange = false;
        while (!midRange && timer.elapsed() < 60000 && instances[0]->state() == QProcess::Running) {
            instances[0]->waitForReadyRead(100);
            while (instances[0]->canReadLine()) {
                const QByteArray line = instances[0]->readLine();
                killedOut += line;
                const QString uid = QJsonDocument::fromJson(line).object().value(QStringLiteral("uid")).toString();
                midRange = midRange || (!uid.isEmpty() && lastOfRange.value(RangeLeases::rangeOf(uid)) != uid);
            }
        }
        instances[0]->kill(); // SIGKILL: no lease released, nothing finished
        QVERIFY2(midRange, killedOut.constData());
        QVERIFY(instances[0]->waitForFinished(10000));
        killedOut += instances[0]->readAllStandardOutput();
        Run killed;
        readLines(killedOut, killed);
        QVERIFY(killed.summary.isEmpty());

        QList<Run> survivors;
        for (int n = 1; n < 3; ++n) {
            QVERIFY2(instances[n]->waitForFinished(120000), "a surviving instance did not finish its pass");
            Run run;
            run.exitCode = instances[n]->exitCode();
            run.err = QString::fromUtf8(instances[n]->readAllStandardError());
            readLines(instances[n]->readAllStandardOutput(), run);
            QVERIFY2(run.exitCode == 0, qPrintable(run.err.right(2000)));
            survivors.append(run);
        }

        // Every range with users was done exactly once, by one instance, and together the done ranges hold every
        // user: nobody was left out, nobody evaluated in two finished ranges.
        QHash<int, int> usersOfRange;
        for (const User& u : m_users) {
            ++usersOfRange[RangeLeases::rangeOf(u.uid)];
        }
        QHash<int, int> doneBy; // range -> instance
        QSet<int> takenByKilled;
        const auto collect = [&](const Run& run, int instance) {
            for (const QJsonObject& r : run.ranges) {
                const int range = r.value(QStringLiteral("range")).toInt();
                const QString outcome = r.value(QStringLiteral("outcome")).toString();
                if (outcome == QLatin1String("taken") && instance == 0) {
                    takenByKilled.insert(range);
                }
                if (outcome != QLatin1String("done")) {
                    continue;
                }
                QVERIFY2(!doneBy.contains(range), qPrintable(QStringLiteral("range %1 was done twice").arg(range)));
                doneBy.insert(range, instance);
                QCOMPARE(r.value(QStringLiteral("users")).toInt(), usersOfRange.value(range));
                QCOMPARE(r.value(QStringLiteral("evaluated")).toInt(), usersOfRange.value(range));
            }
        };
        collect(killed, 0);
        collect(survivors.at(0), 1);
        collect(survivors.at(1), 2);
        if (QTest::currentTestFailed()) {
            return;
        }
        for (int range = 0; range < RangeLeases::kRanges; ++range) {
            const auto lease = awaitResult(m_cluster->command({"GET", RangeLeases::key(kT, range)}), 20000);
            QVERIFY(lease);
            QCOMPARE(lease->text(), QByteArray("done"));
            if (usersOfRange.contains(range) && !doneBy.contains(range)) {
                // Finished in Redis by the killed instance, its line not printed yet when it died.
                QVERIFY2(takenByKilled.contains(range),
                         qPrintable(QStringLiteral("range %1 was never done; the killed instance printed:\n%2")
                                        .arg(range)
                                        .arg(QString::fromUtf8(killedOut.right(3000)))));
                doneBy.insert(range, 0);
            }
        }
        // The range instance 0 held when it died was finished by a survivor once its lease expired.
        QSet<int> takenOver;
        for (const int range : takenByKilled) {
            if (doneBy.value(range, 0) != 0) {
                takenOver.insert(range);
            }
        }
        QVERIFY2(!takenOver.isEmpty(), "the killed instance held no range: nothing was taken over");
        int scanned = 0;
        for (const Run& run : survivors) {
            scanned = std::max(scanned, run.summary.value(QStringLiteral("users_scanned")).toInt());
        }
        QCOMPARE(scanned, static_cast<int>(m_users.size()));

        // The store holds exactly what the core decides, each case once, one record per write, chained.
        Tally tally;
        verifyStored(*m_store, m_users, tally);
        if (QTest::currentTestFailed()) {
            return;
        }
        QVERIFY2(tally.cases >= 80, qPrintable(QString::number(tally.cases)));
        AuditFilter all;
        all.limit = 0;
        const auto trail = awaitResult(m_store->listAudit(all), 60000);
        QVERIFY(trail);
        QCOMPARE(trail->size(), tally.writes);
        QSet<QString> recorded;
        for (const AuditRecord& r : *trail) {
            QVERIFY2(!recorded.contains(r.uid), qPrintable(QStringLiteral("%1 has two records").arg(r.uid)));
            recorded.insert(r.uid);
        }
        QVERIFY(verifyChain(*trail, awaitResult(m_store->readAuditHead())->hash).ok);
        int written = 0;
        int already = 0;
        for (const Run& run : survivors) {
            written += run.summary.value(QStringLiteral("cases_written")).toInt();
            already += run.summary.value(QStringLiteral("already_written")).toInt();
        }
        qInfo("%d users, %d cases (%d by the survivors, %d found written already); ranges taken over: %lld",
              int(m_users.size()), tally.cases, written, already, static_cast<long long>(takenOver.size()));
    }

    void cleanupTestCase() {
        if (m_cluster) {
            for (const ClusterNode& master : m_cluster->masters()) {
                QVERIFY(awaitResult(m_cluster->commandOn(master, {"FLUSHALL"}), 20000));
            }
        }
    }
};

QTEST_GUILESS_MAIN(EnforcerClusterTest)
#include "EnforcerClusterTest.moc"
