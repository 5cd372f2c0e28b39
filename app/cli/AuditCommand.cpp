// fairuse audit verify: reads the whole audit chain page by page (CaseStore::listAuditPage) as the signed-in
// reviewer and verifies it with core's verifyChain against the store's chain head.
#include "ReviewerSession.h"

#include "audit/AuditChain.h"
#include "common/Await.h"

#include <QElapsedTimer>

#include <algorithm>

namespace fairuse::cli {

namespace {

const char* const kHelp =
    "Usage: fairuse audit verify [--firestore PROJECT] [--json] [PROJECT OPTIONS]\n"
    "\n"
    "Verifies the project's audit trail as the signed-in reviewer (fairuse login): reads the chain head, then every\n"
    "record newest first in pages of 1000 (records appended meanwhile, beyond the head read first, are left for the\n"
    "next run), and checks the chain oldest first (core/audit verifyChain): each record valid and naming a\n"
    "reviewer, its hash matching its content, its sequence following the one before, its prev_hash linking to it,\n"
    "and the newest record being the one the head names.\n"
    "\n"
    "Options:\n"
    "  --json                  one JSON object {project, ok, records, head_sequence, head_hash, broken: null or\n"
    "                          {sequence, index, reason, record}, seconds}\n"
    "\n"
    "%1"
    "\n"
    "Exit status: 0 the chain is intact; 1 it is broken (the first broken record and why on standard error or in\n"
    "the JSON), or it could not be read, or not signed in; 2 bad usage.\n";

constexpr int kPageSize = 1000;

} // namespace

int runAudit(const QStringList& args, Io io) {
    const QString command = QStringLiteral("audit verify");
    CommandLine cli;
    if (const std::optional<int> exit = cli.parse(command, args, 1, commandHelp(kHelp), io)) {
        return *exit;
    }
    const QStringList positional = cli.parser.positionalArguments();
    if (positional.isEmpty()) {
        return usageError(io, command, QStringLiteral("the subcommand is missing: fairuse audit verify"));
    }
    if (positional.first() != QLatin1String("verify")) {
        return usageError(io, command,
                          QStringLiteral("unknown subcommand \"%1\"; only verify").arg(positional.first().left(40)));
    }
    int exitCode = kExitFailed;
    const std::optional<Reviewing> reviewing = signedInReviewer(cli, io, command, exitCode);
    if (!reviewing) {
        return exitCode;
    }
    services::FirestoreCaseStore& store = *reviewing->store;
    QElapsedTimer clock;
    clock.start();

    const Result<services::AuditHead> head = services::awaitResult(store.readAuditHead(), kCallTimeoutMs);
    if (!head) {
        return fail(io, command, QStringLiteral("could not read the chain head: %1").arg(head.error().message));
    }
    QList<AuditRecord> records;
    records.reserve(static_cast<qsizetype>(head->sequence));
    QString cursor;
    do {
        const Result<services::AuditPage> page =
            services::awaitResult(store.listAuditPage(services::AuditFilter{}, cursor, kPageSize), kCallTimeoutMs);
        if (!page) {
            return fail(io, command,
                        QStringLiteral("could not read the audit trail after %1 records: %2")
                            .arg(records.size())
                            .arg(page.error().message));
        }
        for (const AuditRecord& r : page->records) {
            if (r.sequence <= head->sequence) {
                records.append(r);
            }
        }
        cursor = page->nextCursor;
        if (!cursor.isEmpty() && !cli.parser.isSet(cli.project.json)) {
            io.err << "audit verify: " << records.size() << " of " << head->sequence << " records read\n";
            io.err.flush();
        }
    } while (!cursor.isEmpty());
    std::reverse(records.begin(), records.end());

    const ChainVerification verdict = verifyChain(records, head->hash);
    const double seconds = static_cast<double>(clock.elapsed()) / 1000.0;
    QJsonValue broken;
    QString where;
    if (!verdict.ok) {
        QJsonObject b{{QStringLiteral("index"), verdict.firstBrokenIndex}, {QStringLiteral("reason"), verdict.reason}};
        if (verdict.firstBrokenIndex >= 0 && verdict.firstBrokenIndex < records.size()) {
            const AuditRecord& r = records.at(verdict.firstBrokenIndex);
            b.insert(QStringLiteral("sequence"), static_cast<qint64>(r.sequence));
            b.insert(QStringLiteral("record"), auditJson(r));
            where = QStringLiteral("record #%1 (%2 on %3 by %4)")
                        .arg(r.sequence)
                        .arg(toString(r.action), r.uid, r.reviewer);
        } else {
            b.insert(QStringLiteral("sequence"), QJsonValue());
            where = QStringLiteral("the chain head");
        }
        broken = b;
    }
    if (cli.parser.isSet(cli.project.json)) {
        printJson(io, QJsonObject{
                          {QStringLiteral("project"), reviewing->target.project},
                          {QStringLiteral("ok"), verdict.ok},
                          {QStringLiteral("records"), records.size()},
                          {QStringLiteral("head_sequence"), static_cast<qint64>(head->sequence)},
                          {QStringLiteral("head_hash"), head->hash},
                          {QStringLiteral("broken"), broken},
                          {QStringLiteral("seconds"), seconds},
                      });
    } else if (verdict.ok) {
        io.out << "audit trail of " << reviewing->target.project << " intact: " << records.size()
               << " record(s), head #" << head->sequence << " " << head->hash.left(16) << " ("
               << QString::number(seconds, 'f', 1) << " s)\n";
    }
    if (!verdict.ok) {
        return fail(io, command,
                    QStringLiteral("the audit trail of %1 is BROKEN at %2: %3")
                        .arg(reviewing->target.project, where, verdict.reason));
    }
    return kExitOk;
}

} // namespace fairuse::cli
