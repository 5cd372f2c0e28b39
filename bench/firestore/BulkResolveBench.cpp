// Bulk resolve of N open cases on the real Firestore emulator with the shipped security rules loaded, side by side in
// one run, each mode on a fresh project of the same N throttled users (one open case each):
//   (a) server credentials, CaseStore::applyBatch: commits of up to 500 writes (server credentials bypass the rules,
//       so the store is given no rules budget);
//   (b) server credentials, one CaseStore::apply per case, one at a time;
//   (c) a reviewer's Firebase ID token, applyBatch: every commit is checked by packaging/firestore/firestore.rules,
//       so the store fills it only up to Firestore's 20 document-access calls per batched write
//       (FirestoreCaseStore::Options::maxRuleReadsPerCommit);
//   (d) the reviewer's ID token, one apply() per case;
//   (e) server credentials, applyBatch with the reviewer's commit size: (c) without the rules, which tells the cost
//       of smaller commits apart from the cost of evaluating the rules.
// Two bulk actions: a confirmed resolve (the case only) and a false-positive resolve, which lowers each user from
// throttle to warning (the case and the state). Every mode resolves its population with the same ChangeSets
// (ReviewerActions::buildResolve in the name of the signed-in reviewer, one note, a bulk-run idempotency key) and is
// checked afterwards: every result applied, every case resolved with its outcome, every state at the expected stage,
// one audit record per case in the reviewer's e-mail, uid and role, and the chain verifies against its head.
//
// The benchmark starts its own Firestore emulator (own process group, free loopback port) and, through the CTest
// fixture's script tests/fixtures/auth/auth-emulator.sh, its own Firebase Auth emulator (free loopback ports for auth,
// hub and logging); both are stopped at the end. The reviewer is a password account created through the Auth
// emulator's REST API, its e-mail verified and its custom claim role = reviewer set with the emulator's admin access,
// then signed in for a real ID token. Prints, per action, one table with commits, requests, cases per commit, wall
// time, cases/s and the CPU time per case of the Firestore emulator (its process group, from /proc) and of this
// process, then the ratios (c)/(d), (c)/(a), (a)/(b), (d)/(b) and (c)/(e) of cases/s. On a loaded machine wall time
// follows the CPU share the emulator gets; its CPU time per case moves much less, so it shows what the rules cost.
//
//   fairuse_bench_bulk_resolve [--quick] [--cases N] [--sweep] [--emulator PATH] [--auth-emulator HOST:PORT]
//
// --sweep adds, after the tables, reviewer batches of every size up to the most changes per commit next to server
// credentials at the same sizes (200 cases each): the rules' cost per case as a function of the commit size.
//
// The Firestore emulator: --emulator, else $FIRESTORE_EMULATOR_BIN, else the Google Cloud SDK locations that
// tests/fixtures/firestore/emulator.sh searches. The Auth emulator: --auth-emulator reuses one that runs (for project
// demo-fairuse), else firebase-tools from tools/firebase (scripts/setup; $FIREBASE_TOOLS_BIN overrides).

#include "AuthEmulator.h"
#include "BulkResolveSubjects.h"
#include "EmulatorProcesses.h"
#include "ProcessCpu.h"

#include "audit/AuditChain.h"
#include "common/Await.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreValue.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::bench;
using namespace fairuse::bench::bulk;

namespace {

constexpr int kDefaultCases = 1000;
constexpr int kQuickCases = 200;
constexpr int kWarmupCases = 60;
/** How much faster batched commits must be than one commit per case (docs/performance.md). */
constexpr double kTargetSpeedup = 10.0;

struct Row {
    Mode mode = Mode::ServerBatch;
    int cases = 0;
    qint64 commits = 0;
    qint64 requests = 0;
    double seconds = 0;
    double emulatorCpuSeconds = 0; ///< the Firestore emulator's CPU time during the timed part
    double clientCpuSeconds = 0;   ///< ours
    QString check;

