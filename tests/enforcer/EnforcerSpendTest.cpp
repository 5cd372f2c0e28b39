// fairuse-enforcer's LLM-spend review end to end (enforcement/SpendReview.h; the seed "Custom STT (BYOK) users:
// uncapped LLM spend"): spend records of users who bring their own speech-to-text and of others in the Firestore
// emulator, the built binary run with --once at chosen times on redis-server. Which user gets a case, with which
// trigger and figures, is computed with the core from the same records, never hard-coded; the case changes no stage,
// names the service in its record, is not doubled by a rerun or while it is open, and comes again in a later slot
// once a reviewer resolved it. The console's inbox query (listOpenSpendCases) reads them back from the emulator.
#include "EnforcerPopulation.h"
#include "RequireBackend.h"
#include "TestTime.h"

#include "audit/AuditChain.h"
#include "common/Await.h"
#include "common/Subscription.h"
#include "enforcement/ReviewerActions.h"
#include "enforcement/SpendReview.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreMapping.h"
#include "firestore/UserDocument.h"
#include "redis/RedisClient.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;
using fairuse::testing::at;
using namespace fairuse::testing::enforcer;

namespace {

constexpr int kRedisDb = 13;

struct SpendUser {
    QString uid;
    std::optional<Subscription> subscription;
    Stage stage = Stage::None; ///< a state document when not none
    bool exempt = false;
    bool openSpendCase = false; ///< an open llm_daily case from an earlier review
    QList<LlmSpendRecord> records;
};

LlmSpendRecord record(const QString& uid, TimePoint at, std::int64_t micro, bool customStt) {
    LlmSpendRecord r;
    r.uid = uid;
    r.at = at;
    r.model = QStringLiteral("gpt-4o-mini");
    r.purpose = QStringLiteral("post_processing");
    r.promptTokens = 1000;
    r.completionTokens = 200;
    r.costMicroUsd = micro;
    r.customStt = customStt;
    return r;
}

} // namespace

class EnforcerSpendTest : public QObject {
    Q_OBJECT

    quint16 m_redisPort = 0;
    QString m_host;
    QString m_project;
    std::unique_ptr<RedisClient> m_redis;
    std::shared_ptr<FirestoreClient> m_firestore;
    std::unique_ptr<FirestoreCaseStore> m_store;
    QList<SpendUser> m_users;
    int m_records = 0;

