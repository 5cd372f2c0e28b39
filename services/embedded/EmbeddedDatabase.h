#pragma once

#include "common/Result.h"
#include "common/Stores.h"
#include "common/Time.h"

#include <QFuture>
#include <QPromise>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace fairuse::services {

/**
 * The SQLite file behind the embedded (zero-setup) store: owns the schema, its migrations and the one worker
 * thread on which every statement runs.
 *
 * All SQL runs on one dedicated worker thread with its own named QSqlDatabase connection, so the GUI thread never
 * waits for the disk. Work is queued with run(), which returns a QFuture that finishes with the job's Result.
 * Jobs run in submission order, so a job queued after another sees its writes. Waiting on such a future (even
 * QFuture::waitForFinished() or result()) never runs the job on the waiting thread: the connection belongs to the
 * worker.
 *
 * The last handle may be dropped on any thread, including the worker itself (a continuation without a context
 * runs there): the destructor returns only after every queued job has run and the connection is closed.
 *
 * Opening never modifies a file that is not a SQLite database or whose schema is newer than this build knows:
 * every job then fails with that error (ErrorKind::Invalid) and the file is left byte-for-byte as it was.
 */
class EmbeddedDatabase {
public:
    /** Version of the schema this build writes; older files are migrated when opened. */
    static constexpr int kSchemaVersion = 9;

    struct Options {
        /** The store's "now" (queue speech columns, recordSpeech snapshots). Empty: the demo reference time
         *  recorded by the seeder if the file has one, else the system clock. A frozen demo clock keeps the
         *  seeded population's windows meaningful however long ago it was seeded. */
        std::function<TimePoint()> clock;
    };

    /** Creates the handle and queues the open-and-migrate job; performs no I/O on the calling thread. */
    static std::shared_ptr<EmbeddedDatabase> create(const QString& path, Options options = {});
    /** Convenience for the command line and tests: create() and wait for ready(). Never call it on a GUI thread. */
    static Result<std::shared_ptr<EmbeddedDatabase>> openBlocking(const QString& path, Options options = {});

    /** Waits for queued jobs, then closes the worker's connection (on the worker thread). When called on the worker
     *  thread itself, runs the remaining queued jobs there before closing. */
    ~EmbeddedDatabase();
    EmbeddedDatabase(const EmbeddedDatabase&) = delete;
    EmbeddedDatabase& operator=(const EmbeddedDatabase&) = delete;

    /** Finishes when the file is open and migrated, with the error that every later job will report otherwise. */
    QFuture<Status> ready();

    const QString& path() const { return m_path; }

    /**
     * Queues `job(db)` on the worker thread. `job` returns Result<T>; if the database failed to open, `job` is not
     * called and the future carries the open error.
     */
    template <typename T, typename F>
    QFuture<Result<T>> run(F job) {
        // A plain QPromise (not QtConcurrent::run): Qt lets a thread that waits on a QtConcurrent future take the
        // queued task and run it itself, which would put SQL on the waiting thread beside the worker.
        auto promise = std::make_shared<QPromise<Result<T>>>();
        QFuture<Result<T>> future = promise->future();
        post(std::make_unique<Task>([this, promise, job = std::move(job)]() mutable {
            promise->start();
            QSqlDatabase* db = connection();
            promise->addResult(db == nullptr ? Result<T>(openErrorOrInternal()) : job(*db));
            // Continuations without a context run inside finish() on this thread and may drop the last handle:
            // nothing after it may touch `this`.
            promise->finish();
        }));
        return future;
    }

    /** The store's current time (see Options::clock). Worker thread only. */
    TimePoint now(QSqlDatabase& db) const;

    /** The demo reference time recorded by the seeder, if any. */
    Async<std::optional<TimePoint>> referenceTime();
    /** Records the demo reference time (worker thread, inside the caller's transaction if any). */
    static Status writeReferenceTime(QSqlDatabase& db, TimePoint t);

    /**
     * Recomputes the queue's speech columns (daily/3-day/weekly totals of enforced sources) of every flagged user at
     * `at`. The queue uses them when they were computed at the store's current time, and computes totals from the
     * minute buckets otherwise. Worker thread only; returns the number of rows refreshed.
     */
    static Result<int> refreshSpeechSnapshot(QSqlDatabase& db, TimePoint at);

    /** True when the store holds no states, events, conversations, buckets or reviewers. */
    Async<bool> isEmpty();

private:
    /** One queued unit of work; type-erased so that move-only jobs can be queued. */
    class Task {
    public:
        template <typename Fn>
        explicit Task(Fn fn)
            : m_run(std::make_unique<Impl<Fn>>(std::move(fn))) {}
        void operator()() { m_run->call(); }

    private:
        struct Base {
            virtual ~Base() = default;
            virtual void call() = 0;
        };
        template <typename Fn>
        struct Impl final : Base {
            explicit Impl(Fn f)
                : fn(std::move(f)) {}
            void call() override { fn(); }
            Fn fn;
        };
        std::unique_ptr<Base> m_run;
    };
    /** The worker thread and its queue; shared with the thread so it outlives a handle destroyed on the worker. */
    struct Worker;

    EmbeddedDatabase(QString path, Options options);
    void post(std::unique_ptr<Task> task);
    QSqlDatabase* connection();
    Error openErrorOrInternal() const;
    Status openAndMigrate();
    void closeConnection();

    QString m_path;
    Options m_options;
    QString m_connectionName;
    std::shared_ptr<Worker> m_worker;
    // Touched only on the worker thread.
    std::optional<QSqlDatabase> m_db;
    std::optional<Error> m_openError;
    bool m_openAttempted = false;
};

} // namespace fairuse::services
