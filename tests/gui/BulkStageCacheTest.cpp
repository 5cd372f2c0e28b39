// Bulk resolve against the backend's Redis stage cache (fair_use:stage:{uid}) on a real redis-server: a bulk false
// positive deletes the cached stage of every user whose stage it lowered, as single actions do, so the backend does
// not enforce the old stage for the rest of the cache's minute.

#include "BulkResolver.h"
#include "DetailTestStore.h"
#include "RedisTestSupport.h"
#include "redis/RedisUsageStore.h"

#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::testing;

class BulkStageCacheTest : public QObject {
    Q_OBJECT

private:
    DetailTestStore m_store;
    services::RedisClient* m_client = nullptr;
    std::shared_ptr<services::RedisUsageStore> m_redis;

    template <typename T>
    static Result<T> get(const services::Async<T>& f) {
        return services::awaitResult(f, 30000);
    }

    /** Loads, runs and waits for the bulk resolve; returns its items. */
    QList<models::BulkItem> run(Outcome outcome, models::BulkResolver* resolver) {
        QSignalSpy loaded(resolver, &models::BulkResolver::loaded);
        resolver->load();
        if (!loaded.wait(30000) && loaded.isEmpty()) {
            return {};
        }
        QSignalSpy finished(resolver, &models::BulkResolver::finished);
        resolver->start(outcome, QStringLiteral("legitimate_use"), QStringLiteral("bulk: meetings, not media"));
        if (!finished.wait(60000) && finished.isEmpty()) {
            return {};
        }
        return resolver->items();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seed(Role::SeniorReviewer));
        const quint16 port = fixturePort(QStringLiteral("redis"));
        QVERIFY2(port != 0, "the redis fixture did not run");
        m_client = new services::RedisClient(localConfig(port), this);
        m_redis = std::make_shared<services::RedisUsageStore>(m_client);
        m_store.backend.usage = m_redis;
    }

    void falsePositiveDropsTheCachedStage() {
        QStringList open;
        for (const QString& uid : m_store.usersWithOpenCases()) {
            if (m_store.state(uid).stage != Stage::None) {
                open.append(uid);
            }
        }
        QVERIFY(open.size() >= 4);
        const QStringList selected = open.mid(0, 3);
        const QString bystander = open.at(3);
        for (const QString& uid : open.mid(0, 4)) {
            QVERIFY(get(m_redis->writeStageCache(uid, m_store.state(uid).stage)).ok());
        }
        QHash<QString, Stage> before;
        for (const QString& uid : selected) {
            before.insert(uid, m_store.state(uid).stage);
        }

        models::BulkResolver resolver(m_store.backend, enforcement::Policy::forReview(), selected);
        const QList<models::BulkItem> items = run(Outcome::FalsePositive, &resolver);
        QVERIFY(!items.isEmpty());
        for (const models::BulkItem& item : items) {
            QVERIFY2(item.status == models::BulkStatus::Done, qPrintable(item.message));
        }
        QVERIFY2(resolver.stageCacheErrors().isEmpty(), qPrintable(resolver.stageCacheErrors().join(u'\n')));

        // finished() came after the deletions: the backend finds no cached stage and reads the lowered one.
        for (const QString& uid : selected) {
            QVERIFY(m_store.state(uid).stage < before.value(uid));
            const Result<QString> cached = get(m_redis->readStageCache(uid));
            QVERIFY(cached.ok());
            QVERIFY2(cached->isEmpty(), qPrintable(uid + QStringLiteral(" still cached as ") + *cached));
        }
        // A user outside the selection keeps the cached stage.
        QCOMPARE(*get(m_redis->readStageCache(bystander)), toString(m_store.state(bystander).stage));
        QVERIFY(get(m_redis->invalidateStageCache(bystander)).ok());
    }

    void confirmedResolveLeavesTheCacheAlone() {
        // Confirming changes no stage; the cached one stays right.
        QStringList open;
        for (const QString& uid : m_store.usersWithOpenCases()) {
            const QList<FairUseEvent> events = m_store.events(uid);
            if (std::any_of(events.begin(), events.end(), [](const FairUseEvent& e) { return !e.resolved; })) {
                open.append(uid);
            }
        }
        QVERIFY(!open.isEmpty());
        const QString uid = open.first();
        QVERIFY(get(m_redis->writeStageCache(uid, m_store.state(uid).stage)).ok());
        models::BulkResolver resolver(m_store.backend, enforcement::Policy::forReview(), {uid});
        const QList<models::BulkItem> items = run(Outcome::Confirmed, &resolver);
        QVERIFY(!items.isEmpty());
        QCOMPARE(*get(m_redis->readStageCache(uid)), toString(m_store.state(uid).stage));
        QVERIFY(get(m_redis->invalidateStageCache(uid)).ok());
    }

    void cleanupTestCase() {
        m_store.backend.usage.reset();
        m_redis.reset();
    }
};

QTEST_GUILESS_MAIN(BulkStageCacheTest)
#include "BulkStageCacheTest.moc"
