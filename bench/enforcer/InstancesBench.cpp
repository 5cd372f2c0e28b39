#include "InstancesBench.h"

#include "BenchPopulation.h"
#include "EmulatorProcesses.h"
#include "EnforcerRun.h"
#include "common/Await.h"
#include "common/Time.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreClient.h"
#include "firestore/FirestoreMapping.h"
#include "redis/RedisCluster.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <future>
#include <vector>

namespace fairuse::bench {

using services::RedisClusterClient;
using services::RedisConfig;

namespace {

constexpr int kTimeoutMs = 120'000;
const QString kIdentity = QStringLiteral("enforcer@fairuse.example");

/** The tests' cluster fixture, stopped when this object dies. */
class ClusterFixture {
public:
    bool start(QString* error) {
        if (!m_state.isValid()) {
            *error = QStringLiteral("no temporary folder");
            return false;
        }
        if (!run(QStringLiteral("start"), error)) {
            return false;
        }
        m_started = true;
        QFile ports(m_state.filePath(QStringLiteral("bench.ports")));
        if (!ports.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("the cluster fixture wrote no ports (redis-server or redis-cli missing?)");
            return false;
        }
        for (const QByteArray& line : ports.readAll().split('\n')) {
            if (const int p = line.trimmed().toInt(); p > 0) {
                m_ports.append(static_cast<quint16>(p));
            }
        }
        if (m_ports.size() != 6) {
            *error = QStringLiteral("the cluster fixture wrote %1 ports, not 6").arg(m_ports.size());
            return false;
        }
        return true;
    }
    ~ClusterFixture() {
        if (m_started) {
            QString ignored;
            run(QStringLiteral("stop"), &ignored);
        }
    }
    QList<quint16> ports() const { return m_ports; }

private:
    bool run(const QString& command, QString* error) {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("bash"),
                {QStringLiteral(FAIRUSE_SOURCE_DIR "/tests/fixtures/redis/redis-cluster-fixture.sh"), command,
                 m_state.path(), QStringLiteral("bench")});
        if (!p.waitForFinished(180'000) || p.exitCode() != 0) {
            *error = QStringLiteral("redis-cluster-fixture.sh %1 failed: %2")
                         .arg(command, QString::fromLocal8Bit(p.readAll().right(400)));
            return false;
        }
        return true;
    }

