// fairuse seed: fills the embedded store (or, later, a Redis + Firestore pair) with the demo population.
#include "Commands.h"

#include "common/Await.h"
#include "common/Time.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>

namespace fairuse::cli {

namespace {

using services::DemoOptions;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
/** Up to this many flagged users are all detailed (conversations, minute buckets); beyond, the rest are bulk. */
constexpr int kDetailedFlaggedMax = 600;

const char* const kHelp =
    "Usage: fairuse seed --store embedded [--db PATH] [--users N] [--flagged N] [--seed S] [--now RFC3339] [--force]\n"
    "\n"
    "Fills a store with the deterministic demo population: users whose daily speech has a median of 12.7 min,\n"
    "a P95 of 2.1 h and a P99 of 3.4 h, and flagged users of every kind (audiobooks, podcasts, TV, commercial\n"
    "dictation, and legitimate heavy users who exceed the caps but score low), with conversations, cases,\n"
    "classifier evidence, a chained audit trail, reviewers, minute buckets, STT budgets and LLM spend.\n"
    "\n"
    "Options:\n"
    "  --store KIND      embedded (default). redis+firestore (with --redis URL --firestore PROJECT) is not yet\n"
    "                    supported: it exits with code 2.\n"
    "  --db PATH         SQLite file of the embedded store (default: the application data folder's demo.sqlite;\n"
    "                    the path is printed)\n"
    "  --users N         users drawn from the speech distribution (default 2000)\n"
    "  --flagged N       users with fair-use cases (default 120: 24 of each kind). Up to 600 are detailed; above\n"
    "                    that, 120 are detailed and the rest are scale-test users with cases and window totals only\n"
    "  --seed S          random seed (default 20260323); the same seed and --now give the same population\n"
    "  --now RFC3339     reference time of the population (default: now). The embedded store's clock stays at it.\n"
    "  --force           replace a store that already holds data (a file that is not a fairuse store is never\n"
    "                    touched)\n"
    "\n"
    "Prints one JSON object describing what was written. Exit codes: 0 done, 1 failed, 2 usage error.\n";

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

    int flagged = 0;
    for (const FairUseState& s : pop.states) {
        flagged += s.stage != Stage::None ? 1 : 0;
    }
    const QJsonObject summary{
        {QStringLiteral("store"), QStringLiteral("embedded")},
        {QStringLiteral("db"), QFileInfo(path).absoluteFilePath()},
        {QStringLiteral("reference_time"), formatRfc3339(pop.referenceTime)},
        {QStringLiteral("seed"), QString::number(options.seed)},
        {QStringLiteral("users"), static_cast<qint64>(pop.users.size())},
        {QStringLiteral("states"), static_cast<qint64>(pop.states.size())},
        {QStringLiteral("flagged"), flagged},
        {QStringLiteral("events"), static_cast<qint64>(pop.events.size())},
        {QStringLiteral("conversations"), static_cast<qint64>(pop.conversations.size())},
        {QStringLiteral("minute_buckets"), static_cast<qint64>(pop.minutes.size())},
        {QStringLiteral("audit_records"), static_cast<qint64>(pop.audit.size())},
        {QStringLiteral("spend_records"), static_cast<qint64>(pop.spend.size())},
        {QStringLiteral("reviewers"), static_cast<qint64>(pop.reviewers.size())},
        {QStringLiteral("demo_reviewer"), QString::fromLatin1(services::kDemoReviewerEmail)},
        {QStringLiteral("generate_ms"), generatedMs},
        {QStringLiteral("write_ms"), writtenMs},
    };
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
    parser.addOptions({help, store, dbPath, users, flagged, seed, now, force, redis, firestore});
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
    if (kind == QLatin1String("redis+firestore")) {
        io.err << "fairuse seed: --store redis+firestore is not yet supported; use --store embedded\n";
        return kExitUsage;
    }
    if (kind != QLatin1String("embedded")) {
        io.err << "fairuse seed: unknown store \"" << kind << "\" (embedded or redis+firestore)\n";
        return kExitUsage;
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

    const QString path = parser.isSet(dbPath) ? parser.value(dbPath) : services::defaultEmbeddedStorePath();
    if (path.isEmpty()) {
        io.err << "fairuse seed: no --db given and no application data folder is known\n";
        return kExitUsage;
    }
    return seedEmbedded(path, options, parser.isSet(force), io);
}

} // namespace fairuse::cli
