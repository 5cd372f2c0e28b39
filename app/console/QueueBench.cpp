#include "QueueBench.h"

#include "Backend.h"
#include "QueueModel.h"
#include "common/Await.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "llm/HeuristicClassifierService.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

namespace fairuse::console {

int runQueueBench(int flaggedUsers, const QString& dbPathIn) {
    QTextStream out(stdout);
    QTemporaryDir tmp;
    const QString dbPath = dbPathIn.isEmpty() ? tmp.filePath(QStringLiteral("bench.sqlite")) : dbPathIn;
    const TimePoint reference = std::chrono::floor<std::chrono::minutes>(
        TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch())));

    QElapsedTimer timer;
    timer.start();
    auto db = services::EmbeddedDatabase::openBlocking(dbPath);
    if (!db.ok()) {
        out << "bench-queue: cannot open " << dbPath << ": " << db.error().message << Qt::endl;
        return 1;
    }
    const bool empty = services::awaitResult((*db)->isEmpty(), 600000).valueOr(false);
    if (empty) {
        services::DemoOptions options;
        options.referenceTime = reference;
        options.users = 500;
        options.flaggedPerKind = 4;
        options.bulkFlagged = flaggedUsers;
        const services::DemoPopulation population = services::generateDemoPopulation(options);
        const Status written = services::writeToEmbedded(population, **db);
        if (!written.ok()) {
            out << "bench-queue: seeding failed: " << written.error().message << Qt::endl;
            return 1;
        }
        out << "seeded " << population.states.size() << " flagged users in " << timer.elapsed() << " ms" << Qt::endl;
    }
    db->reset();

    services::EmbeddedStores stores = services::makeEmbeddedStores(dbPath);
    models::Backend backend;
    backend.usage = stores.usage;
    backend.cases = stores.cases;
    backend.classifier = std::make_shared<services::HeuristicClassifierService>();
    backend.now = [reference] { return reference; };
    backend.profileName = QStringLiteral("bench");
    if (!services::awaitResult(stores.database->ready(), 60000).ok()) {
        out << "bench-queue: store did not open" << Qt::endl;
        return 1;
    }

    models::QueueModel model(backend);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(models::QueueModel::SortRole);
    QTableView view;
    view.setModel(&proxy);
    view.resize(1400, 800);
    view.show();

    qint64 firstRowsMs = -1;
    qint64 doneMs = -1;
    qint64 longestStallMs = 0;
    qint64 lastTickMs = 0;
    QEventLoop loop;
    QElapsedTimer clock;
    // A 5 ms timer on the UI thread: the longest gap between its ticks is the longest time the window froze.
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        const qint64 now = clock.elapsed();
        longestStallMs = std::max(longestStallMs, now - lastTickMs);
        lastTickMs = now;
    });
    QObject::connect(&model, &models::QueueModel::pageLoaded, &loop, [&](int loaded, bool) {
        const qint64 now = clock.elapsed();
        if (firstRowsMs < 0 && loaded > 0) {
            firstRowsMs = now;
        }
    });
    QObject::connect(&model, &models::QueueModel::loadingFinished, &loop, [&](int) {
        doneMs = clock.elapsed();
        loop.quit();
    });
    QObject::connect(&model, &models::QueueModel::loadFailed, &loop, [&](ErrorKind, const QString& message) {
        out << "bench-queue: load failed: " << message << Qt::endl;
        loop.quit();
    });
    clock.start();
    ticker.start();
    model.refresh();
    loop.exec();
    ticker.stop();

    QElapsedTimer sortTimer;
    sortTimer.start();
    proxy.sort(models::QueueModel::ScoreColumn, Qt::DescendingOrder);
    const qint64 sortMs = sortTimer.elapsed();

    out << "queue rows: " << model.rowCount() << " in " << model.pagesLoaded() << " pages of " << model.pageSize()
        << Qt::endl;
    out << "time to first rows: " << firstRowsMs << " ms" << Qt::endl;
    out << "time to fully loaded: " << doneMs << " ms" << Qt::endl;
    out << "longest UI-thread stall while loading: " << longestStallMs << " ms" << Qt::endl;
    out << "sort by misuse score: " << sortMs << " ms" << Qt::endl;
    return doneMs >= 0 ? 0 : 1;
}

} // namespace fairuse::console
