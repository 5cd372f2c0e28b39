// fairuse queue: the flagged-user queue from Firestore (or its emulator), in queue order.
#include "Commands.h"

#include "common/Await.h"
#include "firestore/FirestoreCaseStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace fairuse::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitPermission = 4;
constexpr int kExitUnavailable = 5;

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 10000;
constexpr int kPageSize = 300;
constexpr int kPageTimeoutMs = 120000;

const char* const kHelp =
    "Usage: fairuse queue --firestore PROJECT [--stage STAGE] [--limit N] [--json] [--token-command CMD]\n"
    "                     [--emulator]\n"
    "\n"
    "Prints the flagged-user queue (stage warning, throttle or restrict), newest update first, as the console\n"
    "shows it: a collection-group query on fair_use_state ordered by updated_at descending.\n"
    "\n"
    "Options:\n"
    "  --firestore PROJECT  Google Cloud project id (required)\n"
    "  --stage STAGE        only warning, throttle or restrict\n"
    "  --limit N            at most N users (default 50, at most 10000); pages of 300 are fetched as needed\n"
    "  --json               one JSON array of objects {uid, stage, updated_at, last_classifier_score,\n"
    "                       last_classifier_type, last_case_ref, exempt}; absent values are null\n"
    "  --token-command CMD  command printing an OAuth access token (default: gcloud auth print-access-token);\n"
    "                       run without a shell, split on spaces\n"
    "  --emulator           the project is the emulator's although its id does not start with demo-\n"
    "  -h, --help           show this help\n"
    "\n"
    "With FIRESTORE_EMULATOR_HOST=host:port set, the emulator is used with admin access and no token, for a demo-*\n"
    "project or with --emulator. For any other project the variable is refused (exit 2), so that a variable left\n"
    "in the shell never shows the emulator's data as if it were a real project's.\n"
    "Without --json a table is printed.\n"
    "\n"
    "Exit status: 0 ok, 1 other error, 2 bad usage, 4 permission denied, 5 Firestore unreachable or busy.\n";

int exitCodeFor(const Error& e) {
    switch (e.kind) {
    case ErrorKind::Permission:
        return kExitPermission;
    case ErrorKind::Unavailable:
    case ErrorKind::Quota:
        return kExitUnavailable;
    default:
        return kExitError;
    }
}

QJsonValue optionalTime(const std::optional<TimePoint>& t) {
    return t ? QJsonValue(formatRfc3339(*t)) : QJsonValue(QJsonValue::Null);
}

QJsonObject rowJson(const services::QueueRow& row) {
    const FairUseState& s = row.state;
    return QJsonObject{
        {QStringLiteral("uid"), s.uid},
        {QStringLiteral("stage"), toString(s.stage)},
        {QStringLiteral("updated_at"), optionalTime(s.updatedAt)},
        {QStringLiteral("last_classifier_score"),
         s.lastClassifierScore ? QJsonValue(*s.lastClassifierScore) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("last_classifier_type"),
         s.lastClassifierType ? QJsonValue(toString(*s.lastClassifierType)) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("last_case_ref"),
         s.lastCaseRef.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s.lastCaseRef)},
        {QStringLiteral("exempt"), s.exempt},
    };
}

} // namespace

