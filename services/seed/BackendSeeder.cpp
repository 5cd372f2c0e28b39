#include "seed/BackendSeeder.h"

#include "common/Guarded.h"
#include "common/Loopback.h"
#include "common/Promise.h"
#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreLabels.h"
#include "firestore/FirestoreMapping.h"
#include "firestore/UserDocument.h"
#include "redis/RedisUsageStore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QPromise>
#include <QSet>

#include <algorithm>
#include <functional>

namespace fairuse::services {

namespace {

using V = FirestoreValue;
using Command = QList<QByteArray>;

/** Minutes per HSET / ZADD command: big enough for few commands, small enough for a quick command on the server. */
constexpr int kFieldsPerCommand = 1000;
// Continuations go through guarded() (common/Guarded.h) rather than then(this, ...): Qt 6.4 asserts when a context
// object dies before the future finishes, which happens here when a caller gives up (destroys the seeder and its
// clients) while pipelines or commits are still in flight.

/** How many examples of existing data a refusal names. */
constexpr int kExamplesShown = 3;
/** SCAN's COUNT hint: keys examined per round trip while looking for fairuse keys. */
constexpr int kScanCount = 1000;

const QString kReviewersCollection = QStringLiteral("fair_use_reviewers");
const QString kExemptionsCollection = QStringLiteral("fair_use_exemptions");
const QString kSpendCollection = QStringLiteral("llm_spend");

QByteArray seconds(std::chrono::seconds s) {
    return QByteArray::number(static_cast<qint64>(s.count()));
}

/** The minute buckets of one key pair, summed per minute, in minute order. */
struct KeyPair {
    QByteArray hashKey;
    QByteArray zsetKey;
    QMap<std::int64_t, std::int64_t> msByMinute;
};

void appendSpeechCommands(QList<Command>& out, const KeyPair& pair) {
    const QByteArray ttl = seconds(RedisUsageStore::kSpeechTtl);
    Command hset{"HSET", pair.hashKey};
    Command zadd{"ZADD", pair.zsetKey};
    auto flush = [&] {
        if (hset.size() > 2) {
            out.append(hset);
            out.append(zadd);
        }
        hset = {"HSET", pair.hashKey};
        zadd = {"ZADD", pair.zsetKey};
    };
    for (auto it = pair.msByMinute.cbegin(); it != pair.msByMinute.cend(); ++it) {
        const QByteArray member = QByteArray::number(it.key());
        hset << member << QByteArray::number(it.value());
        zadd << QByteArray::number(it.key() * 60) << member;
        if (hset.size() - 2 >= 2 * kFieldsPerCommand) {
            flush();
        }
    }
    flush();
    out.append({"EXPIRE", pair.hashKey, ttl});
    out.append({"EXPIRE", pair.zsetKey, ttl});
}

/** The commands split into pipelines of about `maxArguments` arguments each. */
QList<QList<Command>> splitIntoPipelines(const QList<Command>& commands, int maxArguments) {
    QList<QList<Command>> pipelines;
    QList<Command> current;
    qsizetype arguments = 0;
    for (const Command& c : commands) {
        if (!current.isEmpty() && arguments + c.size() > maxArguments) {
            pipelines.append(current);
            current.clear();
            arguments = 0;
        }
        current.append(c);
        arguments += c.size();
    }
    if (!current.isEmpty()) {
        pipelines.append(current);
    }
    return pipelines;
}

/** Queries whose documents the forced seed deletes before writing (each returns documents ordered by name). */
QList<FirestoreQuery> replacedCollections() {
    QList<FirestoreQuery> queries;
    for (const auto& [collection, group] :
         {std::pair{QStringLiteral("fair_use_state"), true}, std::pair{QStringLiteral("fair_use_events"), true},
          std::pair{QStringLiteral("fair_use_audit"), false}, std::pair{QStringLiteral("fair_use_audit_meta"), false},
          std::pair{QStringLiteral("fair_use_idempotency"), false}, std::pair{kExemptionsCollection, false},
          std::pair{QStringLiteral("fair_use_appeals"), true}, std::pair{QStringLiteral("fair_use_labels"), false},
          std::pair{QStringLiteral("fair_use_notes"), true}, std::pair{QStringLiteral("fair_use_casework"), false}}) {
        FirestoreQuery& q = queries.emplace_back();
        q.collectionId = collection;
        q.allDescendants = group;
        q.limit = FirestoreClient::kMaxWritesPerCommit;
    }
    return queries;
}

/** Collections whose documents mean "this project holds fairuse data". */
QList<FirestoreQuery> probeQueries() {
    QList<FirestoreQuery> queries;
    for (const auto& [collection, group] :
         {std::pair{QStringLiteral("fair_use_state"), true}, std::pair{QStringLiteral("fair_use_events"), true},
          std::pair{QStringLiteral("fair_use_audit"), false}, std::pair{kReviewersCollection, false},
          std::pair{kSpendCollection, false}}) {
        FirestoreQuery q;
        q.collectionId = collection;
        q.allDescendants = group;
        q.limit = 1;
        queries.append(q);
    }
    return queries;
}

} // namespace

struct BackendSeeder::Run {
    BackendSeedOptions options;
    PromisePtr<BackendSeedReport> promise;
    BackendSeedReport report;
    QElapsedTimer timer;
    bool failed = false;

