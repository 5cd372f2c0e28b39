// BackendSeeder against a real redis-server and the Firestore emulator: what it writes is read back through the
// console's own stores (RedisUsageStore, FirestoreCaseStore), never by peeking at the seeder's output.
#include "BackendFixtures.h"
#include "RequireBackend.h"

#include "audit/AuditChain.h"
#include "common/Await.h"
#include "firestore/FirestoreCaseStore.h"
#include "redis/RedisUsageStore.h"
#include "seed/BackendSeeder.h"

#include <QHash>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <map>

using namespace fairuse;
using namespace fairuse::services;
namespace backends = fairuse::testing::backends;

namespace {

constexpr int kTimeoutMs = 240000;

template <typename T>
Result<T> get(const Async<T>& f) {
    return awaitResult(f, kTimeoutMs);
}

TimePoint reference() {
    return parseRfc3339(QStringLiteral("2026-03-20T10:15:00Z")).value();
}

/** A small population: 80 users, 4 flagged users of each kind (enough for a resolved false positive). */
DemoPopulation population(std::uint64_t seed) {
    DemoOptions o;
    o.referenceTime = reference();
    o.seed = seed;
    o.users = 80;
    o.flaggedPerKind = 4;
    return generateDemoPopulation(o);
}

RedisConfig redisConfig(quint16 port, int db) {
    RedisConfig c;
    c.port = port;
    c.db = db;
    c.autoReconnect = false;
    c.commandTimeoutMs = 60000;
    return c;
}

FirestoreConfig emulatorConfig(const QString& project, const QString& host) {
    FirestoreConfig c;
    c.projectId = project;
    c.emulatorHost = host;
    c.initialBackoffMs = 20;
    c.maxBackoffMs = 100;
    c.maxAttempts = 3;
    return c;
}

/** Redis database indexes of this test (other Redis tests use 0..3, SeedCommandTest 12..15). */
constexpr int kDbMain = 8;
constexpr int kDbLegacy = 9;
constexpr int kDbForce = 10;
constexpr int kDbDown = 11;

/**
 * What a reader of the backend's keys must find for each user at the reference time: the population's minutes of the
 * enforced sources (realtime, sync_fresh) summed per window by the backend's rule (a minute counts when its start is
 * at or after now minus the window). custom_stt and sync_backfill speech is metered but never enforced.
 */
QHash<QString, SpeechTotals> enforcedTotals(const DemoPopulation& pop) {
    const std::int64_t now = toUnixMs(reference()) / 1000;
    QHash<QString, SpeechTotals> out;
    for (const DemoMinute& m : pop.minutes) {
        if (m.source != SpeechSource::Realtime && m.source != SpeechSource::SyncFresh) {
            continue;
        }
        const std::int64_t start = m.unixMinute * 60;
        SpeechTotals& t = out[m.uid];
        if (start > now) {
            continue;
        }
        t.weeklyMs += start >= now - 7 * 86400 ? m.speechMs : 0;
        t.threeDayMs += start >= now - 3 * 86400 ? m.speechMs : 0;
        t.dailyMs += start >= now - 86400 ? m.speechMs : 0;
    }
    return out;
}

QString describe(const DemoUser& u, const SpeechTotals& t, const SpeechTotals& want) {
    return QStringLiteral("%1 (%2): read %3/%4/%5 ms, generated %6/%7/%8 ms")
        .arg(u.uid, toString(u.profile))
        .arg(t.dailyMs)
        .arg(t.threeDayMs)
        .arg(t.weeklyMs)
        .arg(want.dailyMs)
        .arg(want.threeDayMs)
        .arg(want.weeklyMs);
}

/** The flagged users of a population: a state with a stage other than none. */
QSet<QString> flaggedUids(const DemoPopulation& pop) {
    QSet<QString> out;
    for (const FairUseState& s : pop.states) {
        if (s.stage != Stage::None) {
            out.insert(s.uid);
        }
    }
    return out;
}

} // namespace

class BackendSeederTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        m_redisPort = backends::redisPort();
        REQUIRE_REDIS(m_redisPort);
        m_host = backends::emulatorHost();
        REQUIRE_FIRESTORE_EMULATOR(m_host);
        m_pop = population(20260323);
        QVERIFY(!m_pop.events.isEmpty());
        QVERIFY(!m_pop.audit.isEmpty());
        QVERIFY(!m_pop.sttBudget.isEmpty());
        QVERIFY(!m_pop.exemptions.isEmpty());
    }

    void everyRedisCommandTouchesOneKey_data() {
        QTest::addColumn<bool>("legacy");
        QTest::newRow("v2") << false;
        QTest::newRow("legacy") << true;
    }

    void everyRedisCommandTouchesOneKey() {
        // The backend's keys of one user are on different Redis Cluster slots: a command over two would be refused.
        QFETCH(bool, legacy);
        const auto layout = legacy ? BackendSeedOptions::RedisLayout::Legacy : BackendSeedOptions::RedisLayout::V2;
        const auto commands = BackendSeeder::redisCommands(m_pop, layout, true);
        QVERIFY(!commands.isEmpty());
        const QSet<QByteArray> oneKey{"DEL", "HSET", "ZADD", "EXPIRE", "SET"};
        for (const auto& c : commands) {
            QVERIFY2(oneKey.contains(c.first()), c.first().constData());
            if (c.first() == "DEL") {
                QCOMPARE(c.size(), 2);
            } else if (c.first() == "EXPIRE") {
                QCOMPARE(c.size(), 3);
            } else if (c.first() == "SET") {
                QCOMPARE(c.size(), 5); // SET key value EX seconds
            }
            if (c.first() == "HSET" || c.first() == "ZADD") {
                QVERIFY(c.size() % 2 == 0);        // name, key, then pairs
                QVERIFY(c.size() <= 2 + 2 * 1000); // bounded command size
            }
        }
    }

    void seedsWhatTheConsoleStoresRead() {
        RedisClient redis(redisConfig(m_redisPort, kDbMain));
        QVERIFY(get(redis.command({"FLUSHDB"})).ok());
        const QString project = backends::freshProject(QStringLiteral("seeder"));
        auto firestore =
            std::make_shared<FirestoreClient>(emulatorConfig(project, m_host), StaticToken::emulatorOwner());
        BackendSeeder seeder(&redis, firestore);

        BackendSeedOptions options;
        options.writesPerCommit = 200; // several commits even for this small population
        const Result<BackendSeedReport> report = get(seeder.seed(m_pop, options));
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
        const QList<FirestoreWrite> writes = BackendSeeder::firestoreWrites(m_pop);
        QCOMPARE(report->firestoreDocuments, writes.size());
        QCOMPARE(report->firestoreCommits, (writes.size() + 199) / 200);
        QCOMPARE(get(redis.command({"DBSIZE"}))->integerValue(), report->redisKeys);
        QVERIFY(report->redisPipelines < report->redisCommands); // pipelined, not one round trip per command

        // Redis, through the console's usage store: every user's windows equal the population's enforced speech, and
        // for users without their own STT the generator's day totals.
        RedisUsageStore usage(&redis);
        const QHash<QString, SpeechTotals> expected = enforcedTotals(m_pop);
        int platformUsers = 0;
        for (const DemoUser& u : m_pop.users) {
            const Result<SpeechReading> r = get(usage.readSpeech(u.uid, reference()));
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
            QCOMPARE(r->skippedValues, 0);
            const SpeechTotals want = expected.value(u.uid);
            QVERIFY2(r->totals == want, qPrintable(describe(u, r->totals, want)));
            // The generator's own totals count enforced speech only, for custom-STT users too.
            QVERIFY2(r->totals == u.totalsAtReference(), qPrintable(describe(u, r->totals, u.totalsAtReference())));
            platformUsers += u.customStt ? 0 : 1;
        }
        QVERIFY(platformUsers > m_pop.users.size() / 2);
        std::map<std::pair<QString, QString>, std::int64_t> budgets;
        for (const DemoSttBudget& b : m_pop.sttBudget) {
            budgets[{b.uid, utcDayKey(b.day)}] += b.usedMs;
        }
        for (const DemoSttBudget& b : m_pop.sttBudget) {
            QCOMPARE(*get(usage.readSttBudgetUsedMs(b.uid, b.day)), (budgets[{b.uid, utcDayKey(b.day)}]));
        }
        const FairUseState& someState = m_pop.states.first();
        QCOMPARE(*get(usage.readStageCache(someState.uid)), toString(someState.stage));

        // Firestore, through the console's case store.
        FirestoreCaseStore cases(firestore);
        const Result<QueuePage> queue = get(cases.fetchQueuePage(QueueFilter{}, QString(), 1000));
        QVERIFY2(queue.ok(), queue.ok() ? "" : qPrintable(queue.error().message));
        QSet<QString> queued;
        for (qsizetype i = 0; i < queue->rows.size(); ++i) {
            const FairUseState& s = queue->rows.at(i).state;
            QVERIFY2(s.restrictReason.left(17) != QLatin1String("unreadable state:"), qPrintable(s.restrictReason));
            queued.insert(s.uid);
            if (i > 0) {
                QVERIFY(*queue->rows.at(i - 1).state.updatedAt >= *s.updatedAt); // queue order
            }
        }
        QCOMPARE(queued, flaggedUids(m_pop));
        QVERIFY(queue->nextCursor.isEmpty());
        const auto open = std::count_if(m_pop.events.cbegin(), m_pop.events.cend(),
                                        [](const FairUseEvent& e) { return !e.resolved; });
        int openCounted = 0;
        for (const QueueRow& row : queue->rows) {
            openCounted += row.openCases;
        }
        // Open cases of users no longer flagged are not in the queue, so the queue counts at most all of them.
        QVERIFY(openCounted > 0 && openCounted <= open);

        for (const FairUseEvent& e : m_pop.events) {
            const Result<FairUseEvent> found = get(cases.findByCaseRef(e.caseRef));
            QVERIFY2(found.ok(), found.ok() ? "" : qPrintable(found.error().message));
            QCOMPARE(found->uid, e.uid);
            QCOMPARE(found->id, e.id);
            QCOMPARE(found->windowSpeech, e.windowSpeech);
            QCOMPARE(toString(found->newStage), toString(e.newStage));
            QCOMPARE(found->resolved, e.resolved);
        }

        AuditFilter all;
        all.limit = 100000;
        const Result<QList<AuditRecord>> audit = get(cases.listAudit(all));
        QVERIFY2(audit.ok(), audit.ok() ? "" : qPrintable(audit.error().message));
        QCOMPARE(audit->size(), m_pop.audit.size());
        const Result<FirestoreDocument> head = get(firestore->get(FirestoreCaseStore::kAuditHeadPath));
        QVERIFY(head.ok());
        const ChainVerification chain = verifyChain(*audit, head->fields.value(QStringLiteral("hash")).toText());
        QVERIFY2(chain.ok, qPrintable(chain.reason));

        // The head is where the next reviewer action continues the chain.
        ChangeSet note;
        note.uid = someState.uid;
        note.audit.at = reference() + std::chrono::minutes(5);
        note.audit.reviewer = QString::fromLatin1(kDemoReviewerEmail);
        note.audit.role = Role::Reviewer;
        note.audit.action = AuditAction::AddNote;
        note.audit.reason = QStringLiteral("checked after seeding");
        const Result<CommitResult> applied = get(cases.apply(note));
        QVERIFY2(applied.ok(), applied.ok() ? "" : qPrintable(applied.error().message));
        QCOMPARE(applied->audit.sequence, m_pop.audit.last().sequence + 1);
        QCOMPARE(applied->audit.prevHash, m_pop.audit.last().hash);

        for (const DemoExemption& x : m_pop.exemptions) {
            QVERIFY(get(cases.getState(x.uid))->exempt);
        }
        for (const FairUseState& s : m_pop.states) {
            const Result<FairUseState> read = get(cases.getState(s.uid));
            QVERIFY(read.ok());
            QCOMPARE(toString(read->stage), toString(s.stage));
            QVERIFY(read->subscription == s.subscription); // from the user document
            QCOMPARE(read->lastCaseRef, s.lastCaseRef);
        }

        // Conversations of the flagged users, as the evidence view lists them.
        const TimePoint since = reference() - std::chrono::hours(24 * 30);
        for (const QString& uid : flaggedUids(m_pop)) {
            const auto expected =
                std::count_if(m_pop.conversations.cbegin(), m_pop.conversations.cend(), [&](const DemoConversation& c) {
                    return c.uid == uid && c.conversation.createdAt >= since;
                });
            const Result<QList<Conversation>> listed = get(cases.listConversations(uid, since, 100000));
            QVERIFY2(listed.ok(), listed.ok() ? "" : qPrintable(listed.error().message));
            QCOMPARE(listed->size(), expected);
        }

        TimePoint from = m_pop.spend.first().at;
        TimePoint to = from;
        for (const LlmSpendRecord& r : m_pop.spend) {
            from = std::min(from, r.at);
            to = std::max(to, r.at);
        }
        const Result<QList<LlmSpendRecord>> spend = get(cases.listSpend(from, to + std::chrono::milliseconds(1)));
        QVERIFY2(spend.ok(), spend.ok() ? "" : qPrintable(spend.error().message));
        QCOMPARE(spend->size(), m_pop.spend.size());
        for (const Reviewer& r : m_pop.reviewers) {
            QCOMPARE(toString(*get(cases.reviewerRole(r.email))), toString(r.role));
        }
    }

    void legacyLayoutReadsTheSame() {
        RedisClient redis(redisConfig(m_redisPort, kDbLegacy));
        QVERIFY(get(redis.command({"FLUSHDB"})).ok());
        auto firestore = std::make_shared<FirestoreClient>(
            emulatorConfig(backends::freshProject(QStringLiteral("legacy")), m_host), StaticToken::emulatorOwner());
        BackendSeeder seeder(&redis, firestore);
        BackendSeedOptions options;
        options.redisLayout = BackendSeedOptions::RedisLayout::Legacy;
        const Result<BackendSeedReport> report = get(seeder.seed(m_pop, options));
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
        // Only the old keys: no v2 key exists.
        const Result<RedisReply> v2 = get(redis.command({"KEYS", "fair_use:v2:*"}));
        QVERIFY(v2->isArray() && v2->elements().isEmpty());
        RedisUsageStore usage(&redis);
        const QHash<QString, SpeechTotals> expected = enforcedTotals(m_pop);
        for (const DemoUser& u : m_pop.users) {
            const Result<SpeechReading> r = get(usage.readSpeech(u.uid, reference()));
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
            QVERIFY2(r->totals == expected.value(u.uid), qPrintable(describe(u, r->totals, expected.value(u.uid))));
        }
    }

    void refusesExistingDataUnlessForced() {
        RedisClient redis(redisConfig(m_redisPort, kDbForce));
        QVERIFY(get(redis.command({"FLUSHDB"})).ok());
        const QString project = backends::freshProject(QStringLiteral("force"));
        auto firestore =
            std::make_shared<FirestoreClient>(emulatorConfig(project, m_host), StaticToken::emulatorOwner());
        BackendSeeder seeder(&redis, firestore);
        QVERIFY(get(seeder.findExistingRedisData())->isEmpty());
        QVERIFY(get(seeder.findExistingFirestoreData())->isEmpty());

        // A single foreign fairuse key is enough to refuse, and it is named.
        QVERIFY(get(redis.command({"SET", "fair_use:stage:someone", "warning"})).ok());
        Result<BackendSeedReport> refused = get(seeder.seed(m_pop, BackendSeedOptions{}));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Conflict);
        QVERIFY2(refused.error().message.contains(QLatin1String("fair_use:stage:someone")),
                 qPrintable(refused.error().message));
        QCOMPARE(get(redis.command({"DBSIZE"}))->integerValue(), 1); // nothing written
        QVERIFY(get(seeder.findExistingFirestoreData())->isEmpty());
        QVERIFY(get(redis.command({"DEL", "fair_use:stage:someone"})).ok());

        QVERIFY(get(seeder.seed(m_pop, BackendSeedOptions{})).ok());
        // Seeded Firestore refuses too, naming a document.
        QVERIFY(get(redis.command({"FLUSHDB"})).ok());
        refused = get(seeder.seed(m_pop, BackendSeedOptions{}));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Conflict);
        QVERIFY2(refused.error().message.contains(QLatin1String("fair_use_state/current")),
                 qPrintable(refused.error().message));
        QCOMPARE(get(redis.command({"DBSIZE"}))->integerValue(), 0);

        // Forced: a different population replaces the first one in what the console reads.
        BackendSeedOptions force;
        force.force = true;
        // The same population again, in the other layout: the v2 keys must not stay beside the legacy ones.
        force.redisLayout = BackendSeedOptions::RedisLayout::Legacy;
        QVERIFY(get(seeder.seed(m_pop, force)).ok());
        {
            RedisUsageStore usage(&redis);
            const QHash<QString, SpeechTotals> expected = enforcedTotals(m_pop);
            for (const DemoUser& u : m_pop.users) {
                const SpeechTotals t = get(usage.readSpeech(u.uid, reference()))->totals;
                QVERIFY2(t == expected.value(u.uid), qPrintable(describe(u, t, expected.value(u.uid))));
            }
        }
        force.redisLayout = BackendSeedOptions::RedisLayout::V2;
        const DemoPopulation other = population(7);
        const Result<BackendSeedReport> forced = get(seeder.seed(other, force));
        QVERIFY2(forced.ok(), forced.ok() ? "" : qPrintable(forced.error().message));
        QVERIFY(forced->firestoreDeleted > 0);
        RedisUsageStore usage(&redis);
        const QHash<QString, SpeechTotals> expected = enforcedTotals(other);
        for (const DemoUser& u : other.users) {
            const SpeechTotals t = get(usage.readSpeech(u.uid, reference()))->totals;
            QVERIFY2(t == expected.value(u.uid), qPrintable(describe(u, t, expected.value(u.uid))));
        }
        FirestoreCaseStore cases(firestore);
        const Result<QueuePage> queue = get(cases.fetchQueuePage(QueueFilter{}, QString(), 1000));
        QVERIFY(queue.ok());
        QSet<QString> queued;
        for (const QueueRow& row : queue->rows) {
            queued.insert(row.state.uid);
        }
        QCOMPARE(queued, flaggedUids(other));
        AuditFilter all;
        all.limit = 100000;
        const Result<QList<AuditRecord>> audit = get(cases.listAudit(all));
        QCOMPARE(audit->size(), other.audit.size());
        QVERIFY(verifyChain(*audit).ok);
    }

    void unreachableServersWriteNothing() {
        // Redis down: refused before anything reaches Firestore.
        RedisClient down(redisConfig(backends::closedPort(), 0));
        const QString project = backends::freshProject(QStringLiteral("down"));
        auto firestore =
            std::make_shared<FirestoreClient>(emulatorConfig(project, m_host), StaticToken::emulatorOwner());
        BackendSeeder noRedis(&down, firestore);
        Result<BackendSeedReport> r = get(noRedis.seed(m_pop, BackendSeedOptions{}));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        QVERIFY2(r.error().message.contains(QLatin1String("Redis")), qPrintable(r.error().message));
        BackendSeeder probe(&down, firestore);
        QVERIFY(get(probe.findExistingFirestoreData())->isEmpty());

        // Firestore down: refused before anything reaches Redis.
        RedisClient redis(redisConfig(m_redisPort, kDbDown));
        QVERIFY(get(redis.command({"FLUSHDB"})).ok());
        const QString closed = QStringLiteral("127.0.0.1:%1").arg(backends::closedPort());
        auto noEmulator =
            std::make_shared<FirestoreClient>(emulatorConfig(project, closed), StaticToken::emulatorOwner());
        BackendSeeder noFirestore(&redis, noEmulator);
        r = get(noFirestore.seed(m_pop, BackendSeedOptions{}));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        QVERIFY2(r.error().message.contains(closed), qPrintable(r.error().message));
        QCOMPARE(get(redis.command({"DBSIZE"}))->integerValue(), 0);
    }

    void destroyedWhileWritingIsSafe() {
        // A caller that gives up (a window closed, a timeout) destroys the seeder and its clients while pipelines and
        // commits are in flight; their futures then finish with nobody listening, which must not crash.
        RedisClient watcher(redisConfig(m_redisPort, kDbDown));
        QVERIFY(get(watcher.command({"FLUSHDB"})).ok());
        auto* redis = new RedisClient(redisConfig(m_redisPort, kDbDown));
        auto firestore = std::make_shared<FirestoreClient>(
            emulatorConfig(backends::freshProject(QStringLiteral("gone")), m_host), StaticToken::emulatorOwner());
        auto* seeder = new BackendSeeder(redis, firestore);
        BackendSeedOptions options;
        options.argumentsPerPipeline = 200; // many small pipelines, so some are in flight when it is destroyed
        options.pipelinesInFlight = 2;
        auto future = seeder->seed(m_pop, options);
        QTRY_VERIFY_WITH_TIMEOUT(get(watcher.command({"DBSIZE"}))->integerValue() > 0, 60000);
        delete seeder;
        firestore.reset();
        delete redis;
        QTest::qWait(500);
        // Abandoned: no report arrives (an unfinished or cancelled future, or a failure), never a success.
        QVERIFY(future.resultCount() == 0 || !future.result().ok());
    }

private:
    quint16 m_redisPort = 0;
    QString m_host;
    DemoPopulation m_pop;
};

QTEST_GUILESS_MAIN(BackendSeederTest)
#include "BackendSeederTest.moc"
