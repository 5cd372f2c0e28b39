// fairuse seed: fills the embedded store or a Redis + Firestore pair with the demo population.
#include "Commands.h"
#include "RedisUrl.h"

#include "common/Await.h"
#include "common/Time.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "firestore/FirestoreClient.h"
#include "redis/RedisClient.h"
#include "seed/BackendSeeder.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <chrono>

namespace fairuse::cli {

namespace {

using services::DemoOptions;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
/** Up to this many flagged users are all detailed (conversations, minute buckets); beyond, the rest are bulk. */
constexpr int kDetailedFlaggedMax = 600;

/** Generous per-command limits: a seed pipeline carries thousands of commands. */
constexpr int kRedisCommandTimeoutMs = 60000;
constexpr int kSeedTimeoutMs = 60 * 60 * 1000;
constexpr int kProbeTimeoutMs = 120000;

const char* const kHelp =
    "Usage: fairuse seed [--store embedded] [--db PATH] [COMMON]\n"
    "       fairuse seed --store redis+firestore --redis URL --firestore PROJECT [--redis-layout v2|legacy]\n"
    "                    [--emulator] [--allow-plaintext-redis] [--token-command CMD] [COMMON]\n"
    "COMMON: [--users N] [--flagged N] [--seed S] [--now RFC3339] [--force]\n"
    "\n"
    "Fills a store with the deterministic demo population: users whose daily speech has a median of 12.7 min,\n"
    "a P95 of 2.1 h and a P99 of 3.4 h, and flagged users of every kind (audiobooks, podcasts, TV, commercial\n"
    "dictation, and legitimate heavy users who exceed the caps but score low), with conversations, cases,\n"
    "classifier evidence, a chained audit trail, reviewers, minute buckets, STT budgets, LLM spend and appeals\n"
    "(some throttled and restricted users contest their latest case; most appeals open, two upheld).\n"
    "\n"
    "Options:\n"
    "  --store KIND      embedded (default) or redis+firestore\n"
    "  --db PATH         SQLite file of the embedded store (default: the application data folder's demo.sqlite;\n"
    "                    the path is printed)\n"
    "  --redis URL       redis+firestore: redis://[USER@]HOST[:PORT][/DB] or rediss:// for TLS. The minute buckets,\n"
    "                    stage cache and STT budgets go there in the backend's key layout (SPEC 4.1)\n"
    "  --redis-layout L  v2 (default): fair_use:v2:{speech,bucket}:SOURCE:UID for every source; legacy: the old\n"
    "                    backend's fair_use:{speech,bucket}:UID with the enforced sources only\n"
    "  --firestore PROJECT  redis+firestore: Google Cloud project id. States, cases, conversations, the audit\n"
    "                    trail, reviewer roles, exemptions and LLM spend go there (SPEC 4.2). With\n"
    "                    FIRESTORE_EMULATOR_HOST=host:port set, the emulator is used with admin access and no token,\n"
    "                    for a demo-* project or with --emulator; for any other project the variable is refused, so\n"
    "                    a variable left in the shell never turns a real project into an emulator session\n"
    "  --emulator        the project is the emulator's although its id does not start with demo-\n"
    "  --allow-plaintext-redis  accept redis:// (no TLS) to another machine; without it only rediss:// or a Redis\n"
    "                    on this machine is accepted, because the password and the data would cross the network\n"
    "                    in clear text\n"
    "  --token-command CMD  command printing an OAuth access token for production Firestore (default: gcloud auth\n"
    "                    print-access-token); run without a shell, split on spaces\n"
    "  --users N         users drawn from the speech distribution (default 2000)\n"
    "  --flagged N       users with fair-use cases (default 120: 24 of each kind). Up to 600 are detailed; above\n"
    "                    that, 120 are detailed and the rest are scale-test users with cases and window totals only\n"
    "  --seed S          random seed (default 20260323); the same seed and --now give the same population\n"
    "  --now RFC3339     reference time of the population (default: now). The embedded store's clock stays at it.\n"
    "  --force           write into a store that already holds fairuse data. Only a local test set-up is accepted:\n"
    "                    redis+firestore needs the Firestore emulator and Redis both on this machine (127.0.0.1,\n"
    "                    localhost or ::1); any other target is refused. Embedded: the file is replaced (a file\n"
    "                    that is not a fairuse store is never touched). Redis: the speech keys (both layouts) and\n"
    "                    stage cache of the population's users are deleted first, other keys stay. Firestore: "
    "fair_use_state, fair_use_events and fair_use_appeals\n"
    "                    of every user, the audit trail and its head, idempotency records and exemptions are deleted\n"
    "                    first;\n"
    "                    conversations, spend records and reviewer roles are written over by id\n"
    "\n"
    "Redis password: put it in the environment variable FAIRUSE_REDIS_PASSWORD rather than in the URL, so it never\n"
    "appears on a command line or in shell history (as for fairuse usage). With an ACL user, give the user in the\n"
    "URL: redis://alice@host:6379.\n"
    "\n"
    "Prints one JSON object describing what was written; progress goes to standard error.\n"
    "Exit codes: 0 done, 1 failed (server unreachable or refused, the target already holds data and no --force, or\n"
    "--force aimed at a target that is not a local emulator), 2 usage error.\n";

bool removeStoreFiles(const QString& path, QString* why) {
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const QString file = path + suffix;
        if (QFile::exists(file) && !QFile::remove(file)) {
            *why = QStringLiteral("cannot remove %1").arg(file);
            return false;
        }
    }
    return true;
}

/** What every seed prints about the population it wrote. */
QJsonObject populationSummary(const services::DemoPopulation& pop, const DemoOptions& options) {
    int flagged = 0;
    for (const FairUseState& s : pop.states) {
        flagged += s.stage != Stage::None ? 1 : 0;
    }
    return QJsonObject{
        {QStringLiteral("reference_time"), formatRfc3339(pop.referenceTime)},
        {QStringLiteral("seed"), QString::number(options.seed)},
        {QStringLiteral("users"), static_cast<qint64>(pop.users.size())},
        {QStringLiteral("states"), static_cast<qint64>(pop.states.size())},
        {QStringLiteral("flagged"), flagged},
        {QStringLiteral("events"), static_cast<qint64>(pop.events.size())},
        {QStringLiteral("conversations"), static_cast<qint64>(pop.conversations.size())},
        {QStringLiteral("minute_buckets"), static_cast<qint64>(pop.minutes.size())},
        {QStringLiteral("audit_records"), static_cast<qint64>(pop.audit.size())},
        {QStringLiteral("appeals"), static_cast<qint64>(pop.appeals.size())},
        {QStringLiteral("open_appeals"),
         static_cast<qint64>(
             std::count_if(pop.appeals.cbegin(), pop.appeals.cend(), [](const Appeal& a) { return a.isOpen(); }))},
        {QStringLiteral("spend_records"), static_cast<qint64>(pop.spend.size())},
        {QStringLiteral("reviewers"), static_cast<qint64>(pop.reviewers.size())},
        {QStringLiteral("demo_reviewer"), QString::fromLatin1(services::kDemoReviewerEmail)},
    };
}

int seedEmbedded(const QString& path, const DemoOptions& options, bool force, Io io) {
    const QFileInfo info(path);
    if (info.exists() && info.size() > 0) {
        // Open it first: a file that is not a fairuse store is refused here, and never removed below.
        auto existing = services::EmbeddedDatabase::openBlocking(path);
        if (!existing) {
            io.err << "fairuse seed: " << existing.error().message << "\n";
            return kExitFailed;
        }
        auto empty = services::awaitResult((*existing)->isEmpty());
        if (!empty) {
            io.err << "fairuse seed: " << empty.error().message << "\n";
            return kExitFailed;
        }
        existing->reset(); // close it before replacing the file
        if (!*empty) {
            if (!force) {
                io.err << "fairuse seed: " << path << " already holds a store; pass --force to replace it\n";
                return kExitFailed;
            }
            QString why;
            if (!removeStoreFiles(path, &why)) {
                io.err << "fairuse seed: " << why << "\n";
                return kExitFailed;
            }
        }
    }

    io.err << "fairuse seed: writing the demo population to " << path << "\n";
    io.err.flush();
    QElapsedTimer timer;
    timer.start();
    const services::DemoPopulation pop = services::generateDemoPopulation(options);
    const qint64 generatedMs = timer.restart();
    auto db = services::EmbeddedDatabase::openBlocking(path);
    if (!db) {
        io.err << "fairuse seed: " << db.error().message << "\n";
        return kExitFailed;
    }
    const Status written = services::writeToEmbedded(pop, **db);
    if (!written) {
        io.err << "fairuse seed: " << written.error().message << "\n";
        return kExitFailed;
    }
    const qint64 writtenMs = timer.elapsed();

    QJsonObject summary = populationSummary(pop, options);
    summary.insert(QStringLiteral("store"), QStringLiteral("embedded"));
    summary.insert(QStringLiteral("db"), QFileInfo(path).absoluteFilePath());
    summary.insert(QStringLiteral("generate_ms"), generatedMs);
    summary.insert(QStringLiteral("write_ms"), writtenMs);
    io.out << QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)) << "\n";
    return kExitOk;
}

