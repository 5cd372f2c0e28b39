// The Redis Cluster client: key slots as Redis computes them, CLUSTER SLOTS and redirections read strictly (every
// malformed shape refused), and against a real cluster of 3 masters and 3 replicas (the redis_cluster fixture):
// every key reaches its slot's master, a stale map is corrected by MOVED, a slot being migrated is followed through
// ASK, SCAN on every master finds every key, a pipeline spanning the masters comes back whole and in order (stale map
// or not), scripts are routed by their key, and the usage store and the enforcer's user scan work on the cluster.

#include "RedisTestSupport.h"
#include "TestTime.h"

#include "enforcer/SpeechUserScan.h"
#include "redis/RedisCluster.h"
#include "redis/RedisUsageStore.h"

#include <QSet>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::uniqueUid;

namespace {

template <typename T>
Result<T> wait(const QFuture<Result<T>>& f) {
    return awaitResult(f, 20000);
}

RedisReply node(const char* host, std::int64_t port) {
    return RedisReply::array({RedisReply::string(host), RedisReply::integer(port), RedisReply::string("id")});
}

RedisReply range(std::int64_t first, std::int64_t last, RedisReply master) {
    return RedisReply::array({RedisReply::integer(first), RedisReply::integer(last), std::move(master)});
}

} // namespace

class RedisClusterTest : public QObject {
    Q_OBJECT
private:
    QList<quint16> m_ports;

    RedisConfig seed() const {
        RedisConfig c;
        c.port = m_ports.value(0);
        c.autoReconnect = false;
        return c;
    }

private Q_SLOTS:
    void initTestCase() { m_ports = testing::backends::redisClusterPorts(); }

    void slotsAreRedisSlots() {
        QCOMPARE(crc16Xmodem("123456789"), quint16(0x31C3)); // the CRC16/XMODEM check value
        QCOMPARE(keySlot("foo"), 12182);                     // from the Redis Cluster specification
        QCOMPARE(keySlot("{user1000}.following"), keySlot("{user1000}.followers"));
        QCOMPARE(keySlot("{user1000}.following"), keySlot("user1000"));
        QCOMPARE(keySlot("foo{}{bar}"), int(crc16Xmodem("foo{}{bar}") % 16384)); // an empty tag: the whole key
        QCOMPARE(keySlot("foo{{bar}}zap"), keySlot("{bar"));
        QCOMPARE(keySlot("foo{bar}{zap}"), keySlot("bar"));
    }

    void slotMapsAreReadStrictly() {
        struct Case {
            const char* name;
            RedisReply reply;
            const char* why;
        };
        const QList<Case> cases{
            {"error", RedisReply::error("ERR This instance has cluster support disabled"), "cluster support disabled"},
            {"not an array", RedisReply::string("x"), "not an array"},
            {"entry not an array", RedisReply::array({RedisReply::integer(1)}), "entry 0"},
            {"short entry", RedisReply::array({RedisReply::array({RedisReply::integer(0), RedisReply::integer(5)})}),
             "entry 0"},
            {"slot above 16383", RedisReply::array({range(0, 16384, node("h", 1))}), "outside"},
            {"negative slot", RedisReply::array({range(-1, 5, node("h", 1))}), "outside"},
            {"reversed", RedisReply::array({range(9, 5, node("h", 1))}), "reversed"},
            {"no port", RedisReply::array({range(0, 5, RedisReply::array({RedisReply::string("h")}))}), "node 0"},
            {"port 0", RedisReply::array({range(0, 5, node("h", 0))}), "port outside"},
            {"port too big", RedisReply::array({range(0, 5, node("h", 70000))}), "port outside"},
            {"empty host", RedisReply::array({range(0, 5, node("", 7000))}), "no host"},
            {"overlap", RedisReply::array({range(0, 100, node("a", 1)), range(50, 200, node("b", 2))}), "overlap"},
        };
        for (const Case& c : cases) {
            const auto map = parseClusterSlots(c.reply);
            QVERIFY2(!map, c.name);
            QCOMPARE(map.error().kind, ErrorKind::Invalid);
            QVERIFY2(map.error().message.contains(QLatin1String(c.why)), qPrintable(map.error().message));
        }
    }

    void aSlotMapIsRead() {
        RedisReply withReplica = range(8192, 16383, node("b", 7001));
        QList<RedisReply> parts = withReplica.elements();
        parts.append(node("c", 7002));
        const auto map =
            parseClusterSlots(RedisReply::array({RedisReply::array(parts), range(0, 8191, node("a", 7000))}));
        QVERIFY(map);
        QCOMPARE(map->size(), 2);
        QCOMPARE(map->at(0).first, 0); // sorted by slot
        QCOMPARE(map->at(0).master.address(), QStringLiteral("a:7000"));
        QCOMPARE(map->at(1).replicas.size(), 1);
        QCOMPARE(map->at(1).replicas.at(0).port, quint16(7002));
    }

