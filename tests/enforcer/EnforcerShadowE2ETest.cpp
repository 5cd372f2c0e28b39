// fairuse-enforcer --shadow end to end, on redis-server and the Firestore emulator: a pass records each decision it
// would have made in fair_use_shadow (one document per user and check interval, exactly the decisions the core makes
// from the seeded inputs) and changes nothing else: no state, case, audit record, stage cache, lease or lock. A second
// shadow pass in the same interval, as another instance, doubles nothing. The comparison with cases the backend wrote
// meanwhile finds the disagreements planted among them.
#include "EnforcerPopulation.h"
#include "RequireBackend.h"
#include "TestTime.h"

#include "common/Await.h"
#include "enforcement/Enforcement.h"
#include "enforcement/EnforcerChanges.h"
#include "enforcement/ShadowComparison.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/ShadowDecisionDocument.h"
#include "redis/RedisClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QMap>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;
using fairuse::testing::at;
using namespace fairuse::testing::enforcer;

namespace {

constexpr int kRedisDb = 15;

/** Every document of these collection groups, by name, with its update time. */
const QStringList kWatched{QStringLiteral("fair_use_state"),
                           QStringLiteral("fair_use_events"),
                           QStringLiteral("fair_use_audit"),
                           QStringLiteral("fair_use_audit_meta"),
                           QStringLiteral("fair_use_idempotency"),
                           QStringLiteral("conversations"),
                           QStringLiteral("users")};

} // namespace