/** Where the Redis + Firestore pair is and how to reach it. */
struct BackendTarget {
    services::RedisConfig redis;
    services::FirestoreConfig firestore;
    QString tokenCommand;
    services::BackendSeedOptions::RedisLayout layout = services::BackendSeedOptions::RedisLayout::V2;
};

/** The server's error with what the user should check: which server, and for the emulator whether it runs. */
QString explain(const Error& e, const services::RedisClient& redis, const services::FirestoreClient& firestore,
                bool fromFirestore) {
    if (!fromFirestore) {
        if (e.kind == ErrorKind::Unavailable) {
            return QStringLiteral("%1 (is redis-server running at %2?)").arg(e.message, redis.describe());
        }
        if (e.kind == ErrorKind::Permission || e.message.contains(QLatin1String("NOAUTH"))) {
            return QStringLiteral("%1 (give the password in the environment variable %2, and an ACL user in the URL)")
                .arg(e.message, QString::fromLatin1(kRedisPasswordVariable));
        }
        return e.message;
    }
    const services::FirestoreConfig& c = firestore.config();
    switch (e.kind) {
    case ErrorKind::Unavailable:
        return c.isEmulator()
                   ? QStringLiteral("%1 (is the Firestore emulator running at %2? FIRESTORE_EMULATOR_HOST names it)")
                         .arg(e.message, c.emulatorHost)
                   : e.message;
    case ErrorKind::NotFound:
        return QStringLiteral("%1 (is \"%2\" the right project, with a Firestore database?)")
            .arg(e.message, c.projectId);
    case ErrorKind::Permission:
        return QStringLiteral("%1 (may this credential write to project \"%2\"? is it the right project?)")
            .arg(e.message, c.projectId);
    default:
        return e.message;
    }
}

