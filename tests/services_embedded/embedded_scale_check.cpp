// Prints how long seeding and the queue's first page take (not a test: timings never gate CI).
// Usage: embedded_scale_check [FOLDER] [BULK_FLAGGED] [--pages-only]
#include "common/Await.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>

using namespace fairuse;
using namespace fairuse::services;

namespace {

void seed(const QString& path, const DemoOptions& options, const char* label) {
    QFile::remove(path);
    QElapsedTimer t;
    t.start();
    const DemoPopulation pop = generateDemoPopulation(options);
    const qint64 generated = t.restart();
    auto db = EmbeddedDatabase::openBlocking(path);
    if (!db) {
        std::printf("%s: %s\n", label, qPrintable(db.error().message));
        return;
    }
    const Status s = writeToEmbedded(pop, **db);
    const qint64 written = t.elapsed();
    std::printf("%s: %lld users, %lld states, %lld events, %lld conversations, %lld minute buckets, %lld spend "
                "records: generate %lld ms, write %lld ms%s\n",
                label, static_cast<long long>(pop.users.size()), static_cast<long long>(pop.states.size()),
                static_cast<long long>(pop.events.size()), static_cast<long long>(pop.conversations.size()),
                static_cast<long long>(pop.minutes.size()), static_cast<long long>(pop.spend.size()), generated,
                written, s ? "" : qPrintable(QStringLiteral(" FAILED: ") + s.error().message));
}

void firstPage(const QString& path, const QueueFilter& filter, const char* label) {
    auto stores = makeEmbeddedStores(path);
    (void)awaitResult(stores.database->ready());
    QElapsedTimer t;
    qint64 best = -1;
    int rows = 0;
    QString cursor;
    for (int run = 0; run < 5; ++run) {
        t.start();
        auto page = awaitResult(stores.cases->fetchQueuePage(filter, QString(), 200));
        const qint64 ms = t.elapsed();
        best = best < 0 ? ms : std::min(best, ms);
        rows = page ? static_cast<int>(page->rows.size()) : -1;
        cursor = page ? page->nextCursor : QString();
    }
    t.start();
    int pages = 0;
    for (; pages < 10 && !cursor.isEmpty(); ++pages) {
        auto page = awaitResult(stores.cases->fetchQueuePage(filter, cursor, 200));
        cursor = page ? page->nextCursor : QString();
    }
    std::printf("first page (%s): %d rows, best of 5: %lld ms; next %d pages: %lld ms\n", label, rows, best, pages,
                t.elapsed());
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QTemporaryDir tmp;
    const QString dir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.path();
    const int bulk = argc > 2 ? QByteArray(argv[2]).toInt() : 100'000;
    DemoOptions o;
    o.referenceTime = parseRfc3339(QStringLiteral("2026-03-23T09:30:00Z")).value();
    const bool pagesOnly = argc > 3 && QByteArray(argv[3]) == "--pages-only";
    const QString big = QDir(dir).filePath(QStringLiteral("scale.sqlite"));
    if (!pagesOnly) {
        seed(QDir(dir).filePath(QStringLiteral("default.sqlite")), o, "default (2,000 users)");
        o.users = 2000;
        o.bulkFlagged = bulk;
        seed(big, o, "scale");
    }
    firstPage(big, {}, "all flagged");
    QueueFilter restrict;
    restrict.stage = Stage::Restrict;
    firstPage(big, restrict, "restrict");
    QueueFilter open;
    open.resolution = QueueFilter::Resolution::OpenOnly;
    open.usageType = UsageType::Podcast;
    firstPage(big, open, "open podcast cases");
    QueueFilter high;
    high.minScore = 0.9;
    firstPage(big, high, "score >= 0.9");
    return 0;
}