class EnforcerShadowE2ETest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;
    QString m_project;
    std::unique_ptr<RedisClient> m_redis;
    std::shared_ptr<FirestoreClient> m_firestore;
    std::unique_ptr<FirestoreCaseStore> m_store;
    QList<User> m_users;

    Run shadowPass(TimePoint now, const QString& instance) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        return runEnforcerAsync({QStringLiteral("--redis"),
                                 QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(kRedisDb),
                                 QStringLiteral("--firestore"), m_project, QStringLiteral("--identity"), kIdentity,
                                 QStringLiteral("--log-dir"),
                                 qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-logs"),
                                 QStringLiteral("--once"), QStringLiteral("--shadow"), QStringLiteral("--now"),
                                 formatRfc3339(now), QStringLiteral("--instance-name"), instance},
                                env);
    }

    static int summary(const Run& r, const char* key) { return r.summary.value(QLatin1String(key)).toInt(-1); }

    Result<RedisReply> redis(QList<QByteArray> argv) { return awaitResult(m_redis->command(std::move(argv))); }

    /** Every Redis key with its type and serialized value. */
    QMap<QByteArray, QByteArray> redisSnapshot() {
        QMap<QByteArray, QByteArray> out;
        const auto keys = redis({"KEYS", "*"});
        if (!keys) {
            return out;
        }
        for (const RedisReply& key : keys->elements()) {
            const auto dump = redis({"DUMP", key.text()});
            out.insert(key.text(), dump ? dump->text() : QByteArray("?"));
        }
        return out;
    }

    /** Every document of the watched collection groups: name -> update time. */
    QMap<QString, QString> firestoreSnapshot() {
        QMap<QString, QString> out;
        for (const QString& group : kWatched) {
            FirestoreQuery q;
            q.collectionId = group;
            q.allDescendants = true;
            q.limit = 1000;
            const auto docs = awaitResult(m_firestore->runQuery(q));
            if (!docs) {
                out.insert(group, QStringLiteral("unreadable: ") + docs.error().message);
                continue;
            }
            for (const FirestoreDocument& d : *docs) {
                out.insert(d.relativePath(), d.updateTime);
            }
        }
        return out;
    }

    QList<FirestoreDocument> shadowDocuments() {
        FirestoreQuery q;
        q.collectionId = kShadowCollection;
        q.limit = 1000;
        const auto docs = awaitResult(m_firestore->runQuery(q));
        return docs ? *docs : QList<FirestoreDocument>{};
    }

    void buildPopulation() {
        const auto add = [this](const QString& uid, Kind kind, std::int64_t speechMs, Stage stage, int pastCases) {
            m_users.append(makeUser(uid, kind, speechMs, stage, pastCases));
        };
        for (int i = 0; i < 6; ++i) {
            add(QStringLiteral("a%1").arg(i, 3, 10, QLatin1Char('0')), Kind::Audiobook, 3 * 3'600'000 + i * 60'000,
                Stage::None, 0);
        }
        for (int i = 0; i < 3; ++i) {
            add(QStringLiteral("m%1").arg(i, 3, 10, QLatin1Char('0')), Kind::Meeting, 3 * 3'600'000, Stage::None, 0);
        }
        for (int i = 0; i < 4; ++i) {
            add(QStringLiteral("l%1").arg(i, 3, 10, QLatin1Char('0')), Kind::Light, 30 * 60'000, Stage::None, 0);
        }
        add(QStringLiteral("w000"), Kind::Audiobook, 2 * 3'600'000 + 600'000, Stage::Warning, 1);
        // Throttled by the backend, the throttle over an hour ago, no speech since: the sweep would lower it.
        User x;
        x.uid = QStringLiteral("x000");
        x.state.uid = x.uid;
        x.state.stage = Stage::Throttle;
        x.state.updatedAt = kT - 100h;
        x.state.throttleUntil = kT - 1h;
        x.state.version = QStringLiteral("seeded");
        m_users.append(x);
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
        m_project = fairuse::testing::backends::freshProject(QStringLiteral("demo-shadow"));
        FirestoreConfig fc;
        fc.projectId = m_project;
        fc.emulatorHost = m_host;
        m_firestore = std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner());
        m_store = std::make_unique<FirestoreCaseStore>(m_firestore);

        buildPopulation();
        for (const User& u : m_users) {
            if (u.speechMs > 0) {
                const auto r = awaitResult(m_redis->pipeline(speechCommands(u)));
                QVERIFY(r.ok());
            }
        }
        QVERIFY(redis({"SET", "fair_use:stage:a000", "none"}).ok()); // the backend's cached stage
        const auto seeded = awaitResult(m_firestore->commitInBatches(firestoreWrites(m_users)));
        QVERIFY2(seeded.ok(), qPrintable(seeded ? QString() : seeded.error().message));
    }

    void shadowPassRecordsOnlyItsDecisions() {
        const QMap<QByteArray, QByteArray> redisBefore = redisSnapshot();
        const QMap<QString, QString> firestoreBefore = firestoreSnapshot();
        QVERIFY(!firestoreBefore.isEmpty());

        QElapsedTimer timer;
        timer.start();
        const Run run = shadowPass(kT, QStringLiteral("shadow-a"));
        const qint64 ms = timer.elapsed();
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        // What the core decides from the seeded inputs: a record for every cap hit and every expiry, nothing else.
        QHash<QString, Expected> expected;
        for (const User& u : m_users) {
            const Expected x = expect(u, u.state, kT, u.speechMs);
            if (!x.decision.capsHit.isEmpty() || x.decision.stateChanged) {
                expected.insert(u.uid, x);
            }
        }
        QVERIFY(expected.contains(QStringLiteral("x000")));
        QVERIFY(!expected.contains(QStringLiteral("l000")));
        const QList<FirestoreDocument> docs = shadowDocuments();
        QCOMPARE(docs.size(), expected.size());
        QCOMPARE(summary(run, "shadow_recorded"), static_cast<int>(expected.size()));
        QCOMPARE(summary(run, "shadow_found"), 0);
        for (const FirestoreDocument& doc : docs) {
            const Result<ShadowDecision> d = decodeShadowDecision(doc);
            QVERIFY2(d.ok(), qPrintable(d ? QString() : d.error().message));
            QVERIFY2(expected.contains(d->uid), qPrintable(d->uid));
            const Expected& x = expected.value(d->uid);
            QCOMPARE(d->id, enforcement::shadowDecisionId(d->uid, kT));
            QCOMPARE(d->instance, QStringLiteral("shadow-a"));
            QVERIFY(d->passAt == kT);
            QCOMPARE(d->action, toString(x.decision.action));
            QVERIFY2(d->stageBefore == x.decision.stageBefore && d->stageAfter == x.decision.stageAfter,
                     qPrintable(d->uid));
            QCOMPARE(d->caseId, x.decision.event ? x.caseId : QString());
            QCOMPARE(d->caseRef, x.decision.event ? x.decision.event->caseRef : QString());
            const User& u =
                *std::find_if(m_users.cbegin(), m_users.cend(), [&](const User& v) { return v.uid == d->uid; });
            if (u.speechMs > 0) {
                QVERIFY(d->totals == (SpeechTotals{u.speechMs, u.speechMs, u.speechMs}));
                QVERIFY(d->trigger == x.decision.trigger);
            } else {
                QVERIFY(d->expiry);
                QVERIFY(!d->totals);
            }
            if (u.kind == Kind::Audiobook && u.state.stage == Stage::None) {
                QVERIFY(d->score && *d->score >= kPolicy.scoreThreshold);
                QVERIFY(d->usageType == UsageType::Audiobook);
            } else if (u.kind == Kind::Meeting) {
                QVERIFY(d->score && *d->score < kPolicy.scoreThreshold);
            }
        }

        // Nothing else changed: no state, case, audit record, key; no stage cache dropped, no lease, no lock.
        QCOMPARE(firestoreSnapshot(), firestoreBefore);
        QCOMPARE(redisSnapshot(), redisBefore);
        QCOMPARE(redis({"GET", "fair_use:stage:a000"})->text(), QByteArray("none"));
        qInfo("shadow pass: %d users, %d decisions recorded in %lld ms", int(m_users.size()), int(docs.size()), ms);
    }

    void secondPassInTheIntervalDoublesNothing() {
        const QList<FirestoreDocument> before = shadowDocuments();
        QVERIFY(!before.isEmpty());
        // Another instance, two minutes later, in the same check interval.
        const Run run = shadowPass(kT + 2min, QStringLiteral("shadow-b"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(summary(run, "shadow_recorded"), 0);
        QCOMPARE(summary(run, "shadow_found"), static_cast<int>(before.size()));
        const QList<FirestoreDocument> after = shadowDocuments();
        QCOMPARE(after.size(), before.size());
        for (qsizetype i = 0; i < after.size(); ++i) {
            QCOMPARE(after.at(i).name, before.at(i).name);
            QCOMPARE(after.at(i).updateTime, before.at(i).updateTime);
        }
    }

    void comparisonFindsThePlantedDisagreements() {
        // The backend's own cases a minute after the pass: the same warning (a000), a throttle where the service
        // warns (a001), a warning of a light user the service found under the caps (l000), a warning of a meeting
        // user the service found legitimate (m000).
        QList<FirestoreWrite> writes;
        const auto plant = [&writes](const QString& uid, Stage after) {
            FairUseEvent e = pastCase(uid, 7, kT + 1min, Stage::None, after);
            writes.append(FirestoreWrite::set(FirestoreCaseStore::eventPath(uid, e.id), encodeEvent(e)));
        };
        plant(QStringLiteral("a000"), Stage::Warning);
        plant(QStringLiteral("a001"), Stage::Throttle);
        plant(QStringLiteral("l000"), Stage::Warning);
        plant(QStringLiteral("m000"), Stage::Warning);
        QVERIFY(awaitResult(m_firestore->commit(writes)).ok());

        enforcement::ShadowComparisonInput in;
        in.from = kT - 1h;
        in.to = kT + 1h;
        in.matchWindow = kPolicy.checkInterval;
        const auto shadow = awaitResult(m_store->listShadowDecisions(in.from, in.to));
        QVERIFY2(shadow.ok(), qPrintable(shadow ? QString() : shadow.error().message));
        in.shadow = *shadow;
        const auto cases = awaitResult(m_store->listCasesOpenDuring(in.from, in.to));
        QVERIFY(cases.ok());
        in.backendCases = *cases;
        for (const ShadowDecision& d : in.shadow) {
            if (d.expiry) {
                const auto state = awaitResult(m_store->getState(d.uid));
                QVERIFY(state.ok());
                in.backendStates.insert(d.uid, *state);
            }
        }
        const enforcement::ShadowComparison c = enforcement::compareShadow(in);

        QHash<QString, QString> verdicts;
        for (const enforcement::ShadowComparisonRow& r : c.rows) {
            QVERIFY2(!verdicts.contains(r.uid), qPrintable(r.uid));
            verdicts.insert(r.uid, toString(r.verdict));
        }
        QCOMPARE(verdicts.value(QStringLiteral("a000")), QStringLiteral("agree"));
        QCOMPARE(verdicts.value(QStringLiteral("a001")), QStringLiteral("stage_differs"));
        QCOMPARE(verdicts.value(QStringLiteral("l000")), QStringLiteral("backend_only"));
        QCOMPARE(verdicts.value(QStringLiteral("m000")), QStringLiteral("backend_only"));
        QCOMPARE(verdicts.value(QStringLiteral("m001")), QStringLiteral("agree"));
        QCOMPARE(verdicts.value(QStringLiteral("x000")), QStringLiteral("service_only")); // still throttled there
        for (int i = 2; i < 6; ++i) {
            QCOMPARE(verdicts.value(QStringLiteral("a%1").arg(i, 3, 10, QLatin1Char('0'))),
                     QStringLiteral("service_only"));
        }
        QCOMPARE(verdicts.value(QStringLiteral("w000")), QStringLiteral("service_only"));
        QCOMPARE(c.decisions(), static_cast<int>(in.shadow.size()) + 1); // l000 has no shadow record
        QCOMPARE(c.stageDiffers, 1);
        QCOMPARE(c.backendOnly, 2);
        QCOMPARE(c.serviceOnly, 6);
        QCOMPARE(c.agree, c.decisions() - 9);
        QVERIFY(c.rows.first().disagrees());
        QVERIFY(!c.rows.last().disagrees());
    }

    void cleanupTestCase() {
        if (m_redis) {
            QVERIFY(redis({"FLUSHDB"}).ok());
        }
    }
};

QTEST_GUILESS_MAIN(EnforcerShadowE2ETest)
#include "EnforcerShadowE2ETest.moc"
