// fairuse-enforcer's keyspace notifications end to end (issue 12), on redis-server (notify-keyspace-events set by the
// test, as an operator would) and the Firestore emulator: two instances in loop mode with a 60 s interval (the
// policy's check interval too); a user whose speech arrives after their passes is evaluated within seconds, by one
// instance only, and once in the check interval however often they speak again. A pass honours the evaluation
// markers (a user evaluated promptly is skipped; a dead instance's claim is waited out); shadow mode evaluates
// promptly too while writing no Redis key, and subscribes again after the server dropped it; on the Redis Cluster
// fixture an instance hears the users of every master.
#include "EnforcerPopulation.h"
#include "RequireBackend.h"

#include "common/Await.h"
#include "enforcer/EvaluationMarkers.h"
#include "enforcer/RangeLeases.h"
#include "redis/ClusterSlots.h"
#include "redis/RedisClient.h"
#include "redis/RedisCluster.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <chrono>
#include <memory>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::enforcer;

namespace {

constexpr int kLoopDb = 11;
constexpr int kOnceDb = 12;
constexpr int kShadowDb = 13;
constexpr std::chrono::seconds kInterval{60};

/** A service in loop mode and every JSON line it printed so far. */
struct Instance {
    std::unique_ptr<QProcess> process;
    QList<QJsonObject> lines;

    ~Instance() {
        if (process && process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(10000);
        }
    }
    /** Lines saying {"notifications": what}. */
    int notifications(const char* what) const {
        int n = 0;
        for (const QJsonObject& o : lines) {
            n += o.value(QStringLiteral("notifications")).toString() == QLatin1String(what) ? 1 : 0;
        }
        return n;
    }
    /** Subscribed on `nodes` nodes and a pass done. */
    bool ready(int nodes = 1) const {
        bool passed = false;
        for (const QJsonObject& o : lines) {
            passed = passed || o.contains(QStringLiteral("summary"));
        }
        return passed && notifications("subscribed") >= nodes;
    }
    /** The decision lines about `uid`. */
    QList<QJsonObject> decisions(const QString& uid) const {
        QList<QJsonObject> out;
        for (const QJsonObject& o : lines) {
            if (o.value(QStringLiteral("uid")).toString() == uid) {
                out.append(o);
            }
        }
        return out;
    }
    /** `field` summed over the prompt batch lines (and, with `summaries`, the passes' summaries). */
    int sum(const char* field, bool summaries = false) const {
        int total = 0;
        for (const QJsonObject& o : lines) {
            total += o.value(QStringLiteral("prompt")).toObject().value(QLatin1String(field)).toInt();
            if (summaries) {
                total += o.value(QStringLiteral("summary")).toObject().value(QLatin1String(field)).toInt();
            }
        }
        return total;
    }
};

QString uniqueUid(const char* prefix) {
    return QLatin1String(prefix) + QUuid::createUuid().toString(QUuid::Id128).left(10);
}

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

class EnforcerNotificationsE2ETest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;
    QTemporaryDir m_dir;
    QString m_policy;
    QByteArray m_notifyBefore;

    RedisConfig redisConfig(int db) const {
        RedisConfig c;
        c.port = m_redisPort;
        c.db = db;
        return c;
    }
    QString redisUrl(int db) const { return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(db); }

    QStringList commonArgs(const QString& url, const QString& project) const {
        return {QStringLiteral("--redis"),
                url,
                QStringLiteral("--firestore"),
                project,
                QStringLiteral("--identity"),
                kIdentity,
                QStringLiteral("--policy"),
                m_policy,
                QStringLiteral("--log-dir"),
                qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-notify-logs")};
    }

    void start(Instance& i, const QString& url, const QString& project, const QString& name,
               const QStringList& extra = {}) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        i.process = std::make_unique<QProcess>();
        i.process->setProcessEnvironment(env);
        QProcess* p = i.process.get();
        connect(p, &QProcess::readyReadStandardOutput, this, [p, &i] {
            while (p->canReadLine()) {
                const QJsonObject o = QJsonDocument::fromJson(p->readLine()).object();
                if (!o.isEmpty()) {
                    i.lines.append(o);
                }
            }
        });
        p->start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
                 commonArgs(url, project) +
                     QStringList{QStringLiteral("--interval"), QString::number(kInterval.count()),
                                 QStringLiteral("--instance-name"), name} +
                     extra);
        QVERIFY(p->waitForStarted());
    }

    static void stop(Instance& i) {
        i.process->terminate(); // SIGTERM: the wait between passes ends
        QVERIFY(i.process->waitForFinished(60000));
        QCOMPARE(i.process->exitCode(), 0);
    }

    /** 2.5 h of speech in the 90 minutes before `at` (past the default daily cap of 2 h), zset members first so that
     *  the notification of the first bucket write finds them. */
    static void writeSpeech(RedisCommands& redis, const QString& uid, TimePoint at, int buckets = 60) {
        const std::int64_t minute = std::chrono::duration_cast<std::chrono::minutes>(at.time_since_epoch()).count();
        QList<QList<QByteArray>> zadds;
        QList<QList<QByteArray>> hincrbys;
        for (int k = 0; k < buckets; ++k) {
            const QByteArray m = QByteArray::number(minute - 90 + k);
            zadds.append({"ZADD", "fair_use:speech:" + uid.toUtf8(), QByteArray::number((minute - 90 + k) * 60), m});
            hincrbys.append({"HINCRBY", "fair_use:bucket:" + uid.toUtf8(), m, "150000"});
        }
        QVERIFY(awaitResult(redis.pipeline(zadds), 20000).ok());
        QVERIFY(awaitResult(redis.pipeline(hincrbys), 20000).ok());
    }