    void redirectionsAreRead() {
        const auto moved = parseRedirection(RedisReply::error("MOVED 3999 127.0.0.1:6381"));
        QVERIFY(moved && !moved->ask && moved->slot == 3999 &&
                moved->node.address() == QLatin1String("127.0.0.1:6381"));
        const auto ask = parseRedirection(RedisReply::error("ASK 12 ::1:7000"));
        QVERIFY(ask && ask->ask && ask->node.host == QLatin1String("::1") && ask->node.port == 7000);
        for (const char* junk : {"MOVED", "MOVED x 127.0.0.1:1", "MOVED 20000 h:1", "MOVED 1 h:0", "MOVED 1 h",
                                 "ERR wrong number of arguments", "MOVED 1 h:1 extra"}) {
            QVERIFY2(!parseRedirection(RedisReply::error(junk)), junk);
        }
        QVERIFY(!parseRedirection(RedisReply::string("MOVED 1 h:1"))); // only an error reply redirects
    }

    void everyKeyReachesItsMaster() {
        REQUIRE_REDIS(m_ports.value(0));
        QCOMPARE(m_ports.size(), 6);
        RedisClusterClient cluster(seed());
        const auto map = wait(cluster.refresh());
        QVERIFY2(map, map ? "" : qPrintable(map.error().message));
        QCOMPARE(cluster.masters().size(), 3);
        int covered = 0;
        for (const SlotRange& r : *map) {
            covered += r.last - r.first + 1;
        }
        QCOMPARE(covered, kClusterSlots);
        // Six nodes in all: CLUSTER SLOTS lists a replica only once it has replicated something, so count them in
        // CLUSTER NODES.
        const auto nodes = wait(cluster.commandOn(cluster.masters().first(), {"CLUSTER", "NODES"}));
        QVERIFY(nodes && nodes->isString());
        QCOMPARE(nodes->text().trimmed().split('\n').size(), 6);

        const QString prefix = uniqueUid(QStringLiteral("route"));
        for (int i = 0; i < 200; ++i) {
            const QByteArray key = QStringLiteral("fair_use:bucket:%1-%2").arg(prefix).arg(i).toUtf8();
            QVERIFY(wait(cluster.command({"SET", key, QByteArray::number(i)})));
            // The server agrees on the slot, and the key lives on that slot's master.
            const auto slot = wait(cluster.commandOn(cluster.masters().first(), {"CLUSTER", "KEYSLOT", key}));
            QVERIFY(slot);
            QCOMPARE(slot->integerValue(), std::int64_t(keySlot(key)));
            const auto direct = wait(cluster.commandOn(*cluster.masterOf(keySlot(key)), {"GET", key}));
            QVERIFY(direct);
            QCOMPARE(direct->text(), QByteArray::number(i));
        }
        QCOMPARE(cluster.redirections(), 0);
    }

    void aStaleMapIsCorrectedByMoved() {
        REQUIRE_REDIS(m_ports.value(0));
        RedisClusterClient cluster(seed());
        QVERIFY(wait(cluster.refresh()));
        const ClusterNode first = cluster.masters().first();
        // Every slot on one master, as after a failover the client has not seen.
        SlotRange all;
        all.first = 0;
        all.last = kClusterSlots - 1;
        all.master = first;
        cluster.setSlotMap({all});
        const QString prefix = uniqueUid(QStringLiteral("moved"));
        int elsewhere = 0;
        for (int i = 0; i < 30; ++i) {
            const QByteArray key = QStringLiteral("%1-%2").arg(prefix).arg(i).toUtf8();
            const auto set = wait(cluster.command({"SET", key, "v"}));
            QVERIFY2(set && set->isStatus(), set ? set->text().constData() : qPrintable(set.error().message));
            const auto get = wait(cluster.command({"GET", key}));
            QVERIFY(get && get->text() == "v");
            elsewhere += cluster.masterOf(keySlot(key)) == first ? 0 : 1;
        }
        QVERIFY(elsewhere > 0);
        QVERIFY(cluster.redirections() > 0);
        QCOMPARE(cluster.masters().size(), 3); // the map was read again
    }

