#pragma once
// Resolving cases from the command line, shared by `fairuse resolve` (one case, CaseStore::apply) and
// `fairuse bulk-resolve` (many, CaseStore::applyBatch): the idempotency key, the core's ChangeSet, and what the store's
// answer means for the case. Typed case references go through the core's normaliseCaseRef.

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "common/Stores.h"
#include "enforcement/Policy.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace fairuse::cli {

/**
 * The idempotency key of resolving `caseRef` with `outcome` as the reviewer `reviewerUid`:
 * "cli-resolve:FU-...:OUTCOME:UID". The same for every run, so running the same resolve (or the same bulk file)
 * again applies nothing twice; another reviewer, or another outcome, is another key.
 */
QString resolveKey(const QString& caseRef, Outcome outcome, const QString& reviewerUid);

/** What became of one case. Wire names in statusName(). */
enum class CaseStatus {
    Pending,        ///< not answered yet
    Resolved,       ///< resolved now: the audit record names the reviewer
    AlreadyApplied, ///< this key had resolved it before: nothing written now
    Invalid,        ///< the line is not a case reference
    Duplicate,      ///< the same case appeared on an earlier line
    NotFound,       ///< no case has this reference
    Conflict,       ///< already resolved by someone (or something) else, or changed while this ran
    Refused,        ///< the reviewer's role does not allow it (core or security rules)
    Failed,         ///< anything else: the message says what
};

/** "resolved", "already_applied", "invalid", "duplicate", "not_found", "conflict", "refused", "failed". */
QString statusName(CaseStatus status);
/** The status of an action the core or the store refused with `kind`: Refused (Permission), Conflict, else Failed. */
CaseStatus refusalStatus(ErrorKind kind);
/** Resolved or already applied: the reviewer's intent holds. */
bool succeeded(CaseStatus status);

/** One case of a resolve: where it came from, what was sent, and its result. */
struct CaseJob {
    int line = 0;  ///< line of the cases file (bulk-resolve), 0 for resolve
    QString input; ///< as given
    QString caseRef;
    FairUseEvent event;
    std::optional<Stage> stageBefore;
    std::optional<Stage> stageAfter;
    /** The ChangeSet for the store; nullopt when the result is known without it. */
    std::optional<ChangeSet> change;
    /** Already resolved by this reviewer with this outcome: sent only so that the store tells whether this key did
     *  it (already applied) or something else did (conflict); it can never apply. */
    bool probe = false;

    CaseStatus status = CaseStatus::Pending;
    QString message;
    std::optional<AuditRecord> audit;
    /** After a stage change with --redis: what happened to the backend's cached stage (StageCache::name). */
    QString stageCache;
    QString stageCacheError;

    /** The user's stage changed with this resolve (a false positive lowered it). */
    bool changedStage() const {
        return status == CaseStatus::Resolved && stageAfter && stageBefore && *stageAfter != *stageBefore;
    }
    /** One JSON object: line (bulk only), input, case_ref, uid, status, message, stage_before, stage_after, audit
     *  (the record written, or the one of the earlier run when already applied; null otherwise), stage_cache. */
    QJsonObject toJson(bool withLine) const;
};

/** Who resolves, and with what. */
struct ResolveRequest {
    Outcome outcome = Outcome::NoAction;
    QString reasonCode;
    QString notes;
    /** The reviewer's verdict on the classifier: a label is written with the resolution when set. */
    std::optional<ClassifierVerdict> verdict;
    Reviewer reviewer;
    TimePoint now{};
    QString clientVersion;
};

/** The options of resolve and bulk-resolve that say how to resolve: --outcome, --reason-code, --notes and
 *  --verdict. */
struct ResolveOptions {
    QCommandLineOption outcome{QStringLiteral("outcome"), QString(), QStringLiteral("OUTCOME")};
    QCommandLineOption reasonCode{QStringLiteral("reason-code"), QString(), QStringLiteral("CODE")};
    QCommandLineOption notes{QStringLiteral("notes"), QString(), QStringLiteral("TEXT")};
    QCommandLineOption verdict{QStringLiteral("verdict"), QString(), QStringLiteral("VERDICT")};

    /** These four, for the command's parser. */
    QList<QCommandLineOption> options() const { return {outcome, reasonCode, notes, verdict}; }

    struct Values {
        Outcome outcome = Outcome::NoAction;
        QString reasonCode;
        QString notes;
        std::optional<ClassifierVerdict> verdict;
    };
    /** The parsed values: Invalid with the message (bad usage) for a missing or unknown outcome, a reason code that is
     *  not one of `policy`'s (the message lists them), or an unknown verdict. */
    Result<Values> read(const QCommandLineParser& parser, const enforcement::Policy& policy) const;
};

/** "--reason-code is required; one of: a, b, ..." or the core's message for a code `policy` lacks; nothing when the
 *  code (with its notes) is one a decision may carry. */
std::optional<QString> reasonCodeProblem(const enforcement::Policy& policy, const QString& code, const QString& notes);

/**
 * Builds the job's ChangeSet from the case and its user's state through the core (enforcement::buildResolve, with the
 * console's policy), keyed by resolveKey(). A case this reviewer already resolved with this outcome becomes a probe
 * (see CaseJob::probe); any other refusal of the core settles the job (Refused, Conflict, Failed). The user's
 * escalation and snooze (`casework`) end in the resolve's own commit, as in the console (casework::closeOnDecision):
 * such a change must be the newest record of its commit (the security rules read the commit's newest record).
 */
void planResolve(CaseJob& job, const enforcement::Policy& policy, const FairUseState& state,
                 const std::optional<Casework>& casework, const ResolveRequest& request);

/** The user's casework document (escalation, snooze); nullopt when there is none or the store keeps none. */
Result<std::optional<Casework>> readCaseworkOf(services::CaseStore& store, const QString& uid, int timeoutMs);

/** Settles the job with the store's answer to its ChangeSet. */
void settleResolve(CaseJob& job, const Result<CommitResult>& answer);

} // namespace fairuse::cli