    double rate() const { return cases / seconds; }
    bool ok() const { return check.startsWith(QLatin1String("ok")); }
};

Result<Row> runMode(const FirestoreEmulatorProcess& emulator, Action action, Mode mode, int cases, const QString& tag,
                    const SignedIn& reviewer, std::optional<int> ruleBudget = std::nullopt) {
    static int serial = 0;
    auto p = project(emulator.host(), QStringLiteral("%1%2").arg(tag).arg(++serial), mode, reviewer, ruleBudget);
    if (!p) {
        return p.error();
    }
    auto pop = seed(*p->owner, cases);
    if (!pop) {
        return pop.error();
    }
    // The same ChangeSets under either credential: the commits differ only in who sends them.
    auto changes = resolveAll(*pop, action, reviewer.reviewer);
    if (!changes) {
        return changes.error();
    }
    // Before anything is timed: the mode's credential can read a case, and the rules hold for the reviewer (only an
    // admin may read the reviewers collection) and not for server credentials.
    if (auto probe = awaitResult(p->store->getState(pop->states.first().uid), kAwaitMs); !probe) {
        return Error{probe.error().kind, QStringLiteral("%1 cannot read: %2").arg(label(mode), probe.error().message)};
    }
    const auto adminOnly = awaitResult(p->client->get(QStringLiteral("fair_use_reviewers/nobody")), kAwaitMs);
    const bool refused = !adminOnly && adminOnly.error().kind == ErrorKind::Permission;
    if (refused != asReviewer(mode)) {
        return Error::internal(QStringLiteral("%1: the shipped rules %2 (%3)")
                                   .arg(label(mode),
                                        refused ? QStringLiteral("refused server credentials")
                                                : QStringLiteral("did not hold for the reviewer's token"),
                                        adminOnly ? QStringLiteral("read allowed") : adminOnly.error().message));
    }
    Row row;
    row.mode = mode;
    row.cases = cases;
    const FirestoreCaseStore::WriteStats before = p->store->writeStats();
    const double emulatorCpu = groupCpuSeconds(emulator.group());
    const double clientCpu = ownCpuSeconds();
    QElapsedTimer timer;
    timer.start();
    QList<Result<CommitResult>> results;
    if (batched(mode)) {
        auto r = awaitResult(p->store->applyBatch(*changes), kAwaitMs);
        if (!r) {
            return r.error();
        }
        results = r.value();
    } else {
        results = applyEach(*p->store, *changes);
    }
    row.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    row.emulatorCpuSeconds = groupCpuSeconds(emulator.group()) - emulatorCpu;
    row.clientCpuSeconds = ownCpuSeconds() - clientCpu;
    const FirestoreCaseStore::WriteStats after = p->store->writeStats();
    row.commits = after.commitRequests - before.commitRequests;
    row.requests = row.commits + after.readRequests - before.readRequests;
    row.check = verify(*p, *pop, results, action, reviewer.reviewer);
    return row;
}

const Row& rowOf(const QList<Row>& rows, Mode m) {
    return *std::find_if(rows.cbegin(), rows.cend(), [m](const Row& r) { return r.mode == m; });
}

void printTable(const char* title, const QList<Row>& rows) {
    std::printf("\n== %s\n%-46s %6s %8s %9s %10s %8s %9s %11s %11s\n", title, "mode", "cases", "commits", "requests",
                "per commit", "wall s", "cases/s", "emu ms/case", "cli ms/case");
    for (Mode m : {Mode::ServerBatch, Mode::ServerEach, Mode::ReviewerBatch, Mode::ReviewerEach,
                   Mode::ServerBatchAtReviewerSize}) {
        const Row& r = rowOf(rows, m);
        std::printf("%-46s %6d %8lld %9lld %10.1f %8.2f %9.0f %11.2f %11.2f\n", qPrintable(label(m)), r.cases,
                    static_cast<long long>(r.commits), static_cast<long long>(r.requests),
                    static_cast<double>(r.cases) / static_cast<double>(std::max<qint64>(r.commits, 1)), r.seconds,
                    r.rate(), r.emulatorCpuSeconds * 1000.0 / r.cases, r.clientCpuSeconds * 1000.0 / r.cases);
    }
    const auto ratio = [&rows](Mode x, Mode y) { return rowOf(rows, x).rate() / rowOf(rows, y).rate(); };
    const double reviewerSpeedup = ratio(Mode::ReviewerBatch, Mode::ReviewerEach);
    const double serverSpeedup = ratio(Mode::ServerBatch, Mode::ServerEach);
    std::printf("cases/s: (c)/(d) %.1fx (reviewer: batched vs one per case, target >= %.0fx: %s)\n", reviewerSpeedup,
                kTargetSpeedup, reviewerSpeedup >= kTargetSpeedup ? "met" : "NOT met");
    std::printf("         (c)/(a) %.2f (reviewer batched vs server batched)\n",
                ratio(Mode::ReviewerBatch, Mode::ServerBatch));
    std::printf("         (a)/(b) %.1fx (server: batched vs one per case, target >= %.0fx: %s)\n", serverSpeedup,
                kTargetSpeedup, serverSpeedup >= kTargetSpeedup ? "met" : "NOT met");
    std::printf("         (d)/(b) %.2f (reviewer vs server, one commit per case)\n",
                ratio(Mode::ReviewerEach, Mode::ServerEach));
    std::printf("         (c)/(e) %.2f (reviewer vs server at the same commit size)\n",
                ratio(Mode::ReviewerBatch, Mode::ServerBatchAtReviewerSize));
    for (const Row& r : rows) {
        std::printf("check %-46s %s\n", qPrintable(label(r.mode)), qPrintable(r.check));
    }
    std::fflush(stdout);
}

/**
 * --sweep: reviewer batches of every size from 1 change per commit to the most the rules' budget allows, each next to
 * server credentials at the same commit size, so that the rules' cost per case can be read as a function of the
 * commit size. The store counts 3 rule reads per commit and 1 + 1 per written document per change
 * (FirestoreCaseStoreBatch.cpp), so a budget of 3 + k x reads fills k changes per commit; "per commit" shows what it
 * did.
 */
bool runSweep(const FirestoreEmulatorProcess& emulator, Action action, int cases, const SignedIn& reviewer) {
    const int readsPerChange = action == Action::Confirmed ? 2 : 3;
    const int most = (FirestoreCaseStore::kRuleReadsLimit - 3) / readsPerChange;
    std::printf("\n== commit size under the rules: %s resolve, %d cases per row (load average %s)\n"
                "%10s %8s %11s %8s %11s %9s %8s %11s %14s %14s\n",
                action == Action::Confirmed ? "confirmed" : "false-positive", cases, qPrintable(loadAverage()),
                "per commit", "commits", "reviewer s", "cases/s", "emu ms/case", "server s", "cases/s", "emu ms/case",
                "rules wall ms", "rules emu ms");
    for (int k = 1; k <= most; ++k) {
        const int budget = 3 + k * readsPerChange;
        auto withRules =
            runMode(emulator, action, Mode::ReviewerBatch, cases, QStringLiteral("sweep"), reviewer, budget);
        auto without = withRules ? runMode(emulator, action, Mode::ServerBatchAtReviewerSize, cases,
                                           QStringLiteral("sweep"), reviewer, budget)
                                 : withRules;
        if (!withRules || !without || !withRules->ok() || !without->ok()) {
            std::fprintf(stderr, "sweep at %d per commit failed: %s\n", k,
                         qPrintable(!withRules ? withRules.error().message
                                    : !without ? without.error().message
                                               : withRules->check + QLatin1Char(' ') + without->check));
            return false;
        }
        const auto msPerCase = [cases](double seconds) { return seconds * 1000.0 / cases; };
        std::printf("%10.1f %8lld %11.2f %8.0f %11.2f %9.2f %8.0f %11.2f %14.2f %14.2f\n",
                    static_cast<double>(cases) / static_cast<double>(std::max<qint64>(withRules->commits, 1)),
                    static_cast<long long>(withRules->commits), withRules->seconds, withRules->rate(),
                    msPerCase(withRules->emulatorCpuSeconds), without->seconds, without->rate(),
                    msPerCase(without->emulatorCpuSeconds), msPerCase(withRules->seconds - without->seconds),
                    msPerCase(withRules->emulatorCpuSeconds - without->emulatorCpuSeconds));
        std::fflush(stdout);
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    // Sign-ins and retried commits are expected; what matters shows in the tables and the checks.
    QLoggingCategory::setFilterRules(QStringLiteral("fairuse.firestore.info=false\nfairuse.auth.info=false"));
    int cases = kDefaultCases;
    QString emulatorPath;
    QString authHost;
    bool sweep = false;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--quick")) {
            cases = kQuickCases;
        } else if (args[i] == QLatin1String("--cases") && i + 1 < args.size()) {
            bool ok = false;
            cases = args[++i].toInt(&ok);
            if (!ok || cases < 1 || cases > 100000) {
                std::fprintf(stderr, "--cases takes a number from 1 to 100000\n");
                return 2;
            }
        } else if (args[i] == QLatin1String("--emulator") && i + 1 < args.size()) {
            emulatorPath = args[++i];
        } else if (args[i] == QLatin1String("--auth-emulator") && i + 1 < args.size()) {
            authHost = args[++i];
        } else if (args[i] == QLatin1String("--sweep")) {
            sweep = true;
        } else {
            std::fprintf(stderr,
                         "usage: %s [--quick] [--cases N] [--sweep] [--emulator PATH] [--auth-emulator HOST:PORT]\n",
                         argv[0]);
            return 2;
        }
    }
    const QString program = findEmulator(emulatorPath);
    if (program.isEmpty() || !QFileInfo(program).isExecutable()) {
        std::fprintf(stderr,
                     "Firestore emulator not found: install the Google Cloud SDK component cloud-firestore-emulator, "
                     "or pass --emulator PATH / set FIRESTORE_EMULATOR_BIN\n");
        return 1;
    }
    std::signal(SIGINT, killGroupOnSignal);
    std::signal(SIGTERM, killGroupOnSignal);