    QTemporaryDir m_state;
    QList<quint16> m_ports;
    bool m_started = false;
};

int summaryValue(const EnforcerRunCost& c, const char* key) {
    return c.summary.value(QString::fromLatin1(key)).toInt();
}

/** Empties every master and seeds the population's first `users`. */
Status reseed(RedisClusterClient& cluster, int users) {
    const Result<QList<services::SlotRange>> map = awaitResult(cluster.refresh(), kTimeoutMs);
    if (!map) {
        return map.error();
    }
    for (const services::ClusterNode& master : cluster.masters()) {
        const Result<services::RedisReply> r = awaitResult(cluster.commandOn(master, {"FLUSHALL"}), kTimeoutMs);
        if (!r) {
            return r.error();
        }
        if (r->isError()) {
            return cluster.replyError(*r, QStringLiteral("FLUSHALL"));
        }
    }
    return seedUsers(cluster, 0, users, kTimeoutMs);
}

/** Six audiobook conversations of each heavy user among the first `users` in `project`, so that the classifier
 *  (the offline heuristic) finds their cap hits misuse and the pass writes cases; the number of heavy users. */
Result<int> seedConversations(const QString& host, const QString& project, int users) {
    services::FirestoreConfig fc;
    fc.projectId = project;
    fc.emulatorHost = host;
    auto firestore = std::make_shared<services::FirestoreClient>(fc, services::StaticToken::emulatorOwner());
    QList<services::FirestoreWrite> writes;
    int heavy = 0;
    for (int i = 0; i < users; ++i) {
        const SeededUser u = seededUser(i);
        if (u.kind != UserKind::Heavy) {
            continue;
        }
        ++heavy;
        for (int k = 0; k < 6; ++k) { // 6: the heuristic counts a type fully from 5 conversations
            Conversation c;
            c.id = QStringLiteral("c%1").arg(k);
            c.title = QStringLiteral("The Hobbit audiobook, Chapter %1").arg(k + 1);
            c.overview = QStringLiteral("Narration of the next chapter of the book.");
            c.category = QStringLiteral("entertainment");
            c.source = QStringLiteral("omi");
            c.startedAt = kBenchNow - std::chrono::hours(20 * (k + 1));
            c.finishedAt = c.startedAt + std::chrono::minutes(90);
            c.createdAt = c.finishedAt;
            writes.append(services::FirestoreWrite::set(QStringLiteral("users/%1/conversations/%2").arg(u.uid, c.id),
                                                        services::encodeConversation(c)));
        }
    }
    const Result<services::CommitResponse> r = awaitResult(firestore->commitInBatches(writes), kTimeoutMs);
    if (!r) {
        return r.error();
    }
    return heavy;
}

} // namespace

bool measureInstances(const QString& enforcer, const QString& emulatorGiven, int users,
                      const QList<int>& instanceCounts) {
    const QString emulator = findEmulator(emulatorGiven);
    if (emulator.isEmpty() || !QFileInfo(enforcer).isExecutable()) {
        std::printf("\nseveral instances on a Redis Cluster: skipped (%s not found)\n",
                    emulator.isEmpty() ? "the Firestore emulator" : qPrintable(enforcer));
        return true;
    }
    QString error;
    ClusterFixture fixture;
    if (!fixture.start(&error)) {
        std::printf("\nseveral instances on a Redis Cluster: skipped (%s)\n", qPrintable(error));
        return true;
    }
    FirestoreEmulatorProcess firestore;
    if (!firestore.start(emulator, &error)) {
        std::printf("\nseveral instances on a Redis Cluster: skipped (%s)\n", qPrintable(error));
        return true;
    }
    const QList<quint16> ports = fixture.ports();
    RedisConfig seed;
    seed.port = ports.first();
    seed.commandTimeoutMs = kTimeoutMs;
    RedisClusterClient cluster(seed);

    std::printf("\nseveral fairuse-enforcer --once --redis-cluster at once, %d users on a Redis Cluster (3 masters "
                "and 3 replicas, 127.0.0.1:%u-%u) and the Firestore emulator (%s); a fresh cluster and project per "
                "row\n",
                users, ports.first(), ports.last(), qPrintable(firestore.host()));
    std::printf("%9s %8s %9s %8s %9s %9s %9s %9s %9s %12s %s\n", "instances", "wall s", "users/s", "CPU s", "evaluated",
                "elsewhere", "ranges", "cap hits", "cases", "peak RSS MiB", "per instance evaluated");
    bool ok = true;
    int casesOfFirst = -1;
    double wallOfFirst = 0;
    for (const int count : instanceCounts) {
        if (const Status s = reseed(cluster, users); !s) {
            std::fprintf(stderr, "seeding the cluster failed: %s\n", qPrintable(s.error().message));
            return false;
        }
        QTemporaryDir work;
        const QString project = QStringLiteral("demo-fairuse-instances-%1").arg(count);
        const Result<int> heavy = seedConversations(firestore.host(), project, users);
        if (!heavy) {
            std::fprintf(stderr, "seeding the conversations failed: %s\n", qPrintable(heavy.error().message));
            return false;
        }
        std::vector<std::future<EnforcerRunCost>> runs;
        QElapsedTimer wall;
        wall.start();
        for (int k = 0; k < count; ++k) {
            const QString dir = work.filePath(QStringLiteral("instance-%1").arg(k));
            QDir().mkpath(dir);
            // Each instance starts from a different node, as separate hosts would.
            const QStringList args{QStringLiteral("--redis"),
                                   QStringLiteral("redis://127.0.0.1:%1").arg(ports.at(k % 3)),
                                   QStringLiteral("--redis-cluster"),
                                   QStringLiteral("--firestore"),
                                   project,
                                   QStringLiteral("--identity"),
                                   kIdentity,
                                   QStringLiteral("--once"),
                                   QStringLiteral("--now"),
                                   formatRfc3339(kBenchNow),
                                   QStringLiteral("--log-dir"),
                                   dir + QStringLiteral("/logs")};
            runs.push_back(std::async(std::launch::async, [=, host = firestore.host()] {
                return runEnforcer(enforcer, args, host, dir, 1800);
            }));
        }
        std::vector<EnforcerRunCost> costs;
        for (std::future<EnforcerRunCost>& f : runs) {
            costs.push_back(f.get());
        }
        const double seconds = static_cast<double>(wall.nsecsElapsed()) / 1e9;
        double cpu = 0;
        long peak = 0;
        int evaluated = 0;
        int elsewhere = 0;
        int ranges = 0;
        int capHits = 0;
        int cases = 0;
        int stateWrites = 0;
        int already = 0;
        QStringList each;
        for (const EnforcerRunCost& c : costs) {
            cpu += c.cpuSeconds;
            peak = std::max(peak, c.peakRssKiB);
            evaluated += summaryValue(c, "users_evaluated");
            elsewhere += summaryValue(c, "evaluated_elsewhere");
            ranges += summaryValue(c, "ranges_worked");
            capHits += summaryValue(c, "cap_hits");
            cases += summaryValue(c, "cases_written");
            stateWrites += summaryValue(c, "state_writes");
            already += summaryValue(c, "already_written");
            each.append(QString::number(summaryValue(c, "users_evaluated")));
            if (c.exitCode != 0 || c.summary.isEmpty()) {
                std::fprintf(stderr, "an instance of %d exited with %d\n%s\n", count, c.exitCode,
                             qPrintable(c.stderrTail));
                ok = false;
            }
        }
        std::printf("%9d %8.1f %9.0f %8.1f %9d %9d %9d %9d %9d %12.1f %s\n", count, seconds, evaluated / seconds, cpu,
                    evaluated, elsewhere, ranges, capHits, cases, static_cast<double>(peak) / 1024.0,
                    qPrintable(each.join(QStringLiteral(" + "))));
        std::printf("%9s other state writes %d, already written %d; %d heavy users with audiobook conversations\n", "",
                    stateWrites, already, *heavy);
        if (evaluated != users) {
            std::printf("!! %d instances evaluated %d users of %d\n", count, evaluated, users);
            ok = false;
        }
        if (casesOfFirst < 0) {
            casesOfFirst = cases;
            wallOfFirst = seconds;
        } else {
            if (cases != casesOfFirst) {
                std::printf("!! %d instances wrote %d cases where the first row wrote %d\n", count, cases,
                            casesOfFirst);
                ok = false;
            }
            std::printf("%9s wall time against the first row: %.2f\n", "", seconds / wallOfFirst);
        }
    }
    return ok;
}

} // namespace fairuse::bench
