// A master of a Redis Cluster dies (SIGKILL) and its replica takes over (after cluster-node-timeout, 5 s here): the
// cluster client, whose map still names the dead master, reads the map again from the other nodes until the slots
// have their new master and sends the commands there, single commands and a pipeline spanning every master alike. A
// cluster of its own (redis-cluster-fixture.sh under another name), so the shared one is never broken.
#include "RedisTestSupport.h"

#include "redis/RedisCluster.h"

#include <QFile>
#include <QProcess>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::uniqueUid;

namespace {

const QString kName = QStringLiteral("failover");

QString clusterScript() {
    return qEnvironmentVariable("FAIRUSE_SOURCE_DIR") +
           QStringLiteral("/tests/fixtures/redis/redis-cluster-fixture.sh");
}

bool runScript(const QStringList& args, QString* output) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("bash"), QStringList{clusterScript()} + args);
    const bool done = p.waitForFinished(120000);
    *output = QString::fromUtf8(p.readAll());
    return done && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace

class RedisClusterFailoverTest : public QObject {
    Q_OBJECT

    QList<quint16> m_ports;

private Q_SLOTS:
    void initTestCase() {
        QString out;
        QVERIFY2(runScript({QStringLiteral("start"), fairuse::testing::stateDir(), kName}, &out), qPrintable(out));
        QFile ports(fairuse::testing::stateDir() + QLatin1Char('/') + kName + QStringLiteral(".ports"));
        if (ports.open(QIODevice::ReadOnly)) {
            for (const QByteArray& line : ports.readAll().split('\n')) {
                if (!line.trimmed().isEmpty()) {
                    m_ports.append(line.trimmed().toUShort());
                }
            }
        }
        REQUIRE_REDIS(m_ports.value(0));
        QCOMPARE(m_ports.size(), 6);
    }

    void aDeadMastersSlotsAreFollowedToItsReplica() {
        RedisConfig seed;
        seed.port = m_ports.first();
        seed.connectTimeoutMs = 1000;
        seed.commandTimeoutMs = 2000;
        RedisClusterClient cluster(seed);
        QVERIFY(awaitResult(cluster.refresh(), 20000));
        const QString prefix = uniqueUid(QStringLiteral("fo"));
        QList<QList<QByteArray>> writes;
        QList<QList<QByteArray>> reads;
        for (int i = 0; i < 60; ++i) {
            const QByteArray key = QStringLiteral("%1-%2").arg(prefix).arg(i).toUtf8();
            writes.append({"SET", key, QByteArray::number(i)});
            reads.append({"GET", key});
        }
        QVERIFY(awaitResult(cluster.pipeline(writes), 20000));
        // WAIT: the replicas have the writes before their master dies.
        for (const ClusterNode& master : cluster.masters()) {
            QVERIFY(awaitResult(cluster.commandOn(master, {"WAIT", "1", "5000"}), 20000));
        }
        // Kill the master of the first key's slot, which is not the seed.
        const QByteArray key = reads.first().at(1);
        ClusterNode victim = *cluster.masterOf(keySlot(key));
        QByteArray victimKey = key;
        if (victim.port == seed.port) {
            for (const auto& r : reads) {
                if (cluster.masterOf(keySlot(r.at(1)))->port != seed.port) {
                    victimKey = r.at(1);
                    victim = *cluster.masterOf(keySlot(victimKey));
                    break;
                }
            }
        }
        const int index = static_cast<int>(m_ports.indexOf(victim.port));
        QVERIFY(index >= 0);
        QString out;
        QVERIFY2(runScript({QStringLiteral("kill"), fairuse::testing::stateDir(), kName, QString::number(index)}, &out),
                 qPrintable(out));

        // The map still names the dead master; the client finds the promoted replica.
        const auto get = awaitResult(cluster.command({"GET", victimKey}), 60000);
        QVERIFY2(get, get ? "" : qPrintable(get.error().message));
        QCOMPARE(get->text(), QByteArray::number(reads.indexOf(QList<QByteArray>{"GET", victimKey})));
        QVERIFY(cluster.failoverRetries() > 0);
        QVERIFY(!(cluster.masterOf(keySlot(victimKey)) == victim));
        QCOMPARE(cluster.masters().size(), 3);
        const auto all = awaitResult(cluster.pipeline(reads), 60000);
        QVERIFY2(all, all ? "" : qPrintable(all.error().message));
        for (int i = 0; i < 60; ++i) {
            QCOMPARE(all->at(i).text(), QByteArray::number(i));
        }

        // With no node left to take over, a command fails (Unavailable) once the wait is over, not forever.
        RedisConfig gone;
        gone.port = victim.port;
        gone.connectTimeoutMs = 500;
        gone.commandTimeoutMs = 500;
        RedisClusterClient lost(gone);
        lost.setFailoverWaitMs(1500);
        const auto nothing = awaitResult(lost.command({"GET", victimKey}), 30000);
        QVERIFY(!nothing);
        QCOMPARE(nothing.error().kind, ErrorKind::Unavailable);
    }

    void cleanupTestCase() {
        QString out;
        QVERIFY2(runScript({QStringLiteral("stop"), fairuse::testing::stateDir(), kName}, &out), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(RedisClusterFailoverTest)
#include "RedisClusterFailoverTest.moc"
