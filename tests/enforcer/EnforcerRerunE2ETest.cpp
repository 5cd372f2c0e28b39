// The console's "re-run classifier" requests answered by fairuse-enforcer (issue 12): a reviewer's rerun_classifier
// audit record, written through the store with the core's buildRerunClassifier, is answered by --once with exactly
// what the heuristic classifier says about that user's recent conversations (computed here, never hard-coded), in
// fair_use_classifier_runs/{recordId}; nothing else is written; a second run answers nothing twice; a request older
// than ten minutes is passed over; a classifier that fails is answered as failed; shadow answers without a Redis key.
#include "EnforcerPopulation.h"
#include "RequireBackend.h"
#include "TestTime.h"

#include "classifier/HeuristicClassifier.h"
#include "common/Await.h"
#include "enforcement/ReviewerActions.h"
#include "enforcer/ClassifierReruns.h"
#include "firestore/ClassifierRunDocument.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "redis/RedisClient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcessEnvironment>
#include <QPromise>
#include <QTest>

#include <algorithm>
#include <functional>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;
using namespace fairuse::testing::enforcer;

namespace {

constexpr int kRedisDb = 13;
const Reviewer kAna{QStringLiteral("ana@fairuse.example"), Role::Reviewer, QStringLiteral("uid-ana")};

} // namespace

