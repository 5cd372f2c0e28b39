// Redis or Firestore going away in the middle of a fairuse-enforcer pass: the service reaches each through a TCP
// proxy in this process, which the test takes away after the pass has written a few cases. Nothing is half-written
// (every user has either the whole decision, state + case + record, or nothing of it), the pass ends early saying
// which backend failed (exit 1, its error count), the range in work is handed back unfinished, and the next pass,
// with the backend back, resumes: the ranges done before stay done, and in the end the store holds exactly what the
// core decides, each case and record once.
#include "EnforcerPopulation.h"
#include "RequireBackend.h"
#include "TcpProxy.h"

#include "audit/AuditChain.h"
#include "common/Await.h"
#include "firestore/FirestoreAuth.h"
#include "redis/RedisClient.h"

#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::enforcer;
using fairuse::testing::TcpProxy;

namespace {

constexpr int kRedisDb = 10;

} // namespace

class EnforcerOutageTest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;
    std::unique_ptr<RedisClient> m_redis;

    /** Runs the binary with the event loop spinning (the proxies live on this thread); `onLine` sees each stdout
     *  line as it comes. */
    Run runEnforcer(const QString& project, quint16 redisPort, quint16 firestorePort,
                    const std::function<void(const QJsonObject&)>& onLine) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), QStringLiteral("127.0.0.1:%1").arg(firestorePort));
        return runEnforcerAsync(
            {QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1/%2").arg(redisPort).arg(kRedisDb),
             QStringLiteral("--firestore"), project, QStringLiteral("--identity"), kIdentity, QStringLiteral("--once"),
             QStringLiteral("--now"), formatRfc3339(kT), QStringLiteral("--lease-ttl"), QStringLiteral("1"),
             QStringLiteral("--log-dir"),
             qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-outage-logs")},
            env, onLine);
    }

