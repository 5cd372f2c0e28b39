#include "embedded/EmbeddedDatabase.h"

#include "embedded/EmbeddedSql.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace fairuse::services {

using namespace embedded;

namespace {

/** Each schema version is a list of statements applied in one transaction; index i migrates to version i + 1. */
const QList<QStringList>& migrations() {
    static const QList<QStringList> kMigrations{
        // v1
        {
            QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE minute_buckets (uid TEXT NOT NULL, source TEXT NOT NULL,"
                           " minute INTEGER NOT NULL, ms INTEGER NOT NULL, PRIMARY KEY (uid, source, minute))"
                           " WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE stt_budget (uid TEXT NOT NULL, day TEXT NOT NULL, ms INTEGER NOT NULL,"
                           " PRIMARY KEY (uid, day)) WITHOUT ROWID"),
            // queue_at mirrors updated_at (0 when absent) so keyset paging can use an index without COALESCE.
            // speech_* are the queue's window totals as computed at speech_at (see refreshSpeechSnapshot).
            QStringLiteral("CREATE TABLE fair_use_state (uid TEXT PRIMARY KEY, stage TEXT NOT NULL,"
                           " queue_at INTEGER NOT NULL, updated_at INTEGER, last_violation_at INTEGER,"
                           " violation_count_7d INTEGER NOT NULL DEFAULT 0,"
                           " violation_count_30d INTEGER NOT NULL DEFAULT 0, throttle_until INTEGER,"
                           " restrict_until INTEGER, restrict_reason TEXT, last_classifier_score REAL,"
                           " last_classifier_type TEXT, last_classifier_at INTEGER, last_case_ref TEXT,"
                           " reset_by TEXT, reset_at INTEGER, plan TEXT NOT NULL DEFAULT 'basic',"
                           " version INTEGER NOT NULL, speech_daily_ms INTEGER, speech_3day_ms INTEGER,"
                           " speech_weekly_ms INTEGER, speech_at INTEGER)"),
            QStringLiteral("CREATE INDEX state_queue ON fair_use_state (queue_at DESC, uid)"),
            QStringLiteral("CREATE INDEX state_stage_queue ON fair_use_state (stage, queue_at DESC, uid)"),
            QStringLiteral("CREATE TABLE events (id TEXT NOT NULL, uid TEXT NOT NULL, created_at INTEGER NOT NULL,"
                           " case_ref TEXT NOT NULL, session_id TEXT, trigger TEXT NOT NULL,"
                           " daily_ms INTEGER NOT NULL, three_day_ms INTEGER NOT NULL, weekly_ms INTEGER NOT NULL,"
                           " cap_daily_ms INTEGER NOT NULL, cap_3day_ms INTEGER NOT NULL,"
                           " cap_weekly_ms INTEGER NOT NULL, classifier TEXT, enforcement_action TEXT,"
                           " previous_stage TEXT NOT NULL, new_stage TEXT NOT NULL, resolved INTEGER NOT NULL,"
                           " resolved_at INTEGER, resolved_by TEXT, admin_notes TEXT, outcome TEXT,"
                           " version INTEGER NOT NULL, PRIMARY KEY (uid, id))"),
            QStringLiteral("CREATE INDEX events_open ON events (uid, resolved, created_at)"),
            QStringLiteral("CREATE INDEX events_case_ref ON events (case_ref)"),
            QStringLiteral("CREATE TABLE conversations (uid TEXT NOT NULL, id TEXT NOT NULL, title TEXT,"
                           " overview TEXT, category TEXT, source TEXT, started_at INTEGER, finished_at INTEGER,"
                           " created_at INTEGER NOT NULL, PRIMARY KEY (uid, id))"),
            QStringLiteral("CREATE INDEX conversations_recent ON conversations (uid, created_at DESC)"),
            QStringLiteral("CREATE TABLE audit (sequence INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
                           " reviewer TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, uid TEXT NOT NULL,"
                           " case_ref TEXT, event_id TEXT, stage_before TEXT, stage_after TEXT, reason TEXT,"
                           " client_version TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX audit_uid ON audit (uid, sequence)"),
            QStringLiteral("CREATE TABLE idempotency (key TEXT PRIMARY KEY, sequence INTEGER, applied_at INTEGER)"),
            QStringLiteral("CREATE TABLE exemptions (uid TEXT PRIMARY KEY, since INTEGER, by TEXT)"),
            QStringLiteral("CREATE TABLE reviewers (email TEXT PRIMARY KEY, role TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE llm_spend (id INTEGER PRIMARY KEY, uid TEXT NOT NULL, at INTEGER NOT NULL,"
                           " model TEXT NOT NULL, purpose TEXT, prompt_tokens INTEGER NOT NULL,"
                           " completion_tokens INTEGER NOT NULL, cost_micro_usd INTEGER NOT NULL,"
                           " custom_stt INTEGER NOT NULL, plan TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX llm_spend_at ON llm_spend (at)"),
        },
        // v2: the plan comes from the user's subscription (the backend's users/{uid}.subscription), not the state;
        // the state keeps the stage in force before a free-credit restriction; cases record their policy.
        {
            QStringLiteral("CREATE TABLE subscriptions (uid TEXT PRIMARY KEY, plan TEXT NOT NULL, status TEXT,"
                           " current_period_end INTEGER)"),
            QStringLiteral("INSERT INTO subscriptions (uid, plan, status) SELECT uid, plan, 'active' FROM"
                           " fair_use_state"),
            QStringLiteral("ALTER TABLE fair_use_state DROP COLUMN plan"),
            QStringLiteral("ALTER TABLE fair_use_state ADD COLUMN previous_stage TEXT"),
            QStringLiteral("ALTER TABLE events ADD COLUMN policy TEXT"),
        },
        // v3: failed classifier runs, for the retry wait (enforcement::classifierRetryWait).
        {
            QStringLiteral("ALTER TABLE fair_use_state ADD COLUMN classifier_failed_at INTEGER"),
            QStringLiteral("ALTER TABLE fair_use_state ADD COLUMN classifier_failures INTEGER NOT NULL DEFAULT 0"),
        },
        // v4: one user's spend without scanning everyone's (IF NOT EXISTS: a file set back to an older version by
        // hand may still have it)
        {
            QStringLiteral("CREATE INDEX IF NOT EXISTS llm_spend_uid ON llm_spend (uid, at)"),
        },
        // v5: claims, so two reviewers do not work one case (casework/Claims.h), and appeals (casework/Appeals.h).
        {
            QStringLiteral("CREATE TABLE claims (uid TEXT PRIMARY KEY, reviewer TEXT NOT NULL, reviewer_uid TEXT,"
                           " claimed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX claims_live ON claims (expires_at)"),
            QStringLiteral("CREATE TABLE appeals (uid TEXT NOT NULL, id TEXT NOT NULL, created_at INTEGER NOT NULL,"
                           " message TEXT, case_ref TEXT, channel TEXT, status TEXT NOT NULL, decided_by TEXT,"
                           " decided_at INTEGER, decision_reason TEXT, version INTEGER NOT NULL,"
                           " PRIMARY KEY (uid, id))"),
            QStringLiteral("CREATE INDEX appeals_open ON appeals (status, created_at)"),
        },
        // v6: reviewers' verdicts on the classifier, one per case (ChangeSet::label, `fairuse export-labels`).
        {
            QStringLiteral("CREATE TABLE labels (event_id TEXT PRIMARY KEY, uid TEXT NOT NULL, case_ref TEXT,"
                           " model TEXT, prompt_version TEXT, verdict TEXT NOT NULL, usage_type TEXT, outcome TEXT,"
                           " reviewer TEXT NOT NULL, reviewer_uid TEXT, labelled_at INTEGER NOT NULL,"
                           " audit_sequence INTEGER)"),
            QStringLiteral("CREATE INDEX labels_at ON labels (labelled_at, event_id)"),
        },
        // v7: pinned notes on users and each user's escalation and snooze (casework/Casework.h).
        {
            QStringLiteral("CREATE TABLE notes (uid TEXT NOT NULL, id TEXT NOT NULL, text TEXT NOT NULL, author TEXT"
                           " NOT NULL, author_uid TEXT, created_at INTEGER NOT NULL, case_ref TEXT, pinned INTEGER NOT"
                           " NULL, unpinned_by TEXT, unpinned_at INTEGER, version INTEGER NOT NULL,"
                           " PRIMARY KEY (uid, id))"),
            QStringLiteral("CREATE TABLE casework (uid TEXT PRIMARY KEY, case_ref TEXT, escalated_at INTEGER,"
                           " escalated_by TEXT, escalated_by_uid TEXT, escalation_note TEXT, snoozed_at INTEGER,"
                           " snoozed_until INTEGER, snooze_until_cap_hit INTEGER NOT NULL DEFAULT 0, snoozed_by TEXT,"
                           " snoozed_by_uid TEXT, version INTEGER NOT NULL)"),
        },
        // v8: saved views, the team's named queue filters (casework/SavedViews.h), and the reviewer's uid on audit
        // records (a record that has one hashes it: without the column such a record could not be verified).
        {
            QStringLiteral("ALTER TABLE audit ADD COLUMN reviewer_uid TEXT"),
            QStringLiteral("CREATE TABLE saved_views (id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL,"
                           " owner_uid TEXT, shared INTEGER NOT NULL, filter TEXT NOT NULL, created_at INTEGER NOT"
                           " NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL, version INTEGER NOT NULL)"),
        },
        // v9: the figures of LLM-spend cases (trigger llm_daily or llm_monthly, enforcement/SpendReview.h), as JSON.
        {
            QStringLiteral("ALTER TABLE events ADD COLUMN llm_spend TEXT"),
        },
    };
    return kMigrations;
}

std::atomic<int> g_nextId{0};

/** A SQLite file starts with this header; checking it ourselves guarantees a foreign file is never written to. */
bool looksLikeSqlite(const QString& path, QString* why) {
    QFile f(path);
    if (!f.exists() || f.size() == 0) {
        return true; // a new store
    }
    if (!f.open(QIODevice::ReadOnly)) {
        *why = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    const QByteArray header = f.read(16);
    if (header != QByteArray("SQLite format 3\0", 16)) {
        *why = QStringLiteral("%1 is not a SQLite database; it was left untouched").arg(path);
        return false;
    }
    return true;
}

} // namespace

struct EmbeddedDatabase::Worker {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::unique_ptr<Task>> queue;
    bool stopping = false; // no more tasks will come; the thread ends once the queue is empty
    std::thread thread;

