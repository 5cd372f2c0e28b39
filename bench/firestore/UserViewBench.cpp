// Opening one user on the default seeded population (`fairuse seed --store redis+firestore`: the same generator and
// BackendSeeder) on the Firestore emulator and a redis-server: the user's state alone (getState), and every read the
// user view issues at once (state, cases, 30 days of conversations, 30 days of the user's LLM spend, two weeks of
// speech minutes, today's STT budget), next to the reads it issued before (the LLM spend of every user for 30 days,
// filtered on the client). Also the details of one screen of queue rows (open cases and last action of 30 painted
// rows, read at once as QueueModel reads them): the last action as one audit record against the user's whole trail.
// Figures are medians over the first users of the queue, with the slowest; they go to docs/performance.md and never
// gate a test. The reads as before are timed for the first three users only (each takes a minute or more).
//
//   fairuse_bench_user_view [--users N]
//
// The emulator: FIRESTORE_EMULATOR_HOST when set, else the one tests/fixtures/firestore/emulator.sh starts; Redis:
// FAIRUSE_BENCH_REDIS_PORT when set, else one tests/fixtures/redis/redis-fixture.sh starts. Both started here are
// stopped at the end.

#include "common/Await.h"
#include "embedded/DemoGenerator.h"
#include "firestore/FirestoreCaseStore.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"
#include "seed/BackendSeeder.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;

namespace {

constexpr int kAwaitMs = 600'000;
constexpr int kScreenRows = 30;
constexpr int kDefaultUsers = 10;
/** The reads as before cost a minute or more each on the seeded emulator: timed for the first users only. */
constexpr int kBeforeUsers = 3;

QString runScript(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral("bash"), args);
    p.waitForFinished(300'000);
    return QString::fromUtf8(p.readAllStandardError());
}

QString readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed() : QString();
}

const QString kEmulatorScript = QStringLiteral(FAIRUSE_SOURCE_DIR "/tests/fixtures/firestore/emulator.sh");
const QString kRedisScript = QStringLiteral(FAIRUSE_SOURCE_DIR "/tests/fixtures/redis/redis-fixture.sh");

struct Stats {
    double medianMs = 0;
    double maxMs = 0;
};

Stats stats(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    return ms.empty() ? Stats{} : Stats{ms.at(ms.size() / 2), ms.back()};
}

void row(const char* what, const Stats& s) {
    std::printf("  %-72s %9.1f ms  (slowest %.1f ms)\n", what, s.medianMs, s.maxMs);
}

/** Awaits every future; false (with the first error printed) when one failed. */
template <typename... F>
bool all(const F&... futures) {
    bool ok = true;
    auto one = [&ok](const auto& f) {
        const auto r = awaitResult(f, kAwaitMs);
        if (!r) {
            std::fprintf(stderr, "read failed: %s\n", qPrintable(r.error().message));
            ok = false;
        }
    };
    (one(futures), ...);
    return ok;
}

/** Milliseconds `once` took; negative when it failed. */
double timed(const std::function<bool()>& once) {
    QElapsedTimer t;
    t.start();
    const bool ok = once();
    return ok ? static_cast<double>(t.nsecsElapsed()) / 1e6 : -1.0;
}

/** Every read of the user view at once, as UserView::showUser issues them. */
bool openUser(CaseStore& cases, UsageStore& usage, const QString& uid, TimePoint now, bool everyonesSpend) {
    auto state = cases.getState(uid);
    auto events = cases.listEvents(uid);
    auto conversations = cases.listConversations(uid, now - 30 * 24h, 500);
    auto spend = everyonesSpend ? cases.listSpend(now - 30 * 24h, now + 1ms)
                                : cases.listUserSpend(uid, now - 30 * 24h, now + 1ms);
    auto minutes = usage.readMinutes(uid, now - 14 * 24h, now);
    auto budget = usage.readSttBudgetUsedMs(uid, now);
    return all(state, events, conversations, spend, minutes, budget);
}