private Q_SLOTS:
    void initTestCase() {
        m_redisPort = fairuse::testing::backends::redisPort();
        REQUIRE_REDIS(m_redisPort);
        m_host = fairuse::testing::backends::emulatorHost();
        REQUIRE_FIRESTORE_EMULATOR(m_host);
        QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE")), "FAIRUSE_ENFORCER_EXE is not built");
        QVERIFY(m_dir.isValid());
        m_policy = m_dir.filePath(QStringLiteral("policy.json"));
        QFile f(m_policy);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArrayLiteral("{\"check_interval_seconds\": ") + QByteArray::number(kInterval.count()) + '}');
        f.close();
        RedisClient admin(redisConfig(0));
        const auto before = awaitResult(admin.command({"CONFIG", "GET", "notify-keyspace-events"}), 20000);
        QVERIFY(before.ok() && before->elements().size() == 2);
        m_notifyBefore = before->elements().at(1).text();
        // The operator's switch; the service never flips it.
        QVERIFY(awaitResult(admin.command({"CONFIG", "SET", "notify-keyspace-events", "Kh"}), 20000).ok());
    }

    void cleanupTestCase() {
        if (m_redisPort != 0) {
            RedisClient admin(redisConfig(0));
            (void)awaitResult(admin.command({"CONFIG", "SET", "notify-keyspace-events", m_notifyBefore}), 20000);
        }
    }

    void notifiedUserIsEvaluatedPromptlyOnce() {
        RedisClient redis(redisConfig(kLoopDb));
        QVERIFY(awaitResult(redis.command({"FLUSHDB"}), 20000).ok());
        const QString project = fairuse::testing::backends::freshProject(QStringLiteral("demo-notify"));
        Instance a;
        Instance b;
        start(a, redisUrl(kLoopDb), project, QStringLiteral("notify-a"));
        start(b, redisUrl(kLoopDb), project, QStringLiteral("notify-b"));
        QTRY_VERIFY_WITH_TIMEOUT(a.ready() && b.ready(), 120000);

        // Speech well inside one check interval, so the "once in the interval" below is about one interval.
        const std::int64_t step = std::chrono::milliseconds(kInterval).count();
        QTRY_VERIFY_WITH_TIMEOUT(nowMs() % step < step / 2, step);
        const QString x = uniqueUid("notify-x-");
        const QString y = uniqueUid("notify-y-");
        const std::int64_t epochMs = nowMs() / step * step;
        const QString epoch = formatRfc3339(fromUnixMs(epochMs));
        QElapsedTimer sinceSpeech;
        sinceSpeech.start();
        writeSpeech(redis, x, fromUnixMs(nowMs()));
        const auto promptlyDecided = [&](const QString& uid) {
            int n = 0;
            for (const Instance* i : {&a, &b}) {
                for (const QJsonObject& d : i->decisions(uid)) {
                    n += d.value(QStringLiteral("prompt")).toBool() ? 1 : 0;
                }
            }
            return n;
        };
        QTRY_VERIFY_WITH_TIMEOUT(promptlyDecided(x) >= 1, 30000);
        const qint64 latencyMs = sinceSpeech.elapsed();
        QJsonObject firstPrompt;
        for (const Instance* i : {&a, &b}) {
            for (const QJsonObject& d : i->decisions(x)) {
                firstPrompt = d.value(QStringLiteral("prompt")).toBool() ? d : firstPrompt;
            }
        }
        QVERIFY2(latencyMs < 15000, qPrintable(QStringLiteral("evaluated after %1 ms").arg(latencyMs)));

        // X speaks again, then Y: the subscription delivers in order, so once both instances accounted for every
        // notification (60 + 1 + 60 bucket writes) any second evaluation of X would have happened.
        QVERIFY(awaitResult(redis.command({"HINCRBY", "fair_use:bucket:" + x.toUtf8(),
                                           QByteArray::number(nowMs() / 60000), "1000"}),
                            20000)
                    .ok());
        writeSpeech(redis, y, fromUnixMs(nowMs()));
        QTRY_VERIFY_WITH_TIMEOUT(promptlyDecided(y) >= 1 && a.sum("notified") >= 121 && b.sum("notified") >= 121,
                                 90000);

        // Each evaluated once per check interval, by one instance, prompt or pass (a slow machine may see the next
        // interval begin, and the user evaluated in it once more); X's first evaluation was the prompt one.
        for (const QString& uid : {x, y}) {
            QHash<QString, int> perEpoch;
            for (const Instance* i : {&a, &b}) {
                for (const QJsonObject& d : i->decisions(uid)) {
                    ++perEpoch[d.value(QStringLiteral("epoch")).toString()];
                }
            }
            for (auto it = perEpoch.cbegin(); it != perEpoch.cend(); ++it) {
                QVERIFY2(
                    it.value() == 1,
                    qPrintable(QStringLiteral("%1 evaluated %2 times in %3").arg(uid).arg(it.value()).arg(it.key())));
                const auto marker =
                    awaitResult(redis.command({"GET", EvaluationMarkers::key(*parseRfc3339(it.key()), uid)}), 20000);
                QVERIFY(marker.ok());
                QCOMPARE(marker->text(), QByteArray("done"));
            }
            QVERIFY(!perEpoch.isEmpty());
        }
        QCOMPARE(firstPrompt.value(QStringLiteral("epoch")).toString(), epoch);
        // The instance that did not evaluate a user found them evaluated (a prompt batch or its next pass).
        QVERIFY(a.sum("evaluated_elsewhere", true) + b.sum("evaluated_elsewhere", true) >= 2);
        qInfo("prompt evaluation %lld ms after the speech; notifications a %d, b %d", latencyMs, a.sum("notified"),
              b.sum("notified"));
        stop(a);
        stop(b);
    }

    void passHonoursTheMarkers() {
        RedisClient redis(redisConfig(kOnceDb));
        QVERIFY(awaitResult(redis.command({"FLUSHDB"}), 20000).ok());
        const QString project = fairuse::testing::backends::freshProject(QStringLiteral("demo-notify"));
        const QString promptly = uniqueUid("marked-");
        const QString fresh = uniqueUid("fresh-");
        const QString claimed = uniqueUid("claimed-");
        for (const QString& uid : {promptly, fresh, claimed}) {
            writeSpeech(redis, uid, kT);
        }
        // `promptly` was evaluated in this interval already; another instance claimed `claimed` and died.
        const TimePoint epoch = RangeLeases::epochOf(kT, kInterval);
        QVERIFY(
            awaitResult(redis.command({"SET", EvaluationMarkers::key(epoch, promptly), "done", "PX", "120000"}), 20000)
                .ok());
        QVERIFY(awaitResult(redis.command({"SET", EvaluationMarkers::key(epoch, claimed), "pending:dead-instance", "PX",
                                           "15000"}),
                            20000)
                    .ok());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        const Run run =
            runEnforcerAsync(commonArgs(redisUrl(kOnceDb), project) +
                                 QStringList{QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(kT)},
                             env);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err.right(2000)));
        QCOMPARE(run.summary.value(QStringLiteral("users_scanned")).toInt(), 3);
        QCOMPARE(run.summary.value(QStringLiteral("users_evaluated")).toInt(), 2);
        QCOMPARE(run.summary.value(QStringLiteral("evaluated_elsewhere")).toInt(), 1);
        QCOMPARE(run.summary.value(QStringLiteral("lock_waits")).toInt(), 1); // the dead claim, waited out
        QSet<QString> decided;
        for (const QJsonObject& d : run.decisions) {
            if (d.contains(QStringLiteral("uid"))) {
                decided.insert(d.value(QStringLiteral("uid")).toString());
            }
        }
        QCOMPARE(decided, (QSet<QString>{fresh, claimed}));
        for (const QString& uid : {promptly, fresh, claimed}) {
            QCOMPARE(awaitResult(redis.command({"GET", EvaluationMarkers::key(epoch, uid)}), 20000)->text(),
                     QByteArray("done"));
        }
    }

    void shadowEvaluatesPromptlyAndWritesNoKey() {
        RedisClient redis(redisConfig(kShadowDb));
        QVERIFY(awaitResult(redis.command({"FLUSHDB"}), 20000).ok());
        const QString project = fairuse::testing::backends::freshProject(QStringLiteral("demo-notify"));
        Instance s;
        start(s, redisUrl(kShadowDb), project, QStringLiteral("notify-shadow"), {QStringLiteral("--shadow")});
        QTRY_VERIFY_WITH_TIMEOUT(s.ready(), 120000);
        const QString x = uniqueUid("shadow-");
        writeSpeech(redis, x, fromUnixMs(nowMs()));
        QTRY_VERIFY_WITH_TIMEOUT(!s.decisions(x).isEmpty(), 30000);
        const QJsonObject d = s.decisions(x).first();
        QVERIFY(d.value(QStringLiteral("prompt")).toBool());
        QVERIFY(d.value(QStringLiteral("shadow")).toBool());

        // The server drops the subscription: the service says so, subscribes again, and hears the next user.
        const auto killed = awaitResult(redis.command({"CLIENT", "KILL", "TYPE", "pubsub"}), 20000);
        QVERIFY(killed.ok() && killed->integerValue() >= 1);
        QTRY_VERIFY_WITH_TIMEOUT(s.notifications("lost") == 1 && s.notifications("subscribed") == 2, 30000);
        const QString y = uniqueUid("shadow-after-");
        writeSpeech(redis, y, fromUnixMs(nowMs()));
        QTRY_VERIFY_WITH_TIMEOUT(!s.decisions(y).isEmpty(), 30000);
        QVERIFY(s.decisions(y).first().value(QStringLiteral("prompt")).toBool());
        const auto keys = awaitResult(redis.command({"KEYS", "*"}), 20000);
        QVERIFY(keys.ok());
        QSet<QByteArray> names;
        for (const RedisReply& k : keys->elements()) {
            names.insert(k.text());
        }
        QCOMPARE(names, (QSet<QByteArray>{"fair_use:bucket:" + x.toUtf8(), "fair_use:speech:" + x.toUtf8(),
                                          "fair_use:bucket:" + y.toUtf8(), "fair_use:speech:" + y.toUtf8()}));
        stop(s);
    }

    void clusterInstanceHearsEveryMaster() {
        const QList<quint16> ports = fairuse::testing::backends::redisClusterPorts();
        REQUIRE_REDIS(ports.value(0));
        RedisConfig seed;
        seed.port = ports.first();
        RedisClusterClient cluster(seed);
        QVERIFY(awaitResult(cluster.refresh(), 20000).ok());
        QCOMPARE(cluster.masters().size(), 3);
        const auto setNotify = [&ports](const QByteArray& flags) {
            for (const quint16 port : ports) { // replicas too: one may be promoted meanwhile
                RedisConfig c;
                c.port = port;
                RedisClient node(c);
                QVERIFY(awaitResult(node.command({"CONFIG", "SET", "notify-keyspace-events", flags}), 20000).ok());
            }
        };
        setNotify("Kh");
        const QString project = fairuse::testing::backends::freshProject(QStringLiteral("demo-notify"));
        Instance i;
        start(i, QStringLiteral("redis://127.0.0.1:%1").arg(ports.first()), project, QStringLiteral("notify-cluster"),
              {QStringLiteral("--redis-cluster")});
        QTRY_VERIFY_WITH_TIMEOUT(i.ready(3), 120000); // one subscription per master

        // A user on each master.
        QStringList uids;
        QSet<QString> masters;
        for (int n = 0; masters.size() < 3 && n < 1000; ++n) {
            const QString uid = uniqueUid("cluster-");
            const auto master = cluster.masterOf(keySlot("fair_use:bucket:" + uid.toUtf8()));
            QVERIFY(master.has_value());
            if (!masters.contains(master->address())) {
                masters.insert(master->address());
                uids.append(uid);
            }
        }
        QCOMPARE(uids.size(), 3);
        for (const QString& uid : uids) {
            writeSpeech(cluster, uid, fromUnixMs(nowMs()));
        }
        for (const QString& uid : uids) {
            QTRY_VERIFY_WITH_TIMEOUT(!i.decisions(uid).isEmpty(), 30000);
            QVERIFY(i.decisions(uid).first().value(QStringLiteral("prompt")).toBool());
        }
        stop(i);
        setNotify("");
        for (const QString& uid : uids) {
            for (const QByteArray& prefix : {QByteArray("fair_use:bucket:"), QByteArray("fair_use:speech:")}) {
                QVERIFY(awaitResult(cluster.command({"DEL", prefix + uid.toUtf8()}), 20000).ok());
            }
        }
    }
};

QTEST_GUILESS_MAIN(EnforcerNotificationsE2ETest)
#include "EnforcerNotificationsE2ETest.moc"
