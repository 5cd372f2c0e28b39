// The policy simulator's runner with its speech on a real redis-server (the redis fixture): the flagged users' minutes
// of a seeded embedded store are copied into Redis in the backend's layout, and the run on Redis, in small pages with
// few users in flight, gives exactly the run on the embedded store and the core's own comparison.

#include "RedisTestSupport.h"
#include "SeededTestStore.h"
#include "SimulationRunner.h"
#include "common/Await.h"
#include "redis/RedisUsageStore.h"

#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::testing;

namespace {

/** The Redis usage store under a per-run uid prefix, so runs sharing the fixture server never mix their keys. */
class PrefixedUsageStore : public services::UsageStore {
public:
    PrefixedUsageStore(std::shared_ptr<services::UsageStore> inner, QString prefix)
        : m_inner(std::move(inner))
        , m_prefix(std::move(prefix)) {}

    services::Async<services::SpeechReading> readSpeech(const QString& uid, TimePoint now) override {
        return m_inner->readSpeech(m_prefix + uid, now);
    }
    services::Async<QList<services::MinuteSample>> readMinutes(const QString& uid, TimePoint from,
                                                               TimePoint to) override {
        return m_inner->readMinutes(m_prefix + uid, from, to);
    }
    services::Async<bool> recordSpeech(const QString& uid, TimePoint at, std::int64_t speechMs,
                                       SpeechSource source) override {
        return m_inner->recordSpeech(m_prefix + uid, at, speechMs, source);
    }
    services::Async<std::int64_t> readSttBudgetUsedMs(const QString& uid, TimePoint day) override {
        return m_inner->readSttBudgetUsedMs(m_prefix + uid, day);
    }
    services::Async<bool> invalidateStageCache(const QString& uid) override {
        return m_inner->invalidateStageCache(m_prefix + uid);
    }
    QString describe() const override { return m_inner->describe(); }

private:
    std::shared_ptr<services::UsageStore> m_inner;
    QString m_prefix;
};

} // namespace

class SimulationRunnerRedisTest : public QObject {
    Q_OBJECT

private:
    SeededTestStore m_store;
    services::RedisClient* m_client = nullptr;
    std::shared_ptr<services::UsageStore> m_redis;

    enforcement::SimulationComparison run(models::Backend& backend, const enforcement::Policy& edited) {
        models::SimulationRunner runner(backend);
        runner.setOptions({7, 5, 2});
        QSignalSpy finished(&runner, &models::SimulationRunner::finished);
        QSignalSpy failed(&runner, &models::SimulationRunner::failed);
        runner.start(backend.policy, edited);
        if (!finished.wait(120000) && finished.isEmpty()) {
            qWarning() << "no result:" << (failed.isEmpty() ? QString() : failed.at(0).at(0).toString());
            return {};
        }
        return runner.result();
    }

    static enforcement::Policy stricter() {
        enforcement::Policy p = enforcement::Policy::forReview();
        p.basicCaps.dailyMs = 3'600'000;
        p.scoreThreshold = 0.5;
        p.restrictViolations = 2;
        return p;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seedInto(
            QStringLiteral("simulator-redis.sqlite"), SeededTestStore::optionsAtReferenceTime(40, 3),
            {QStringLiteral("ada.admin@fairuse.example"), Role::Admin}, QStringLiteral("sim-redis-test")));
        const quint16 port = fixturePort(QStringLiteral("redis"));
        QVERIFY2(port != 0, "the redis fixture did not run");
        m_client = new services::RedisClient(localConfig(port), this);
        m_redis = std::make_shared<PrefixedUsageStore>(std::make_shared<services::RedisUsageStore>(m_client),
                                                       uniqueUid(QStringLiteral("sim")) + QLatin1Char(':'));
    }

    void redisRunEqualsEmbeddedRun() {
        const TimePoint now = m_store.backend.now();
        const TimePoint from = now - std::chrono::hours(24 * 7);
        // Copy every flagged user's minutes of the period into Redis.
        int users = 0;
        qint64 minutes = 0;
        QString cursor;
        do {
            const auto page =
                services::awaitResult(m_store.backend.cases->fetchQueuePage(services::QueueFilter{}, cursor, 100));
            QVERIFY(page.ok());
            for (const services::QueueRow& row : page->rows) {
                const auto samples =
                    services::awaitResult(m_store.backend.usage->readMinutes(row.state.uid, from, now));
                QVERIFY(samples.ok());
                QList<services::Async<bool>> writes;
                for (const services::MinuteSample& m : *samples) {
                    writes.append(m_redis->recordSpeech(row.state.uid, fromUnixMinute(m.unixMinute), m.speechMs,
                                                        SpeechSource::Realtime));
                }
                for (const auto& w : writes) {
                    const auto r = services::awaitResult(w);
                    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
                }
                ++users;
                minutes += samples->size();
            }
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
        QVERIFY(users > 10);
        QVERIFY(minutes > 1000);

        const enforcement::SimulationComparison embedded = run(m_store.backend, stricter());
        models::Backend onRedis = m_store.backend;
        onRedis.usage = m_redis;
        const enforcement::SimulationComparison redis = run(onRedis, stricter());
        QCOMPARE(embedded.current.users, users);
        QCOMPARE(redis.current, embedded.current);
        QCOMPARE(redis.edited, embedded.edited);
        QVERIFY(redis.current.warned > 0);
        QVERIFY(redis.edited.restricted >= redis.current.restricted);
        // Pages arrive in order, so the chart's peaks line up user by user.
        QVERIFY(redis.peakDailyMs == embedded.peakDailyMs);
    }
};

QTEST_GUILESS_MAIN(SimulationRunnerRedisTest)
#include "SimulationRunnerRedisTest.moc"
