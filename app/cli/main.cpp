// fairuse: the command-line face of the enforcement core and the services.
#include "Commands.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <functional>

namespace {

struct Command {
    const char* name;
    const char* summary;
    std::function<int(const QStringList&, fairuse::cli::Io)> run;
};

const Command kCommands[] = {
    {"replay", "replay a JSON-lines history and print one JSON decision per check or override",
     fairuse::cli::runReplay},
    {"usage", "print a user's rolling speech totals from the backend's Redis keys", fairuse::cli::runUsage},
    {"queue", "print the flagged-user queue from Firestore, as the signed-in reviewer", fairuse::cli::runQueue},
    {"seed", "fill the embedded store, or a Redis + Firestore pair, with the demo population", fairuse::cli::runSeed},
    {"login", "sign a reviewer in through Firebase Authentication (kept in the keychain)", fairuse::cli::runLogin},
    {"whoami", "show the signed-in reviewer: e-mail, uid and role from the ID token", fairuse::cli::runWhoami},
    {"logout", "remove the reviewer's sign-in from the keychain", fairuse::cli::runLogout},
    {"resolve", "resolve a case as the signed-in reviewer", fairuse::cli::runResolve},
    {"override", "set a user's stage as the signed-in reviewer", fairuse::cli::runOverride},
    {"bulk-resolve", "resolve the cases listed in a file with one outcome; a rerun is idempotent",
     fairuse::cli::runBulkResolve},
    {"audit", "audit verify: check the audit trail's hash chain against its head", fairuse::cli::runAudit},
    {"reviewers", "grant, revoke or list reviewer roles (admin credentials)", fairuse::cli::runReviewers},
    {"export-labels", "the reviewers' verdicts on the classifier as JSON lines, without conversation text",
     fairuse::cli::runExportLabels},
};

void printHelp(QTextStream& out) {
    out << "Usage: fairuse COMMAND [OPTIONS]\n\n"
           "Fair-use enforcement core: replay histories, read usage and cases from the real backends.\n\n"
           "Commands:\n";
    for (const auto& c : kCommands) {
        out << "  " << QString::fromLatin1(c.name).leftJustified(12) << "  " << c.summary << "\n";
    }
    out << "\nOptions:\n"
           "  -h, --help     show this help (or a command's help: fairuse COMMAND --help)\n"
           "  -v, --version  show the version\n\n"
           "JSON goes to standard output, diagnostics to standard error.\n";
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fairuse"));
    QCoreApplication::setOrganizationName(QStringLiteral("fairuse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FAIRUSE_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();

    if (args.isEmpty()) {
        printHelp(err);
        return 2;
    }
    const QString first = args.takeFirst();
    if (first == QLatin1String("-h") || first == QLatin1String("--help") || first == QLatin1String("help")) {
        printHelp(out);
        return 0;
    }
    if (first == QLatin1String("-v") || first == QLatin1String("--version")) {
        out << "fairuse " << QCoreApplication::applicationVersion() << "\n";
        return 0;
    }
    for (const auto& c : kCommands) {
        if (first == QLatin1String(c.name)) {
            const int code = c.run(args, fairuse::cli::Io{out, err});
            out.flush();
            err.flush();
            return code;
        }
    }
    err << "fairuse: unknown command \"" << first << "\"; see fairuse --help\n";
    return 2;
}
