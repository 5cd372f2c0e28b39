// The Redis ACL users of packaging/redis on a real redis-server 7, loaded from the shipped files with --aclfile: the
// console's usage store works as the reviewer user, and everything outside its grant is refused with NOPERM and
// reported as ErrorKind::Permission; the enforcer user can do the enforcement service's writes and nothing admin-like.
#include "RedisTestSupport.h"
#include "TestFiles.h"

#include "enforcer/ClassifierBackoff.h"
#include "enforcer/EvaluationMarkers.h"
#include "enforcer/RangeLeases.h"
#include "enforcer/SpeechUserScan.h"
#include "redis/LuaMeter.h"
#include "redis/RedisKeyspaceSubscriber.h"
#include "redis/RedisUsageStore.h"

#include <QCryptographicHash>
#include <QTcpServer>
#include <QTemporaryDir>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

// Test-only passwords of a throw-away local server.
const QString kAdminPw = QStringLiteral("acl-admin-pw");
const QString kReviewerPw = QStringLiteral("acl-reviewer-pw");
const QString kEnforcerPw = QStringLiteral("acl-enforcer-pw");
const QString kReviewer = QStringLiteral("fairuse-reviewer");
const QString kEnforcer = QStringLiteral("fairuse-enforcer");

/** 2026-03-20T10:15:00Z plus an offset. */
TimePoint at(std::int64_t offsetMs = 0) {
    return fromUnixMs(1'774'001'700'000LL + offsetMs);
}

/** One of the shipped ACL fragments with the placeholder replaced by the SHA-256 of `password`, as the README says. */
QByteArray aclLine(const QString& file, const QString& password) {
    QFile f(qEnvironmentVariable("FAIRUSE_SOURCE_DIR") + QStringLiteral("/packaging/redis/") + file);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QByteArray line = f.readAll().trimmed();
    const QByteArray hash = QCryptographicHash::hash(password.toUtf8(), QCryptographicHash::Sha256).toHex();
    return line.replace("@PASSWORD_SHA256@", hash) + '\n';
}

quint16 freePort() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost)) {
        return 0;
    }
    return probe.serverPort();
}

QString errorText(const Result<RedisReply>& r) {
    return r.ok() ? QString::fromUtf8(r->text()) : r.error().message;
}

} // namespace

class RedisAclTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        REQUIRE_BACKEND(backends::kRedisServer, backends::redisServerInstalled(), backends::kRedisHow);
        QVERIFY(m_dir.isValid());
        const QByteArray reviewer = aclLine(QStringLiteral("reviewer.acl"), kReviewerPw);
        const QByteArray enforcer = aclLine(QStringLiteral("enforcer.acl"), kEnforcerPw);
        QVERIFY2(reviewer.startsWith("user fairuse-reviewer "), "packaging/redis/reviewer.acl not found");
        QVERIFY2(enforcer.startsWith("user fairuse-enforcer "), "packaging/redis/enforcer.acl not found");
        const QString aclPath = m_dir.filePath(QStringLiteral("users.acl"));
        QVERIFY(testing::writeFile(aclPath,
                                   "user default on >" + kAdminPw.toUtf8() + " ~* &* +@all\n" + reviewer + enforcer));

        QStringList args{QStringLiteral("--aclfile"), aclPath};
        m_tls = makeCertificate();
        if (m_tls) {
            m_tlsPort = freePort();
            args << QStringLiteral("--tls-port") << QString::number(m_tlsPort) << QStringLiteral("--tls-cert-file")
                 << m_cert << QStringLiteral("--tls-key-file") << m_key << QStringLiteral("--tls-ca-cert-file")
                 << m_cert << QStringLiteral("--tls-auth-clients") << QStringLiteral("no");
        }
        if (!m_server.start(0, args) && m_tls) {
            // A redis-server built without TLS: the ACL tests still run on the plain port.
            qWarning("redis-server did not start with TLS, trying without: %s", qPrintable(m_server.log));
            m_tls = false;
            QVERIFY2(m_server.start(0, {QStringLiteral("--aclfile"), aclPath}), qPrintable(m_server.log));
        }
        QVERIFY2(m_server.port() != 0, qPrintable(m_server.log));

        m_admin = new RedisClient(configFor(QString(), kAdminPw), this);
        m_reviewer = new RedisClient(configFor(kReviewer, kReviewerPw), this);
        m_enforcer = new RedisClient(configFor(kEnforcer, kEnforcerPw), this);
        m_adminStore = new RedisUsageStore(m_admin, this);
        m_reviewerStore = new RedisUsageStore(m_reviewer, this);
        m_enforcerStore = new RedisUsageStore(m_enforcer, this);
        const Result<RedisReply> who = run(*m_reviewer, {"PING"});
        QVERIFY2(who.ok() && who->isStatus(), qPrintable(errorText(who)));
    }

    void shippedUsersAreLoaded() {
        const Result<RedisReply> users = run(*m_admin, {"ACL", "USERS"});
        QVERIFY(users.ok());
        QList<QByteArray> names;
        for (const RedisReply& u : users->elements()) {
            names << u.text();
        }
        QVERIFY(names.contains(kReviewer.toUtf8()));
        QVERIFY(names.contains(kEnforcer.toUtf8()));
    }

    /** Everything the console reads, read as the reviewer, equals what the admin wrote. */
    void consoleWorksAsReviewer() {
        const QString uid = uniqueUid(QStringLiteral("acl"));
        const TimePoint now = at();
        seedUser(uid, now);

        const Result<SpeechReading> speech = waitForRedis(m_reviewerStore->readSpeech(uid, now));
        QVERIFY2(speech.ok(), qPrintable(speech.ok() ? QString() : speech.error().message));
        QCOMPARE(speech->totals.dailyMs, std::int64_t{1500 + 700 + 300});
        QCOMPARE(speech->totals.threeDayMs, std::int64_t{1500 + 700 + 300 + 2000});
        QCOMPARE(speech->totals.weeklyMs, std::int64_t{1500 + 700 + 300 + 2000 + 4000});
        QCOMPARE(speech->skippedValues, 0);

        const Result<QList<MinuteSample>> minutes =
            waitForRedis(m_reviewerStore->readMinutes(uid, at(-8 * 86'400'000LL), now));
        QVERIFY2(minutes.ok(), qPrintable(minutes.ok() ? QString() : minutes.error().message));
        std::int64_t sum = 0;
        for (const MinuteSample& m : *minutes) {
            sum += m.speechMs;
        }
        QCOMPARE(sum, speech->totals.weeklyMs);

        const Result<std::int64_t> budget = waitForRedis(m_reviewerStore->readSttBudgetUsedMs(uid, now));
        QVERIFY2(budget.ok(), qPrintable(budget.ok() ? QString() : budget.error().message));
        QCOMPARE(*budget, std::int64_t{4242});

        // The one write a reviewer may make: drop the cached stage.
        QCOMPARE(run(*m_admin, {"EXISTS", RedisUsageStore::stageKey(uid)})->integerValue(), 1);
        const Result<bool> dropped = waitForRedis(m_reviewerStore->invalidateStageCache(uid));
        QVERIFY2(dropped.ok(), qPrintable(dropped.ok() ? QString() : dropped.error().message));
        QVERIFY(*dropped);
        QCOMPARE(run(*m_admin, {"EXISTS", RedisUsageStore::stageKey(uid)})->integerValue(), 0);
        const Result<bool> again = waitForRedis(m_reviewerStore->invalidateStageCache(uid));
        QVERIFY(again.ok());
        QVERIFY(!*again);
    }

    /** Raw commands outside the grant: NOPERM from the server, Permission naming the user, nothing changed. */
    void reviewerIsRefused_data() {
        QTest::addColumn<QList<QByteArray>>("argv");
        const QByteArray uid = "acl-refused";
        auto row = [](const char* name, QList<QByteArray> argv) { QTest::newRow(name) << argv; };
        row("HINCRBY a bucket", {"HINCRBY", "fair_use:bucket:" + uid, "29566695", "60000"});
        row("HSET a v2 bucket", {"HSET", "fair_use:v2:bucket:realtime:" + uid, "29566695", "0"});
        row("ZADD to a speech index", {"ZADD", "fair_use:speech:" + uid, "0", "29566695"});
        row("EXPIRE a bucket", {"EXPIRE", "fair_use:bucket:" + uid, "1"});
        row("SET a stage", {"SET", "fair_use:stage:" + uid, "none"});
        row("GET a stage", {"GET", "fair_use:stage:" + uid});
        row("SET a budget", {"SET", "fair_use:dg_budget:" + uid + ":20260320", "0"});
        row("DEL a bucket", {"DEL", "fair_use:bucket:" + uid});
        row("DEL a v2 speech index", {"DEL", "fair_use:v2:speech:realtime:" + uid});
        row("DEL a budget", {"DEL", "fair_use:dg_budget:" + uid + ":20260320"});
        row("DEL a stage and a bucket", {"DEL", "fair_use:stage:" + uid, "fair_use:bucket:" + uid});
        row("DEL the classifier lock", {"DEL", "fair_use:classifier_lock:" + uid});
        row("read a non-fair-use key", {"GET", "acl:other"});
        row("HGETALL a non-fair-use key", {"HGETALL", "acl:other-hash"});
        row("DEL a non-fair-use key", {"DEL", "acl:other"});
        row("FLUSHALL", {"FLUSHALL"});
        row("FLUSHDB", {"FLUSHDB"});
        row("CONFIG SET", {"CONFIG", "SET", "maxmemory", "1"});
        row("CONFIG GET", {"CONFIG", "GET", "requirepass"});
        row("KEYS", {"KEYS", "*"});
        row("SCAN", {"SCAN", "0"});
        row("EVAL", {"EVAL", "return redis.call('FLUSHALL')", "0"});
        row("EVAL_RO", {"EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "fair_use:bucket:" + uid});
        row("ACL SETUSER", {"ACL", "SETUSER", "fairuse-reviewer", "+@all"});
        row("MONITOR", {"MONITOR"});
        row("SHUTDOWN", {"SHUTDOWN", "NOSAVE"});
    }

    void reviewerIsRefused() {
        QFETCH(QList<QByteArray>, argv);
        const QByteArray uid = "acl-refused";
        QVERIFY(run(*m_admin, {"HSET", "fair_use:bucket:" + uid, "29566695", "1000"}).ok());
        QVERIFY(run(*m_admin, {"SET", "fair_use:stage:" + uid, "restrict", "EX", "600"}).ok());
        QVERIFY(run(*m_admin, {"SET", "acl:other", "keep"}).ok());

        const Result<RedisReply> r = run(*m_reviewer, argv);
        QVERIFY2(r.ok(), qPrintable(errorText(r))); // the transport worked; the server refused
        QVERIFY2(r->isError(), qPrintable(errorText(r)));
        QCOMPARE(r->errorCode(), QByteArray("NOPERM"));
        const Error e = m_reviewer->replyError(*r, QStringLiteral("run %1").arg(QString::fromUtf8(argv.first())));
        QCOMPARE(e.kind, ErrorKind::Permission);
        QVERIFY2(e.message.contains(QLatin1String("\"fairuse-reviewer\"")), qPrintable(e.message));
        QVERIFY2(e.message.contains(QLatin1String("NOPERM")), qPrintable(e.message));
        QVERIFY2(!e.message.contains(kReviewerPw), qPrintable(e.message));

        // Nothing changed, and the connection is still good for what the reviewer may do.
        QCOMPARE(run(*m_admin, {"HGET", "fair_use:bucket:" + uid, "29566695"})->text(), QByteArray("1000"));
        QCOMPARE(run(*m_admin, {"GET", "fair_use:stage:" + uid})->text(), QByteArray("restrict"));
        QCOMPARE(run(*m_admin, {"GET", "acl:other"})->text(), QByteArray("keep"));
        QCOMPARE(run(*m_admin, {"CONFIG", "GET", "maxmemory"})->elements().value(1).text(), QByteArray("0"));
        QVERIFY(run(*m_admin, {"DBSIZE"})->integerValue() >= 3);
        const Result<RedisReply> still = run(*m_reviewer, {"HGETALL", "fair_use:bucket:" + uid});
        QVERIFY2(still.ok() && still->isArray(), qPrintable(errorText(still)));
    }

    /** The store's own writes, used as the reviewer: ErrorKind::Permission with a message a person can act on. */
    void reviewerStoreWritesArePermissionErrors() {
        const QString uid = uniqueUid(QStringLiteral("aclw"));
        const Result<bool> recorded =
            waitForRedis(m_reviewerStore->recordSpeech(uid, at(), 1000, SpeechSource::Realtime));
        QVERIFY(!recorded.ok());
        QCOMPARE(recorded.error().kind, ErrorKind::Permission);
        QVERIFY2(recorded.error().message.contains(QLatin1String("fair_use:bucket:") + uid),
                 qPrintable(recorded.error().message));
        QVERIFY2(recorded.error().message.contains(QLatin1String("\"fairuse-reviewer\"")),
                 qPrintable(recorded.error().message));

        const Result<bool> staged = waitForRedis(m_reviewerStore->writeStageCache(uid, Stage::Restrict));
        QVERIFY(!staged.ok());
        QCOMPARE(staged.error().kind, ErrorKind::Permission);

        const Result<std::int64_t> budget = waitForRedis(m_reviewerStore->addSttBudgetUsage(uid, at(), 10));
        QVERIFY(!budget.ok());
        QCOMPARE(budget.error().kind, ErrorKind::Permission);

        const Result<QString> stage = waitForRedis(m_reviewerStore->readStageCache(uid));
        QVERIFY(!stage.ok());
        QCOMPARE(stage.error().kind, ErrorKind::Permission);

        const Result<bool> lock =
            waitForRedis(m_reviewerStore->acquireClassifierLock(uid, "t", std::chrono::seconds(5)));
        QVERIFY(!lock.ok());
        QCOMPARE(lock.error().kind, ErrorKind::Permission);

        QCOMPARE(run(*m_admin, {"EXISTS", RedisUsageStore::bucketKey(uid), RedisUsageStore::stageKey(uid),
                                RedisUsageStore::sttBudgetKey(uid, at()), RedisUsageStore::classifierLockKey(uid)})
                     ->integerValue(),
                 0);
        // The Lua meter is the enforcer's: the reviewer may not run it.
        LuaMeter meter(m_reviewer);
        const Result<MeterReading> metered = waitForRedis(meter.recordAndCheck(uid, 1000, at()));
        QVERIFY(!metered.ok());
    }

    /** A read refused by the ACL fails the whole read as Permission (never as "no speech"). */
    void reviewerReadOutsideTheGrantIsPermission() {
        RedisClient admin(configFor(QString(), kAdminPw));
        const QString user = QStringLiteral("acl-budget-only");
        QVERIFY(run(admin, {"ACL", "SETUSER", user.toUtf8(), "reset", "on", ">pw", "+get", "%R~fair_use:dg_budget:*"})
                    .ok());
        {
            RedisClient narrow(configFor(user, QStringLiteral("pw")));
            RedisUsageStore store(&narrow);
            const Result<SpeechReading> speech = waitForRedis(store.readSpeech(QStringLiteral("u1"), at()));
            QVERIFY(!speech.ok());
            QCOMPARE(speech.error().kind, ErrorKind::Permission);
            QVERIFY2(speech.error().message.contains(user), qPrintable(speech.error().message));
            QVERIFY(waitForRedis(store.readSttBudgetUsedMs(QStringLiteral("u1"), at())).ok());
        }
        QVERIFY(run(admin, {"ACL", "DELUSER", user.toUtf8()}).ok());
    }

    /** SELECT refused by the ACL fails the command as Permission, like a refused AUTH. */
    void selectRefusedIsPermission() {
        RedisClient admin(configFor(QString(), kAdminPw));
        const QString user = QStringLiteral("acl-no-select");
        QVERIFY(run(admin, {"ACL", "SETUSER", user.toUtf8(), "reset", "on", ">pw", "+get", "~*"}).ok());
        RedisConfig c = configFor(user, QStringLiteral("pw"));
        c.db = 3;
        RedisClient client(c);
        const Result<RedisReply> r = run(client, {"GET", "x"});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Permission);
        QVERIFY2(r.error().message.contains(QLatin1String("select database 3")), qPrintable(r.error().message));
        QVERIFY(run(admin, {"ACL", "DELUSER", user.toUtf8()}).ok());
    }

    void wrongReviewerPasswordIsPermission() {
        RedisClient client(configFor(kReviewer, QStringLiteral("not-the-password")));
        const Result<RedisReply> r = run(client, {"PING"});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Permission);
    }

    /** The enforcer's user can do the enforcement service's writes, the Lua meter included, but no admin commands. */
    void enforcerWritesButAdministersNothing() {
        const QString uid = uniqueUid(QStringLiteral("enf"));
        QVERIFY(waitForRedis(m_enforcerStore->recordSpeech(uid, at(), 1000, SpeechSource::Realtime)).ok());
        m_enforcerStore->setWriteLayout(RedisUsageStore::WriteLayout::V2);
        QVERIFY(waitForRedis(m_enforcerStore->recordSpeech(uid, at(), 500, SpeechSource::SyncFresh)).ok());
        m_enforcerStore->setWriteLayout(RedisUsageStore::WriteLayout::Legacy);
        const Result<std::int64_t> budget = waitForRedis(m_enforcerStore->addSttBudgetUsage(uid, at(), 77));
        QVERIFY2(budget.ok(), qPrintable(budget.ok() ? QString() : budget.error().message));
        QVERIFY(waitForRedis(m_enforcerStore->writeStageCache(uid, Stage::Throttle)).ok());
        QCOMPARE(*waitForRedis(m_enforcerStore->readStageCache(uid)), QStringLiteral("throttle"));
        const Result<bool> locked =
            waitForRedis(m_enforcerStore->acquireClassifierLock(uid, "tok", std::chrono::seconds(30)));
        QVERIFY2(locked.ok() && *locked, qPrintable(locked.ok() ? QString() : locked.error().message));
        const Result<bool> released = waitForRedis(m_enforcerStore->releaseClassifierLock(uid, "tok"));
        QVERIFY2(released.ok() && *released, qPrintable(released.ok() ? QString() : released.error().message));
        const Result<SpeechReading> speech = waitForRedis(m_enforcerStore->readSpeech(uid, at(1000)));
        QVERIFY(speech.ok());
        QCOMPARE(speech->totals.dailyMs, std::int64_t{1500});
        // fairuse-enforcer finds the users with speech by SCAN.
        const Result<SpeechUsers> users = scanSpeechUsers(*m_enforcer, 100, 10000);
        QVERIFY2(users.ok(), qPrintable(users.ok() ? QString() : users.error().message));
        QVERIFY(users->uids.contains(uid));
        // Its range leases and classifier backoff, and the PTTL it reads of another holder's lock.
        RangeLeases leases(m_enforcer, at(), "instance-acl", std::chrono::seconds(30), std::chrono::seconds(600),
                           10000);
        const Result<RangeLeases::Claim> claim = leases.claim(3);
        QVERIFY2(claim.ok() && *claim == RangeLeases::Claim::Taken,
                 qPrintable(claim.ok() ? QStringLiteral("not taken") : claim.error().message));
        QVERIFY(leases.renew(3).value());
        QVERIFY(leases.finish(3).value());
        ClassifierBackoff backoff(m_enforcer, 10000);
        QVERIFY(backoff.recordFailure(uid, std::nullopt, at()).ok());
        QVERIFY(backoff.read(uid).value().has_value());
        QVERIFY(backoff.clear(uid).ok());
        const auto pttl = waitForRedis(m_enforcer->command({"PTTL", RedisUsageStore::classifierLockKey(uid)}));
        QVERIFY(pttl.ok() && pttl->isInteger());

        LuaMeter meter(m_enforcer);
        Result<MeterReading> metered = waitForRedis(meter.recordAndCheck(uid, 2000, at()));
        QVERIFY2(metered.ok(), qPrintable(metered.ok() ? QString() : metered.error().message));
        metered = waitForRedis(meter.recordAndCheck(uid, 1000, at(60'000)));
        QVERIFY2(metered.ok(), qPrintable(metered.ok() ? QString() : metered.error().message));
        QCOMPARE(metered->totals.dailyMs, std::int64_t{3000});
        // Server time (TIME inside the script) is granted too.
        QVERIFY(waitForRedis(meter.recordAndCheck(uniqueUid(QStringLiteral("enf-now")), 10)).ok());

        for (const QList<QByteArray>& argv :
             QList<QList<QByteArray>>{{"FLUSHALL"},
                                      {"CONFIG", "SET", "maxmemory", "1"},
                                      {"CONFIG", "GET", "notify-keyspace-events"},
                                      {"PSUBSCRIBE", "__keyspace@0__:*"},
                                      {"PSUBSCRIBE", "__keyspace@1__:fair_use:bucket:*"},
                                      {"SUBSCRIBE", "__keyspace@0__:fair_use:bucket:x"},
                                      {"KEYS", "*"},
                                      {"GET", "acl:other"},
                                      {"EVAL", "return redis.call('GET', KEYS[1])", "1", "acl:other"},
                                      {"EVAL", "return redis.call('FLUSHDB')", "0"},
                                      {"ACL", "LIST"}}) {
            const Result<RedisReply> r = run(*m_enforcer, argv);
            QVERIFY2(r.ok() && r->isError(), QByteArray(argv.join(' ') + " was not refused").constData());
            QVERIFY2(RedisClient::replyErrorKind(*r) == ErrorKind::Permission,
                     QByteArray(argv.join(' ') + ": " + r->text()).constData());
        }
    }

    /** The service's keyspace subscription and evaluation markers work as the enforcer user (db 0's patterns). */
    void enforcerSubscribesToBucketKeys() {
        QVERIFY(run(*m_admin, {"CONFIG", "SET", "notify-keyspace-events", "Kh"}).ok());
        RedisKeyspaceSubscriber subscriber;
        QStringList uids;
        connect(&subscriber, &RedisKeyspaceSubscriber::bucketWritten, this,
                [&uids](const QString& uid) { uids.append(uid); });
        subscriber.setNodes({configFor(kEnforcer, kEnforcerPw)});
        QTRY_VERIFY_WITH_TIMEOUT(subscriber.subscribedNodes().size() == 1, 20000);
        const QString uid = uniqueUid(QStringLiteral("enf-sub"));
        QVERIFY(run(*m_admin, {"HINCRBY", "fair_use:bucket:" + uid.toUtf8(), "29000000", "1000"}).ok());
        QVERIFY(run(*m_admin, {"HINCRBY", "fair_use:v2:bucket:realtime:" + uid.toUtf8(), "29000000", "1"}).ok());
        QTRY_VERIFY_WITH_TIMEOUT(uids.size() == 2, 20000);
        QCOMPARE(uids, (QStringList{uid, uid}));
        QCOMPARE(subscriber.malformed(), std::int64_t{0});

        EvaluationMarkers markers(m_enforcer, at(), "instance-acl", std::chrono::seconds(30), std::chrono::seconds(600),
                                  10000);
        const Result<EvaluationMarkers::Claim> claim = markers.claim(uid);
        QVERIFY2(claim.ok() && *claim == EvaluationMarkers::Claim::Taken,
                 qPrintable(claim.ok() ? QStringLiteral("not taken") : claim.error().message));
        QVERIFY(markers.finish(uid).ok());
        QVERIFY(markers.claim(uid).value() == EvaluationMarkers::Claim::Done);
        QVERIFY(run(*m_admin, {"CONFIG", "SET", "notify-keyspace-events", ""}).ok());
    }

    /** The reviewer over rediss:// (the production set-up): the same reads, the same refusals. */
    void reviewerOverTls() {
        if (!m_tls) {
            REQUIRE_BACKEND(
                QStringLiteral("redis-server with TLS"), false,
                QStringLiteral("openssl or a TLS-enabled redis-server is missing (initTestCase warned why)"));
        }
        Result<RedisConfig> c =
            RedisConfig::fromUrl(QStringLiteral("rediss://%1@127.0.0.1:%2/0").arg(kReviewer).arg(m_tlsPort));
        QVERIFY(c.ok());
        c->password = kReviewerPw;
        c->autoReconnect = false;
        QFile certFile(m_cert);
        QVERIFY(certFile.open(QIODevice::ReadOnly));
        c->caCertificates = QSslCertificate::fromData(certFile.readAll());
        RedisClient client(*c);
        RedisUsageStore store(&client);
        const QString uid = uniqueUid(QStringLiteral("acltls"));
        seedUser(uid, at());
        const Result<SpeechReading> speech = waitForRedis(store.readSpeech(uid, at()));
        QVERIFY2(speech.ok(), qPrintable(speech.ok() ? QString() : speech.error().message));
        QCOMPARE(speech->totals.weeklyMs, std::int64_t{1500 + 700 + 300 + 2000 + 4000});
        QVERIFY(*waitForRedis(store.invalidateStageCache(uid)));
        const Result<bool> refused = waitForRedis(store.recordSpeech(uid, at(), 1, SpeechSource::Realtime));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Permission);
        QVERIFY2(refused.error().message.startsWith(QLatin1String("Redis at rediss://fairuse-reviewer:***@")),
                 qPrintable(refused.error().message));
    }

    void cleanupTestCase() {
        delete m_reviewerStore;
        delete m_enforcerStore;
        delete m_adminStore;
        m_server.stop();
    }

private:
    RedisConfig configFor(const QString& user, const QString& password) const {
        RedisConfig c = localConfig(m_server.port());
        c.user = user;
        c.password = password;
        c.autoReconnect = false;
        return c;
    }

    /** Speech in both layouts (1500 + 700 + 300 ms today, 2000 two days ago, 4000 five days ago), a budget, a stage. */
    void seedUser(const QString& uid, TimePoint now) {
        QVERIFY(waitForRedis(m_adminStore->recordSpeech(uid, at(-60'000), 1500, SpeechSource::Realtime)).ok());
        QVERIFY(
            waitForRedis(m_adminStore->recordSpeech(uid, at(-2 * 86'400'000LL), 2000, SpeechSource::Realtime)).ok());
        QVERIFY(
            waitForRedis(m_adminStore->recordSpeech(uid, at(-5 * 86'400'000LL), 4000, SpeechSource::Realtime)).ok());
        m_adminStore->setWriteLayout(RedisUsageStore::WriteLayout::V2);
        QVERIFY(waitForRedis(m_adminStore->recordSpeech(uid, at(-120'000), 700, SpeechSource::Realtime)).ok());
        QVERIFY(waitForRedis(m_adminStore->recordSpeech(uid, at(-180'000), 300, SpeechSource::SyncFresh)).ok());
        // Metered, never enforced: the console does not add it, and the reviewer may read it all the same.
        QVERIFY(waitForRedis(m_adminStore->recordSpeech(uid, at(-180'000), 9999, SpeechSource::CustomStt)).ok());
        m_adminStore->setWriteLayout(RedisUsageStore::WriteLayout::Legacy);
        QVERIFY(waitForRedis(m_adminStore->addSttBudgetUsage(uid, now, 4242)).ok());
        QVERIFY(waitForRedis(m_adminStore->writeStageCache(uid, Stage::Warning)).ok());
    }

    bool makeCertificate() {
        m_cert = m_dir.filePath(QStringLiteral("cert.pem"));
        m_key = m_dir.filePath(QStringLiteral("key.pem"));
        return makeTestCertificate(m_cert, m_key).isEmpty();
    }

    QTemporaryDir m_dir;
    PrivateRedis m_server{QStringLiteral("redis-acl")};
    bool m_tls = false;
    quint16 m_tlsPort = 0;
    QString m_cert;
    QString m_key;
    RedisClient* m_admin = nullptr;
    RedisClient* m_reviewer = nullptr;
    RedisClient* m_enforcer = nullptr;
    RedisUsageStore* m_adminStore = nullptr;
    RedisUsageStore* m_reviewerStore = nullptr;
    RedisUsageStore* m_enforcerStore = nullptr;
};

QTEST_GUILESS_MAIN(RedisAclTest)
#include "RedisAclTest.moc"
