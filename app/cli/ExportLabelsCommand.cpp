// fairuse export-labels: the reviewers' verdicts on the classifier (fair_use_labels) as JSON lines, to evaluate the
// classifier prompt. Read page by page (CaseStore::listLabels) from the embedded store or, as the signed-in reviewer,
// from Firestore. Only the structured fields: never conversation text, titles, overviews or the classifier's reasoning.
#include "ReviewerSession.h"

#include "common/Await.h"
#include "embedded/EmbeddedCaseStore.h"
#include "embedded/EmbeddedStore.h"

#include <QDate>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace fairuse::cli {

namespace {

const char* const kHelp =
    "Usage: fairuse export-labels [--since DATE] [--out FILE] [--with-uid] [--store embedded [--db PATH]]\n"
    "                             [PROJECT OPTIONS]\n"
    "\n"
    "Writes the reviewers' verdicts on the classifier (one label per case: the newest resolution, appeal or manual\n"
    "review that gave one) as JSON lines, oldest first, for evaluating the classifier prompt:\n"
    "  {\"case\", \"model\", \"prompt_version\", \"verdict\", \"usage_type\", \"outcome\", \"labelled_at\"}\n"
    "and \"uid\" with --with-uid. Nothing else of the case is written: no conversation titles or text, no overviews,\n"
    "no classifier reasoning. prompt_version is empty for cases whose classifier did not record one.\n"
    "\n"
    "Options:\n"
    "  --since DATE            labels given on or after DATE (YYYY-MM-DD, UTC midnight, or RFC 3339)\n"
    "  --out FILE              write to FILE (replaced once complete) instead of standard output\n"
    "  --with-uid              add the user id of each case\n"
    "  --store embedded        read the embedded SQLite store instead of Firestore\n"
    "  --db PATH               the embedded store's file (default: the application data folder's demo.sqlite)\n"
    "\n"
    "Without --store embedded the labels are read from Firestore as the signed-in reviewer (fairuse login).\n"
    "%1"
    "\n"
    "Exit status: 0 written; 1 the store could not be read, not signed in, or the file not written; 2 bad usage,\n"
    "including a malformed --since.\n";

constexpr int kPageSize = 1000;

/** YYYY-MM-DD (UTC midnight) or RFC 3339; Invalid naming both forms otherwise. */
Result<TimePoint> parseSince(const QString& text) {
    const QString t = text.trimmed();
    const QDate date = QDate::fromString(t, Qt::ISODate);
    if (date.isValid() && t.size() == 10) {
        return TimePoint{std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::sys_days{std::chrono::year{date.year()} / date.month() / date.day()}.time_since_epoch())};
    }
    if (Result<TimePoint> at = parseRfc3339(t); at) {
        return at;
    }
    return Error::invalid(
        QStringLiteral("--since must be a date (2026-03-01) or an RFC 3339 time (2026-03-01T10:00:00Z), not \"%1\"")
            .arg(t.left(40)));
}

QJsonObject labelJson(const ClassifierLabel& l, bool withUid) {
    QJsonObject o{{QStringLiteral("case"), l.caseRef},
                  {QStringLiteral("model"), l.model},
                  {QStringLiteral("prompt_version"), l.promptVersion},
                  {QStringLiteral("verdict"), toString(l.verdict)},
                  {QStringLiteral("usage_type"), l.usageType},
                  {QStringLiteral("outcome"), l.outcome},
                  {QStringLiteral("labelled_at"), formatRfc3339(l.labelledAt)}};
    if (withUid) {
        o.insert(QStringLiteral("uid"), l.uid);
    }
    return o;
}

/** Every label from `since` on, page by page, each written as one line to `out`; the count, or the read's error. */
Result<qint64> exportLabels(services::CaseStore& store, std::optional<TimePoint> since, bool withUid,
                            QTextStream& out) {
    qint64 written = 0;
    QString cursor;
    do {
        const Result<services::LabelPage> page =
            services::awaitResult(store.listLabels(since, cursor, kPageSize), kCallTimeoutMs);
        if (!page) {
            return Error{
                page.error().kind,
                QStringLiteral("could not read the labels after %1: %2").arg(written).arg(page.error().message)};
        }
        for (const ClassifierLabel& l : page->labels) {
            out << QString::fromUtf8(QJsonDocument(labelJson(l, withUid)).toJson(QJsonDocument::Compact)) << '\n';
            ++written;
        }
        cursor = page->nextCursor;
    } while (!cursor.isEmpty());
    return written;
}

} // namespace