private Q_SLOTS:
    void initTestCase() {
        m_redisPort = fairuse::testing::backends::redisPort();
        REQUIRE_REDIS(m_redisPort);
        m_host = fairuse::testing::backends::emulatorHost();
        REQUIRE_FIRESTORE_EMULATOR(m_host);
        QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE")), "FAIRUSE_ENFORCER_EXE is not built");
        RedisConfig rc;
        rc.port = m_redisPort;
        rc.db = kRedisDb;
        m_redis = std::make_unique<RedisClient>(rc);
    }

    void aBackendGoesAwayMidPass_data() {
        QTest::addColumn<QString>("backend");
        QTest::newRow("redis") << QStringLiteral("redis");
        QTest::newRow("firestore") << QStringLiteral("firestore");
    }

    void aBackendGoesAwayMidPass() {
        QFETCH(QString, backend);
        QVERIFY(awaitResult(m_redis->command({"FLUSHDB"})).ok());
        const QString project = fairuse::testing::backends::freshProject(QStringLiteral("demo-enout"));
        FirestoreConfig fc;
        fc.projectId = project;
        fc.emulatorHost = m_host;
        auto firestore = std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner());
        FirestoreCaseStore store(firestore);
        QList<User> users;
        for (int i = 0; i < 90; ++i) {
            const bool heavy = i < 60;
            users.append(makeUser(QStringLiteral("u%1").arg(i, 4, 10, QLatin1Char('0')),
                                  heavy ? Kind::Audiobook : Kind::Light, heavy ? 3 * 3'600'000 + i * 1000 : 20 * 60'000,
                                  Stage::None, 0));
        }
        for (const User& u : users) {
            QVERIFY(awaitResult(m_redis->pipeline(speechCommands(u))).ok());
        }
        QVERIFY(awaitResult(firestore->commitInBatches(firestoreWrites(users)), 60000));

        TcpProxy redisProxy(QStringLiteral("127.0.0.1"), m_redisPort);
        const qsizetype colon = m_host.lastIndexOf(QLatin1Char(':'));
        TcpProxy firestoreProxy(m_host.left(colon), m_host.mid(colon + 1).toUShort());
        QVERIFY(redisProxy.start() && firestoreProxy.start());
        TcpProxy& failing = backend == QLatin1String("redis") ? redisProxy : firestoreProxy;

        // The first pass loses the backend after its eighth case.
        int written = 0;
        const Run first = runEnforcer(project, redisProxy.port(), firestoreProxy.port(), [&](const QJsonObject& o) {
            if (o.value(QStringLiteral("outcome")).toString() == QLatin1String("written") && ++written == 8) {
                failing.goAway();
            }
        });
        QVERIFY2(!failing.isUp(), "the pass ended before its eighth case");
        QVERIFY2(first.exitCode == 1,
                 qPrintable(QStringLiteral("exit %1: %2").arg(first.exitCode).arg(first.err.right(2000))));
        QVERIFY(summary(first, backend == QLatin1String("redis") ? "redis_errors" : "firestore_errors") > 0);
        QVERIFY(summary(first, "users_evaluated") < 90); // it ended early rather than fail every user left
        QVERIFY2(first.err.contains(backend == QLatin1String("redis") ? QStringLiteral("Redis")
                                                                      : QStringLiteral("Firestore"),
                                    Qt::CaseInsensitive),
                 "the log does not say which backend failed");

        // Nothing half-written: each user has the whole decision (case, state naming it, record) or nothing.
        AuditFilter all;
        all.limit = 0;
        const auto trail = awaitResult(store.listAudit(all), 60000);
        QVERIFY(trail);
        QSet<QString> recorded;
        for (const AuditRecord& r : *trail) {
            recorded.insert(r.uid);
        }
        int decided = 0;
        for (const User& u : users) {
            const auto events = awaitResult(store.listEvents(u.uid));
            const auto state = awaitResult(store.getStateOrNew(u.uid));
            QVERIFY(events && state);
            QVERIFY(events->size() <= 1);
            if (events->isEmpty()) {
                QVERIFY2(state->version.isEmpty() && !recorded.contains(u.uid), qPrintable(u.uid));
            } else {
                ++decided;
                QCOMPARE(state->lastCaseRef, events->first().caseRef);
                QVERIFY2(recorded.contains(u.uid), qPrintable(u.uid));
            }
        }
        QCOMPARE(trail->size(), decided);
        QVERIFY(decided >= 8);
        QVERIFY(verifyChain(*trail, awaitResult(store.readAuditHead())->hash).ok);

        // The backend is back: the next pass resumes and finishes, and the store is exactly what the core decides.
        QVERIFY(failing.comeBack());
        const Run second = runEnforcer(project, redisProxy.port(), firestoreProxy.port(), {});
        QVERIFY2(second.exitCode == 0, qPrintable(second.err.right(2000)));
        QVERIFY2(summary(second, "ranges_done_elsewhere") > 0, "the ranges done before the outage were done again");
        QVERIFY(summary(second, "users_evaluated") < 90);
        Tally tally;
        verifyStored(store, users, tally);
        if (QTest::currentTestFailed()) {
            return;
        }
        QCOMPARE(tally.cases, 60);
        const auto after = awaitResult(store.listAudit(all), 60000);
        QVERIFY(after);
        QCOMPARE(after->size(), tally.writes);
        QVERIFY(verifyChain(*after, awaitResult(store.readAuditHead())->hash).ok);
        qInfo("%s gone after 8 cases: first pass %d written, %d evaluated; second pass %d written, %d evaluated",
              qPrintable(backend), summary(first, "cases_written"), summary(first, "users_evaluated"),
              summary(second, "cases_written"), summary(second, "users_evaluated"));
    }

    void cleanupTestCase() {
        if (m_redis) {
            QVERIFY(awaitResult(m_redis->command({"FLUSHDB"})).ok());
        }
    }

private:
    static int summary(const Run& r, const char* key) { return r.summary.value(QLatin1String(key)).toInt(-1); }
};

QTEST_GUILESS_MAIN(EnforcerOutageTest)
#include "EnforcerOutageTest.moc"
