// fairuse queue: the flagged-user queue from Firestore (or its emulator), in queue order, read as the signed-in
// reviewer (fairuse login): the reviewer's ID token, so the project's security rules decide what it may read.
#include "ReviewerSession.h"

#include "common/Await.h"
#include "common/Subscription.h"
#include "firestore/FirestoreCaseStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace fairuse::cli {

namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 10000;
constexpr int kPageSize = 300;

const char* const kHelp =
    "Usage: fairuse queue [--firestore PROJECT] [--stage STAGE] [--limit N] [--json] [PROJECT OPTIONS]\n"
    "\n"
    "Prints the flagged-user queue (stage warning, throttle or restrict), newest update first, as the console\n"
    "shows it: a collection-group query on fair_use_state ordered by updated_at descending. It reads as the\n"
    "reviewer signed in with fairuse login (that reviewer's ID token, under the project's security rules), never\n"
    "with server credentials.\n"
    "\n"
    "Options:\n"
    "  --stage STAGE           only warning, throttle or restrict\n"
    "  --limit N               at most N users (default 50, at most 10000); pages of 300 are fetched as needed\n"
    "  --json                  one JSON array of objects {uid, stage, plan, updated_at, last_classifier_score,\n"
    "                          last_classifier_type, last_case_ref, exempt}; absent values are null; plan is the\n"
    "                          plan in force now (basic or unlimited) from the user's subscription\n"
    "\n"
    "%1"
    "\n"
    "Without --json a table is printed.\n"
    "\n"
    "Exit status: 0 ok; 1 not signed in, refused (no role, security rules), Firestore unreachable or any other\n"
    "error; 2 bad usage.\n";

QJsonValue optionalTime(const std::optional<TimePoint>& t) {
    return t ? QJsonValue(formatRfc3339(*t)) : QJsonValue(QJsonValue::Null);
}

QJsonObject rowJson(const services::QueueRow& row, TimePoint now) {
    const FairUseState& s = row.state;
    return QJsonObject{
        {QStringLiteral("uid"), s.uid},
        {QStringLiteral("stage"), toString(s.stage)},
        {QStringLiteral("plan"), toString(effectivePlan(s.subscription, now))},
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
    const QString command = QStringLiteral("queue");
    const QCommandLineOption stageOption{QStringLiteral("stage"), QString(), QStringLiteral("STAGE")};
    const QCommandLineOption limitOption{QStringLiteral("limit"), QString(), QStringLiteral("N")};
    CommandLine cli({stageOption, limitOption});
    if (const std::optional<int> exit = cli.parse(command, args, 0, commandHelp(kHelp), io)) {
        return *exit;
    }
    std::optional<Stage> stage;
    if (cli.parser.isSet(stageOption)) {
        const QString s = cli.parser.value(stageOption);
        stage = stageFromString(s);
        if (!stage || *stage == Stage::None) {
            return usageError(
                io, command,
                QStringLiteral("--stage must be warning, throttle or restrict, not \"%1\"").arg(s.left(40)));
        }
    }
    int limit = kDefaultLimit;
    if (cli.parser.isSet(limitOption)) {
        bool ok = false;
        limit = cli.parser.value(limitOption).toInt(&ok);
        if (!ok || limit < 1 || limit > kMaxLimit) {
            return usageError(io, command, QStringLiteral("--limit must be a number from 1 to %1").arg(kMaxLimit));
        }
    }
    const bool json = cli.parser.isSet(cli.project.json);

    int exitCode = kExitFailed;
    const std::optional<Reviewing> reviewing = signedInReviewer(cli, io, command, exitCode);
    if (!reviewing) {
        return exitCode;
    }
    // restoreReviewer's store leaves the rows unenriched: the listing needs the state only, one query per page.
    services::FirestoreCaseStore& store = *reviewing->store;

    services::QueueFilter filter;
    filter.stage = stage;
    QList<services::QueueRow> rows;
    QString cursor;
    do {
        const int want = std::min(kPageSize, limit - static_cast<int>(rows.size()));
        auto page = services::awaitResult(store.fetchQueuePage(filter, cursor, want), kCallTimeoutMs);
        if (!page) {
            return fail(io, command, QStringLiteral("%1: %2").arg(store.describe(), page.error().message));
        }
        rows += page->rows;
        cursor = page->nextCursor;
    } while (!cursor.isEmpty() && rows.size() < limit);

    if (json) {
        QJsonArray array;
        const TimePoint now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
        for (const auto& row : rows) {
            array.append(rowJson(row, now));
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
