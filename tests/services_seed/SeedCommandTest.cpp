// `fairuse seed --store redis+firestore` end to end: the CLI binary (FAIRUSE_CLI) against the redis fixtures and the
// Firestore emulator, through QProcess; what it wrote is read back with the `usage` command and the console's stores.
#include "BackendFixtures.h"
#include "RequireBackend.h"

#include "common/Await.h"
#include "embedded/DemoGenerator.h"
#include "firestore/FirestoreCaseStore.h"
#include "redis/RedisClient.h"
#include "seed/BackendSeeder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
namespace backends = fairuse::testing::backends;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

const QString kNow = QStringLiteral("2026-03-20T10:15:00Z");

/** Runs `fairuse ARGS` with the emulator (or `emulatorHost`, empty to unset it) and extra environment. */
Run runCli(const QStringList& args, const QString& emulatorHost, const QMap<QString, QString>& extraEnv = {}) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("FAIRUSE_REDIS_PASSWORD"));
    if (emulatorHost.isEmpty()) {
        env.remove(QStringLiteral("FIRESTORE_EMULATOR_HOST"));
    } else {
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), emulatorHost);
    }
    for (auto it = extraEnv.cbegin(); it != extraEnv.cend(); ++it) {
        env.insert(it.key(), it.value());
    }
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("FAIRUSE_CLI"), args);
    if (!p.waitForFinished(240000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            QString::fromUtf8(p.readAllStandardError())};
}

/** `seed --store redis+firestore --redis URL --firestore PROJECT`, then `more`. */
QStringList toBackend(const QString& redisUrl, const QString& project, const QStringList& more = {}) {
    return QStringList{QStringLiteral("seed"),
                       QStringLiteral("--store"),
                       QStringLiteral("redis+firestore"),
                       QStringLiteral("--redis"),
                       redisUrl,
                       QStringLiteral("--firestore"),
                       project} +
           more;
}

/** A small population written to the backend: toBackend() with 60 users, 10 flagged, at kNow. */
QStringList seedArgs(const QString& redisUrl, const QString& project, const QStringList& more = {}) {
    return toBackend(redisUrl, project,
                     QStringList{QStringLiteral("--users"), QStringLiteral("60"), QStringLiteral("--flagged"),
                                 QStringLiteral("10"), QStringLiteral("--now"), kNow} +
                         more);
}

/** The population the CLI generates for seedArgs() (--flagged 10 is 2 of each kind). */
DemoPopulation expectedPopulation() {
    DemoOptions o;
    o.referenceTime = parseRfc3339(kNow).value();
    o.users = 60;
    o.flaggedPerKind = 2;
    return generateDemoPopulation(o);
}

/** Runs `command` on database `db` of the redis-server on `port`. */
Result<RedisReply> runOnDb(quint16 port, int db, const QString& password, const QList<QByteArray>& command) {
    RedisConfig c;
    c.port = port;
    c.db = db;
    c.password = password;
    RedisClient client(c);
    return awaitResult(client.command(command), 20000);
}

std::int64_t dbSize(quint16 port, int db, const QString& password = {}) {
    const Result<RedisReply> r = runOnDb(port, db, password, {"DBSIZE"});
    return r.ok() ? r->integerValue() : -1;
}

bool flushDb(quint16 port, int db, const QString& password = {}) {
    const Result<RedisReply> r = runOnDb(port, db, password, {"FLUSHDB"});
    return r.ok() && r->isStatus();
}

/** A fresh project id that the CLI may use on the emulator: demo-* (Firebase's emulator-only ids). */
QString demoProject(const QString& prefix) {
    return QStringLiteral("demo-") + backends::freshProject(prefix);
}

/** Redis database indexes of this test (BackendSeederTest uses 8..11). */
constexpr int kDbSeed = 12;
constexpr int kDbDown = 13;
constexpr int kDbAuth = 14;

} // namespace

class SeedCommandTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_CLI")), "FAIRUSE_CLI does not name the built fairuse");
        m_port = backends::redisPort();
        REQUIRE_REDIS(m_port);
        // Tests of refusals run without the emulator; the others need it (REQUIRE_FIRESTORE_EMULATOR).
        m_host = backends::emulatorHost();
    }

    void init() {
        static const QSet<QString> withoutEmulator{
            QStringLiteral("forceRefusesAnythingButLocalEmulators"), QStringLiteral("forceTargetCheck"),
            QStringLiteral("emulatorVariableNeverReplacesARealProject"), QStringLiteral("badUsageExitsWith2")};
        if (!withoutEmulator.contains(QString::fromLatin1(QTest::currentTestFunction()))) {
            REQUIRE_FIRESTORE_EMULATOR(m_host);
        }
    }

    void seedsThenRefusesThenForces() {
        QVERIFY(flushDb(m_port, kDbSeed));
        const QString url = QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(kDbSeed);
        const QString project = demoProject(QStringLiteral("seedcli"));
        const DemoPopulation pop = expectedPopulation();

        Run run = runCli(seedArgs(url, project), m_host);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject summary = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(summary.value(QStringLiteral("store")).toString(), QStringLiteral("redis+firestore"));
        QCOMPARE(summary.value(QStringLiteral("users")).toInt(), 60);
        QCOMPARE(summary.value(QStringLiteral("events")).toInt(), pop.events.size());
        QCOMPARE(summary.value(QStringLiteral("firestore_documents")).toInteger(),
                 BackendSeeder::firestoreWrites(pop).size());
        QCOMPARE(summary.value(QStringLiteral("redis_keys")).toInteger(), dbSize(m_port, kDbSeed));
        QCOMPARE(summary.value(QStringLiteral("replaced_existing")).toBool(), false);

        // Read back with the other commands, as an operator would.
        // The heaviest user on the platform's STT (speech through a user's own STT is metered but never enforced, so
        // the usage command does not count it).
        const DemoUser& top = *std::max_element(pop.users.cbegin(), pop.users.cend(), [](const auto& a, const auto& b) {
            return a.totalsAtReference().weeklyMs < b.totalsAtReference().weeklyMs;
        });
        QVERIFY(!top.customStt && top.totalsAtReference().weeklyMs > 0);
        const Run usage = runCli({QStringLiteral("usage"), QStringLiteral("--redis"), url, QStringLiteral("--uid"),
                                  top.uid, QStringLiteral("--now"), kNow, QStringLiteral("--json")},
                                 m_host);
        QVERIFY2(usage.exitCode == 0, qPrintable(usage.err));
        const QJsonObject speech = QJsonDocument::fromJson(usage.out).object();
        QCOMPARE(speech.value(QStringLiteral("weekly_ms")).toInteger(), top.totalsAtReference().weeklyMs);
        QCOMPARE(speech.value(QStringLiteral("daily_ms")).toInteger(), top.totalsAtReference().dailyMs);

        // The flagged-user queue as the console reads it (fairuse queue reads as a signed-in reviewer only, which
        // this test of an admin job has none of; tests/services_firestore/FirestoreQueueCliTest covers the command).
        FirestoreConfig config;
        config.projectId = project;
        config.emulatorHost = m_host;
        FirestoreCaseStore store(std::make_shared<FirestoreClient>(config, StaticToken::emulatorOwner()));
        QSet<QString> queued;
        QString cursor;
        do {
            const Result<QueuePage> page = awaitResult(store.fetchQueuePage(QueueFilter{}, cursor, 300), 120000);
            QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().message));
            for (const QueueRow& row : page->rows) {
                queued.insert(row.state.uid);
            }
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
        QSet<QString> flagged;
        for (const FairUseState& s : pop.states) {
            if (s.stage != Stage::None) {
                flagged.insert(s.uid);
            }
        }
        QCOMPARE(queued, flagged);

        // Again without --force: refused, naming what is there, nothing written.
        const std::int64_t keysBefore = dbSize(m_port, kDbSeed);
        run = runCli(seedArgs(url, project, {QStringLiteral("--seed"), QStringLiteral("7")}), m_host);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QLatin1String("already holds fairuse keys (fair_use:")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QLatin1String("already holds fairuse documents")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QLatin1String("--force")), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
        QCOMPARE(dbSize(m_port, kDbSeed), keysBefore);

        // With --force: written over.
        run = runCli(seedArgs(url, project, {QStringLiteral("--seed"), QStringLiteral("7"), QStringLiteral("--force")}),
                     m_host);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject forced = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(forced.value(QStringLiteral("replaced_existing")).toBool(), true);
        QVERIFY(forced.value(QStringLiteral("firestore_deleted")).toInteger() > 0);
        QCOMPARE(forced.value(QStringLiteral("seed")).toString(), QStringLiteral("7"));
    }

    void emulatorDownExitsWith1() {
        QVERIFY(flushDb(m_port, kDbDown));
        const QString url = QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(kDbDown);
        const QString closed = QStringLiteral("127.0.0.1:%1").arg(backends::closedPort());
        const Run run = runCli(seedArgs(url, QStringLiteral("demo-nobody-home")), closed);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QLatin1String("is the Firestore emulator running at ") + closed),
                 qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
        QCOMPARE(dbSize(m_port, kDbDown), 0); // Redis untouched
    }

    void redisDownExitsWith1() {
        const QString url = QStringLiteral("redis://127.0.0.1:%1/0").arg(backends::closedPort());
        const QString project = demoProject(QStringLiteral("noredis"));
        const Run run = runCli(seedArgs(url, project), m_host);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QLatin1String("is redis-server running at")), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
        // Firestore untouched.
        FirestoreConfig config;
        config.projectId = project;
        config.emulatorHost = m_host;
        auto client = std::make_shared<FirestoreClient>(config, StaticToken::emulatorOwner());
        RedisClient unused(RedisConfig{});
        BackendSeeder seeder(&unused, client);
        const Result<QStringList> found = awaitResult(seeder.findExistingFirestoreData(), 60000);
        QVERIFY(found.ok());
        QVERIFY(found->isEmpty());
    }

    void passwordFromTheEnvironment() {
        const quint16 authPort = backends::redisPort(QStringLiteral("redis-auth"));
        REQUIRE_REDIS(authPort);
        QVERIFY(flushDb(authPort, kDbAuth, backends::kRedisAuthPassword));
        const QString url = QStringLiteral("redis://127.0.0.1:%1/%2").arg(authPort).arg(kDbAuth);
        const QString project = demoProject(QStringLiteral("auth"));
        // Without the password: refused by the server, a clear failure.
        Run run = runCli(seedArgs(url, project), m_host);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QLatin1String("NOAUTH")) ||
                     run.err.contains(QLatin1String("auth"), Qt::CaseInsensitive),
                 qPrintable(run.err));
        // With it in the environment: seeded, and the password appears nowhere in the output.
        run = runCli(seedArgs(url, project), m_host,
                     {{QStringLiteral("FAIRUSE_REDIS_PASSWORD"), backends::kRedisAuthPassword}});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(!run.err.contains(backends::kRedisAuthPassword));
        QVERIFY(!QString::fromUtf8(run.out).contains(backends::kRedisAuthPassword));
        QVERIFY(dbSize(authPort, kDbAuth, backends::kRedisAuthPassword) > 0);
        QVERIFY(flushDb(authPort, kDbAuth, backends::kRedisAuthPassword));
    }

    /** --force deletes: anything but the Firestore emulator and Redis on this machine is refused before connecting. */
    void forceRefusesAnythingButLocalEmulators_data() {
        QTest::addColumn<QString>("redisUrl");
        QTest::addColumn<QString>("emulatorHost"); // FIRESTORE_EMULATOR_HOST; empty: unset (production Firestore)
        QTest::addColumn<QString>("project");
        QTest::addColumn<QString>("refused");
        const QString localRedis = QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(kDbDown);
        QTest::newRow("production Firestore")
            << localRedis << QString() << QStringLiteral("fairuse-prod")
            << QStringLiteral("refused production Firestore project \"fairuse-prod\"");
        QTest::newRow("production Firestore, demo id") << localRedis << QString() << QStringLiteral("demo-fairuse")
                                                       << QStringLiteral("refused production Firestore project");
        QTest::newRow("emulator on another host")
            << localRedis << QStringLiteral("10.1.2.3:8080") << QStringLiteral("demo-fairuse")
            << QStringLiteral("refused the emulator at 10.1.2.3:8080");
        QTest::newRow("emulator on a name that is not localhost")
            << localRedis << QStringLiteral("emulator.internal:8080") << QStringLiteral("demo-fairuse")
            << QStringLiteral("refused the emulator at emulator.internal:8080");
        QTest::newRow("emulator on 0.0.0.0")
            << localRedis << QStringLiteral("0.0.0.0:8080") << QStringLiteral("demo-fairuse")
            << QStringLiteral("refused the emulator at 0.0.0.0:8080");
        QTest::newRow("remote Redis over TLS")
            << QStringLiteral("rediss://redis.internal:6380/0") << QStringLiteral("127.0.0.1:8080")
            << QStringLiteral("demo-fairuse") << QStringLiteral("refused Redis at rediss://redis.internal:6380/0");
        QTest::newRow("remote Redis in clear text, allowed plain")
            << QStringLiteral("redis://10.0.0.7:6379/2") << QStringLiteral("localhost:8080")
            << QStringLiteral("demo-fairuse") << QStringLiteral("refused Redis at redis://10.0.0.7:6379/2");
    }

    void forceRefusesAnythingButLocalEmulators() {
        QFETCH(QString, redisUrl);
        QFETCH(QString, emulatorHost);
        QFETCH(QString, project);
        QFETCH(QString, refused);
        QVERIFY(flushDb(m_port, kDbDown));
        // A token command that would fail loudly if anything tried to reach production.
        const Run run = runCli(seedArgs(redisUrl, project,
                                        {QStringLiteral("--force"), QStringLiteral("--allow-plaintext-redis"),
                                         QStringLiteral("--token-command"), QStringLiteral("false")}),
                               emulatorHost);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QLatin1String("--force refused")), qPrintable(run.err));
        QVERIFY2(run.err.contains(refused), qPrintable(run.err));
        QVERIFY2(!run.err.contains(QLatin1String("writing")), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
        QCOMPARE(dbSize(m_port, kDbDown), 0);
    }

    /** BackendSeeder refuses the same targets itself, whoever calls it. */
    void forceTargetCheck_data() {
        QTest::addColumn<QString>("redisHost");
        QTest::addColumn<QString>("emulatorHost");
        QTest::addColumn<bool>("allowed");
        const auto row = [](const char* name, const char* redisHost, const char* emulatorHost, bool allowed) {
            QTest::newRow(name) << QString::fromLatin1(redisHost) << QString::fromLatin1(emulatorHost) << allowed;
        };
        row("127.0.0.1 both", "127.0.0.1", "127.0.0.1:8080", true);
        row("localhost both", "localhost", "localhost:8080", true);
        row("::1 both", "::1", "[::1]:8080", true);
        row("127.0.0.2 redis", "127.0.0.2", "127.0.0.1:8080", true);
        row("production Firestore", "127.0.0.1", "", false);
        row("remote emulator", "127.0.0.1", "192.168.1.20:8080", false);
        row("emulator without port, remote", "127.0.0.1", "firestore.example", false);
        row("remote redis", "redis.example", "127.0.0.1:8080", false);
        row("redis on a localhost look-alike", "localhost.example", "127.0.0.1:8080", false);
    }

    void forceTargetCheck() {
        QFETCH(QString, redisHost);
        QFETCH(QString, emulatorHost);
        QFETCH(bool, allowed);
        RedisConfig redis;
        redis.host = redisHost;
        FirestoreConfig firestore;
        firestore.projectId = QStringLiteral("demo-x");
        firestore.emulatorHost = emulatorHost;
        const Status s = BackendSeeder::checkForceTarget(redis, firestore);
        QCOMPARE(s.ok(), allowed);
        if (!allowed) {
            QCOMPARE(s.error().kind, ErrorKind::Permission);
            // seed() itself refuses it too, before connecting to anything.
            redis.autoReconnect = false;
            RedisClient client(redis);
            auto fs = std::make_shared<FirestoreClient>(firestore, StaticToken::emulatorOwner());
            BackendSeeder seeder(&client, fs);
            BackendSeedOptions options;
            options.force = true;
            const Result<BackendSeedReport> report = awaitResult(seeder.seed(DemoPopulation{}, options), 5000);
            QVERIFY(!report.ok());
            QCOMPARE(report.error().kind, ErrorKind::Permission);
            QCOMPARE(report.error().message, s.error().message);
            QCOMPARE(client.state(), RedisClient::State::Disconnected);
        }
    }

    /** FIRESTORE_EMULATOR_HOST left in the environment never turns a real project into an emulator session. */
    void emulatorVariableNeverReplacesARealProject() {
        const QString url = QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(kDbDown);
        QVERIFY(flushDb(m_port, kDbDown));
        const QString host = m_host.isEmpty() ? QStringLiteral("127.0.0.1:8080") : m_host;
        const Run run = runCli(seedArgs(url, QStringLiteral("fairuse-prod")), host);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("FIRESTORE_EMULATOR_HOST is set (to %1)").arg(host)),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(QLatin1String("project \"fairuse-prod\" is not a demo- project")),
                 qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
        QCOMPARE(dbSize(m_port, kDbDown), 0);
    }

    void emulatorFlagSeedsANonDemoProject() {
        QVERIFY(flushDb(m_port, kDbDown));
        const QString url = QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(kDbDown);
        const QString project = backends::freshProject(QStringLiteral("flag"));
        const Run run = runCli(seedArgs(url, project, {QStringLiteral("--emulator")}), m_host);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(QJsonDocument::fromJson(run.out)
                    .object()
                    .value(QStringLiteral("firestore"))
                    .toString()
                    .contains(QStringLiteral("emulator %1").arg(m_host)));
        QVERIFY(flushDb(m_port, kDbDown));
    }

    void badUsageExitsWith2_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString project = QStringLiteral("demo-some-project");
        QTest::newRow("missing --redis") << QStringList{QStringLiteral("seed"), QStringLiteral("--store"),
                                                        QStringLiteral("redis+firestore"),
                                                        QStringLiteral("--firestore"), project}
                                         << QStringLiteral("needs --redis URL");
        QTest::newRow("missing --firestore")
            << QStringList{QStringLiteral("seed"), QStringLiteral("--store"), QStringLiteral("redis+firestore"),
                           QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:1/0")}
            << QStringLiteral("needs --firestore PROJECT");
        const QString unreachable = QStringLiteral("redis://127.0.0.1:1/0");
        QTest::newRow("not a project id")
            << toBackend(unreachable, QStringLiteral("Users/x")) << QStringLiteral("is not a Google Cloud project id");
        QTest::newRow("bad redis url") << toBackend(QStringLiteral("http://x"), project) << QStringLiteral("--redis:");
        QTest::newRow("bad layout") << toBackend(unreachable, project,
                                                 {QStringLiteral("--redis-layout"), QStringLiteral("v3")})
                                    << QStringLiteral("--redis-layout must be v2 or legacy");
        QTest::newRow("--db with redis+firestore")
            << toBackend(unreachable, project, {QStringLiteral("--db"), QStringLiteral("/tmp/x.sqlite")})
            << QStringLiteral("--db is for --store embedded");
        QTest::newRow("--redis with embedded")
            << QStringList{QStringLiteral("seed"), QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:1/0")}
            << QStringLiteral("is for --store redis+firestore");
        QTest::newRow("--emulator with embedded") << QStringList{QStringLiteral("seed"), QStringLiteral("--emulator")}
                                                  << QStringLiteral("is for --store redis+firestore");
        QTest::newRow("plain redis:// to another machine")
            << toBackend(QStringLiteral("redis://redis.internal:6379/0"), QStringLiteral("demo-project"))
            << QStringLiteral("would send the password and the data in clear text");
    }

    void badUsageExitsWith2() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run run = runCli(args, m_host);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

private:
    quint16 m_port = 0;
    QString m_host;
};

QTEST_GUILESS_MAIN(SeedCommandTest)
#include "SeedCommandTest.moc"
