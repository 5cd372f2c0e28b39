// Tearing the embedded store down with work in flight: every queued job still runs on the worker thread with an
// open connection, in order, whichever thread drops the last handle (the GUI thread, or a continuation that runs
// on the worker thread itself), and waiting for a job never runs it on the waiting thread.

#include "EmbeddedTestSupport.h"

#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

constexpr int kJobs = 50;

/** What a job saw: the order it ran in, its thread, and whether its SQL worked. */
struct Trace {
    mutable std::mutex mutex;
    std::vector<int> order;
    std::vector<std::thread::id> threads;
};

/** A job that reads the schema (real SQL on the worker's connection) and records where and when it ran. */
QFuture<Result<int>> tracedJob(EmbeddedDatabase& db, const std::shared_ptr<Trace>& trace, int index) {
    return db.run<int>([trace, index](QSqlDatabase& sql) -> Result<int> {
        {
            const std::lock_guard lock(trace->mutex);
            trace->order.push_back(index);
            trace->threads.push_back(std::this_thread::get_id());
        }
        QSqlQuery q(sql);
        if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM sqlite_master")) || !q.next()) {
            return Error::internal(QStringLiteral("job %1: %2").arg(index).arg(q.lastError().text()));
        }
        return q.value(0).toInt();
    });
}

/** A job that holds the worker until `gate` is released (at most 60 s, so a broken build fails instead of hanging).
 *  Jobs share what they touch with the test, so a failing test cannot leave them writing into its stack. */
QFuture<Result<int>> gateJob(EmbeddedDatabase& db, const std::shared_ptr<QSemaphore>& gate) {
    return db.run<int>([gate](QSqlDatabase&) -> Result<int> {
        if (!gate->tryAcquire(1, 60000)) {
            return Error::internal(QStringLiteral("the gate was never opened"));
        }
        return 0;
    });
}

QStringList embeddedConnections() {
    QStringList names = QSqlDatabase::connectionNames();
    names.removeIf([](const QString& n) { return !n.startsWith(QStringLiteral("fairuse-embedded-")); });
    return names;
}

void verifyAllRanInOrderOnOneWorker(const Trace& trace, const std::vector<QFuture<Result<int>>>& jobs) {
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        QVERIFY2(jobs[i].isFinished(), qPrintable(QStringLiteral("job %1 never finished").arg(i)));
        const Result<int> r = jobs[i].result();
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QVERIFY(*r > 5); // the schema's tables and indexes
    }
    const std::lock_guard lock(trace.mutex);
    QCOMPARE(trace.order.size(), jobs.size());
    for (std::size_t i = 0; i < trace.order.size(); ++i) {
        QCOMPARE(trace.order[i], static_cast<int>(i));
    }
    for (const std::thread::id t : trace.threads) {
        QVERIFY(t == trace.threads.front());
    }
    QVERIFY(trace.threads.front() != std::this_thread::get_id());
}

/** A worker held at a gate, with `count` traced jobs queued behind it. */
struct QueuedJobs {
    std::shared_ptr<QSemaphore> gate = std::make_shared<QSemaphore>();
    QFuture<Result<int>> held;
    std::shared_ptr<Trace> trace = std::make_shared<Trace>();
    std::vector<QFuture<Result<int>>> jobs;

    QueuedJobs(EmbeddedDatabase& db, int count)
        : held(gateJob(db, gate)) {
        for (int i = 0; i < count; ++i) {
            jobs.push_back(tracedJob(db, trace, i));
        }
    }
};

} // namespace