int runQueue(const QStringList& args, Io io) {
    QString project;
    std::optional<Stage> stage;
    int limit = kDefaultLimit;
    bool json = false;
    bool emulator = false;
    QString tokenCommand = QStringLiteral("gcloud auth print-access-token");

    const auto usage = [&io](const QString& message) {
        io.err << "fairuse queue: " << message << "\nTry: fairuse queue --help\n";
        return kExitUsage;
    };
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString& a = args.at(i);
        const auto value = [&](QString* out) {
            if (i + 1 >= args.size()) {
                return false;
            }
            *out = args.at(++i);
            return true;
        };
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            io.out << kHelp;
            return kExitOk;
        }
        if (a == QLatin1String("--json")) {
            json = true;
        } else if (a == QLatin1String("--emulator")) {
            emulator = true;
        } else if (a == QLatin1String("--firestore")) {
            if (!value(&project) || project.isEmpty()) {
                return usage(QStringLiteral("--firestore needs a project id"));
            }
        } else if (a == QLatin1String("--stage")) {
            QString s;
            if (!value(&s)) {
                return usage(QStringLiteral("--stage needs warning, throttle or restrict"));
            }
            stage = stageFromString(s);
            if (!stage || *stage == Stage::None) {
                return usage(QStringLiteral("--stage must be warning, throttle or restrict, not \"%1\"").arg(s));
            }
        } else if (a == QLatin1String("--limit")) {
            QString s;
            bool ok = false;
            if (value(&s)) {
                limit = s.toInt(&ok);
            }
            if (!ok || limit < 1 || limit > kMaxLimit) {
                return usage(QStringLiteral("--limit must be a number from 1 to %1").arg(kMaxLimit));
            }
        } else if (a == QLatin1String("--token-command")) {
            if (!value(&tokenCommand) || tokenCommand.trimmed().isEmpty()) {
                return usage(QStringLiteral("--token-command needs a command"));
            }
        } else {
            return usage(QStringLiteral("unknown option \"%1\"").arg(a));
        }
    }
    if (project.isEmpty()) {
        return usage(QStringLiteral("--firestore PROJECT is required"));
    }

    const Result<services::FirestoreConfig> target =
        services::FirestoreConfig::forCommandLine(project, qEnvironmentVariable("FIRESTORE_EMULATOR_HOST"), emulator);
    if (!target) {
        io.err << "fairuse queue: " << target.error().message << "\n";
        return kExitUsage;
    }
    const services::FirestoreConfig& config = *target;
    std::shared_ptr<services::TokenProvider> tokens;
    if (config.isEmulator()) {
        tokens = services::StaticToken::emulatorOwner();
    } else {
        QStringList parts = tokenCommand.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        const QString program = parts.takeFirst();
        tokens = std::make_shared<services::CommandToken>(program, parts);
    }
    auto client = std::make_shared<services::FirestoreClient>(config, tokens);
    services::FirestoreCaseStore::Options options;
    options.enrichQueueRows = false; // the listing needs the state only: one query per page
    services::FirestoreCaseStore store(client, options);

    services::QueueFilter filter;
    filter.stage = stage;
    QList<services::QueueRow> rows;
    QString cursor;
    do {
        const int want = std::min(kPageSize, limit - static_cast<int>(rows.size()));
        auto page = services::awaitResult(store.fetchQueuePage(filter, cursor, want), kPageTimeoutMs);
        if (!page) {
            io.err << "fairuse queue: " << store.describe() << ": " << page.error().message << "\n";
            return exitCodeFor(page.error());
        }
        rows += page->rows;
        cursor = page->nextCursor;
    } while (!cursor.isEmpty() && rows.size() < limit);

    if (json) {
        QJsonArray array;
        for (const auto& row : rows) {
            array.append(rowJson(row));
        }
        io.out << QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
        return kExitOk;
    }
    io.out << QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                  .arg(QStringLiteral("UID"), -28)
                  .arg(QStringLiteral("STAGE"), -8)
                  .arg(QStringLiteral("UPDATED"), -24)
                  .arg(QStringLiteral("SCORE"), 5)
                  .arg(QStringLiteral("TYPE"), -11)
                  .arg(QStringLiteral("CASE"));
    for (const auto& row : rows) {
        const FairUseState& s = row.state;
        io.out << QStringLiteral("%1  %2  %3  %4  %5  %6%7\n")
                      .arg(s.uid, -28)
                      .arg(toString(s.stage), -8)
                      .arg(s.updatedAt ? formatRfc3339(*s.updatedAt) : QStringLiteral("-"), -24)
                      .arg(s.lastClassifierScore ? QString::number(*s.lastClassifierScore, 'f', 2)
                                                 : QStringLiteral("-"),
                           5)
                      .arg(s.lastClassifierType ? toString(*s.lastClassifierType) : QStringLiteral("-"), -11)
                      .arg(s.lastCaseRef.isEmpty() ? QStringLiteral("-") : s.lastCaseRef)
                      .arg(s.exempt ? QStringLiteral("  (exempt)") : QString());
    }
    io.err << rows.size() << " flagged user(s) from " << store.describe() << "\n";
    return kExitOk;
}

} // namespace fairuse::cli
