// fairuse resolve / override: one reviewer action, built by the core (ReviewerActions) and applied in one commit
// through FirestoreCaseStore::apply, as the console's action dialog does, under the signed-in reviewer's ID token.
#include "CaseResolution.h"
#include "ReviewerSession.h"

#include "audit/CaseRef.h"
#include "casework/Casework.h"
#include "common/Await.h"
#include "enforcement/ReviewerActions.h"

#include <QUuid>

namespace fairuse::cli {

namespace {

const char* const kResolveHelp =
    "Usage: fairuse resolve CASE_REF --outcome confirmed|false_positive|no_action --reason-code CODE [--notes TEXT]\n"
    "                       [--verdict VERDICT] [--json] [--redis URL] [PROJECT OPTIONS]\n"
    "\n"
    "Resolves one case as the signed-in reviewer (fairuse login). CASE_REF is accepted as pasted: any case, with or\n"
    "without FU-, surrounding spaces ignored. confirmed keeps the user's stage; false_positive lowers it one step\n"
    "(lifting a restriction needs a senior_reviewer); no_action records the resolution only. The audit record's\n"
    "reason is \"CODE[: notes]\"; the notes are also added to the case.\n"
    "\n"
    "Running the same resolve again is harmless: the commit carries the key cli-resolve:CASE:OUTCOME:UID, and a\n"
    "rerun reports \"already applied\" with the earlier audit record.\n"
    "\n"
    "Options:\n"
    "  --outcome OUTCOME       confirmed, false_positive or no_action (required)\n"
    "  --reason-code CODE      a reason code of the policy (required): media_confirmed, legitimate_use,\n"
    "                          classifier_error, user_contacted, repeat_violation, other (other needs --notes)\n"
    "  --notes TEXT            notes on the case\n"
    "  --verdict VERDICT       your verdict on the classifier, stored as a label (fairuse export-labels):\n"
    "                          model_right, model_wrong_legitimate, model_wrong_media, model_wrong_other,\n"
    "                          not_assessed; ignored for a case without a classifier result\n"
    "  --json                  one JSON object {input, case_ref, uid, status, message, stage_before, stage_after,\n"
    "                          audit: {sequence, reviewer, reviewer_uid, role, action, ...}, stage_cache}\n"
    "%2"
    "\n"
    "%1"
    "\n"
    "Exit status: 0 resolved or already applied; 1 refused (role or security rules), already resolved by someone\n"
    "else, changed meanwhile, not found, not signed in, or another failure (the reason on standard error or in\n"
    "the JSON); 2 bad usage, including a CASE_REF that is not one.\n";

const char* const kOverrideHelp =
    "Usage: fairuse override UID --stage none|warning|throttle|restrict --reason-code CODE [--notes TEXT] [--json]\n"
    "                        [--redis URL] [PROJECT OPTIONS]\n"
    "\n"
    "Sets a user's enforcement stage as the signed-in reviewer (fairuse login), with the stage's timers, in one\n"
    "commit with its audit record. A reviewer may only warn; a senior_reviewer or admin may set any stage. The user\n"
    "must have a fair-use state already (a mistyped uid is not created).\n"
    "\n"
    "Options:\n"
    "  --stage STAGE           none, warning, throttle or restrict (required)\n"
    "  --reason-code CODE      a reason code of the policy (required; other needs --notes)\n"
    "  --notes TEXT            why, in words; the audit record's reason is \"CODE[: notes]\"\n"
    "  --json                  one JSON object {uid, status, message, stage_before, stage_after, audit, stage_cache}\n"
    "%2"
    "\n"
    "%1"
    "\n"
    "Exit status: 0 applied; 1 refused, conflict, user not found, not signed in or another failure (the reason on\n"
    "standard error or in the JSON); 2 bad usage.\n";

/** What resolve and override act with: the reviewer signed in to the target (with its store), the stage cache of
 *  --redis (nullptr without it), and whether to answer in JSON. */
struct Acting {
    Reviewing reviewing;
    std::shared_ptr<StageCache> stageCache;
    bool json = false;

    services::FirestoreCaseStore& store() const { return *reviewing.store; }