    QElapsedTimer total;
    total.start();
    std::printf("machine: %d cores, load average %s at the start\n", QThread::idealThreadCount(),
                qPrintable(loadAverage()));
    FirestoreEmulatorProcess emulator;
    AuthEmulatorProcess authEmulator;
    QString error;
    if (!emulator.start(program, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    if (authHost.isEmpty()) {
        if (!authEmulator.start(&error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
    } else {
        authEmulator.reuse(authHost);
    }
    std::printf("Firestore emulator at %s, Auth emulator at %s (both up in %.1f s); %d throttled users with an open "
                "case per mode, each mode on a fresh project with the shipped rules\n",
                qPrintable(emulator.host()), qPrintable(authEmulator.host()),
                static_cast<double>(total.elapsed()) / 1000.0, cases);
    // What the emulator's JVM burns when nobody asks anything, against which its CPU per case can be judged.
    const double idleCpu = groupCpuSeconds(emulator.group());
    QThread::sleep(2);
    std::printf("Firestore emulator idle: %.0f ms of CPU per second\n",
                (groupCpuSeconds(emulator.group()) - idleCpu) * 1000.0 / 2.0);
    std::fflush(stdout);

    // The reviewer: created through the Auth emulator's REST API, e-mail verified, custom claim role = reviewer.
    const testing::AuthEmulator auth(authEmulator.host());
    const QString email = QStringLiteral("bench-reviewer-%1@fairuse.example").arg(QCoreApplication::applicationPid());
    const QString password = QStringLiteral("bench-%1").arg(QCoreApplication::applicationPid());
    if (auto made = auth.passwordReviewer(email, password, QStringLiteral("reviewer")); !made) {
        std::fprintf(stderr, "could not create the reviewer: %s\n", qPrintable(made.error().message));
        return 1;
    }

    const QList<Mode> order{Mode::ServerBatch, Mode::ServerBatchAtReviewerSize, Mode::ReviewerBatch, Mode::ServerEach,
                            Mode::ReviewerEach};
    bool ok = true;
    const auto runAll = [&](Action action, int n, const QString& tag, QList<Row>* rows) -> bool {
        // A fresh ID token per action: they last an hour, a slow run must not outlive one.
        auto reviewer = signInReviewer(auth, email, password);
        if (!reviewer) {
            std::fprintf(stderr, "could not sign the reviewer in: %s\n", qPrintable(reviewer.error().message));
            return false;
        }
        for (Mode m : order) {
            auto row = runMode(emulator, action, m, n, tag, *reviewer);
            if (!row) {
                std::fprintf(stderr, "%s failed: %s\n", qPrintable(label(m)), qPrintable(row.error().message));
                return false;
            }
            rows->append(row.value());
        }
        return true;
    };

    // Warm the emulator's JVM and its rules engine on every path first, so the first measured mode does not pay.
    QList<Row> warm;
    for (Action action : {Action::Confirmed, Action::FalsePositive}) {
        if (!runAll(action, kWarmupCases, QStringLiteral("warm"), &warm)) {
            return 1;
        }
    }
    for (const Row& r : std::as_const(warm)) {
        if (!r.ok()) {
            std::fprintf(stderr, "warm-up %s: %s\n", qPrintable(label(r.mode)), qPrintable(r.check));
            return 1;
        }
    }

    for (Action action : {Action::Confirmed, Action::FalsePositive}) {
        const QString load = loadAverage();
        QList<Row> rows;
        if (!runAll(action, cases, action == Action::Confirmed ? QStringLiteral("conf") : QStringLiteral("fp"),
                    &rows)) {
            return 1;
        }
        const QByteArray title =
            QStringLiteral("%1 resolve of %2 throttled users (load average %3 before, %4 after)")
                .arg(action == Action::Confirmed ? QStringLiteral("confirmed (case only)")
                                                 : QStringLiteral("false-positive (case + state, throttle -> warning)"))
                .arg(cases)
                .arg(load, loadAverage())
                .toUtf8();
        printTable(title.constData(), rows);
        ok = ok && std::all_of(rows.cbegin(), rows.cend(), [](const Row& r) { return r.ok(); });
    }
    if (sweep) {
        auto reviewer = signInReviewer(auth, email, password);
        if (!reviewer) {
            std::fprintf(stderr, "could not sign the reviewer in: %s\n", qPrintable(reviewer.error().message));
            return 1;
        }
        for (Action action : {Action::Confirmed, Action::FalsePositive}) {
            ok = ok && runSweep(emulator, action, std::min(cases, kQuickCases), *reviewer);
        }
    }
    emulator.stop();
    authEmulator.stop();
    std::printf("\n%s; total %.1f s, load average %s at the end\n",
                ok ? "every mode checked ok" : "SOME MODES FAILED THEIR CHECK",
                static_cast<double>(total.elapsed()) / 1000.0, qPrintable(loadAverage()));
    return ok ? 0 : 1;
}
