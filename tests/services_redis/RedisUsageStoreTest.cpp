#include <QTest>
class RedisUsageStoreTest : public QObject {
    Q_OBJECT
};
QTEST_GUILESS_MAIN(RedisUsageStoreTest)
#include "RedisUsageStoreTest.moc"