class EnforcerRerunE2ETest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;
    QString m_project;
    std::unique_ptr<RedisClient> m_redis;
    std::shared_ptr<FirestoreClient> m_firestore;
    std::unique_ptr<FirestoreCaseStore> m_store;
    QList<User> m_users;

    QString redisUrl() const { return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(kRedisDb); }

    Run runEnforcer(const QStringList& extra, const QProcessEnvironment& extraEnv = {}) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        env.insert(extraEnv);
        return runEnforcerAsync(
            QStringList{QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(kT), QStringLiteral("--redis"),
                        redisUrl(), QStringLiteral("--firestore"), m_project, QStringLiteral("--identity"), kIdentity,
                        QStringLiteral("--log-dir"),
                        qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-rerun-logs")} +
                extra,
            env);
    }

    /** The reviewer's request, as the console's dialog writes it: buildRerunClassifier through the store. */
    std::int64_t request(const QString& uid, TimePoint at) {
        const auto state = awaitResult(m_store->getState(uid));
        if (!state) {
            qWarning() << state.error().message;
            return 0;
        }
        enforcement::ActionContext ctx{kAna, at, QStringLiteral("fairuse-console/test"), {}, {}, {}};
        const auto change = enforcement::buildRerunClassifier(*state, QStringLiteral("looks off"), ctx);
        if (!change) {
            qWarning() << change.error().message;
            return 0;
        }
        const auto applied = awaitResult(m_store->apply(*change));
        if (!applied) {
            qWarning() << applied.error().message;
            return 0;
        }
        return applied->audit.sequence;
    }

    Result<ClassifierRun> answerOf(std::int64_t sequence) {
        const auto doc = awaitResult(m_firestore->get(classifierRunPath(FirestoreCaseStore::auditRecordId(sequence))));
        if (!doc) {
            return doc.error();
        }
        return decodeClassifierRun(*doc);
    }

    /** What the service must answer for `uid`: the heuristic over the conversations a cap hit would read. */
    ClassifierResult expected(const QString& uid) {
        const auto conversations = awaitResult(m_store->listConversations(uid, kT - 168h, 30));
        return classifier::classifyHeuristically(conversations ? *conversations : QList<Conversation>{}, kT);
    }

    static QStringList outcomes(const Run& run) {
        QStringList out;
        for (const QJsonObject& o : run.decisions) {
            if (o.contains(QStringLiteral("rerun"))) {
                out.append(o.value(QStringLiteral("rerun")).toString() + QLatin1Char(':') +
                           o.value(QStringLiteral("outcome")).toString());
            }
        }
        return out;
    }

    static QString id(std::int64_t sequence) { return FirestoreCaseStore::auditRecordId(sequence); }

    Result<RedisReply> redis(QList<QByteArray> argv) { return awaitResult(m_redis->command(std::move(argv))); }

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
        m_project = fairuse::testing::backends::freshProject(QStringLiteral("demo-rerun"));
        FirestoreConfig fc;
        fc.projectId = m_project;
        fc.emulatorHost = m_host;
        m_firestore = std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner());
        m_store = std::make_unique<FirestoreCaseStore>(m_firestore);
        // No speech in Redis: the passes evaluate nobody, only the requests are answered.
        m_users = {makeUser(QStringLiteral("book"), Kind::Audiobook, 0, Stage::Warning, 1),
                   makeUser(QStringLiteral("meet"), Kind::Meeting, 0, Stage::Warning, 1)};
        const auto seeded = awaitResult(m_firestore->commitInBatches(firestoreWrites(m_users)));
        QVERIFY2(seeded.ok(), qPrintable(seeded ? QString() : seeded.error().message));
    }

    void answersOnceWithTheHeuristicsVerdict() {
        const std::int64_t stale = request(QStringLiteral("book"), kT - 1h);
        const std::int64_t book = request(QStringLiteral("book"), kT - 1min);
        const std::int64_t meet = request(QStringLiteral("meet"), kT - 30s);
        QVERIFY(stale > 0 && book == stale + 1 && meet == book + 1);
        const QString stateBefore = awaitResult(m_store->getState(QStringLiteral("book")))->version;

        const Run first = runEnforcer({});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        QCOMPARE(outcomes(first),
                 (QStringList{id(stale) + QStringLiteral(":stale"), id(book) + QStringLiteral(":answered"),
                              id(meet) + QStringLiteral(":answered")}));
        QCOMPARE(answerOf(stale).error().kind, ErrorKind::NotFound);
        for (const auto& [uid, sequence] :
             {std::pair{QStringLiteral("book"), book}, std::pair{QStringLiteral("meet"), meet}}) {
            const Result<ClassifierRun> run = answerOf(sequence);
            QVERIFY2(run.ok(), qPrintable(run ? QString() : run.error().message));
            QVERIFY(run->ok);
            QCOMPARE(run->uid, uid);
            QCOMPARE(run->requestedBy, kAna.email);
            QCOMPARE(run->requestedSequence, sequence);
            QCOMPARE(run->finishedAt, kT);
            QVERIFY(run->error.isEmpty());
            const ClassifierResult want = expected(uid);
            QVERIFY(run->classifier.has_value());
            QCOMPARE(run->classifier->misuseScore, want.misuseScore);
            QVERIFY(run->classifier->usageType == want.usageType);
            QCOMPARE(run->classifier->confidence, want.confidence);
            QCOMPARE(run->classifier->reasoning, want.reasoning);
            QCOMPARE(run->classifier->model, want.model);
            QCOMPARE(run->classifier->promptVersion, want.promptVersion);
            QVERIFY(run->classifier->heuristic && want.heuristic);
            QCOMPARE(run->classifier->evidence.size(), want.evidence.size());
            for (qsizetype i = 0; i < want.evidence.size(); ++i) {
                QCOMPARE(run->classifier->evidence.at(i).conversationId, want.evidence.at(i).conversationId);
                QCOMPARE(run->classifier->evidence.at(i).reason, want.evidence.at(i).reason);
            }
        }
        // The audiobook listener and the meeting user get different verdicts: the answer is per user.
        QVERIFY(expected(QStringLiteral("book")).usageType != expected(QStringLiteral("meet")).usageType);
        // Advice only: no case, no state, no record of its own; the lock released, the mark past the three.
        QCOMPARE(awaitResult(m_store->readAuditHead())->sequence, meet);
        QCOMPARE(awaitResult(m_store->getState(QStringLiteral("book")))->version, stateBefore);
        QCOMPARE(awaitResult(m_store->listEvents(QStringLiteral("book")))->size(), m_users.at(0).events.size());
        QCOMPARE(redis({"KEYS", "fair_use:classifier_lock:*"})->elements().size(), 0);
        QCOMPARE(redis({"GET", ClassifierReruns::kMarkKey})->text(), QByteArray::number(static_cast<qint64>(meet)));

        // Again: nothing new to read.
        const Run second = runEnforcer({});
        QVERIFY2(second.exitCode == 0, qPrintable(second.err));
        QCOMPARE(outcomes(second), QStringList());
        // Without the mark (lost, or deleted by an operator) the answers are found, not written again.
        const auto before = awaitResult(m_firestore->get(classifierRunPath(id(book))));
        QVERIFY(redis({"DEL", ClassifierReruns::kMarkKey}).ok());
        const Run third = runEnforcer({});
        QVERIFY2(third.exitCode == 0, qPrintable(third.err));
        QCOMPARE(outcomes(third),
                 (QStringList{id(stale) + QStringLiteral(":stale"), id(book) + QStringLiteral(":already_answered"),
                              id(meet) + QStringLiteral(":already_answered")}));
        const auto after = awaitResult(m_firestore->get(classifierRunPath(id(book))));
        QCOMPARE(after->updateTime, before->updateTime);
    }

    void shadowAnswersWithoutARedisKey() {
        const QByteArray mark = redis({"GET", ClassifierReruns::kMarkKey})->text();
        const std::int64_t meet = request(QStringLiteral("meet"), kT - 10s);
        QVERIFY(meet > 0);
        const Run shadow = runEnforcer({QStringLiteral("--shadow")});
        QVERIFY2(shadow.exitCode == 0, qPrintable(shadow.err));
        QCOMPARE(outcomes(shadow), QStringList{id(meet) + QStringLiteral(":answered")});
        QVERIFY(answerOf(meet).ok());
        QCOMPARE(redis({"GET", ClassifierReruns::kMarkKey})->text(), mark);
        // The live service finds it answered.
        const Run live = runEnforcer({});
        QCOMPARE(outcomes(live), QStringList{id(meet) + QStringLiteral(":already_answered")});
    }

    /** GET /metrics of the service on `port`; empty when it does not answer. */
    QByteArray metrics(quint16 port) {
        QNetworkAccessManager nam;
        QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port))));
        QPromise<void> done;
        done.start();
        connect(reply, &QNetworkReply::finished, this, [&done] { done.finish(); });
        const QByteArray body = await(done.future(), 30000) ? reply->readAll() : QByteArray();
        delete reply;
        return body;
    }

    void loopModeAnswersWithinSeconds() {
        // The service in loop mode, a pass every 5 minutes: a request written after its first pass is answered by the
        // polls between passes, not at the next pass; /metrics counts it, with the lag of its answer.
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"),
                {QStringLiteral("--interval"), QStringLiteral("300"), QStringLiteral("--redis"), redisUrl(),
                 QStringLiteral("--firestore"), m_project, QStringLiteral("--identity"), kIdentity,
                 QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--log-dir"),
                 qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-rerun-logs")});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QList<QJsonObject> lines;
        const auto waitFor = [&](const std::function<bool(const QJsonObject&)>& wanted, int ms) {
            QElapsedTimer t;
            t.start();
            for (;;) {
                while (p.canReadLine()) {
                    const QByteArray line = p.readLine();
                    out += line;
                    lines.append(QJsonDocument::fromJson(line).object());
                }
                if (std::any_of(lines.begin(), lines.end(), wanted)) {
                    return true;
                }
                if (t.elapsed() >= ms || p.state() != QProcess::Running) {
                    return false;
                }
                p.waitForReadyRead(200);
            }
        };
        const bool passed = waitFor([](const QJsonObject& o) { return o.contains(QStringLiteral("summary")); }, 120000);
        QVERIFY2(passed, out.constData());
        const TimePoint now = TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch()));
        const std::int64_t sequence = request(QStringLiteral("meet"), now);
        QVERIFY(sequence > 0);
        QElapsedTimer answered;
        answered.start();
        const bool ok = waitFor(
            [&](const QJsonObject& o) {
                return o.value(QStringLiteral("rerun")).toString() == id(sequence) &&
                       o.value(QStringLiteral("outcome")).toString() == QLatin1String("answered");
            },
            60000);
        const qint64 ms = answered.elapsed();
        quint16 port = 0;
        for (const QJsonObject& o : lines) {
            if (o.contains(QStringLiteral("listening"))) {
                port = static_cast<quint16>(
                    o.value(QStringLiteral("listening")).toString().section(QLatin1Char(':'), -1).toUInt());
            }
        }
        // The poll's counters reach the metrics when it returns, just after its lines.
        QByteArray exposition;
        QElapsedTimer counted;
        counted.start();
        while (port != 0 && !exposition.contains("\nfairuse_enforcer_rerun_answered_total 1\n") &&
               counted.elapsed() < 10000) {
            exposition = metrics(port);
        }
        p.terminate();
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(ok, out.constData());
        QVERIFY2(ms < 30000, qPrintable(QStringLiteral("answered after %1 ms").arg(ms)));
        QVERIFY(answerOf(sequence).ok());
        QVERIFY2(port != 0, out.constData());
        QVERIFY2(exposition.contains("\nfairuse_enforcer_rerun_answered_total 1\n"), exposition.constData());
        QVERIFY2(exposition.contains("\nfairuse_enforcer_rerun_failed_total 0\n"), exposition.constData());
        const qsizetype lagAt = exposition.indexOf("\nfairuse_enforcer_rerun_answer_lag_seconds ");
        QVERIFY2(lagAt >= 0, exposition.constData());
        const double lag = exposition.mid(lagAt + 43).split('\n').first().toDouble();
        QVERIFY2(lag >= 0.0 && lag < 30.0, qPrintable(QString::number(lag)));
        QCOMPARE(p.exitCode(), 0);
        qInfo("loop mode: answered %lld ms after the request", ms);
    }

    void aFailedClassifierIsAnsweredAsFailed() {
        const std::int64_t book = request(QStringLiteral("book"), kT - 5s);
        QVERIFY(book > 0);
        // An OpenAI-compatible classifier nobody listens for: connection refused, after its retries.
        QProcessEnvironment env;
        env.insert(QStringLiteral("FAIRUSE_LLM_API_KEY"), QStringLiteral("test-key"));
        const Run failed = runEnforcer({QStringLiteral("--llm-base-url"), QStringLiteral("http://127.0.0.1:9/v1"),
                                        QStringLiteral("--llm-model"), QStringLiteral("gpt-test")},
                                       env);
        QVERIFY2(failed.exitCode == 0, qPrintable(failed.err));
        QCOMPARE(outcomes(failed), QStringList{id(book) + QStringLiteral(":failed")});
        const Result<ClassifierRun> run = answerOf(book);
        QVERIFY2(run.ok(), qPrintable(run ? QString() : run.error().message));
        QVERIFY(!run->ok);
        QVERIFY(!run->classifier);
        QVERIFY2(!run->error.isEmpty(), "the failure names its cause");
        QCOMPARE(run->requestedBy, kAna.email);
        QCOMPARE(redis({"KEYS", "fair_use:classifier_lock:*"})->elements().size(), 0);
        QCOMPARE(redis({"GET", ClassifierReruns::kMarkKey})->text(), QByteArray::number(static_cast<qint64>(book)));
    }
};

QTEST_GUILESS_MAIN(EnforcerRerunE2ETest)
#include "EnforcerRerunE2ETest.moc"