    void aMigratingSlotIsFollowedThroughAsk() {
        REQUIRE_REDIS(m_ports.value(0));
        RedisClusterClient cluster(seed());
        QVERIFY(wait(cluster.refresh()));
        const QByteArray key = QStringLiteral("{%1}:ask").arg(uniqueUid(QStringLiteral("ask"))).toUtf8();
        const int slot = keySlot(key);
        const ClusterNode source = *cluster.masterOf(slot);
        const QList<ClusterNode> masters = cluster.masters();
        const ClusterNode target =
            *std::find_if(masters.cbegin(), masters.cend(), [&source](const ClusterNode& n) { return !(n == source); });
        const QByteArray slotText = QByteArray::number(slot);
        QVERIFY(wait(cluster.commandOn(target, {"CLUSTER", "SETSLOT", slotText, "IMPORTING", source.id})));
        QVERIFY(wait(cluster.commandOn(source, {"CLUSTER", "SETSLOT", slotText, "MIGRATING", target.id})));
        // The key is not on the source: the source answers ASK, and the client asks the target.
        const auto set = wait(cluster.command({"SET", key, "moved-in"}));
        QVERIFY2(set && set->isStatus(), set ? set->text().constData() : qPrintable(set.error().message));
        QVERIFY(cluster.redirections() >= 1);
        const auto onTarget = wait(cluster.commandOn(target, {"EXISTS", key}));
        QVERIFY(onTarget);
        // Without ASKING the target still refuses the slot it does not own yet; the pair is how ASK works.
        QCOMPARE(onTarget->isError() ? onTarget->errorCode() : QByteArray("not an error"), QByteArray("MOVED"));
        // Clean up: drop the key on the target, then both sides forget the migration.
        QVERIFY(wait(cluster.command({"DEL", key})));
        QVERIFY(wait(cluster.commandOn(target, {"CLUSTER", "SETSLOT", slotText, "STABLE"})));
        QVERIFY(wait(cluster.commandOn(source, {"CLUSTER", "SETSLOT", slotText, "STABLE"})));
    }

    void scanOnEveryMasterFindsEveryKey() {
        REQUIRE_REDIS(m_ports.value(0));
        RedisClusterClient cluster(seed());
        QVERIFY(wait(cluster.refresh()));
        const QString prefix = uniqueUid(QStringLiteral("scan"));
        QSet<QByteArray> written;
        for (int i = 0; i < 120; ++i) {
            const QByteArray key = QStringLiteral("fair_use:bucket:%1-%2").arg(prefix).arg(i).toUtf8();
            QVERIFY(wait(cluster.command({"HINCRBY", key, "29000000", "1000"})));
            written.insert(key);
        }
        QSet<QByteArray> found;
        QSet<int> mastersWithKeys;
        for (const ClusterNode& master : cluster.masters()) {
            QByteArray cursor = "0";
            do {
                const auto page = wait(cluster.commandOn(
                    master, {"SCAN", cursor, "MATCH", QStringLiteral("fair_use:bucket:%1-*").arg(prefix).toUtf8(),
                             "COUNT", "50"}));
                QVERIFY(page && page->isArray() && page->elements().size() == 2);
                cursor = page->elements().at(0).text();
                for (const RedisReply& k : page->elements().at(1).elements()) {
                    found.insert(k.text());
                    mastersWithKeys.insert(master.port);
                }
            } while (cursor != "0");
        }
        QCOMPARE(found, written);
        QCOMPARE(mastersWithKeys.size(), 3); // the keys spread over every master
    }

    void commandsAreRoutedByTheirKey() {
        QCOMPARE(routingKey({"GET", "k"}), QByteArray("k"));
        QCOMPARE(routingKey({"EVAL", "return 1", "1", "k", "a"}), QByteArray("k"));
        QCOMPARE(routingKey({"evalsha", "abc", "2", "k1", "k2"}), QByteArray("k1"));
        QCOMPARE(routingKey({"EVAL", "return 1", "0", "notakey"}), QByteArray());
        QCOMPARE(routingKey({"EVAL", "return 1", "x", "k"}), QByteArray()); // junk numkeys: no key
        QCOMPARE(routingKey({"EVAL", "return 1", "1"}), QByteArray());      // a key promised, none given
        QCOMPARE(routingKey({"SCAN", "0", "MATCH", "x*"}), QByteArray());
        QCOMPARE(routingKey({"PING"}), QByteArray());
        QCOMPARE(routingKey({}), QByteArray());
    }

