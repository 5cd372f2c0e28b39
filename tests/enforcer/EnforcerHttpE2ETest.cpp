// fairuse-enforcer's --listen end to end: the built binary in loop mode on redis-server and the Firestore emulator
// serves /metrics whose counters are the summary line's, and /healthz 200; pointed at a Redis nobody listens on,
// /healthz is 503 naming redis and the Redis error counter is above zero. Each pass writes the instance's heartbeat
// (fair_use_service/{instance}), shadow passes too.
#include "RequireBackend.h"

#include "common/Await.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "redis/RedisClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QPromise>
#include <QTcpServer>
#include <QTest>

#include <chrono>

using namespace fairuse;
using namespace fairuse::services;

namespace {

constexpr int kRedisDb = 14;
const QString kIdentity = QStringLiteral("enforcer@fairuse.example");

struct HttpAnswer {
    int status = 0;
    QByteArray body;
    QString contentType;
};

/** A running service: its process, the port it said it listens on, and the lines it wrote so far. */
struct Service {
    std::unique_ptr<QProcess> process;
    QString project;
    quint16 port = 0;
    QByteArray out;
    QJsonObject summary; ///< the first pass's summary

    ~Service() {
        if (process && process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(10000);
        }
    }
};

} // namespace

class EnforcerHttpE2ETest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;

    /** Starts the service in loop mode with --listen 127.0.0.1:0 and waits for its port and first summary. */
    bool start(Service& s, const QString& redisUrl, const QStringList& extra = {}) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        s.process = std::make_unique<QProcess>();
        s.process->setProcessEnvironment(env);
        s.project = fairuse::testing::backends::freshProject(QStringLiteral("demo-http"));
        s.process->start(
            qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
            QStringList{QStringLiteral("--redis"), redisUrl, QStringLiteral("--firestore"), s.project,
                        QStringLiteral("--identity"), kIdentity, QStringLiteral("--interval"), QStringLiteral("3600"),
                        QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--log-dir"),
                        qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-logs")} +
                extra);
        if (!s.process->waitForStarted()) {
            return false;
        }
        QElapsedTimer timer;
        timer.start();
        while (s.summary.isEmpty() && s.process->state() == QProcess::Running && timer.elapsed() < 120000) {
            s.process->waitForReadyRead(500);
            s.out += s.process->readAllStandardOutput();
            for (const QByteArray& line : s.out.split('\n')) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                if (o.contains(QStringLiteral("listening"))) {
                    const QString address = o.value(QStringLiteral("listening")).toString();
                    if (!address.startsWith(QLatin1String("127.0.0.1:"))) {
                        return false;
                    }
                    s.port = static_cast<quint16>(address.section(QLatin1Char(':'), 1).toUInt());
                }
                if (o.contains(QStringLiteral("summary"))) {
                    s.summary = o.value(QStringLiteral("summary")).toObject();
                }
            }
        }
        return s.port != 0 && !s.summary.isEmpty();
    }

    HttpAnswer get(quint16 port, const QString& path) {
        QNetworkAccessManager nam;
        QNetworkReply* reply =
            nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path))));
        QPromise<void> done;
        done.start();
        connect(reply, &QNetworkReply::finished, this, [&done] { done.finish(); });
        HttpAnswer a;
        if (await(done.future(), 30000)) {
            a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            a.body = reply->readAll();
            a.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toString();
        }
        delete reply;
        return a;
    }

    /** The heartbeats the service wrote in its project, read as the console reads them. */
    QList<ServiceHeartbeat> heartbeats(const QString& project) {
        FirestoreConfig fc;
        fc.projectId = project;
        fc.emulatorHost = m_host;
        FirestoreCaseStore store(std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner()));
        const auto read = awaitResult(store.listServiceHeartbeats());
        return read ? *read : QList<ServiceHeartbeat>();
    }

    /** The value of an unlabelled sample in an exposition; -1 when it is missing. */
    static double sample(const QByteArray& exposition, const QByteArray& name) {
        for (const QByteArray& line : exposition.split('\n')) {
            if (line.startsWith(QByteArray(name + ' '))) {
                return line.mid(name.size() + 1).toDouble();
            }
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase() {
        m_redisPort = fairuse::testing::backends::redisPort();
        REQUIRE_REDIS(m_redisPort);
        m_host = fairuse::testing::backends::emulatorHost();
        REQUIRE_FIRESTORE_EMULATOR(m_host);
        QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE")), "FAIRUSE_ENFORCER_EXE is not built");
    }

    void metricsAreTheSummary() {
        // A heavy listener at the real clock (loop mode has no --now), so the counters are not all zero.
        RedisConfig rc;
        rc.port = m_redisPort;
        rc.db = kRedisDb;
        RedisClient redis(rc);
        QVERIFY(awaitResult(redis.command({"FLUSHDB"})).ok());
        const std::int64_t nowMinute =
            std::chrono::duration_cast<std::chrono::minutes>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        QList<QList<QByteArray>> commands;
        for (int i = 0; i < 60; ++i) {
            const QByteArray minute = QByteArray::number(nowMinute - 90 + i);
            commands.append({"HINCRBY", "fair_use:bucket:http001", minute, "150000"});
            commands.append({"ZADD", "fair_use:speech:http001", QByteArray::number((nowMinute - 90 + i) * 60), minute});
        }
        commands.append({"HSET", "fair_use:bucket:http002", QByteArray::number(nowMinute - 5), "60000"});
        QVERIFY(awaitResult(redis.pipeline(commands)).ok());

        Service s;
        QVERIFY2(start(s, QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(kRedisDb),
                       {QStringLiteral("--instance-name"), QStringLiteral("http-e2e")}),
                 s.out.constData());
        QVERIFY2(s.summary.value(QStringLiteral("users_evaluated")).toInt() >= 1, s.out.constData());

        const HttpAnswer metrics = get(s.port, QStringLiteral("/metrics"));
        QCOMPARE(metrics.status, 200);
        QCOMPARE(metrics.contentType, QStringLiteral("text/plain; version=0.0.4; charset=utf-8"));
        QCOMPARE(sample(metrics.body, "fairuse_enforcer_passes_total"), 1.0); // one pass per hour
        int compared = 0;
        for (auto it = s.summary.constBegin(); it != s.summary.constEnd(); ++it) {
            if (!it.value().isDouble()) {
                continue; // "stopped"
            }
            const QByteArray name = "fairuse_enforcer_" + it.key().toUtf8() + "_total";
            QVERIFY2(sample(metrics.body, name) == it.value().toDouble(), name.constData());
            ++compared;
        }
        QVERIFY(compared >= 10);
        QCOMPARE(sample(metrics.body, "fairuse_enforcer_pass_in_progress"), 0.0);
        QCOMPARE(sample(metrics.body, "fairuse_enforcer_shadow"), 0.0);
        QVERIFY(sample(metrics.body, "fairuse_enforcer_lag_seconds") >= 0);
        QVERIFY(metrics.body.contains("fairuse_enforcer_build_info{version=\""));

        const HttpAnswer health = get(s.port, QStringLiteral("/healthz"));
        QVERIFY2(health.status == 200, health.body.constData());
        const QJsonObject healthBody = QJsonDocument::fromJson(health.body).object();
        QCOMPARE(healthBody.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        // Notifications on (the default in loop mode), subscribed on the one server.
        const QJsonObject notifications = healthBody.value(QStringLiteral("notifications")).toObject();
        QCOMPARE(notifications.value(QStringLiteral("nodes")).toInt(), 1);
        QCOMPARE(notifications.value(QStringLiteral("subscribed")).toInt(), 1);

        // The pass's heartbeat, for the console.
        const QList<ServiceHeartbeat> beats = heartbeats(s.project);
        QCOMPARE(beats.size(), 1);
        const ServiceHeartbeat& h = beats.first();
        QCOMPARE(h.instance, QStringLiteral("http-e2e"));
        QCOMPARE(h.usersEvaluated, s.summary.value(QStringLiteral("users_evaluated")).toInt());
        QCOMPARE(h.casesWritten, s.summary.value(QStringLiteral("cases_written")).toInt());
        QCOMPARE(h.errors, 0);
        QCOMPARE(h.shadow, false);
        QCOMPARE(h.intervalS, 3600);
        QVERIFY(!h.version.isEmpty());
        QCOMPARE(h.durationMs, (h.lastPassFinished - h.lastPassStarted).count());

        s.process->terminate(); // SIGTERM ends the wait between passes
        QVERIFY(s.process->waitForFinished(30000));
        QCOMPARE(s.process->exitCode(), 0);
        QVERIFY(awaitResult(redis.command({"FLUSHDB"})).ok());
    }

    void unreachableRedisIsUnhealthy() {
        QTcpServer closed; // a port nobody listens on once it is closed again
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        Service s;
        QVERIFY2(start(s, QStringLiteral("redis://127.0.0.1:%1/0").arg(port), {QStringLiteral("--shadow")}),
                 s.out.constData());
        QVERIFY(s.summary.value(QStringLiteral("redis_errors")).toInt() > 0);

        const HttpAnswer health = get(s.port, QStringLiteral("/healthz"));
        QCOMPARE(health.status, 503);
        const QJsonObject body = QJsonDocument::fromJson(health.body).object();
        QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("unhealthy"));
        const QString problems = body.value(QStringLiteral("problems")).toVariant().toStringList().join(u'\n');
        QVERIFY2(problems.startsWith(QLatin1String("redis: ")), health.body.constData());
        // Its notification connection is refused too, but for less than the grace: not said yet.
        QCOMPARE(body.value(QStringLiteral("notifications")).toObject().value(QStringLiteral("subscribed")).toInt(), 0);
        QVERIFY2(!body.contains(QStringLiteral("degraded")), health.body.constData());

        const HttpAnswer metrics = get(s.port, QStringLiteral("/metrics"));
        QCOMPARE(metrics.status, 200);
        QVERIFY(sample(metrics.body, "fairuse_enforcer_redis_errors_total") > 0);
        QCOMPARE(sample(metrics.body, "fairuse_enforcer_shadow"), 1.0);

        // A shadow pass writes its heartbeat too (host:pid by default), with the pass's errors.
        const QList<ServiceHeartbeat> beats = heartbeats(s.project);
        QCOMPARE(beats.size(), 1);
        QVERIFY(beats.first().shadow);
        QVERIFY(beats.first().errors > 0);
        QVERIFY2(beats.first().instance.endsWith(QStringLiteral(":%1").arg(s.process->processId())),
                 qPrintable(beats.first().instance));

        s.process->terminate();
        QVERIFY(s.process->waitForFinished(30000));
        QCOMPARE(s.process->exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(EnforcerHttpE2ETest)
#include "EnforcerHttpE2ETest.moc"