    Run runEnforcer(TimePoint now, const QStringList& extra = {}) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FIRESTORE_EMULATOR_HOST"), m_host);
        return runEnforcerAsync(
            QStringList{QStringLiteral("--redis"),
                        QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_redisPort).arg(kRedisDb),
                        QStringLiteral("--firestore"), m_project, QStringLiteral("--identity"), kIdentity,
                        QStringLiteral("--log-dir"),
                        qEnvironmentVariable("FAIRUSE_TEST_STATE_DIR") + QStringLiteral("/enforcer-spend-logs"),
                        QStringLiteral("--once"), QStringLiteral("--now"), formatRfc3339(now)} +
                extra,
            env);
    }

    static int summary(const Run& r, const char* key) { return r.summary.value(QLatin1String(key)).toInt(-1); }

    void writeRecords(const QList<LlmSpendRecord>& records) {
        QList<FirestoreWrite> writes;
        for (const LlmSpendRecord& r : records) {
            writes.append(FirestoreWrite::set(QStringLiteral("llm_spend/rec-%1").arg(++m_records), encodeSpend(r)));
        }
        const auto done = awaitResult(m_firestore->commitInBatches(writes));
        QVERIFY2(done, done ? "" : qPrintable(done.error().message));
    }

    SpendUser& user(const char* uid) {
        for (SpendUser& u : m_users) {
            if (u.uid == QLatin1String(uid)) {
                return u;
            }
        }
        qFatal("no user %s", uid);
    }

    /** What the review at `now` must open for `u`: the core's standing over every record of the user. */
    std::optional<CapWindow> expectedTrigger(const SpendUser& u, TimePoint now) const {
        const auto standing =
            enforcement::spendStanding(u.uid, effectivePlan(u.subscription, now), u.records, LedgerPolicy{}, now);
        return standing ? enforcement::spendCapPassed(*standing) : std::nullopt;
    }

    QList<FairUseEvent> spendCases(const QString& uid) {
        const auto events = awaitResult(m_store->listEvents(uid));
        QList<FairUseEvent> out;
        for (const FairUseEvent& e : events ? *events : QList<FairUseEvent>{}) {
            if (isSpendTrigger(e.trigger)) {
                out.append(e);
            }
        }
        return out;
    }

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
        QVERIFY(awaitResult(m_redis->command({"FLUSHDB"})).ok());
        m_project = fairuse::testing::backends::freshProject(QStringLiteral("demo-spend"));
        FirestoreConfig fc;
        fc.projectId = m_project;
        fc.emulatorHost = m_host;
        m_firestore = std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner());
        m_store = std::make_unique<FirestoreCaseStore>(m_firestore);

        const auto add = [this](const char* uid) -> SpendUser& {
            SpendUser u;
            u.uid = QString::fromLatin1(uid);
            m_users.append(u);
            return m_users.last();
        };
        // Basic, own STT: $0.80 over the last 24 h (cap $0.50 a day).
        SpendUser& byok = add("byok-daily");
        for (int i = 0; i < 8; ++i) {
            byok.records.append(record(byok.uid, kT - 20h + i * 2h, 100'000, true));
        }
        // Unlimited, own STT: $25 over 20 days but $1 in the last day (caps $2 a day, $20 a month).
        SpendUser& heavy = add("byok-monthly");
        heavy.subscription = Subscription{QStringLiteral("unlimited"), QStringLiteral("active"), kT + 720h};
        for (int day = 2; day <= 21; ++day) {
            heavy.records.append(record(heavy.uid, kT - day * 24h + 1h, 1'200'000, true));
        }
        heavy.records.append(record(heavy.uid, kT - 2h, 1'000'000, true));
        // Basic, platform STT, within its caps.
        SpendUser& light = add("light");
        light.records.append(record(light.uid, kT - 3h, 300'000, false));
        // At warning already: over the daily cap, the case keeps the stage.
        SpendUser& warned = add("warned");
        warned.stage = Stage::Warning;
        warned.records.append(record(warned.uid, kT - 1h, 700'000, false));
        // Exempt: over the cap, no case.
        SpendUser& exempt = add("exempt");
        exempt.exempt = true;
        exempt.records.append(record(exempt.uid, kT - 1h, 900'000, true));
        // Over the cap with an open spend case already.
        SpendUser& open = add("already-open");
        open.openSpendCase = true;
        open.records.append(record(open.uid, kT - 1h, 900'000, true));
        // Over the monthly cap, but nothing new since two days: the first review looks back one day only.
        SpendUser& stale = add("stale");
        for (int day = 2; day <= 12; ++day) {
            stale.records.append(record(stale.uid, kT - day * 24h, 600'000, true));
        }

        QList<FirestoreWrite> writes;
        QList<LlmSpendRecord> all;
        for (const SpendUser& u : m_users) {
            if (u.subscription) {
                writes.append(FirestoreWrite::set(
                    userDocumentPath(u.uid), {{QStringLiteral("subscription"), encodeSubscription(*u.subscription)}}));
            }
            if (u.stage != Stage::None) {
                FairUseState s;
                s.uid = u.uid;
                s.stage = u.stage;
                s.updatedAt = kT - 48h;
                writes.append(FirestoreWrite::set(FirestoreCaseStore::statePath(u.uid), encodeState(s)));
            }
            if (u.exempt) {
                writes.append(FirestoreCaseStore::exemptionWrite(u.uid, QStringLiteral("lead@fairuse.example"),
                                                                 kT - 240h, QStringLiteral("partner account")));
            }
            if (u.openSpendCase) {
                FairUseEvent e;
                e.id = QStringLiteral("enf_earlier");
                e.uid = u.uid;
                e.createdAt = kT - 30h;
                e.caseRef = QStringLiteral("FU-0000000000AA");
                e.trigger = CapWindow::LlmDaily;
                e.enforcementAction = enforcement::kReviewLlmSpend;
                e.llmSpend = SpendFigures{600'000, 600'000, 500'000, 5'000'000, Plan::Basic, true};
                writes.append(FirestoreWrite::set(FirestoreCaseStore::eventPath(u.uid, e.id), encodeEvent(e)));
            }
            all += u.records;
        }
        const auto seeded = awaitResult(m_firestore->commitInBatches(writes));
        QVERIFY2(seeded, seeded ? "" : qPrintable(seeded.error().message));
        writeRecords(all);
    }

    void shadowWritesNothing() {
        const Run shadow = runEnforcer(kT, {QStringLiteral("--shadow")});
        QVERIFY2(shadow.exitCode == 0, qPrintable(shadow.err));
        int wouldOpen = 0;
        for (const QJsonObject& d : shadow.decisions) {
            if (d.value(QStringLiteral("action")).toString() == enforcement::kReviewLlmSpend &&
                d.value(QStringLiteral("outcome")).toString() == QLatin1String("would_write")) {
                ++wouldOpen;
            }
        }
        QCOMPARE(wouldOpen, 3); // byok-daily, byok-monthly, warned
        QCOMPARE(awaitResult(m_store->readAuditHead())->sequence, 0);
        for (const SpendUser& u : m_users) {
            QCOMPARE(spendCases(u.uid).size(), u.openSpendCase ? 1 : 0);
        }
        QVERIFY(awaitResult(m_redis->command({"EXISTS", "fair_use:enforcer:spend_reviewed_until"}))->integerValue() ==
                0);
    }

    void theReviewOpensWhatTheCoreImplies() {
        const Run run = runEnforcer(kT);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        // Every user with spend in the last day is reviewed; "stale" has none since two days.
        QCOMPARE(summary(run, "spend_users_reviewed"), static_cast<int>(m_users.size()) - 1);
        QCOMPARE(summary(run, "spend_over_cap"), 5);
        QCOMPARE(summary(run, "spend_case_open"), 1);
        QCOMPARE(summary(run, "cases_written"), 3);
        QVERIFY(expectedTrigger(user("stale"), kT).has_value()); // over its cap, but not reviewed: nothing new
        int written = 0;
        for (const SpendUser& u : m_users) {
            const QList<FairUseEvent> cases = spendCases(u.uid);
            const std::optional<CapWindow> trigger = expectedTrigger(u, kT);
            const bool opens = trigger && !u.exempt && !u.openSpendCase && u.uid != QLatin1String("stale");
            QCOMPARE(cases.size(), (opens ? 1 : 0) + (u.openSpendCase ? 1 : 0));
            if (!opens) {
                continue;
            }
            ++written;
            const FairUseEvent& e = cases.first();
            QVERIFY(e.trigger == *trigger);
            QCOMPARE(e.id, enforcement::spendCaseId(u.uid, *trigger, kT, LedgerPolicy{}));
            QVERIFY(e.previousStage == u.stage && e.newStage == u.stage);
            QVERIFY(!e.resolved);
            QVERIFY(e.llmSpend.has_value());
            const auto standing =
                enforcement::spendStanding(u.uid, effectivePlan(u.subscription, kT), u.records, LedgerPolicy{}, kT);
            QCOMPARE(e.llmSpend->dailyMicroUsd, standing->dailyMicroUsd);
            QCOMPARE(e.llmSpend->monthlyMicroUsd, standing->monthlyMicroUsd);
            QCOMPARE(e.llmSpend->customStt, standing->customStt);
            // The stage is the user's, untouched.
            QVERIFY(awaitResult(m_store->getStateOrNew(u.uid))->stage == u.stage);
        }
        QCOMPARE(written, 3);
        QVERIFY(spendCases(QStringLiteral("byok-daily")).first().trigger == CapWindow::LlmDaily);
        QVERIFY(spendCases(QStringLiteral("byok-monthly")).first().trigger == CapWindow::LlmMonthly);

        // One `enforce` record per case, naming the service, in a chain that verifies.
        AuditFilter all;
        all.limit = 0;
        const auto trail = awaitResult(m_store->listAudit(all));
        QVERIFY(trail);
        QCOMPARE(trail->size(), 3);
        for (const AuditRecord& a : *trail) {
            QVERIFY(a.action == AuditAction::Enforce);
            QVERIFY(a.role == Role::Service);
            QCOMPARE(a.reviewer, kIdentity);
            QVERIFY2(a.reason.startsWith(enforcement::kReviewLlmSpend), qPrintable(a.reason));
            QVERIFY(a.stageBefore == a.stageAfter);
        }
        QVERIFY(verifyChain(*trail, awaitResult(m_store->readAuditHead())->hash).ok);
        QCOMPARE(awaitResult(m_redis->command({"GET", "fair_use:enforcer:spend_reviewed_until"}))->text(),
                 QByteArray::number(static_cast<qint64>(kT.time_since_epoch().count())));

        // The console's inbox query: the open spend cases of every user, oldest first.
        const auto inbox = awaitResult(m_store->listOpenSpendCases(100));
        QVERIFY2(inbox, inbox ? "" : qPrintable(inbox.error().message));
        QCOMPARE(inbox->size(), 4); // the three new ones and the earlier open one
        QCOMPARE(inbox->first().uid, QStringLiteral("already-open"));
        for (qsizetype i = 1; i < inbox->size(); ++i) {
            QVERIFY(inbox->at(i - 1).createdAt <= inbox->at(i).createdAt);
        }
        QCOMPARE(awaitResult(m_store->listOpenSpendCases(2))->size(), 2);
    }

    void noCaseIsDoubled() {
        // The same interval again: the spend review's lease is done.
        const Run again = runEnforcer(kT + 1min);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QCOMPARE(summary(again, "spend_users_reviewed"), 0);
        // The next interval, with new spend of the daily user: its case is still open, so none is added.
        writeRecords({record(QStringLiteral("byok-daily"), kT + 8min, 50'000, true)});
        user("byok-daily").records.append(record(QStringLiteral("byok-daily"), kT + 8min, 50'000, true));
        const Run next = runEnforcer(kT + 10min);
        QVERIFY2(next.exitCode == 0, qPrintable(next.err));
        QCOMPARE(summary(next, "cases_written"), 0);
        QVERIFY(summary(next, "spend_case_open") >= 1);
        QCOMPARE(spendCases(QStringLiteral("byok-daily")).size(), 1);
        QCOMPARE(awaitResult(m_store->readAuditHead())->sequence, 3);
    }

    void aResolvedCaseComesAgainInALaterSlot() {
        // A reviewer resolves the daily case (the core's resolve, under the emulator's owner token).
        const FairUseEvent open = spendCases(QStringLiteral("byok-daily")).first();
        enforcement::ActionContext ctx;
        ctx.reviewer = Reviewer{QStringLiteral("lead@fairuse.example"), Role::SeniorReviewer, QStringLiteral("lead")};
        ctx.now = kT + 2h;
        ctx.clientVersion = QStringLiteral("test");
        ctx.idempotencyKey = QStringLiteral("resolve-spend-1");
        const auto state = awaitResult(m_store->getStateOrNew(open.uid));
        const auto resolve =
            enforcement::buildResolve(kPolicy, *state, open, Outcome::NoAction, QStringLiteral("user_contacted"),
                                      QStringLiteral("talked to the user"), false, ctx);
        QVERIFY2(resolve, resolve ? "" : qPrintable(resolve.error().message));
        const auto applied = awaitResult(m_store->apply(*resolve));
        QVERIFY2(applied, applied ? "" : qPrintable(applied.error().message));

        // The next day the user spends past the cap again: a new case, in the new day's slot.
        const TimePoint later = kT + 26h;
        QList<LlmSpendRecord> more;
        for (int i = 0; i < 6; ++i) {
            more.append(record(open.uid, later - 5h + i * 30min, 100'000, true));
        }
        writeRecords(more);
        user("byok-daily").records += more;
        const Run run = runEnforcer(later);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QList<FairUseEvent> cases = spendCases(open.uid);
        QCOMPARE(cases.size(), 2);
        QVERIFY(expectedTrigger(user("byok-daily"), later) == CapWindow::LlmDaily);
        const QString id = enforcement::spendCaseId(open.uid, CapWindow::LlmDaily, later, LedgerPolicy{});
        QVERIFY(id != open.id);
        QCOMPARE(cases.first().id, id);
        QVERIFY(!cases.first().resolved);
        QVERIFY(cases.last().resolved);
    }

    void aMalformedRecordIsSkipped() {
        // A day after the last review: two users over the daily cap, and one record of the first that does not
        // decode (its cost a string). The strict read would fail the whole review, interval after interval.
        const TimePoint later = kT + 50h;
        SpendUser mixed;
        mixed.uid = QStringLiteral("malformed-mix");
        SpendUser neighbour;
        neighbour.uid = QStringLiteral("malformed-neighbour");
        for (int i = 0; i < 6; ++i) {
            mixed.records.append(record(mixed.uid, later - 3h + i * 20min, 100'000, true));
            neighbour.records.append(record(neighbour.uid, later - 4h + i * 20min, 90'000, false));
        }
        writeRecords(mixed.records + neighbour.records);
        FirestoreFields junk = encodeSpend(record(mixed.uid, later - 1h, 100'000, true));
        junk.insert(QStringLiteral("cost_micro_usd"), FirestoreValue::string(QStringLiteral("secret-cost-text")));
        const auto written =
            awaitResult(m_firestore->commit({FirestoreWrite::set(QStringLiteral("llm_spend/junk-1"), junk)}));
        QVERIFY2(written, written ? "" : qPrintable(written.error().message));

        const Run run = runEnforcer(later);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        // Read twice (everyone's new records, then the user's month), counted once.
        QCOMPARE(summary(run, "spend_records_malformed"), 1);
        QCOMPARE(summary(run, "firestore_errors"), 0);
        QCOMPARE(summary(run, "spend_users_reviewed"), 2);
        QCOMPARE(summary(run, "cases_written"), 2);
        for (const SpendUser& u : {mixed, neighbour}) {
            const QList<FairUseEvent> cases = spendCases(u.uid);
            QCOMPARE(cases.size(), 1);
            QVERIFY(cases.first().trigger == CapWindow::LlmDaily);
            // The figures are the good records' alone.
            const auto standing = enforcement::spendStanding(u.uid, Plan::Basic, u.records, LedgerPolicy{}, later);
            QVERIFY(cases.first().llmSpend.has_value());
            QCOMPARE(cases.first().llmSpend->dailyMicroUsd, standing->dailyMicroUsd);
        }
        // The log names the document, never its content; the mark moves past it.
        QVERIFY2(run.err.contains(QLatin1String("llm_spend/junk-1")), qPrintable(run.err));
        QVERIFY(!run.err.contains(QLatin1String("secret-cost-text")));
        QCOMPARE(awaitResult(m_redis->command({"GET", "fair_use:enforcer:spend_reviewed_until"}))->text(),
                 QByteArray::number(static_cast<qint64>(later.time_since_epoch().count())));
    }

    void aConfiguredCapChangesTheDecision() {
        // $0.40 in the last day: under the basic plan's default daily cap ($0.50), over a configured $0.30.
        const TimePoint later = kT + 74h;
        SpendUser modest;
        modest.uid = QStringLiteral("modest");
        for (int i = 0; i < 4; ++i) {
            modest.records.append(record(modest.uid, later - 3h + i * 30min, 100'000, true));
        }
        writeRecords(modest.records);
        QVERIFY(!expectedTrigger(modest, later).has_value());
        const Run byDefault = runEnforcer(later, {QStringLiteral("--shadow")});
        QVERIFY2(byDefault.exitCode == 0, qPrintable(byDefault.err));
        QCOMPARE(summary(byDefault, "spend_users_reviewed"), 1);
        QCOMPARE(summary(byDefault, "spend_over_cap"), 0);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile config(dir.filePath(QStringLiteral("enforcer.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"llm_cap_basic_daily_micro_usd": 300000, "llm_cap_basic_monthly_micro_usd": 3000000})");
        config.close();
        const Run configured = runEnforcer(later, {QStringLiteral("--config"), config.fileName()});
        QVERIFY2(configured.exitCode == 0, qPrintable(configured.err));
        QCOMPARE(summary(configured, "spend_over_cap"), 1);
        QCOMPARE(summary(configured, "cases_written"), 1);
        const QList<FairUseEvent> cases = spendCases(modest.uid);
        QCOMPARE(cases.size(), 1);
        QVERIFY(cases.first().trigger == CapWindow::LlmDaily);
        QVERIFY(cases.first().llmSpend.has_value());
        QCOMPARE(cases.first().llmSpend->dailyMicroUsd, 400'000);
        QCOMPARE(cases.first().llmSpend->dailyCapMicroUsd, 300'000);
        QCOMPARE(cases.first().llmSpend->monthlyCapMicroUsd, 3'000'000);
    }
};

QTEST_GUILESS_MAIN(EnforcerSpendTest)
#include "EnforcerSpendTest.moc"
