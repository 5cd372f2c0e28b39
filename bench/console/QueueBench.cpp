#include "QueueBench.h"
#include "QueueBenchParts.h"
#include "QueueMeasure.h"

#include "Backend.h"
#include "common/Await.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "llm/HeuristicClassifierService.h"

#include <QDateTime>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

namespace fairuse::bench {

int runBenchSeed(int flaggedUsers, const QString& dbPath) {
    QTextStream out(stdout);
    const TimePoint reference = std::chrono::floor<std::chrono::minutes>(
        TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch())));
    auto db = services::EmbeddedDatabase::openBlocking(dbPath);
    if (!db.ok()) {
        out << "bench-seed: cannot open " << dbPath << ": " << db.error().message << Qt::endl;
        return 1;
    }
    services::DemoOptions options;
    options.referenceTime = reference;
    options.users = 500;
    options.flaggedPerKind = 4;
    options.bulkFlagged = flaggedUsers;
    const services::DemoPopulation population = services::generateDemoPopulation(options);
    const Status written = services::writeToEmbedded(population, **db);
    if (!written.ok()) {
        out << "bench-seed: seeding failed: " << written.error().message << Qt::endl;
        return 1;
    }
    out << "seeded " << population.states.size() << " users" << Qt::endl;
    return 0;
}

int runQueueBench(const QueueBenchOptions& options) {
    QTextStream out(stdout);
    const Clock::time_point benchStart = Clock::now();
    QList<TableRow> table;
    QTemporaryDir tmp;
    const QString dbPath = options.dbPath.isEmpty() ? tmp.filePath(QStringLiteral("bench.sqlite")) : options.dbPath;

    if (!QFileInfo::exists(dbPath)) {
        // Seeded by a child process, so the generator's memory does not count towards the console's RSS.
        QString error;
        const Clock::time_point t0 = Clock::now();
        if (runSelf({QStringLiteral("--seed"), QString::number(options.embeddedUsers), QStringLiteral("--db"), dbPath},
                    QProcessEnvironment::systemEnvironment(), 170000, &error)
                .isEmpty()) {
            out << "fairuse_bench_queue: seeding failed: " << error << Qt::endl;
            return 1;
        }
        table.append({QStringLiteral("embedded: seed %1 flagged users (child process) (ms)").arg(options.embeddedUsers),
                      fmt(msSince(t0), 0),
                      {}});
    }

    {
        services::EmbeddedStores stores = services::makeEmbeddedStores(dbPath);
        if (!services::awaitResult(stores.database->ready(), 60000).ok()) {
            out << "fairuse_bench_queue: the embedded store did not open" << Qt::endl;
            return 1;
        }
        models::Backend backend;
        backend.usage = stores.usage;
        backend.cases = stores.cases;
        backend.classifier = std::make_shared<services::HeuristicClassifierService>();
        backend.profileName = QStringLiteral("bench");
        addQueueRows(table, QStringLiteral("embedded"), measureQueue(backend, 120000));
        table.append(
            {QStringLiteral("embedded: peak RSS, VmHWM (MiB)"), fmt(peakRssMiB(), 0), QStringLiteral("< 300")});
    }

    benchChart(table);
    benchStartup(table, options.startupRuns);
    if (options.firestoreUsers > 0) {
        benchFirestore(table, options.firestoreUsers, 40000);
    }
    table.append({QStringLiteral("whole bench (s)"), fmt(msSince(benchStart) / 1000.0), {}});

    int width = 0;
    for (const TableRow& r : table) {
        width = std::max(width, static_cast<int>(r.what.size()));
    }
    out << QStringLiteral("%1  %2  %3")
               .arg(QStringLiteral("measure"), -width)
               .arg(QStringLiteral("value"), -22)
               .arg(QStringLiteral("target"))
        << Qt::endl;
    for (const TableRow& r : table) {
        out << QStringLiteral("%1  %2  %3").arg(r.what, -width).arg(r.value, -22).arg(r.target) << Qt::endl;
    }
    return 0;
}

} // namespace fairuse::bench