int seedBackend(const BackendTarget& target, const DemoOptions& options, bool force, Io io) {
    services::RedisClient redis(target.redis);
    std::shared_ptr<services::TokenProvider> tokens;
    if (target.firestore.isEmulator()) {
        tokens = services::StaticToken::emulatorOwner();
    } else {
        QStringList parts = target.tokenCommand.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        const QString program = parts.takeFirst();
        tokens = std::make_shared<services::CommandToken>(program, parts);
    }
    auto firestore = std::make_shared<services::FirestoreClient>(target.firestore, tokens);
    services::BackendSeeder seeder(&redis, firestore);

    // Both targets are probed before the population is generated, so a server that is down or a target that already
    // holds data is reported at once.
    const auto redisFound = services::awaitResult(seeder.findExistingRedisData(), kProbeTimeoutMs);
    if (!redisFound) {
        io.err << "fairuse seed: " << explain(redisFound.error(), redis, *firestore, false) << "\n";
        return kExitFailed;
    }
    const auto firestoreFound = services::awaitResult(seeder.findExistingFirestoreData(), kProbeTimeoutMs);
    if (!firestoreFound) {
        io.err << "fairuse seed: " << firestore->describe() << ": "
               << explain(firestoreFound.error(), redis, *firestore, true) << "\n";
        return kExitFailed;
    }
    if (!force && (!redisFound->isEmpty() || !firestoreFound->isEmpty())) {
        if (!redisFound->isEmpty()) {
            io.err << "fairuse seed: Redis " << redis.describe() << " already holds fairuse keys ("
                   << redisFound->join(QStringLiteral(", ")) << ")\n";
        }
        if (!firestoreFound->isEmpty()) {
            io.err << "fairuse seed: Firestore " << firestore->describe() << " already holds fairuse documents ("
                   << firestoreFound->join(QStringLiteral(", ")) << ")\n";
        }
        io.err << "fairuse seed: nothing written; pass --force to write over it (see fairuse seed --help)\n";
        return kExitFailed;
    }

    io.err << "fairuse seed: writing the demo population to " << redis.describe() << " and " << firestore->describe()
           << "\n";
    io.err.flush();
    QElapsedTimer timer;
    timer.start();
    const services::DemoPopulation pop = services::generateDemoPopulation(options);
    const qint64 generatedMs = timer.restart();

    services::BackendSeedOptions seedOptions;
    seedOptions.redisLayout = target.layout;
    seedOptions.force = force;
    seedOptions.progress = [&io](const QString& line) {
        io.err << "fairuse seed: " << line << "\n";
        io.err.flush();
    };
    const auto report = services::awaitResult(seeder.seed(pop, seedOptions), kSeedTimeoutMs);
    if (!report) {
        // Firestore errors name Firestore; the rest came from the Redis side.
        const bool fromRedis = !report.error().message.contains(QLatin1String("Firestore"));
        io.err << "fairuse seed: " << explain(report.error(), redis, *firestore, !fromRedis) << "\n";
        return kExitFailed;
    }
    const qint64 writtenMs = timer.elapsed();

    QJsonObject summary = populationSummary(pop, options);
    summary.insert(QStringLiteral("store"), QStringLiteral("redis+firestore"));
    summary.insert(QStringLiteral("redis"), redis.describe());
    summary.insert(QStringLiteral("redis_layout"), target.layout == services::BackendSeedOptions::RedisLayout::V2
                                                       ? QStringLiteral("v2")
                                                       : QStringLiteral("legacy"));
    summary.insert(QStringLiteral("firestore"), firestore->describe());
    summary.insert(QStringLiteral("stt_budgets"), static_cast<qint64>(pop.sttBudget.size()));
    summary.insert(QStringLiteral("exemptions"), static_cast<qint64>(pop.exemptions.size()));
    summary.insert(QStringLiteral("redis_keys"), report->redisKeys);
    summary.insert(QStringLiteral("redis_commands"), report->redisCommands);
    summary.insert(QStringLiteral("redis_pipelines"), report->redisPipelines);
    summary.insert(QStringLiteral("firestore_documents"), report->firestoreDocuments);
    summary.insert(QStringLiteral("firestore_commits"), report->firestoreCommits);
    summary.insert(QStringLiteral("firestore_deleted"), report->firestoreDeleted);
    summary.insert(QStringLiteral("replaced_existing"), !redisFound->isEmpty() || !firestoreFound->isEmpty());
    summary.insert(QStringLiteral("generate_ms"), generatedMs);
    summary.insert(QStringLiteral("redis_ms"), report->redisMs);
    summary.insert(QStringLiteral("firestore_ms"), report->firestoreMs);
    summary.insert(QStringLiteral("write_ms"), writtenMs);
    io.out << QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)) << "\n";
    return kExitOk;
}

} // namespace