    void aPipelineSpansTheMasters() {
        REQUIRE_REDIS(m_ports.value(0));
        RedisClusterClient cluster(seed());
        const QString prefix = uniqueUid(QStringLiteral("pipe"));
        QList<QList<QByteArray>> writes;
        QList<QList<QByteArray>> reads;
        for (int i = 0; i < 90; ++i) {
            const QByteArray key = QStringLiteral("%1-%2").arg(prefix).arg(i).toUtf8();
            writes.append({"SET", key, QByteArray::number(i * 7)});
            reads.append({"GET", key});
        }
        reads.append({"HGET", "wrong-type-" + prefix.toUtf8(), "f"}); // an error reply stays in its place
        QVERIFY(wait(cluster.command({"SET", "wrong-type-" + prefix.toUtf8(), "s"})));
        const auto written = wait(cluster.pipeline(writes)); // reads the map first
        QVERIFY2(written, written ? "" : qPrintable(written.error().message));
        QCOMPARE(written->size(), 90);
        QSet<int> masters;
        for (const auto& w : writes) {
            masters.insert(cluster.masterOf(keySlot(w.at(1)))->port);
        }
        QCOMPARE(masters.size(), 3);
        const auto check = [&](const Result<QList<RedisReply>>& got) {
            QVERIFY2(got, got ? "" : qPrintable(got.error().message));
            QCOMPARE(got->size(), 91);
            for (int i = 0; i < 90; ++i) {
                QCOMPARE(got->at(i).text(), QByteArray::number(i * 7));
            }
            QVERIFY(got->at(90).isError() && got->at(90).errorCode() == "WRONGTYPE");
        };
        check(wait(cluster.pipeline(reads)));
        QCOMPARE(cluster.redirections(), 0);
        // With every slot believed on one master, the commands of the others come back MOVED and are sent again.
        SlotRange all;
        all.last = kClusterSlots - 1;
        all.master = cluster.masters().first();
        cluster.setSlotMap({all});
        check(wait(cluster.pipeline(reads)));
        QVERIFY(cluster.redirections() > 0);
        QCOMPARE(cluster.masters().size(), 3);
        const auto none = wait(cluster.pipeline({}));
        QVERIFY(none && none->isEmpty());
    }

    void scriptsGoToTheirKeysMaster() {
        REQUIRE_REDIS(m_ports.value(0));
        RedisClusterClient cluster(seed());
        const QString prefix = uniqueUid(QStringLiteral("eval"));
        for (int i = 0; i < 30; ++i) {
            const QByteArray key = QStringLiteral("%1-%2").arg(prefix).arg(i).toUtf8();
            const auto r = wait(cluster.command({"EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", key, "x"}));
            QVERIFY2(r && r->isStatus(), r ? r->text().constData() : qPrintable(r.error().message));
        }
        QCOMPARE(cluster.redirections(), 0); // each went straight to its key's master
    }

    void theUsageStoreAndTheUserScanWorkOnTheCluster() {
        REQUIRE_REDIS(m_ports.value(0));
        RedisClusterClient cluster(seed());
        RedisUsageStore store(&cluster);
        const TimePoint now = fairuse::testing::at("2026-12-01T12:00:00Z");
        QStringList uids;
        for (int i = 0; i < 12; ++i) {
            uids.append(uniqueUid(QStringLiteral("cl%1").arg(i)));
        }
        for (const QString& uid : uids) {
            store.setWriteLayout(RedisUsageStore::WriteLayout::Legacy);
            QVERIFY(wait(store.recordSpeech(uid, now - std::chrono::minutes(30), 60'000, SpeechSource::Realtime)));
            store.setWriteLayout(RedisUsageStore::WriteLayout::V2);
            QVERIFY(wait(store.recordSpeech(uid, now - std::chrono::minutes(10), 30'000, SpeechSource::SyncFresh)));
        }
        for (const QString& uid : uids) {
            const auto speech = wait(store.readSpeech(uid, now));
            QVERIFY2(speech, speech ? "" : qPrintable(speech.error().message));
            QCOMPARE(speech->totals.dailyMs, 90'000); // both layouts, on different masters, added up
        }
        const auto lock = wait(store.acquireClassifierLock(uids.first(), "tok", std::chrono::seconds(30)));
        QVERIFY(lock && *lock);
        QVERIFY(!*wait(store.acquireClassifierLock(uids.first(), "other", std::chrono::seconds(30))));
        QVERIFY(*wait(store.releaseClassifierLock(uids.first(), "tok"))); // the script went to the lock's master
        const Result<SpeechUsers> found = scanSpeechUsers(cluster, 100, 20000);
        QVERIFY2(found, found ? "" : qPrintable(found.error().message));
        for (const QString& uid : uids) {
            QVERIFY2(found->uids.contains(uid), qPrintable(uid));
        }
    }
};

QTEST_GUILESS_MAIN(RedisClusterTest)
#include "RedisClusterTest.moc"
