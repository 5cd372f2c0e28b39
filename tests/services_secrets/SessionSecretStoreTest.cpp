#include "secrets/SessionSecretStore.h"
#include "common/Await.h"

#include <QTest>

#include <thread>
#include <vector>

using namespace fairuse;
using namespace fairuse::services;

class SessionSecretStoreTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void writeReadOverwriteDelete() {
        SessionSecretStore store;
        const QString key = QStringLiteral("redis-password");
        QCOMPARE(awaitResult(store.read(key)).error().kind, ErrorKind::NotFound);
        QVERIFY(awaitResult(store.write(key, QStringLiteral("one"))).ok());
        QCOMPARE(*awaitResult(store.read(key)), QStringLiteral("one"));
        QVERIFY(awaitResult(store.write(key, QStringLiteral("two"))).ok());
        QCOMPARE(*awaitResult(store.read(key)), QStringLiteral("two"));
        QVERIFY(awaitResult(store.remove(key)).ok());
        QCOMPARE(awaitResult(store.read(key)).error().kind, ErrorKind::NotFound);
        QVERIFY(awaitResult(store.remove(key)).ok()); // gone already: still fine
    }

    void callsFinishImmediately() {
        SessionSecretStore store;
        QVERIFY(store.write(QStringLiteral("k"), QStringLiteral("v")).isFinished());
        QVERIFY(store.read(QStringLiteral("k")).isFinished());
        QVERIFY(store.remove(QStringLiteral("k")).isFinished());
    }

    void emptyKeyIsInvalid() {
        SessionSecretStore store;
        QCOMPARE(awaitResult(store.write(QString(), QStringLiteral("v"))).error().kind, ErrorKind::Invalid);
        QCOMPARE(awaitResult(store.read(QString())).error().kind, ErrorKind::Invalid);
        QCOMPARE(awaitResult(store.remove(QString())).error().kind, ErrorKind::Invalid);
    }

    void readerKeepsItsCopyAfterRemoval() {
        // The wipe on removal must not reach into a copy that a caller already holds.
        SessionSecretStore store;
        QVERIFY(awaitResult(store.write(QStringLiteral("k"), QStringLiteral("secret"))).ok());
        const QString held = *awaitResult(store.read(QStringLiteral("k")));
        QVERIFY(awaitResult(store.remove(QStringLiteral("k"))).ok());
        QCOMPARE(held, QStringLiteral("secret"));
    }

    void clearForgetsEverything() {
        SessionSecretStore store;
        QVERIFY(awaitResult(store.write(QStringLiteral("a"), QStringLiteral("1"))).ok());
        QVERIFY(awaitResult(store.write(QStringLiteral("b"), QStringLiteral("2"))).ok());
        store.clear();
        QCOMPARE(awaitResult(store.read(QStringLiteral("a"))).error().kind, ErrorKind::NotFound);
        QCOMPARE(awaitResult(store.read(QStringLiteral("b"))).error().kind, ErrorKind::NotFound);
    }

    void concurrentUse() {
        SessionSecretStore store;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&store, t] {
                for (int i = 0; i < 500; ++i) {
                    const QString key = QStringLiteral("k%1-%2").arg(t).arg(i % 10);
                    (void)store.write(key, QString::number(i)).result();
                    (void)store.read(key).result();
                    if (i % 3 == 0) {
                        (void)store.remove(key).result();
                    }
                }
            });
        }
        for (std::thread& t : threads) {
            t.join();
        }
        // Each thread's last write to k<t>-9 was i = 499 (499 % 3 != 0, so not removed).
        for (int t = 0; t < 4; ++t) {
            QCOMPARE(*awaitResult(store.read(QStringLiteral("k%1-9").arg(t))), QStringLiteral("499"));
        }
    }
};

QTEST_GUILESS_MAIN(SessionSecretStoreTest)
#include "SessionSecretStoreTest.moc"