int runSeed(const QStringList& args, Io io) {
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QString());
    const QCommandLineOption store(QStringLiteral("store"), QString(), QStringLiteral("KIND"),
                                   QStringLiteral("embedded"));
    const QCommandLineOption dbPath(QStringLiteral("db"), QString(), QStringLiteral("PATH"));
    const QCommandLineOption users(QStringLiteral("users"), QString(), QStringLiteral("N"));
    const QCommandLineOption flagged(QStringLiteral("flagged"), QString(), QStringLiteral("N"));
    const QCommandLineOption seed(QStringLiteral("seed"), QString(), QStringLiteral("S"));
    const QCommandLineOption now(QStringLiteral("now"), QString(), QStringLiteral("RFC3339"));
    const QCommandLineOption force(QStringLiteral("force"), QString());
    const QCommandLineOption redis(QStringLiteral("redis"), QString(), QStringLiteral("URL"));
    const QCommandLineOption firestore(QStringLiteral("firestore"), QString(), QStringLiteral("PROJECT"));
    const QCommandLineOption redisLayout(QStringLiteral("redis-layout"), QString(), QStringLiteral("LAYOUT"),
                                         QStringLiteral("v2"));
    const QCommandLineOption tokenCommand(QStringLiteral("token-command"), QString(), QStringLiteral("CMD"),
                                          QStringLiteral("gcloud auth print-access-token"));
    const QCommandLineOption emulator(QStringLiteral("emulator"), QString());
    const QCommandLineOption allowPlaintextRedis(QStringLiteral("allow-plaintext-redis"), QString());
    parser.addOptions({help, store, dbPath, users, flagged, seed, now, force, redis, firestore, redisLayout,
                       tokenCommand, emulator, allowPlaintextRedis});
    if (!parser.parse(QStringList{QStringLiteral("fairuse seed")} + args)) {
        io.err << "fairuse seed: " << parser.errorText() << "\n" << kHelp;
        return kExitUsage;
    }
    if (parser.isSet(help)) {
        io.out << kHelp;
        return kExitOk;
    }
    if (!parser.positionalArguments().isEmpty()) {
        io.err << "fairuse seed: unexpected argument \"" << parser.positionalArguments().first() << "\"\n" << kHelp;
        return kExitUsage;
    }

    const QString kind = parser.value(store);
    const bool backend = kind == QLatin1String("redis+firestore");
    if (!backend && kind != QLatin1String("embedded")) {
        io.err << "fairuse seed: unknown store \"" << kind << "\" (embedded or redis+firestore)\n";
        return kExitUsage;
    }
    BackendTarget target;
    if (backend) {
        if (parser.isSet(dbPath)) {
            io.err << "fairuse seed: --db is for --store embedded; redis+firestore takes --redis and --firestore\n";
            return kExitUsage;
        }
        if (!parser.isSet(redis) || parser.value(redis).isEmpty()) {
            io.err << "fairuse seed: --store redis+firestore needs --redis URL (e.g. redis://127.0.0.1:6379/0)\n";
            return kExitUsage;
        }
        if (!parser.isSet(firestore) || parser.value(firestore).isEmpty()) {
            io.err << "fairuse seed: --store redis+firestore needs --firestore PROJECT\n";
            return kExitUsage;
        }
        Result<RedisUrl> url = readRedisUrl(parser.value(redis), parser.isSet(allowPlaintextRedis));
        if (!url) {
            io.err << "fairuse seed: " << url.error().message << "\n";
            return kExitUsage;
        }
        if (url->passwordInUrl) {
            io.err << "fairuse seed: warning: " << passwordInUrlWarning() << "\n";
        }
        url->config.commandTimeoutMs = kRedisCommandTimeoutMs;
        target.redis = url->config;

        const QString project = parser.value(firestore);
        // Google Cloud project ids (optionally domain-scoped, "example.com:project"); anything else cannot name one.
        static const QRegularExpression projectId(
            QStringLiteral("^([a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$"));
        if (!projectId.match(project).hasMatch()) {
            io.err << "fairuse seed: --firestore \"" << project.left(80)
                   << "\" is not a Google Cloud project id (6 to 30 lower-case letters, digits and hyphens, starting "
                      "with a letter)\n";
            return kExitUsage;
        }
        auto firestoreConfig = services::FirestoreConfig::forCommandLine(
            project, qEnvironmentVariable("FIRESTORE_EMULATOR_HOST"), parser.isSet(emulator));
        if (!firestoreConfig) {
            io.err << "fairuse seed: " << firestoreConfig.error().message << "\n";
            return kExitUsage;
        }
        target.firestore = *firestoreConfig;
        target.tokenCommand = parser.value(tokenCommand).trimmed();
        if (target.tokenCommand.isEmpty()) {
            io.err << "fairuse seed: --token-command needs a command\n";
            return kExitUsage;
        }
        const QString layout = parser.value(redisLayout);
        if (layout == QLatin1String("legacy")) {
            target.layout = services::BackendSeedOptions::RedisLayout::Legacy;
        } else if (layout != QLatin1String("v2")) {
            io.err << "fairuse seed: --redis-layout must be v2 or legacy, not \"" << layout.left(40) << "\"\n";
            return kExitUsage;
        }
    } else {
        for (const QCommandLineOption* o :
             {&redis, &firestore, &redisLayout, &tokenCommand, &emulator, &allowPlaintextRedis}) {
            if (parser.isSet(*o)) {
                io.err << "fairuse seed: --" << o->names().first()
                       << " is for --store redis+firestore; --store embedded takes --db\n";
                return kExitUsage;
            }
        }
    }

    DemoOptions options;
    auto intOption = [&](const QCommandLineOption& o, int min, int max, int fallback, bool* ok) {
        if (!parser.isSet(o)) {
            return fallback;
        }
        bool parsed = false;
        const int v = parser.value(o).toInt(&parsed);
        if (!parsed || v < min || v > max) {
            io.err << "fairuse seed: --" << o.names().first() << " must be a whole number from " << min << " to " << max
                   << "\n";
            *ok = false;
        }
        return v;
    };
    bool ok = true;
    options.users = intOption(users, 1, 1'000'000, options.users, &ok);
    const int flaggedCount = intOption(flagged, 0, 1'000'000, 5 * options.flaggedPerKind, &ok);
    if (!ok) {
        return kExitUsage;
    }
    if (flaggedCount <= kDetailedFlaggedMax) {
        options.flaggedPerKind = (flaggedCount + 4) / 5;
        options.bulkFlagged = 0;
    } else {
        options.bulkFlagged = flaggedCount - 5 * options.flaggedPerKind;
    }
    if (parser.isSet(seed)) {
        bool parsed = false;
        options.seed = parser.value(seed).toULongLong(&parsed);
        if (!parsed) {
            io.err << "fairuse seed: --seed must be a non-negative whole number\n";
            return kExitUsage;
        }
    }
    if (parser.isSet(now)) {
        auto t = parseRfc3339(parser.value(now));
        if (!t) {
            io.err << "fairuse seed: --now: " << t.error().message << "\n";
            return kExitUsage;
        }
        options.referenceTime = *t;
    } else {
        options.referenceTime = std::chrono::time_point_cast<Milliseconds>(std::chrono::system_clock::now());
    }

    if (backend) {
        if (parser.isSet(force)) {
            // Checked before anything connects: --force deletes, so only a local test set-up may receive it.
            if (const Status allowed = services::BackendSeeder::checkForceTarget(target.redis, target.firestore);
                !allowed) {
                io.err << "fairuse seed: --force refused: " << allowed.error().message << "\n";
                return kExitFailed;
            }
        }
        return seedBackend(target, options, parser.isSet(force), io);
    }
    const QString path = parser.isSet(dbPath) ? parser.value(dbPath) : services::defaultEmbeddedStorePath();
    if (path.isEmpty()) {
        io.err << "fairuse seed: no --db given and no application data folder is known\n";
        return kExitUsage;
    }
    return seedEmbedded(path, options, parser.isSet(force), io);
}

} // namespace fairuse::cli