    /** The next task, or null once stopping and drained. Blocks while the queue is empty if `wait`. */
    std::unique_ptr<Task> take(bool wait) {
        std::unique_lock lock(mutex);
        if (wait) {
            wake.wait(lock, [this] { return !queue.empty() || stopping; });
        }
        if (queue.empty()) {
            stopping = true;
            return nullptr;
        }
        std::unique_ptr<Task> task = std::move(queue.front());
        queue.pop_front();
        return task;
    }

    // The thread holds its own reference: a handle destroyed on this thread detaches it, and the queue must
    // outlive that handle until the loop has returned.
    static void loop(std::shared_ptr<Worker> self) {
        while (std::unique_ptr<Task> task = self->take(true)) {
            (*task)();
        }
    }
};

EmbeddedDatabase::EmbeddedDatabase(QString path, Options options)
    : m_path(std::move(path))
    , m_options(std::move(options))
    , m_connectionName(QStringLiteral("fairuse-embedded-%1").arg(g_nextId.fetch_add(1)))
    , m_worker(std::make_shared<Worker>()) {
    // One thread for the handle's lifetime: the SQLite connection belongs to it.
    m_worker->thread = std::thread(&Worker::loop, m_worker);
}

std::shared_ptr<EmbeddedDatabase> EmbeddedDatabase::create(const QString& path, Options options) {
    std::shared_ptr<EmbeddedDatabase> db(new EmbeddedDatabase(path, std::move(options)));
    (void)db->ready(); // queue the open first so later jobs find it done
    return db;
}

Result<std::shared_ptr<EmbeddedDatabase>> EmbeddedDatabase::openBlocking(const QString& path, Options options) {
    auto db = create(path, std::move(options));
    QFuture<Status> f = db->ready();
    f.waitForFinished();
    const Status s = f.result();
    if (!s) {
        return s.error();
    }
    return db;
}

EmbeddedDatabase::~EmbeddedDatabase() {
    if (std::this_thread::get_id() == m_worker->thread.get_id()) {
        // The last handle went inside a job or one of its continuations, on the worker itself: it cannot wait for
        // itself, so it runs what is still queued here, in order, closes the connection and lets the thread end
        // on its own (it only unwinds the current task, which no longer touches this object).
        while (std::unique_ptr<Task> task = m_worker->take(false)) {
            (*task)();
        }
        closeConnection();
        m_worker->thread.detach();
        return;
    }
    post(std::make_unique<Task>([this] { closeConnection(); }));
    {
        const std::lock_guard lock(m_worker->mutex);
        m_worker->stopping = true;
    }
    m_worker->wake.notify_one();
    m_worker->thread.join();
}

void EmbeddedDatabase::post(std::unique_ptr<Task> task) {
    {
        const std::lock_guard lock(m_worker->mutex);
        Q_ASSERT(!m_worker->stopping);
        m_worker->queue.push_back(std::move(task));
    }
    m_worker->wake.notify_one();
}

void EmbeddedDatabase::closeConnection() {
    if (m_db) {
        m_db->close();
        m_db.reset();
    }
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

QFuture<Status> EmbeddedDatabase::ready() {
    auto promise = std::make_shared<QPromise<Status>>();
    QFuture<Status> future = promise->future();
    post(std::make_unique<Task>([this, promise] {
        promise->start();
        (void)connection();
        promise->addResult(m_openError ? Status(*m_openError) : Status());
        promise->finish();
    }));
    return future;
}

QSqlDatabase* EmbeddedDatabase::connection() {
    if (!m_openAttempted) {
        m_openAttempted = true;
        const Status s = openAndMigrate();
        if (!s) {
            m_openError = s.error();
            closeConnection();
        }
    }
    if (m_openError || !m_db) {
        return nullptr;
    }
    return &*m_db;
}

Error EmbeddedDatabase::openErrorOrInternal() const {
    return m_openError.value_or(Error::internal(QStringLiteral("embedded store is not open")));
}

Status EmbeddedDatabase::openAndMigrate() {
    QString why;
    if (!looksLikeSqlite(m_path, &why)) {
        return Error::invalid(why);
    }
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        return Error::unavailable(QStringLiteral("cannot create the folder %1").arg(info.absolutePath()));
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
        return Error::unavailable(QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));
    }
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db->setDatabaseName(m_path);
    m_db->setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!m_db->open()) {
        return Error::unavailable(QStringLiteral("cannot open %1: %2").arg(m_path, m_db->lastError().text()));
    }
    QSqlDatabase& db = *m_db;

    // Read the version before anything writes (journal_mode=WAL rewrites the header).
    int version = 0;
    {
        auto hasTable = exec(db, QStringLiteral("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"),
                             {QStringLiteral("schema_version")});
        if (!hasTable) {
            return Error::invalid(
                QStringLiteral("%1 is not a readable SQLite database: %2").arg(m_path, hasTable.error().message));
        }
        if (hasTable->next()) {
            auto v = exec(db, QStringLiteral("SELECT MAX(version) FROM schema_version"));
            if (!v) {
                return v.error();
            }
            version = v->next() ? v->value(0).toInt() : 0;
        } else {
            auto tables = exec(db, QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"));
            if (!tables) {
                return tables.error();
            }
            if (tables->next() && tables->value(0).toInt() > 0) {
                return Error::invalid(
                    QStringLiteral("%1 is a SQLite database but not a fairuse store; it was left untouched")
                        .arg(m_path));
            }
        }
    }
    if (version > kSchemaVersion) {
        return Error::invalid(QStringLiteral("%1 has schema version %2, newer than this build understands (%3); "
                                             "update fairuse. The file was left untouched.")
                                  .arg(m_path)
                                  .arg(version)
                                  .arg(kSchemaVersion));
    }

    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA temp_store=MEMORY",
                               // A 32 MB page cache keeps a week of buckets of the demo population in memory.
                               "PRAGMA cache_size=-32768"}) {
        auto p = exec(db, QString::fromLatin1(pragma));
        if (!p) {
            return p.error();
        }
    }

    for (int v = version; v < kSchemaVersion; ++v) {
        if (!db.transaction()) {
            return sqlError(db, QStringLiteral("starting migration"));
        }
        QStringList steps = migrations().at(v);
        if (v == 0) {
            steps.prepend(QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)"));
        }
        steps.append(QStringLiteral("DELETE FROM schema_version"));
        steps.append(QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(v + 1));
        for (const QString& sql : steps) {
            auto r = exec(db, sql);
            if (!r) {
                db.rollback();
                return Error::internal(QStringLiteral("migrating %1 to schema version %2: %3")
                                           .arg(m_path)
                                           .arg(v + 1)
                                           .arg(r.error().message));
            }
        }
        if (!db.commit()) {
            db.rollback();
            return sqlError(db, QStringLiteral("committing migration"));
        }
    }

    return {};
}

