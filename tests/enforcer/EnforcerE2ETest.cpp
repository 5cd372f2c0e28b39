// fairuse-enforcer end to end: the backend's own Redis key layout for a population of users (heavy audiobook
// listeners, heavy meeting users, light users, repeat offenders at warning and throttle, a v2-layout user, a paid
// plan, junk values), their conversations, subscriptions, states and earlier cases in the Firestore emulator; the
// built binary run with --once at chosen times. What it must write is computed with the core from the same inputs
// (enforcement::evaluate, the heuristic classifier), never hard-coded: stages, cases and `enforce` records exactly as
// the policy implies; a rerun writes nothing new; --shadow writes no state, case or record (what it records:
// EnforcerShadowE2ETest); a week later the throttles and restrictions have expired.
#include "EnforcerPopulation.h"
#include "RequireBackend.h"
#include "TestTime.h"

#include "audit/AuditChain.h"
#include "classifier/HeuristicClassifier.h"
#include "common/Await.h"
#include "common/Subscription.h"
#include "enforcement/Enforcement.h"
#include "enforcement/EnforcerChanges.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/UserDocument.h"
#include "metering/Metering.h"
#include "redis/RedisClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;
using fairuse::testing::at;
using namespace fairuse::testing::enforcer;

namespace {

constexpr int kRedisDb = 12;

} // namespace