    /** Drops the user's cached stage when --redis was given; the line for people (stageCacheNotAsked() without). */
    QString dropStageCache(const QString& uid, QString* name, QString* error) const {
        if (!stageCache) {
            return stageCacheNotAsked(uid);
        }
        const StageCache::Report report = stageCache->drop(uid);
        *name = StageCache::name(report.outcome);
        *error = report.error;
        return StageCache::describe(uid, report);
    }
};

/** After the command's own options: the stage cache of --redis (a bad one is bad usage), then the signed-in reviewer
 *  (signedInReviewer()). nullopt after reporting why not, with the exit code in `exitCode`. */
std::optional<Acting> startActing(const CommandLine& cli, Io io, const QString& command, int& exitCode) {
    auto cache = StageCache::fromOptions(cli.parser);
    if (!cache) {
        exitCode = usageError(io, command, cache.error().message);
        return std::nullopt;
    }
    std::optional<Reviewing> reviewing = signedInReviewer(cli, io, command, exitCode);
    if (!reviewing) {
        return std::nullopt;
    }
    return Acting{std::move(*reviewing), std::move(*cache), cli.parser.isSet(cli.project.json)};
}

} // namespace

int runResolve(const QStringList& args, Io io) {
    const QString command = QStringLiteral("resolve");
    const ResolveOptions resolveOptions;
    CommandLine cli(resolveOptions.options() + StageCache::options());
    if (const std::optional<int> exit = cli.parse(command, args, 1, StageCache::commandHelp(kResolveHelp), io)) {
        return *exit;
    }
    if (cli.parser.positionalArguments().isEmpty()) {
        return usageError(io, command, QStringLiteral("CASE_REF is required"));
    }
    const QString input = cli.parser.positionalArguments().first();
    const QString caseRef = normaliseCaseRef(input);
    if (caseRef.isEmpty()) {
        return usageError(
            io, command,
            QStringLiteral("\"%1\" is not a case reference (FU- and 12 hexadecimal digits)").arg(input.left(60)));
    }
    const Result<ResolveOptions::Values> how = resolveOptions.read(cli.parser, enforcement::Policy::forReview());
    if (!how) {
        return usageError(io, command, how.error().message);
    }
    int exitCode = kExitFailed;
    const std::optional<Acting> acting = startActing(cli, io, command, exitCode);
    if (!acting) {
        return exitCode;
    }

    CaseJob job;
    job.input = input;
    job.caseRef = caseRef;
    const auto finishJob = [&]() {
        if (acting->json) {
            printJson(io, job.toJson(false));
        } else if (succeeded(job.status)) {
            io.out << job.caseRef << ": " << job.message << "\n";
        }
        if (!succeeded(job.status)) {
            io.err << "fairuse resolve: " << job.caseRef << ": " << statusName(job.status) << ": " << job.message
                   << "\n";
            return kExitFailed;
        }
        return kExitOk;
    };

    const Result<FairUseEvent> event = services::awaitResult(acting->store().findByCaseRef(caseRef), kCallTimeoutMs);
    if (!event) {
        job.status = event.error().kind == ErrorKind::NotFound ? CaseStatus::NotFound : CaseStatus::Failed;
        job.message =
            event.error().kind == ErrorKind::NotFound
                ? QStringLiteral("no case has the reference %1 in %2").arg(caseRef, acting->store().describe())
                : event.error().message;
        return finishJob();
    }
    job.event = *event;
    const Result<FairUseState> state = services::awaitResult(acting->store().getState(event->uid), kCallTimeoutMs);
    if (!state) {
        job.status = CaseStatus::Failed;
        job.message = QStringLiteral("could not read the state of %1: %2").arg(event->uid, state.error().message);
        return finishJob();
    }
    const Result<std::optional<Casework>> casework = readCaseworkOf(acting->store(), event->uid, kCallTimeoutMs);
    if (!casework) {
        job.status = CaseStatus::Failed;
        job.message = QStringLiteral("could not read the escalation and snooze of %1: %2")
                          .arg(event->uid, casework.error().message);
        return finishJob();
    }
    planResolve(job, enforcement::Policy::forReview(), *state, *casework,
                ResolveRequest{how->outcome, how->reasonCode, how->notes, how->verdict, acting->reviewing.reviewer,
                               systemNow(), clientVersion()});
    if (job.change) {
        settleResolve(job, services::awaitResult(acting->store().apply(*job.change), kCallTimeoutMs));
    }
    if (job.changedStage()) {
        const QString line = acting->dropStageCache(job.event.uid, &job.stageCache, &job.stageCacheError);
        if (!acting->json) {
            io.out << "  " << job.event.uid << ": stage " << toString(*job.stageBefore) << " -> "
                   << toString(*job.stageAfter) << "; " << line << "\n";
        }
    }
    return finishJob();
}

int runOverride(const QStringList& args, Io io) {
    const QString command = QStringLiteral("override");
    const QCommandLineOption stageOption(QStringLiteral("stage"), QString(), QStringLiteral("STAGE"));
    const QCommandLineOption codeOption(QStringLiteral("reason-code"), QString(), QStringLiteral("CODE"));
    const QCommandLineOption notesOption(QStringLiteral("notes"), QString(), QStringLiteral("TEXT"));
    CommandLine cli(QList<QCommandLineOption>{stageOption, codeOption, notesOption} + StageCache::options());
    if (const std::optional<int> exit = cli.parse(command, args, 1, StageCache::commandHelp(kOverrideHelp), io)) {
        return *exit;
    }
    if (cli.parser.positionalArguments().isEmpty() || cli.parser.positionalArguments().first().trimmed().isEmpty()) {
        return usageError(io, command, QStringLiteral("UID is required"));
    }
    const QString uid = cli.parser.positionalArguments().first().trimmed();
    if (!cli.parser.isSet(stageOption)) {
        return usageError(io, command, QStringLiteral("--stage is required (none, warning, throttle or restrict)"));
    }
    const std::optional<Stage> stage = stageFromString(cli.parser.value(stageOption));
    if (!stage) {
        return usageError(io, command,
                          QStringLiteral("--stage must be none, warning, throttle or restrict, not \"%1\"")
                              .arg(cli.parser.value(stageOption)));
    }
    const QString reasonCode = cli.parser.value(codeOption).trimmed();
    const QString notes = cli.parser.value(notesOption).trimmed();
    if (const std::optional<QString> problem = reasonCodeProblem(enforcement::Policy::forReview(), reasonCode, notes)) {
        return usageError(io, command, *problem);
    }
    int exitCode = kExitFailed;
    const std::optional<Acting> acting = startActing(cli, io, command, exitCode);
    if (!acting) {
        return exitCode;
    }

    QJsonObject result{{QStringLiteral("uid"), uid}};
    const auto failed = [&](const QString& status, const QString& message) {
        if (acting->json) {
            result.insert(QStringLiteral("status"), status);
            result.insert(QStringLiteral("message"), message);
            printJson(io, result);
        }
        return fail(io, command, QStringLiteral("%1: %2: %3").arg(uid, status, message));
    };

    const Result<FairUseState> state = services::awaitResult(acting->store().getState(uid), kCallTimeoutMs);
    if (!state && state.error().kind == ErrorKind::NotFound) {
        return failed(QStringLiteral("not_found"),
                      QStringLiteral("user %1 has no fair-use state in %2").arg(uid, acting->store().describe()));
    }
    if (!state) {
        return failed(QStringLiteral("failed"), state.error().message);
    }
    enforcement::ActionContext ctx;
    ctx.reviewer = acting->reviewing.reviewer;
    ctx.now = systemNow();
    ctx.clientVersion = clientVersion();
    // A fresh key per command, as the console's action dialog uses per reviewed change: a retry inside the store
    // never applies it twice, and a second override is a new action.
    ctx.idempotencyKey = QStringLiteral("cli-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    Result<ChangeSet> change =
        enforcement::buildOverrideStage(enforcement::Policy::forReview(), *state, *stage, reasonCode, notes, ctx);
    result.insert(QStringLiteral("stage_before"), toString(state->stage));
    if (!change) {
        return failed(statusName(refusalStatus(change.error().kind)), change.error().message);
    }
    // The override ends the user's escalation and snooze in its own commit, as in the console.
    const Result<std::optional<Casework>> casework = readCaseworkOf(acting->store(), uid, kCallTimeoutMs);
    if (!casework) {
        return failed(QStringLiteral("failed"), casework.error().message);
    }
    casework::closeOnDecision(*change, *casework);
    const Result<CommitResult> applied = services::awaitResult(acting->store().apply(*change), kCallTimeoutMs);
    if (!applied) {
        const ErrorKind kind = applied.error().kind;
        return failed(statusName(refusalStatus(kind)),
                      kind == ErrorKind::Permission
                          ? QStringLiteral("refused by the project's security rules: %1").arg(applied.error().message)
                          : applied.error().message);
    }
    const Stage after = change->newState ? change->newState->stage : state->stage;
    result.insert(QStringLiteral("status"), QStringLiteral("applied"));
    result.insert(QStringLiteral("stage_after"), toString(after));
    result.insert(QStringLiteral("audit"), auditJson(applied->audit));
    result.insert(QStringLiteral("message"),
                  QStringLiteral("stage %1 -> %2: audit record %3")
                      .arg(toString(state->stage), toString(after), describeRecord(applied->audit)));
    QString cacheName;
    QString cacheError;
    const QString cacheLine = after != state->stage ? acting->dropStageCache(uid, &cacheName, &cacheError) : QString();
    result.insert(QStringLiteral("stage_cache"), cacheName.isEmpty() ? QJsonValue() : QJsonValue(cacheName));
    if (!cacheError.isEmpty()) {
        result.insert(QStringLiteral("stage_cache_error"), cacheError);
    }
    if (acting->json) {
        printJson(io, result);
    } else {
        io.out << uid << ": " << result.value(QStringLiteral("message")).toString() << "\n";
        if (!cacheLine.isEmpty()) {
            io.out << "  " << cacheLine << "\n";
        }
    }
    return kExitOk;
}

} // namespace fairuse::cli