/** Open cases and last action of every row of one screen, at once, as QueueModel reads painted rows. */
bool screenDetails(CaseStore& cases, const QStringList& uids, bool wholeTrail) {
    QList<Async<QList<FairUseEvent>>> events;
    QList<Async<QList<AuditRecord>>> audit;
    for (const QString& uid : uids) {
        AuditFilter f;
        f.uid = uid;
        f.limit = wholeTrail ? 1'000'000 : 1;
        events.append(cases.listEvents(uid));
        audit.append(cases.listAudit(f));
    }
    bool ok = true;
    for (qsizetype i = 0; i < uids.size(); ++i) {
        ok = all(events.at(i), audit.at(i)) && ok;
    }
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("fairuse.*.debug=false\nfairuse.*.info=false"));
    int users = kDefaultUsers;
    const QStringList args = app.arguments();
    if (const qsizetype i = args.indexOf(QStringLiteral("--users")); i > 0 && i + 1 < args.size()) {
        users = std::max(1, args.at(i + 1).toInt());
    }

    QTemporaryDir state;
    QString host = qEnvironmentVariable("FIRESTORE_EMULATOR_HOST");
    const bool ownEmulator = host.isEmpty();
    if (ownEmulator) {
        runScript({kEmulatorScript, QStringLiteral("start"), state.path()});
        host = readFile(state.path() + QStringLiteral("/firestore.host"));
    }
    quint16 redisPort = static_cast<quint16>(qEnvironmentVariableIntValue("FAIRUSE_BENCH_REDIS_PORT"));
    const bool ownRedis = redisPort == 0;
    if (ownRedis) {
        runScript(
            {kRedisScript, QStringLiteral("start"), state.path(), QStringLiteral("bench"), QStringLiteral("auto")});
        redisPort = static_cast<quint16>(readFile(state.path() + QStringLiteral("/bench.port")).toUInt());
    }
    const auto stop = [&] {
        if (ownEmulator) {
            runScript({kEmulatorScript, QStringLiteral("stop"), state.path()});
        }
        if (ownRedis) {
            runScript({kRedisScript, QStringLiteral("stop"), state.path(), QStringLiteral("bench")});
        }
    };
    if (host.isEmpty() || redisPort == 0) {
        std::fprintf(stderr, "needs the Firestore emulator and redis-server (see the comment at the top)\n");
        stop();
        return 1;
    }

    FirestoreConfig fc;
    fc.projectId = QStringLiteral("bench-user-view-%1").arg(QRandomGenerator::global()->bounded(1u << 24));
    fc.emulatorHost = host;
    auto firestore = std::make_shared<FirestoreClient>(fc, StaticToken::emulatorOwner());
    RedisConfig rc;
    rc.host = QStringLiteral("127.0.0.1");
    rc.port = redisPort;
    RedisClient redis(rc);

    DemoOptions options; // the defaults of `fairuse seed`
    options.referenceTime = std::chrono::time_point_cast<Milliseconds>(std::chrono::system_clock::now());
    const DemoPopulation pop = generateDemoPopulation(options);
    BackendSeeder seeder(&redis, firestore);
    QElapsedTimer seedTimer;
    seedTimer.start();
    const auto seeded = awaitResult(seeder.seed(pop, BackendSeedOptions{}), kAwaitMs);
    if (!seeded) {
        std::fprintf(stderr, "seeding failed: %s\n", qPrintable(seeded.error().message));
        stop();
        return 1;
    }
    std::printf("seeded %lld documents and %lld Redis keys in %.1f s: %lld users with a state, %lld cases, %lld "
                "conversations, %lld audit records, %lld LLM spend records\n",
                static_cast<long long>(seeded->firestoreDocuments), static_cast<long long>(seeded->redisKeys),
                static_cast<double>(seedTimer.elapsed()) / 1000.0, static_cast<long long>(pop.states.size()),
                static_cast<long long>(pop.events.size()), static_cast<long long>(pop.conversations.size()),
                static_cast<long long>(pop.audit.size()), static_cast<long long>(pop.spend.size()));

    FirestoreCaseStore::Options storeOptions; // as the console's emulator profile (Composition.cpp)
    storeOptions.enrichQueueRows = false;
    FirestoreCaseStore cases(firestore, storeOptions);
    RedisUsageStore usage(&redis);
    const auto page = awaitResult(cases.fetchQueuePage(QueueFilter{}, QString(), kScreenRows), kAwaitMs);
    if (!page || page->rows.isEmpty()) {
        std::fprintf(stderr, "the queue is empty or unreadable\n");
        stop();
        return 1;
    }
    QStringList screen;
    for (const QueueRow& r : page->rows) {
        screen << r.state.uid;
    }
    const TimePoint now = pop.referenceTime;
    const QStringList opened = screen.mid(0, users);
    // One untimed pass warms the emulator's JVM for every query shape.
    (void)openUser(cases, usage, opened.first(), now, false);
    (void)openUser(cases, usage, opened.first(), now, true);
    (void)screenDetails(cases, screen.mid(0, 2), true);

    std::vector<double> stateMs, viewMs, viewBeforeMs;
    std::vector<double> eventsMs, conversationsMs, spendMs, minutesMs, budgetMs;
    for (const QString& uid : opened) {
        stateMs.push_back(timed([&] { return all(cases.getState(uid)); }));
        viewMs.push_back(timed([&] { return openUser(cases, usage, uid, now, false); }));
        eventsMs.push_back(timed([&] { return all(cases.listEvents(uid)); }));
        conversationsMs.push_back(timed([&] { return all(cases.listConversations(uid, now - 30 * 24h, 500)); }));
        spendMs.push_back(timed([&] { return all(cases.listUserSpend(uid, now - 30 * 24h, now + 1ms)); }));
        minutesMs.push_back(timed([&] { return all(usage.readMinutes(uid, now - 14 * 24h, now)); }));
        budgetMs.push_back(timed([&] { return all(usage.readSttBudgetUsedMs(uid, now)); }));
        if (viewBeforeMs.size() < kBeforeUsers) {
            viewBeforeMs.push_back(timed([&] { return openUser(cases, usage, uid, now, true); }));
        }
    }
    std::vector<double> detailsMs, detailsBeforeMs;
    for (int i = 0; i < 3; ++i) {
        detailsMs.push_back(timed([&] { return screenDetails(cases, screen, false); }));
        detailsBeforeMs.push_back(timed([&] { return screenDetails(cases, screen, true); }));
    }
    const bool failed = std::any_of(stateMs.begin(), stateMs.end(), [](double v) { return v < 0; }) ||
                        std::any_of(viewMs.begin(), viewMs.end(), [](double v) { return v < 0; });

    std::printf("opening one user (%lld users of the queue's first page, Firestore emulator + redis-server):\n",
                static_cast<long long>(opened.size()));
    row("the user's state (getState)", stats(stateMs));
    row("the whole user view (6 reads at once; the user's own LLM spend)", stats(viewMs));
    row("the whole user view as before (LLM spend of every user for 30 days)", stats(viewBeforeMs));
    std::printf("each read of the user view alone:\n");
    row("cases (listEvents)", stats(eventsMs));
    row("30 days of conversations, at most 500 (listConversations)", stats(conversationsMs));
    row("30 days of the user's LLM spend (listUserSpend)", stats(spendMs));
    row("14 days of speech minutes (Redis readMinutes)", stats(minutesMs));
    row("today's STT budget (Redis)", stats(budgetMs));
    std::printf("one screen of queue rows (%lld rows: open cases + last action each, at once):\n",
                static_cast<long long>(screen.size()));
    row("last action: one audit record, newest first", stats(detailsMs));
    row("last action as before: the user's whole audit trail", stats(detailsBeforeMs));
    stop();
    return failed ? 1 : 0;
}
