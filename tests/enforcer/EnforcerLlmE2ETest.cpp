// fairuse-enforcer end to end with the LLM classifier: 300 users in the backend's own Redis key layout (heavy
// audiobook listeners, heavy meeting users, repeat offenders at warning and throttle, light users, v2-layout users,
// and two users over the caps whose classifier call fails: the server is down for one, answers garbage for the
// other), their conversations in the Firestore emulator, and the scripted OpenAI-compatible server answering from
// what each request holds. After a pass at T, the same interval again, and a pass a week later, the stages, cases
// and `enforce` records are exactly what the core decides from the same inputs, and the failed users have nothing.
#include "EnforcerPopulation.h"
#include "RequireBackend.h"
#include "ScriptedOpenAiServer.h"

#include "audit/AuditChain.h"
#include "common/Await.h"
#include "firestore/FirestoreAuth.h"
#include "redis/RedisClient.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::enforcer;
using fairuse::testing::RecordedRequest;
using fairuse::testing::ScriptedOpenAiServer;
using fairuse::testing::ScriptedResponse;

namespace {

constexpr int kRedisDb = 11;
const QString kModel = QStringLiteral("gpt-test-enforcer-2026-12-01");

/** The model's answer in the classifier's strict output schema. */
QByteArray verdictContent(double score, const QString& usageType, const QString& evidenceId) {
    const QJsonObject root{{QStringLiteral("misuse_score"), score},
                           {QStringLiteral("usage_type"), usageType},
                           {QStringLiteral("confidence"), 0.8},
                           {QStringLiteral("evidence"),
                            QJsonArray{QJsonObject{{QStringLiteral("conversation_id"), evidenceId},
                                                   {QStringLiteral("title"), QStringLiteral("the conversation")},
                                                   {QStringLiteral("reason"), QStringLiteral("what it sounds like")}}}},
                           {QStringLiteral("reasoning"), QStringLiteral("Judged from the titles and overviews.")}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

ClassifierResult verdict(double score, UsageType type) {
    ClassifierResult r;
    r.misuseScore = score;
    r.usageType = type;
    r.confidence = 0.8;
    r.model = kModel;
    return r;
}

} // namespace

class EnforcerLlmE2ETest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;
    QString m_project;
    std::unique_ptr<RedisClient> m_redis;
    std::shared_ptr<FirestoreClient> m_firestore;
    std::unique_ptr<FirestoreCaseStore> m_store;
    ScriptedOpenAiServer m_llm;
    QList<User> m_users;

    /** Runs the binary without blocking the event loop: the scripted server lives on this thread. */
    Run runEnforcer(TimePoint now) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        env.insert(QStringLiteral("FAIRUSE_LLM_API_KEY"), QStringLiteral("sk-test-enforcer"));
        return runEnforcerAsync(
            {QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(kRedisDb),
             QStringLiteral("--firestore"), m_project, QStringLiteral("--identity"), kIdentity,
             QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(now), QStringLiteral("--llm-base-url"),
             m_llm.baseUrl().toString(), QStringLiteral("--llm-model"), kModel, QStringLiteral("--log-dir"),
             qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-llm-logs")},
            env);
    }

    int summary(const Run& r, const char* key) const { return r.summary.value(QLatin1String(key)).toInt(-1); }

    /** The scripted model: audiobook chapters are misuse, meetings are not; "Outage" users find the server down,
     *  "Garbled" users get an answer outside the schema. */
    static ScriptedResponse answer(const RecordedRequest& request) {
        if (request.body.contains("Outage")) {
            return ScriptedResponse::json(
                503, ScriptedOpenAiServer::apiError(QStringLiteral("server_error"), {}, QStringLiteral("overloaded")));
        }
        if (request.body.contains("Garbled")) {
            return ScriptedResponse::json(200,
                                          ScriptedOpenAiServer::chatCompletion(R"({"misuse_score": "very"})", kModel));
        }
        const bool audiobook =
            request.body.contains("The Hobbit"); // the audiobook titles (the prompt names usage types)
        return ScriptedResponse::json(
            200, ScriptedOpenAiServer::chatCompletion(
                     audiobook ? verdictContent(0.92, QStringLiteral("audiobook"), QStringLiteral("c0"))
                               : verdictContent(0.08, QStringLiteral("none"), QStringLiteral("c0")),
                     kModel));
    }

    void buildPopulation() {
        int n = 0;
        const auto add = [&](int count, Kind kind, std::int64_t speechMs, Stage stage, int pastCases) {
            for (int i = 0; i < count; ++i) {
                User u = makeUser(QStringLiteral("u%1").arg(n++, 4, 10, QLatin1Char('0')), kind, speechMs + i * 1000,
                                  stage, pastCases);
                u.verdict =
                    kind == Kind::Audiobook ? verdict(0.92, UsageType::Audiobook) : verdict(0.08, UsageType::None);
                m_users.append(u);
            }
        };
        add(80, Kind::Audiobook, 3 * 3'600'000, Stage::None, 0);
        add(50, Kind::Meeting, 3 * 3'600'000, Stage::None, 0);
        add(20, Kind::Audiobook, 2 * 3'600'000 + 600'000, Stage::Warning, 1);
        add(10, Kind::Audiobook, 2 * 3'600'000 + 600'000, Stage::Throttle, 2);
        add(136, Kind::Light, 30 * 60'000, Stage::None, 0);
        add(2, Kind::Audiobook, 3 * 3'600'000, Stage::None, 0);
        m_users[m_users.size() - 1].v2 = true;
        m_users[m_users.size() - 2].v2 = true;
        for (const char* trouble : {"Outage", "Garbled"}) {
            User u = makeUser(QStringLiteral("u%1").arg(n++, 4, 10, QLatin1Char('0')), Kind::Audiobook, 4 * 3'600'000,
                              Stage::None, 0);
            for (Conversation& c : u.conversations) {
                c.title = QStringLiteral("%1 audiobook chapter").arg(QLatin1String(trouble));
            }
            u.classifierFails = true;
            m_users.append(u);
        }
    }

private Q_SLOTS:
    void initTestCase() {
        m_redisPort = fairuse::testing::backends::redisPort();
        REQUIRE_REDIS(m_redisPort);
        m_host = fairuse::testing::backends::emulatorHost();
        REQUIRE_FIRESTORE_EMULATOR(m_host);
        QVERIFY2(QFile::exists(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE")), "FAIRUSE_ENFORCER_EXE is not built");
        QVERIFY(m_llm.start());
        m_llm.setResponder(&EnforcerLlmE2ETest::answer);
        RedisConfig rc;
        rc.port = m_redisPort;
        rc.db = kRedisDb;
        m_redis = std::make_unique<RedisClient>(rc);
        QVERIFY(awaitResult(m_redis->command({"FLUSHDB"})).ok());
        m_project = fairuse::testing::backends::freshProject(QStringLiteral("demo-enllm"));
        FirestoreConfig fc;
        fc.projectId = m_project;
        fc.emulatorHost = m_host;
        m_firestore = std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner());
        m_store = std::make_unique<FirestoreCaseStore>(m_firestore);
        buildPopulation();
        for (const User& u : m_users) {
            const auto r = awaitResult(m_redis->pipeline(speechCommands(u)));
            QVERIFY2(r.ok(), qPrintable(r ? QString() : r.error().message));
        }
        const auto written = awaitResult(m_firestore->commitInBatches(firestoreWrites(m_users)), 60000);
        QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    }

    void passesAtChosenTimes() {
        const Run first = runEnforcer(kT);
        QVERIFY2(first.exitCode == 0, qPrintable(first.err.right(3000)));
        Tally tally;
        verifyStored(*m_store, m_users, tally);
        if (QTest::currentTestFailed()) {
            return;
        }
        QVERIFY2(tally.cases >= 100 && tally.restricts == 10 && tally.throttles == 20,
                 qPrintable(QStringLiteral("%1 cases, %2 throttles, %3 restrictions")
                                .arg(tally.cases)
                                .arg(tally.throttles)
                                .arg(tally.restricts)));
        QCOMPARE(summary(first, "users_scanned"), static_cast<int>(m_users.size()));
        QCOMPARE(summary(first, "users_evaluated"), static_cast<int>(m_users.size()));
        QCOMPARE(summary(first, "cases_written"), tally.cases);
        QCOMPARE(summary(first, "cases_written") + summary(first, "state_writes"), tally.writes);
        QCOMPARE(summary(first, "classifier_failures"), 2);
        // Every user over a cap was asked about once; the server-down user once per attempt (1 + 3 retries).
        int overCaps = 0;
        for (const User& u : m_users) {
            overCaps += u.kind == Kind::Light ? 0 : 1;
        }
        QCOMPARE(summary(first, "classifier_calls"), overCaps);
        QCOMPARE(static_cast<int>(m_llm.requests().size()), overCaps - 1 + 4);
        for (const QJsonObject& d : first.decisions) {
            if (d.value(QStringLiteral("outcome")).toString() == QLatin1String("classifier_failed")) {
                QVERIFY(d.value(QStringLiteral("uid")).toString() >= QStringLiteral("u0298"));
            }
        }
        // The failed users: no case, no state document (no cooldown started), no record, no lock left.
        for (qsizetype i = m_users.size() - 2; i < m_users.size(); ++i) {
            const auto state = awaitResult(m_store->getStateOrNew(m_users.at(i).uid));
            QVERIFY(state && state->version.isEmpty());
            QCOMPARE(awaitResult(m_redis->command({"EXISTS", "fair_use:classifier_lock:" + m_users.at(i).uid.toUtf8()}))
                         ->integerValue(),
                     0);
        }
        AuditFilter all;
        all.limit = 0;
        const auto trail = awaitResult(m_store->listAudit(all), 60000);
        QVERIFY(trail);
        QCOMPARE(trail->size(), tally.writes);
        QVERIFY(verifyChain(*trail, awaitResult(m_store->readAuditHead())->hash).ok);

        // The same check interval again: every range is done, no user evaluated, no classifier asked.
        const qsizetype requests = m_llm.requests().size();
        const Run same = runEnforcer(kT + std::chrono::minutes(2));
        QVERIFY2(same.exitCode == 0, qPrintable(same.err.right(3000)));
        QCOMPARE(summary(same, "users_evaluated"), 0);
        QCOMPARE(m_llm.requests().size(), requests);

        // The next check interval: everyone else is within the classifier's cooldown; the two failed users are due
        // again (their backoff of 5 minutes has passed) and fail again, so they back off for 10 minutes.
        const TimePoint next = kT + std::chrono::minutes(5);
        int consulting = 0;
        for (const User& u : m_users) {
            const Expected x = expect(u, tally.after.value(u.uid), next, u.speechMs);
            QVERIFY2(!x.decision.stateChanged, qPrintable(u.uid));
            consulting += x.decision.action == enforcement::Action::ConsultClassifier ? 1 : 0;
        }
        QCOMPARE(consulting, 2);
        const Run again = runEnforcer(next);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err.right(3000)));
        QCOMPARE(summary(again, "classifier_calls"), consulting);
        QCOMPARE(summary(again, "classifier_failures"), 2);
        QCOMPARE(summary(again, "cases_written") + summary(again, "state_writes"), 0);
        QCOMPARE(m_llm.requests().size(), requests + 5); // the server-down user 1 + 3 retries, the garbled 1
        const int retried = static_cast<int>(m_llm.requests().size());
        // Five minutes on, their backoff holds: nobody asks the classifier about them.
        const Run backedOff = runEnforcer(next + std::chrono::minutes(5));
        QVERIFY2(backedOff.exitCode == 0, qPrintable(backedOff.err.right(3000)));
        QCOMPARE(summary(backedOff, "classifier_backoffs"), 2);
        QCOMPARE(summary(backedOff, "classifier_calls"), 0);
        QCOMPARE(static_cast<int>(m_llm.requests().size()), retried);
        for (qsizetype i = m_users.size() - 2; i < m_users.size(); ++i) {
            const auto value = awaitResult(m_redis->command(
                {"GET", QByteArray("fair_use:enforcer:classifier_backoff:") + m_users.at(i).uid.toUtf8()}));
            QCOMPARE(value->text(),
                     "2:" + QByteArray::number((next + std::chrono::minutes(10)).time_since_epoch().count()));
        }

        // A week and a day later the speech has left every window: the throttles and restrictions end as the policy
        // says, and nothing else changes.
        const TimePoint later = kT + std::chrono::hours(192);
        const Run week = runEnforcer(later);
        QVERIFY2(week.exitCode == 0, qPrintable(week.err.right(3000)));
        int expiries = 0;
        for (const User& u : m_users) {
            const enforcement::Expiry x = enforcement::applyExpiry(kPolicy, tally.after.value(u.uid), later);
            expiries += x.action ? 1 : 0;
            const auto stored = awaitResult(m_store->getStateOrNew(u.uid));
            QVERIFY(stored.ok());
            QVERIFY2(stored->stage == x.state.stage, qPrintable(u.uid));
        }
        QCOMPARE(expiries, tally.throttles); // every new throttle has ended; the restrictions last longer
        QCOMPARE(summary(week, "expiries"), expiries);
        QCOMPARE(summary(week, "cases_written"), 0);
        QCOMPARE(static_cast<int>(m_llm.requests().size()), retried); // nobody over a cap a week later
        const auto after = awaitResult(m_store->listAudit(all), 60000);
        QVERIFY(after);
        QCOMPARE(after->size(), tally.writes + expiries);
        QVERIFY(verifyChain(*after, awaitResult(m_store->readAuditHead())->hash).ok);
        qInfo("%d users: %d cases, %d writes, %d classifier requests; %d expiries a week later", int(m_users.size()),
              tally.cases, tally.writes, int(requests), expiries);
    }

    void cleanupTestCase() {
        if (m_redis) {
            QVERIFY(awaitResult(m_redis->command({"FLUSHDB"})).ok());
        }
    }
};

QTEST_GUILESS_MAIN(EnforcerLlmE2ETest)
#include "EnforcerLlmE2ETest.moc"
