// fairuse_bench_queue: the console's queue table on 100,000 embedded and 10,000 emulator users, the speech chart and
// the start-up to the main window's first paint; prints a table of figures against their targets (docs/performance.md).
//
//   fairuse_bench_queue [--users N] [--firestore-users N] [--db FILE]
//
// It runs itself as a child for seeding (--seed N --db FILE) and for each start-up (--startup --db FILE).

#include "QueueBench.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

#include <chrono>

int main(int argc, char* argv[]) {
    const auto mainEntered = std::chrono::steady_clock::now(); // the start-up child measures from here
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("fairuse"));
    QApplication::setApplicationName(QStringLiteral("fairuse_bench_queue"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption usersOpt(QStringLiteral("users"), QStringLiteral("Flagged users in the embedded store."),
                                      QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption firestoreOpt(QStringLiteral("firestore-users"),
                                          QStringLiteral("Flagged users on the Firestore emulator (0: skip)."),
                                          QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption dbOpt(QStringLiteral("db"), QStringLiteral("Embedded store file (seeded when missing)."),
                                   QStringLiteral("FILE"));
    QCommandLineOption seedOpt(QStringLiteral("seed"), QString(), QStringLiteral("N"));
    QCommandLineOption startupOpt(QStringLiteral("startup"));
    seedOpt.setFlags(QCommandLineOption::HiddenFromHelp);
    startupOpt.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({usersOpt, firestoreOpt, dbOpt, seedOpt, startupOpt});
    parser.process(app);

    if (parser.isSet(seedOpt)) {
        return fairuse::bench::runBenchSeed(parser.value(seedOpt).toInt(), parser.value(dbOpt));
    }
    if (parser.isSet(startupOpt)) {
        return fairuse::bench::runStartupChild(parser.value(dbOpt), mainEntered);
    }
    fairuse::bench::QueueBenchOptions options;
    bool ok = false;
    options.embeddedUsers = parser.value(usersOpt).toInt(&ok);
    if (!ok || options.embeddedUsers <= 0) {
        QTextStream(stderr) << "fairuse_bench_queue: --users needs a positive number" << Qt::endl;
        return 2;
    }
    options.firestoreUsers = parser.value(firestoreOpt).toInt(&ok);
    if (!ok || options.firestoreUsers < 0) {
        QTextStream(stderr) << "fairuse_bench_queue: --firestore-users needs a number (0: skip)" << Qt::endl;
        return 2;
    }
    options.dbPath = parser.value(dbOpt);
    return fairuse::bench::runQueueBench(options);
}