    QList<QList<Command>> pipelines;
    qsizetype nextPipeline = 0;
    int pipelinesInFlight = 0;
    qint64 commandsDone = 0;

    QList<QList<FirestoreWrite>> batches;
    qsizetype nextBatch = 0;
    int commitsInFlight = 0;
    qint64 documentsDone = 0;
    qint64 nextProgressAt = 0;

    void progress(const QString& line) const {
        if (options.progress) {
            options.progress(line);
        }
    }

    /** Counts `count` more of the phase's `total` into `done`, with a progress line ("PHASE: done of total UNIT")
     *  about every tenth of the way, none at the end (the phase's summary says it). */
    void advance(qint64& done, qint64 count, qint64 total, const QString& phase, const QString& unit) {
        done += count;
        if (done >= nextProgressAt && done < total) {
            progress(QStringLiteral("%1: %2 of %3 %4").arg(phase).arg(done).arg(total).arg(unit));
            nextProgressAt = done + std::max<qint64>(total / 10, 1);
        }
    }
};

BackendSeeder::BackendSeeder(RedisClient* redis, std::shared_ptr<FirestoreClient> firestore, QObject* parent)
    : QObject(parent)
    , m_redis(redis)
    , m_firestore(std::move(firestore)) {}

QString BackendSeeder::spendDocumentId(qsizetype index) {
    return QStringLiteral("seed-%1").arg(index, 8, 10, QLatin1Char('0'));
}

// ---- What is written -----------------------------------------------------------------------------------------

QList<QList<QByteArray>> BackendSeeder::redisCommands(const DemoPopulation& pop, BackendSeedOptions::RedisLayout layout,
                                                      bool clearUsers) {
    // Key pairs in first-seen order, so the commands are deterministic.
    QList<KeyPair> pairs;
    QHash<QByteArray, qsizetype> pairIndex;
    for (const DemoMinute& m : pop.minutes) {
        QByteArray hashKey;
        QByteArray zsetKey;
        if (layout == BackendSeedOptions::RedisLayout::V2) {
            hashKey = RedisUsageStore::v2BucketKey(m.source, m.uid);
            zsetKey = RedisUsageStore::v2SpeechKey(m.source, m.uid);
        } else {
            if (m.source != SpeechSource::Realtime && m.source != SpeechSource::SyncFresh) {
                continue;
            }
            hashKey = RedisUsageStore::bucketKey(m.uid);
            zsetKey = RedisUsageStore::speechKey(m.uid);
        }
        auto it = pairIndex.constFind(hashKey);
        if (it == pairIndex.cend()) {
            it = pairIndex.insert(hashKey, pairs.size());
            pairs.append(KeyPair{hashKey, zsetKey, {}});
        }
        pairs[*it].msByMinute[m.unixMinute] += m.speechMs;
    }

    QList<Command> out;
    if (clearUsers) {
        // Every speech key of every user, in both layouts: a user seeded before in the other layout must not keep
        // speech that the readers would add to this seed's. One key per DEL: a multi-key DEL crosses cluster slots.
        for (const DemoUser& u : pop.users) {
            out.append({"DEL", RedisUsageStore::bucketKey(u.uid)});
            out.append({"DEL", RedisUsageStore::speechKey(u.uid)});
            for (const SpeechSource source : {SpeechSource::Realtime, SpeechSource::SyncFresh,
                                              SpeechSource::SyncBackfill, SpeechSource::CustomStt}) {
                out.append({"DEL", RedisUsageStore::v2BucketKey(source, u.uid)});
                out.append({"DEL", RedisUsageStore::v2SpeechKey(source, u.uid)});
            }
            out.append({"DEL", RedisUsageStore::stageKey(u.uid)});
        }
    }
    for (const KeyPair& pair : pairs) {
        appendSpeechCommands(out, pair);
    }
    // The stage the backend caches after reading a user's state.
    const QByteArray stageTtl = seconds(RedisUsageStore::kStageTtl);
    for (const FairUseState& s : pop.states) {
        out.append({"SET", RedisUsageStore::stageKey(s.uid), toString(s.stage).toUtf8(), "EX", stageTtl});
    }
    // Audio forwarded to STT per UTC day, summed per key.
    QMap<QByteArray, std::int64_t> budgets;
    for (const DemoSttBudget& b : pop.sttBudget) {
        budgets[RedisUsageStore::sttBudgetKey(b.uid, b.day)] += b.usedMs;
    }
    const QByteArray budgetTtl = seconds(RedisUsageStore::kSttBudgetTtl);
    for (auto it = budgets.cbegin(); it != budgets.cend(); ++it) {
        out.append({"SET", it.key(), QByteArray::number(it.value()), "EX", budgetTtl});
    }
    return out;
}

QList<FirestoreWrite> BackendSeeder::firestoreWrites(const DemoPopulation& pop) {
    QList<FirestoreWrite> writes = seededLabelWrites(pop.labels);
    for (const Reviewer& r : pop.reviewers) {
        writes.append(FirestoreCaseStore::reviewerWrite(r.email, r.role));
    }
    // The subscription on the user document, where the backend keeps it; the document's other fields are left alone.
    for (const DemoUser& u : pop.users) {
        if (u.subscription) {
            writes.append(FirestoreWrite::update(
                userDocumentPath(u.uid), {{QStringLiteral("subscription"), encodeSubscription(*u.subscription)}},
                {QStringLiteral("subscription")}));
        }
    }
    for (const FairUseState& s : pop.states) {
        writes.append(FirestoreWrite::set(FirestoreCaseStore::statePath(s.uid), encodeState(s)));
    }
    for (const DemoExemption& x : pop.exemptions) {
        // The reason is the one the exempting reviewer gave in the audit trail.
        QString reason;
        for (const AuditRecord& a : pop.audit) {
            if (a.uid == x.uid && a.action == AuditAction::Exempt) {
                reason = a.reason;
            }
        }
        writes.append(FirestoreCaseStore::exemptionWrite(x.uid, x.by, x.at, reason));
    }
    for (const FairUseEvent& e : pop.events) {
        writes.append(FirestoreWrite::set(FirestoreCaseStore::eventPath(e.uid, e.id), encodeEvent(e)));
    }
    for (const Appeal& a : pop.appeals) {
        writes.append(FirestoreWrite::set(appealPath(a.uid, a.id), encodeAppeal(a)));
    }
    for (const DemoConversation& c : pop.conversations) {
        writes.append(FirestoreWrite::set(QStringLiteral("users/%1/conversations/%2").arg(c.uid, c.conversation.id),
                                          encodeConversation(c.conversation)));
    }
    for (const AuditRecord& a : pop.audit) {
        writes.append(FirestoreWrite::set(FirestoreCaseStore::auditPath(a.sequence), encodeAudit(a)));
    }
    if (!pop.audit.isEmpty()) {
        // The head as FirestoreCaseStore::apply() keeps it, so the next reviewer action continues the chain.
        FirestoreWrite head = FirestoreCaseStore::headWrite(pop.audit.last(), std::nullopt);
        head.precondition = {}; // the seeder writes over what --force replaces
        writes.append(head);
    }
    for (qsizetype i = 0; i < pop.spend.size(); ++i) {
        writes.append(FirestoreWrite::set(QStringLiteral("%1/%2").arg(kSpendCollection, spendDocumentId(i)),
                                          encodeSpend(pop.spend.at(i))));
    }
    return writes;
}

// ---- Probes --------------------------------------------------------------------------------------------------

Async<QStringList> BackendSeeder::findExistingRedisData() {
    auto promise = makePromise<QStringList>();
    auto next = std::make_shared<std::function<void(QByteArray)>>();
    *next = [this, promise, next](const QByteArray& cursor) {
        m_redis->command({"SCAN", cursor, "MATCH", "fair_use:*", "COUNT", QByteArray::number(kScanCount)})
            .then(guarded(this, [this, promise, next](const Result<RedisReply>& r) {
                if (!r) {
                    finish(promise, Result<QStringList>(r.error()));
                    *next = nullptr;
                    return;
                }
                if (r->isError() || !r->isArray() || r->elements().size() != 2 || !r->elements()[1].isArray()) {
                    finish(promise, Result<QStringList>(
                                        Error::internal(QStringLiteral("Redis at %1 refused SCAN: %2")
                                                            .arg(m_redis->describe(), QString::fromUtf8(r->text())))));
                    *next = nullptr;
                    return;
                }
                QStringList found;
                for (const RedisReply& key : r->elements()[1].elements()) {
                    if (found.size() < kExamplesShown) {
                        found.append(QString::fromUtf8(key.text()));
                    }
                }
                const QByteArray cursor = r->elements()[0].text();
                if (!found.isEmpty() || cursor == "0") {
                    finish(promise, Result<QStringList>(found));
                    *next = nullptr;
                    return;
                }
                (*next)(cursor);
            }));
    };
    (*next)("0");
    return promise->future();
}

Async<QStringList> BackendSeeder::findExistingFirestoreData() {
    auto promise = makePromise<QStringList>();
    auto found = std::make_shared<QStringList>();
    auto next = std::make_shared<std::function<void(int)>>();
    const QList<FirestoreQuery> queries = probeQueries();
    *next = [this, promise, found, next, queries](int index) {
        if (index >= queries.size() || found->size() >= kExamplesShown) {
            finish(promise, Result<QStringList>(*found));
            *next = nullptr;
            return;
        }
        m_firestore->runQuery(queries.at(index))
            .then(guarded(this, [promise, found, next, index](const Result<QList<FirestoreDocument>>& r) {
                if (!r) {
                    finish(promise, Result<QStringList>(r.error()));
                    *next = nullptr;
                    return;
                }
                for (const FirestoreDocument& doc : *r) {
                    found->append(doc.relativePath());
                }
                (*next)(index + 1);
            }));
    };
    (*next)(0);
    return promise->future();
}

// ---- Seeding -------------------------------------------------------------------------------------------------

Status BackendSeeder::checkForceTarget(const RedisConfig& redis, const FirestoreConfig& firestore) {
    if (!firestore.isEmulator()) {
        return Error::permission(tr("A forced seed deletes data, so it only writes to the Firestore emulator on this "
                                    "machine; refused production Firestore project \"%1\" (FIRESTORE_EMULATOR_HOST "
                                    "is not set).")
                                     .arg(firestore.projectId));
    }
    if (!isLoopbackHost(hostOfHostPort(firestore.emulatorHost))) {
        return Error::permission(tr("A forced seed deletes data, so it only writes to a Firestore emulator on this "
                                    "machine (127.0.0.1, localhost or ::1); refused the emulator at %1.")
                                     .arg(firestore.emulatorHost));
    }
    if (!redis.isLoopback()) {
        return Error::permission(tr("A forced seed deletes data, so it only writes to a Redis on this machine "
                                    "(127.0.0.1, localhost or ::1); refused Redis at %1.")
                                     .arg(redis.redactedUrl()));
    }
    return {};
}

Async<BackendSeedReport> BackendSeeder::seed(DemoPopulation population, BackendSeedOptions options) {
    if (options.force) {
        if (Status allowed = checkForceTarget(m_redis->config(), m_firestore->config()); !allowed) {
            return ready(Result<BackendSeedReport>(allowed.error()));
        }
    }
    auto run = std::make_shared<Run>();
    run->options = std::move(options);
    run->options.writesPerCommit = std::clamp(run->options.writesPerCommit, 1, FirestoreClient::kMaxWritesPerCommit);
    run->options.commitsInFlight = std::max(run->options.commitsInFlight, 1);
    run->options.pipelinesInFlight = std::max(run->options.pipelinesInFlight, 1);
    run->promise = makePromise<BackendSeedReport>();

    const QList<Command> commands = redisCommands(population, run->options.redisLayout, run->options.force);
    QSet<QByteArray> keys;
    for (const Command& c : commands) {
        if (c.first() != "DEL") {
            keys.insert(c.value(1));
        }
    }
    run->report.redisKeys = keys.size();
    run->report.redisCommands = commands.size();
    run->pipelines = splitIntoPipelines(commands, std::max(run->options.argumentsPerPipeline, 1));
    run->report.redisPipelines = run->pipelines.size();

    const QList<FirestoreWrite> writes = firestoreWrites(population);
    run->report.firestoreDocuments = writes.size();
    for (qsizetype i = 0; i < writes.size(); i += run->options.writesPerCommit) {
        run->batches.append(writes.mid(i, run->options.writesPerCommit));
    }
    run->report.firestoreCommits = run->batches.size();

    auto future = run->promise->future();
    checkTargets(run);
    return future;
}

void BackendSeeder::fail(const std::shared_ptr<Run>& run, Error error) {
    if (run->failed) {
        return;
    }
    run->failed = true;
    finish(run->promise, Result<BackendSeedReport>(std::move(error)));
}

void BackendSeeder::checkTargets(std::shared_ptr<Run> run) {
    findExistingRedisData().then(guarded(this, [this, run](const Result<QStringList>& redisFound) {
        if (!redisFound) {
            fail(run, redisFound.error());
            return;
        }
        findExistingFirestoreData().then(
            guarded(this, [this, run, redisFound](const Result<QStringList>& firestoreFound) {
                if (!firestoreFound) {
                    fail(run, firestoreFound.error());
                    return;
                }
                QStringList what;
                if (!redisFound->isEmpty()) {
                    what.append(QStringLiteral("Redis %1 already holds fairuse keys (%2)")
                                    .arg(m_redis->describe(), redisFound->join(QStringLiteral(", "))));
                }
                if (!firestoreFound->isEmpty()) {
                    what.append(QStringLiteral("Firestore %1 already holds fairuse documents (%2)")
                                    .arg(m_firestore->describe(), firestoreFound->join(QStringLiteral(", "))));
                }
                if (!what.isEmpty() && !run->options.force) {
                    fail(run, Error::conflict(what.join(QStringLiteral("; "))));
                    return;
                }
                for (const QString& line : what) {
                    run->progress(QStringLiteral("%1: writing over it (force)").arg(line));
                }
                run->timer.start();
                run->nextProgressAt = run->report.redisCommands / 10;
                if (run->options.force && !firestoreFound->isEmpty()) {
                    // Cleared before Redis is written, so a failure here leaves Redis untouched.
                    clearFirestore(run, 0);
                    return;
                }
                pumpRedis(run);
            }));
    }));
}

void BackendSeeder::clearFirestore(std::shared_ptr<Run> run, int queryIndex) {
    const QList<FirestoreQuery> queries = replacedCollections();
    if (queryIndex >= queries.size()) {
        run->progress(QStringLiteral("firestore: deleted %1 documents of the collections the seed replaces")
                          .arg(run->report.firestoreDeleted));
        run->timer.start();
        pumpRedis(run);
        return;
    }
    // Deleted documents drop out of the query, so asking again from the start pages through the collection.
    m_firestore->runQuery(queries.at(queryIndex))
        .then(guarded(this, [this, run, queryIndex](const Result<QList<FirestoreDocument>>& r) {
            if (!r) {
                fail(run, r.error());
                return;
            }
            if (r->isEmpty()) {
                clearFirestore(run, queryIndex + 1);
                return;
            }
            QList<FirestoreWrite> deletes;
            for (const FirestoreDocument& doc : *r) {
                deletes.append(FirestoreWrite::remove(doc.relativePath()));
            }
            const auto count = deletes.size();
            m_firestore->commit(deletes).then(guarded(this, [this, run, queryIndex,
                                                             count](const Result<CommitResponse>& c) {
                if (!c) {
                    fail(run,
                         Error{c.error().kind,
                               QStringLiteral("deleting the existing fairuse documents: %1").arg(c.error().message)});
                    return;
                }
                run->report.firestoreDeleted += count;
                clearFirestore(run, queryIndex);
            }));
        }));
}

void BackendSeeder::pumpRedis(std::shared_ptr<Run> run) {
    if (run->failed) {
        return;
    }
    if (run->nextPipeline >= run->pipelines.size() && run->pipelinesInFlight == 0) {
        run->report.redisMs = run->timer.restart();
        run->progress(QStringLiteral("redis: %1 keys written with %2 commands in %3 pipelines (%4 ms)")
                          .arg(run->report.redisKeys)
                          .arg(run->report.redisCommands)
                          .arg(run->report.redisPipelines)
                          .arg(run->report.redisMs));
        run->pipelines.clear();
        startFirestore(run);
        return;
    }
    while (run->pipelinesInFlight < run->options.pipelinesInFlight && run->nextPipeline < run->pipelines.size()) {
        const qsizetype index = run->nextPipeline++;
        const auto count = run->pipelines.at(index).size();
        ++run->pipelinesInFlight;
        m_redis->pipeline(run->pipelines.at(index))
            .then(guarded(this, [this, run, count](const Result<QList<RedisReply>>& r) {
                --run->pipelinesInFlight;
                if (run->failed) {
                    return;
                }
                if (!r) {
                    fail(run, Error{r.error().kind, QStringLiteral("writing to Redis after %1 of %2 commands: %3")
                                                        .arg(run->commandsDone)
                                                        .arg(run->report.redisCommands)
                                                        .arg(r.error().message)});
                    return;
                }
                for (const RedisReply& reply : *r) {
                    if (reply.isError()) {
                        fail(run, Error::internal(QStringLiteral("Redis at %1 refused a seed command: %2")
                                                      .arg(m_redis->describe(), QString::fromUtf8(reply.text()))));
                        return;
                    }
                }
                run->advance(run->commandsDone, count, run->report.redisCommands, QStringLiteral("redis"),
                             QStringLiteral("commands"));
                pumpRedis(run);
            }));
    }
}

void BackendSeeder::startFirestore(std::shared_ptr<Run> run) {
    run->nextProgressAt = run->report.firestoreDocuments / 10;
    pumpFirestore(run);
}

void BackendSeeder::pumpFirestore(std::shared_ptr<Run> run) {
    if (run->failed) {
        return;
    }
    if (run->nextBatch >= run->batches.size() && run->commitsInFlight == 0) {
        run->report.firestoreMs = run->timer.elapsed();
        run->progress(QStringLiteral("firestore: %1 documents written in %2 commits (%3 ms)")
                          .arg(run->report.firestoreDocuments)
                          .arg(run->report.firestoreCommits)
                          .arg(run->report.firestoreMs));
        run->batches.clear();
        finish(run->promise, Result<BackendSeedReport>(run->report));
        return;
    }
    while (run->commitsInFlight < run->options.commitsInFlight && run->nextBatch < run->batches.size()) {
        const qsizetype index = run->nextBatch++;
        const auto count = run->batches.at(index).size();
        ++run->commitsInFlight;
        m_firestore->commit(run->batches.at(index))
            .then(guarded(this, [this, run, count](const Result<CommitResponse>& c) {
                --run->commitsInFlight;
                if (run->failed) {
                    return;
                }
                if (!c) {
                    fail(run, Error{c.error().kind,
                                    QStringLiteral("writing to Firestore after %1 of %2 documents (Redis is fully "
                                                   "written; rerun with force to replace the partial seed): %3")
                                        .arg(run->documentsDone)
                                        .arg(run->report.firestoreDocuments)
                                        .arg(c.error().message)});
                    return;
                }
                run->advance(run->documentsDone, count, run->report.firestoreDocuments, QStringLiteral("firestore"),
                             QStringLiteral("documents"));
                pumpFirestore(run);
            }));
    }
}

} // namespace fairuse::services