class TestEmbeddedTeardown : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(embeddedConnections().isEmpty()); }

    void droppingTheLastHandleWaitsForQueuedJobs() {
        QTemporaryDir dir;
        auto opened = EmbeddedDatabase::openBlocking(dir.filePath(QStringLiteral("store.sqlite")));
        QVERIFY(opened.ok());
        std::shared_ptr<EmbeddedDatabase> db = std::move(*opened);

        QueuedJobs queued(*db, kJobs);
        // The worker is held, so the handle goes while all 50 jobs are queued; the gate opens from another thread
        // because this one is inside the destructor until the queue has drained.
        std::thread opener([gate = queued.gate] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            gate->release();
        });
        db.reset();
        opener.join();

        QVERIFY(queued.held.isFinished());
        QVERIFY(queued.held.result().ok());
        verifyAllRanInOrderOnOneWorker(*queued.trace, queued.jobs);
        if (QTest::currentTestFailed()) {
            return;
        }
        QVERIFY(embeddedConnections().isEmpty());
    }

    void droppingTheLastHandleOnTheWorkerThread() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store.sqlite"));
        auto opened = EmbeddedDatabase::openBlocking(path);
        QVERIFY(opened.ok());
        std::shared_ptr<EmbeddedDatabase> db = std::move(*opened);
        const std::weak_ptr<EmbeddedDatabase> weak = db;

        QueuedJobs queued(*db, kJobs);
        // A continuation without a context runs on the thread that finished the job: the worker. It takes the last
        // handle while jobs 25..49 are still queued.
        struct Drop {
            std::atomic<bool> done{false};
            std::thread::id on;
        };
        auto dropped = std::make_shared<Drop>();
        QFuture<void> drop =
            queued.jobs[kJobs / 2 - 1].then([keep = std::move(db), dropped](const Result<int>&) mutable {
                keep.reset();
                dropped->on = std::this_thread::get_id();
                dropped->done = true;
            });
        QVERIFY(!db);
        queued.gate->release();

        QVERIFY(QTest::qWaitFor([&] { return dropped->done.load(); }, 30000));
        QVERIFY(QTest::qWaitFor([&] { return drop.isFinished(); }, 30000));
        QVERIFY(weak.expired());
        verifyAllRanInOrderOnOneWorker(*queued.trace, queued.jobs);
        if (QTest::currentTestFailed()) {
            return;
        }
        {
            const std::lock_guard lock(queued.trace->mutex);
            QVERIFY(dropped->on == queued.trace->threads.front());
        }
        // The destructor closed the connection before it returned, on the worker.
        QVERIFY(embeddedConnections().isEmpty());

        // The file is intact and opens again.
        auto again = EmbeddedDatabase::openBlocking(path);
        QVERIFY(again.ok());
        auto second = std::make_shared<Trace>();
        QFuture<Result<int>> after = tracedJob(**again, second, 0);
        QVERIFY(await(after));
        QVERIFY(after.result().ok());
    }

    void waitingForAJobNeverRunsItOnTheWaitingThread() {
        QTemporaryDir dir;
        auto opened = EmbeddedDatabase::openBlocking(dir.filePath(QStringLiteral("store.sqlite")));
        QVERIFY(opened.ok());
        std::shared_ptr<EmbeddedDatabase> db = std::move(*opened);

        auto gate = std::make_shared<QSemaphore>();
        QFuture<Result<int>> held = gateJob(*db, gate);
        auto trace = std::make_shared<Trace>();
        QFuture<Result<int>> job = tracedJob(*db, trace, 0);
        std::thread opener([gate] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            gate->release();
        });
        // The job is queued behind the held worker: blocking waits must wait for the worker, not run it here
        // (the SQL connection belongs to the worker thread).
        job.waitForFinished();
        opener.join();
        const Result<int> r = job.result();
        QVERIFY(r.ok());
        const std::lock_guard lock(trace->mutex);
        QCOMPARE(trace->threads.size(), std::size_t{1});
        QVERIFY(trace->threads.front() != std::this_thread::get_id());
        QVERIFY(held.isFinished());
    }

    void droppingAnUnusedHandle() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store.sqlite"));
        EmbeddedDatabase::create(path).reset(); // the open job is still queued
        QVERIFY(embeddedConnections().isEmpty());
        auto again = EmbeddedDatabase::openBlocking(path);
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().message));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedTeardown)
#include "EmbeddedTeardownTest.moc"