int runExportLabels(const QStringList& args, Io io) {
    const QString command = QStringLiteral("export-labels");
    const QCommandLineOption sinceOption(QStringLiteral("since"), QString(), QStringLiteral("DATE"));
    const QCommandLineOption outOption(QStringLiteral("out"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption withUidOption(QStringLiteral("with-uid"));
    const QCommandLineOption storeOption(QStringLiteral("store"), QString(), QStringLiteral("KIND"));
    const QCommandLineOption dbOption(QStringLiteral("db"), QString(), QStringLiteral("PATH"));
    CommandLine cli(QList<QCommandLineOption>{sinceOption, outOption, withUidOption, storeOption, dbOption});
    if (const std::optional<int> exit = cli.parse(command, args, 0, commandHelp(kHelp), io)) {
        return *exit;
    }
    std::optional<TimePoint> since;
    if (cli.parser.isSet(sinceOption)) {
        const Result<TimePoint> parsed = parseSince(cli.parser.value(sinceOption));
        if (!parsed) {
            return usageError(io, command, parsed.error().message);
        }
        since = *parsed;
    }
    const QString kind = cli.parser.value(storeOption);
    const bool embedded = kind == QLatin1String("embedded");
    if (cli.parser.isSet(storeOption) && !embedded && kind != QLatin1String("firestore")) {
        return usageError(io, command, QStringLiteral("--store must be embedded or firestore, not \"%1\"").arg(kind));
    }
    if (cli.parser.isSet(dbOption) && !embedded) {
        return usageError(io, command, QStringLiteral("--db is for --store embedded"));
    }

    // The store, kept alive (with what it needs) until the export is done.
    std::optional<Reviewing> reviewing;
    std::unique_ptr<services::EmbeddedCaseStore> embeddedStore;
    services::CaseStore* store = nullptr;
    if (embedded) {
        const QString path =
            cli.parser.isSet(dbOption) ? cli.parser.value(dbOption) : services::defaultEmbeddedStorePath();
        if (path.isEmpty() || !QFileInfo::exists(path)) {
            return fail(io, command, QStringLiteral("no embedded store at \"%1\" (fairuse seed writes one)").arg(path));
        }
        auto db = services::EmbeddedDatabase::openBlocking(path);
        if (!db) {
            return fail(io, command, db.error().message);
        }
        embeddedStore = std::make_unique<services::EmbeddedCaseStore>(*db);
        store = embeddedStore.get();
    } else {
        int exitCode = kExitFailed;
        reviewing = signedInReviewer(cli, io, command, exitCode);
        if (!reviewing) {
            return exitCode;
        }
        store = reviewing->store.get();
    }

    const bool withUid = cli.parser.isSet(withUidOption);
    if (!cli.parser.isSet(outOption)) {
        const Result<qint64> n = exportLabels(*store, since, withUid, io.out);
        io.out.flush();
        if (!n) {
            return fail(io, command, n.error().message);
        }
        io.err << "export-labels: " << *n << " label(s) from " << store->describe() << "\n";
        return kExitOk;
    }
    QSaveFile file(cli.parser.value(outOption));
    if (!file.open(QIODevice::WriteOnly)) {
        return fail(io, command, QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    }
    QTextStream stream(&file);
    const Result<qint64> n = exportLabels(*store, since, withUid, stream);
    stream.flush();
    if (!n) {
        file.cancelWriting();
        return fail(io, command, n.error().message);
    }
    if (!file.commit()) {
        return fail(io, command, QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    }
    io.err << "export-labels: " << *n << " label(s) from " << store->describe() << " written to " << file.fileName()
           << "\n";
    return kExitOk;
}

} // namespace fairuse::cli
