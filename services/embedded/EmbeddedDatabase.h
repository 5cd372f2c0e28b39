#pragma once

#include "common/Result.h"
#include "common/Stores.h"
#include "common/Time.h"

#include <QFuture>
#include <QSqlDatabase>
#include <QString>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <memory>
#include <optional>

namespace fairuse::services {

/**
 * The SQLite file behind the embedded (zero-setup) store: owns the schema, its migrations and the one worker
 * thread on which every statement runs.
 *
 * All SQL runs on a dedicated single-thread pool with its own named QSqlDatabase connection, so the GUI thread
 * never waits for the disk. Work is queued with run(), which returns a QFuture that finishes with the job's Result.
 * Jobs run in submission order, so a job queued after another sees its writes.
 *
 * Opening never modifies a file that is not a SQLite database or whose schema is newer than this build knows:
 * every job then fails with that error (ErrorKind::Invalid) and the file is left byte-for-byte as it was.
 */
class EmbeddedDatabase {
public:
    /** Version of the schema this build writes; older files are migrated when opened. */
    static constexpr int kSchemaVersion = 1;

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

    /** Waits for queued jobs, then closes the worker's connection. */
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
        return QtConcurrent::run(&m_pool, [this, job = std::move(job)]() mutable -> Result<T> {
            QSqlDatabase* db = connection();
            if (db == nullptr) {
                return m_openError.value_or(Error::internal(QStringLiteral("embedded store is not open")));
            }
            return job(*db);
        });
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
    EmbeddedDatabase(QString path, Options options);
    QSqlDatabase* connection();
    Status openAndMigrate();

    QString m_path;
    Options m_options;
    QString m_connectionName;
    QThreadPool m_pool;
    // Touched only on the worker thread.
    std::optional<QSqlDatabase> m_db;
    std::optional<Error> m_openError;
    bool m_openAttempted = false;
};

} // namespace fairuse::services