class EnforcerE2ETest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;
    QString m_project;
    std::unique_ptr<RedisClient> m_redis;
    std::shared_ptr<FirestoreClient> m_firestore;
    std::unique_ptr<FirestoreCaseStore> m_store;
    QList<User> m_users;

    QString redisUrl() const { return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(kRedisDb); }

    Run runEnforcer(const QStringList& extra) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        p.setProcessEnvironment(env);
        QElapsedTimer timer;
        timer.start();
        p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
                QStringList{QStringLiteral("--redis"), redisUrl(), QStringLiteral("--firestore"), m_project,
                            QStringLiteral("--identity"), kIdentity, QStringLiteral("--log-dir"),
                            qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-logs")} +
                    extra);
        Run run;
        if (!p.waitForFinished(120000)) {
            p.kill();
            run.err = QStringLiteral("timed out");
            return run;
        }
        run.ms = timer.elapsed();
        run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        run.err = QString::fromUtf8(p.readAllStandardError());
        readLines(p.readAllStandardOutput(), run);
        return run;
    }

    int summary(const Run& r, const char* key) const { return r.summary.value(QLatin1String(key)).toInt(-1); }

    Result<RedisReply> redis(QList<QByteArray> argv) { return awaitResult(m_redis->command(std::move(argv))); }

    void seedRedis(const User& u) {
        const auto r = awaitResult(m_redis->pipeline(speechCommands(u)));
        QVERIFY2(r.ok(), qPrintable(r ? QString() : r.error().message));
    }

    void seedFirestore() {
        const auto r = awaitResult(m_firestore->commitInBatches(firestoreWrites(m_users)));
        QVERIFY2(r.ok(), qPrintable(r ? QString() : r.error().message));
    }

    void buildPopulation() {
        int n = 0;
        const auto add = [&](Kind kind, std::int64_t speechMs, Stage stage, int pastCases) {
            m_users.append(
                makeUser(QStringLiteral("u%1").arg(n++, 3, 10, QLatin1Char('0')), kind, speechMs, stage, pastCases));
            return static_cast<int>(m_users.size() - 1);
        };
        for (int i = 0; i < 10; ++i) {
            add(Kind::Audiobook, 3 * 3'600'000 + i * 60'000, Stage::None, 0);
        }
        for (int i = 0; i < 8; ++i) {
            add(Kind::Meeting, 3 * 3'600'000 + i * 60'000, Stage::None, 0);
        }
        for (int i = 0; i < 4; ++i) {
            add(Kind::Audiobook, 2 * 3'600'000 + 600'000, Stage::Warning, 1);
        }
        for (int i = 0; i < 3; ++i) {
            add(Kind::Audiobook, 2 * 3'600'000 + 600'000, Stage::Throttle, 2);
        }
        for (int i = 0; i < 12; ++i) {
            add(Kind::Light, 30 * 60'000 + i * 1000, Stage::None, 0);
        }
        m_users[add(Kind::Audiobook, 3 * 3'600'000, Stage::None, 0)].v2 = true;
        // A paid plan's caps (4 h a day): 3 h of audiobooks is within them.
        const int paid = add(Kind::Audiobook, 3 * 3'600'000, Stage::None, 0);
        m_users[paid].subscription = Subscription{QStringLiteral("unlimited"), QStringLiteral("active"), kT + 720h};
        // A lapsed paid plan is basic again.
        const int lapsed = add(Kind::Audiobook, 3 * 3'600'000, Stage::None, 0);
        m_users[lapsed].subscription = Subscription{QStringLiteral("unlimited"), QStringLiteral("canceled"), kT - 24h};
        m_users[add(Kind::Light, 20 * 60'000, Stage::None, 0)].junkValue = true;
        // Throttled and restricted by the backend, no speech since: only the sweep sees them.
        for (const Stage stage : {Stage::Throttle, Stage::Throttle, Stage::Restrict}) {
            User u;
            u.uid = QStringLiteral("u%1").arg(n++, 3, 10, QLatin1Char('0'));
            u.state.uid = u.uid;
            u.state.stage = stage;
            u.state.updatedAt = kT - 200h;
            if (stage == Stage::Throttle) {
                u.state.throttleUntil = kT + 48h;
            } else {
                u.state.restrictUntil = kT + 72h;
                u.state.restrictReason = QStringLiteral("3 violations within 30 days");
            }
            u.state.version = QStringLiteral("seeded");
            m_users.append(u);
        }
    }

    QList<AuditRecord> auditTrail() {
        AuditFilter all;
        all.limit = 0;
        const auto records = awaitResult(m_store->listAudit(all));
        return records ? *records : QList<AuditRecord>{};
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
        QVERIFY(redis({"FLUSHDB"}).ok());
        m_project = fairuse::testing::backends::freshProject(QStringLiteral("demo-enf"));
        FirestoreConfig fc;
        fc.projectId = m_project;
        fc.emulatorHost = m_host;
        m_firestore = std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner());
        m_store = std::make_unique<FirestoreCaseStore>(m_firestore);

        buildPopulation();
        for (const User& u : m_users) {
            if (u.speechMs > 0) {
                seedRedis(u);
            }
        }
        QVERIFY(redis({"HSET", "fair_use:v2:bucket:nonsense_source:u999", "1", "5"}).ok()); // names no user
        QVERIFY(redis({"SET", "fair_use:stage:u000", "none"}).ok()); // the backend's cached stage
        seedFirestore();
    }

    void pass() {
        // Shadow first: every decision reported, no state, case, record or Redis key written.
        const Run shadow = runEnforcer(
            {QStringLiteral("--once"), QStringLiteral("--shadow"), QStringLiteral("--now"), formatRfc3339(kT)});
        QVERIFY2(shadow.exitCode == 0, qPrintable(shadow.err));
        QVERIFY(awaitResult(m_store->readAuditHead())->sequence == 0);
        QCOMPARE(redis({"GET", "fair_use:stage:u000"})->text(), QByteArray("none"));
        QCOMPARE(summary(shadow, "cases_written"), 0);
        QCOMPARE(redis({"KEYS", "fair_use:enforcer:*"})->elements().size(), 0); // no lease, no marker

        // The real pass.
        const Run first = runEnforcer({QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(kT)});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        Tally tally;
        verifyStored(*m_store, m_users, tally);
        if (QTest::currentTestFailed()) {
            return;
        }
        const int cases = tally.cases;
        const int writes = tally.writes;
        const int throttles = tally.throttles;
        const int restricts = tally.restricts;
        const QHash<QString, FairUseState>& after = tally.after;
        QVERIFY2(cases >= 15 && throttles == 4 && restricts == 3,
                 qPrintable(QStringLiteral("the population should warn, throttle and restrict: %1 cases, %2 throttles, "
                                           "%3 restrictions")
                                .arg(cases)
                                .arg(throttles)
                                .arg(restricts)));
        QCOMPARE(summary(first, "cases_written"), cases);
        QCOMPARE(summary(first, "cases_written") + summary(first, "state_writes"), writes);
        QCOMPARE(summary(shadow, "would_write"), writes);
        QCOMPARE(summary(first, "users_scanned"), 41); // 40 with speech, the junk key and the sweep users not
        QCOMPARE(summary(first, "junk_values"), 2);    // one junk value, one key naming no user
        QCOMPARE(summary(first, "classifier_failures"), 0);
        QCOMPARE(summary(first, "expiries"), 0);

        // The audit trail: one `enforce` record per write, in the service's name, chained to the head.
        const QList<AuditRecord> trail = auditTrail();
        QCOMPARE(trail.size(), writes);
        for (const AuditRecord& r : trail) {
            QCOMPARE(toString(r.action), QStringLiteral("enforce"));
            QCOMPARE(toString(r.role), QStringLiteral("service"));
            QCOMPARE(r.reviewer, kIdentity);
        }
        const auto head = awaitResult(m_store->readAuditHead());
        QVERIFY(verifyChain(trail, head->hash).ok);
        QVERIFY(redis({"EXISTS", "fair_use:stage:u000"})->integerValue() == 0); // dropped after the write
        QCOMPARE(redis({"KEYS", "fair_use:classifier_lock:*"})->elements().size(), 0);
        qInfo("first pass: %d users, %d cases, %d writes in %lld ms (shadow %lld ms)", int(m_users.size()), cases,
              writes, first.ms, shadow.ms);

        // Every range was worked by this one instance, and its users are the users scanned.
        QCOMPARE(summary(first, "ranges_worked"), 64);
        int inRanges = 0;
        for (const QJsonObject& r : first.ranges) {
            if (r.value(QStringLiteral("outcome")).toString() == QLatin1String("taken")) {
                continue;
            }
            QCOMPARE(r.value(QStringLiteral("outcome")).toString(), QStringLiteral("done"));
            QCOMPARE(r.value(QStringLiteral("evaluated")).toInt(), r.value(QStringLiteral("users")).toInt());
            inRanges += r.value(QStringLiteral("users")).toInt();
        }
        QCOMPARE(inRanges, 41);

        // The same pass again, in the same check interval: every range is done, nobody is evaluated twice.
        const Run same = runEnforcer({QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(kT)});
        QVERIFY2(same.exitCode == 0, qPrintable(same.err));
        QCOMPARE(summary(same, "users_evaluated"), 0);
        QCOMPARE(summary(same, "ranges_done_elsewhere"), 64);
        QCOMPARE(summary(same, "cases_written"), 0);

        // Every user evaluated has their evaluation marker for the check interval, done.
        const auto markers = redis({"KEYS", "fair_use:enforcer:evaluated:*"});
        QCOMPARE(markers->elements().size(), 41);
        for (const RedisReply& key : markers->elements()) {
            QCOMPARE(redis({"GET", key.text()})->text(), QByteArray("done"));
        }

        // Without the leases and the markers (they expired, or an operator deleted them), the pass runs again:
        // nothing new, every case reported as written already.
        const auto leases = redis({"KEYS", "fair_use:enforcer:range:*"});
        QCOMPARE(leases->elements().size(), 66); // 64 ranges, the sweep and the spend review
        for (const RedisReply& key : leases->elements() + markers->elements()) {
            QVERIFY(redis({"DEL", key.text()}).ok());
        }
        const Run again = runEnforcer({QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(kT)});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QCOMPARE(summary(again, "cases_written"), 0);
        QCOMPARE(summary(again, "state_writes"), 0);
        QCOMPARE(summary(again, "already_written"), cases);
        QCOMPARE(auditTrail().size(), writes);

        // Eight days later the speech is out of every window; the throttles of this pass and the backend's own have
        // expired, restrictions whose end passed fall back to throttle.
        const TimePoint later = kT + 192h;
        const Run week = runEnforcer({QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(later)});
        QVERIFY2(week.exitCode == 0, qPrintable(week.err));
        int expiries = 0;
        for (const User& u : m_users) {
            const FairUseState before = after.value(u.uid);
            const enforcement::Expiry x = enforcement::applyExpiry(kPolicy, before, later);
            expiries += x.action ? 1 : 0;
            const auto stored = awaitResult(m_store->getStateOrNew(u.uid));
            QVERIFY(stored.ok());
            QVERIFY2(stored->stage == x.state.stage,
                     qPrintable(QStringLiteral("%1 at T+8d: %2, expected %3")
                                    .arg(u.uid, toString(stored->stage), toString(x.state.stage))));
            if (x.action == enforcement::Action::RestrictExpiredToThrottle) {
                QCOMPARE(stored->throttleUntil, std::optional<TimePoint>(later + kPolicy.throttleDuration));
            }
        }
        QVERIFY2(expiries >= 7, qPrintable(QString::number(expiries)));
        QCOMPARE(summary(week, "expiries"), expiries);
        QCOMPARE(summary(week, "cases_written"), 0);
        QCOMPARE(auditTrail().size(), writes + expiries);
        QVERIFY(verifyChain(auditTrail(), awaitResult(m_store->readAuditHead())->hash).ok);
        qInfo("a week later: %d expiries in %lld ms; rerun %lld ms", expiries, week.ms, again.ms);
    }

    void classifierOutageWritesNothing() {
        // One heavy listener alone in another Redis database, and a classifier that cannot be reached: the failure is
        // counted and reported, and nothing is written (no case, no state, no cooldown, no record, no lock left).
        RedisConfig rc;
        rc.port = m_redisPort;
        rc.db = kRedisDb + 1;
        RedisClient other(rc);
        QVERIFY(awaitResult(other.command({"FLUSHDB"})).ok());
        const QByteArray uid = "outage001";
        const std::int64_t nowMinute = std::chrono::duration_cast<std::chrono::minutes>(kT.time_since_epoch()).count();
        QList<QList<QByteArray>> commands;
        for (int i = 0; i < 60; ++i) {
            const QByteArray minute = QByteArray::number(nowMinute - 120 + i);
            commands.append({"HINCRBY", "fair_use:bucket:" + uid, minute, "150000"});
            commands.append({"ZADD", "fair_use:speech:" + uid, QByteArray::number((nowMinute - 120 + i) * 60), minute});
        }
        QVERIFY(awaitResult(other.pipeline(commands)).ok());
        const qsizetype records = auditTrail().size();
        QTcpServer closed; // a port nobody listens on once it is closed again
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        const QString url = QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(kRedisDb + 1);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        env.insert(QStringLiteral("FAIRUSE_LLM_API_KEY"), QStringLiteral("test-key"));
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
                {QStringLiteral("--redis"), url, QStringLiteral("--firestore"), m_project, QStringLiteral("--identity"),
                 kIdentity, QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(kT),
                 QStringLiteral("--llm-base-url"), QStringLiteral("http://127.0.0.1:%1/v1").arg(port),
                 QStringLiteral("--llm-model"), QStringLiteral("gpt-test"), QStringLiteral("--log-dir"),
                 qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-logs")});
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err)); // the classifier is not Redis or Firestore
        QList<QByteArray> lines = p.readAllStandardOutput().trimmed().split('\n');
        lines.removeIf([](const QByteArray& line) { // the range lines
            return QJsonDocument::fromJson(line).object().contains(QStringLiteral("range"));
        });
        QCOMPARE(lines.size(), 2);
        const QJsonObject decision = QJsonDocument::fromJson(lines.first()).object();
        QCOMPARE(decision.value(QStringLiteral("outcome")).toString(), QStringLiteral("classifier_failed"));
        const QJsonObject sum =
            QJsonDocument::fromJson(lines.last()).object().value(QStringLiteral("summary")).toObject();
        QCOMPARE(sum.value(QStringLiteral("classifier_failures")).toInt(), 1);
        QCOMPARE(sum.value(QStringLiteral("cases_written")).toInt(), 0);
        QCOMPARE(sum.value(QStringLiteral("state_writes")).toInt(), 0);
        const auto state = awaitResult(m_store->getStateOrNew(QString::fromLatin1(uid)));
        QVERIFY(state.ok());
        QVERIFY(state->version.isEmpty()); // no state document: no cooldown started
        QCOMPARE(auditTrail().size(), records);
        QCOMPARE(awaitResult(other.command({"EXISTS", "fair_use:classifier_lock:" + uid}))->integerValue(), 0);
        QVERIFY(awaitResult(other.command({"FLUSHDB"})).ok());
    }

    void loopModeStopsOnSigterm() {
        // Without --once: a pass every --interval until SIGTERM, which ends the service cleanly (exit 0). An empty
        // database and project of its own, so the passes at the real clock touch nothing of the other tests.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
                {QStringLiteral("--redis"),
                 QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(kRedisDb + 1),
                 QStringLiteral("--firestore"), fairuse::testing::backends::freshProject(QStringLiteral("demo-loop")),
                 QStringLiteral("--identity"), kIdentity, QStringLiteral("--interval"), QStringLiteral("1"),
                 QStringLiteral("--log-dir"),
                 qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-logs")});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        while (out.count("\"summary\"") < 2 && timer.elapsed() < 60000) {
            p.waitForReadyRead(500);
            out += p.readAllStandardOutput();
        }
        QVERIFY2(out.count("\"summary\"") >= 2, out.constData());
        p.terminate(); // SIGTERM
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QProcess once;
        once.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
                   {QStringLiteral("--redis"), redisUrl(), QStringLiteral("--firestore"), m_project,
                    QStringLiteral("--interval"), QStringLiteral("5"), QStringLiteral("--now"), formatRfc3339(kT)});
        QVERIFY(once.waitForFinished(30000));
        QCOMPARE(once.exitCode(), 2); // a pinned clock cannot loop
    }

    void cleanupTestCase() {
        if (m_redis) {
            QVERIFY(redis({"FLUSHDB"}).ok());
        }
    }
};

QTEST_GUILESS_MAIN(EnforcerE2ETest)
#include "EnforcerE2ETest.moc"