TimePoint EmbeddedDatabase::now(QSqlDatabase& db) const {
    if (m_options.clock) {
        return m_options.clock();
    }
    // The reference time can be written after opening (seeding): read it fresh, it is one indexed row.
    auto ref = exec(db, QStringLiteral("SELECT value FROM meta WHERE key = 'reference_time'"));
    if (ref && ref->next()) {
        bool ok = false;
        const qlonglong ms = ref->value(0).toLongLong(&ok);
        if (ok) {
            return fromUnixMs(ms);
        }
    }
    return std::chrono::time_point_cast<Milliseconds>(std::chrono::system_clock::now());
}

Async<std::optional<TimePoint>> EmbeddedDatabase::referenceTime() {
    return run<std::optional<TimePoint>>([](QSqlDatabase& db) -> Result<std::optional<TimePoint>> {
        auto ref = exec(db, QStringLiteral("SELECT value FROM meta WHERE key = 'reference_time'"));
        if (!ref) {
            return ref.error();
        }
        std::optional<TimePoint> t;
        if (ref->next()) {
            t = fromUnixMs(ref->value(0).toLongLong());
        }
        return t;
    });
}

Status EmbeddedDatabase::writeReferenceTime(QSqlDatabase& db, TimePoint t) {
    auto r = exec(db, QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('reference_time', ?)"),
                  {QString::number(toUnixMs(t))});
    if (!r) {
        return r.error();
    }
    return {};
}

