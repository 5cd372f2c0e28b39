// UsageStoreConformance on RedisUsageStore against the `redis` fixture's redis-server, writing the backend's v2
// per-source keys (the layout that knows sources) and reading every layout, as the console does.
#include "UsageStoreConformance.h"

#include "BackendFixtures.h"

#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"

using namespace fairuse;
using namespace fairuse::conformance;

namespace {

struct RedisKeep {
    std::unique_ptr<services::RedisClient> client;
    std::shared_ptr<services::RedisUsageStore> store;
};

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    UsageStoreConformance usage([]() -> Result<UsageStoreSubject> {
        const quint16 port = testing::backends::redisPort();
        if (port == 0) {
            return Error::unavailable(QStringLiteral("the redis fixture did not start a redis-server"));
        }
        services::RedisConfig config;
        config.host = QStringLiteral("127.0.0.1");
        config.port = port;
        config.connectTimeoutMs = 5000;
        config.commandTimeoutMs = 10000;
        auto keep = std::make_shared<RedisKeep>();
        keep->client = std::make_unique<services::RedisClient>(config);
        keep->store = std::make_shared<services::RedisUsageStore>(keep->client.get());
        keep->store->setWriteLayout(services::RedisUsageStore::WriteLayout::V2);
        UsageStoreSubject s;
        s.store = keep->store;
        s.addSttBudget = [store = keep->store](const QString& uid, TimePoint day, std::int64_t ms) {
            auto r = wait(store->addSttBudgetUsage(uid, day, ms));
            return r ? Status{} : Status(r.error());
        };
        s.keep = keep;
        return s;
    });
    return QTest::qExec(&usage, argc, argv);
}
