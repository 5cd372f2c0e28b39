#pragma once

#include "enforcement/Policy.h"

#include <QByteArray>
#include <QStringList>
#include <QTextStream>

namespace fairuse::cli {

/** Output streams of a command: JSON on out, diagnostics on err. */
struct Io {
    QTextStream& out;
    QTextStream& err;
};

/** Each subcommand: args exclude the program and subcommand names; returns the process exit code. */
int runReplay(const QStringList& args, Io io);
/** The body of `fairuse replay`: every line of `input` under `policy`, decisions on io.out and malformed lines on
 *  io.err. True when every line was well formed. */
bool replayLines(const QByteArray& input, const enforcement::Policy& policy, Io io);
int runUsage(const QStringList& args, Io io);
int runQueue(const QStringList& args, Io io);
int runSeed(const QStringList& args, Io io);
int runLogin(const QStringList& args, Io io);
int runWhoami(const QStringList& args, Io io);
int runLogout(const QStringList& args, Io io);
int runResolve(const QStringList& args, Io io);
int runOverride(const QStringList& args, Io io);
int runBulkResolve(const QStringList& args, Io io);
int runAudit(const QStringList& args, Io io);
int runReviewers(const QStringList& args, Io io);
int runExportLabels(const QStringList& args, Io io);

} // namespace fairuse::cli