Result<int> EmbeddedDatabase::refreshSpeechSnapshot(QSqlDatabase& db, TimePoint at) {
    const WindowMinutes w = windowMinutes(at);
    const QString sum =
        QStringLiteral("(SELECT COALESCE(SUM(b.ms), 0) FROM minute_buckets b WHERE b.uid = s.uid"
                       " AND b.source IN ") +
        QLatin1String(kEnforcedSourcesSql) +
        QStringLiteral(" AND typeof(b.ms) = 'integer' AND b.ms >= 0 AND b.minute >= %1 AND b.minute <= ") +
        QString::number(w.to) + QLatin1Char(')');
    auto r = exec(db,
                  QStringLiteral("UPDATE fair_use_state AS s SET speech_daily_ms = ") + sum.arg(w.dailyFrom) +
                      QStringLiteral(", speech_3day_ms = ") + sum.arg(w.threeDayFrom) +
                      QStringLiteral(", speech_weekly_ms = ") + sum.arg(w.weeklyFrom) +
                      QStringLiteral(", speech_at = ? WHERE stage IN ('warning', 'throttle', 'restrict')"),
                  {timeValue(at)});
    if (!r) {
        return r.error();
    }
    return r->numRowsAffected();
}

Async<bool> EmbeddedDatabase::isEmpty() {
    return run<bool>([](QSqlDatabase& db) -> Result<bool> {
        for (const char* table :
             {"fair_use_state", "events", "conversations", "minute_buckets", "reviewers", "audit", "llm_spend"}) {
            auto q = exec(db, QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1)").arg(QLatin1String(table)));
            if (!q) {
                return q.error();
            }
            if (q->next() && q->value(0).toBool()) {
                return false;
            }
        }
        return true;
    });
}

} // namespace fairuse::services
