#include "CaseResolution.h"

#include "ReviewerSession.h"

#include "audit/CaseRef.h"
#include "casework/Casework.h"
#include "common/Await.h"
#include "enforcement/DecisionReason.h"
#include "enforcement/ReviewerActions.h"

namespace fairuse::cli {

QString resolveKey(const QString& caseRef, Outcome outcome, const QString& reviewerUid) {
    return QStringLiteral("cli-resolve:%1:%2:%3").arg(caseRef, toString(outcome), reviewerUid);
}

QString statusName(CaseStatus status) {
    switch (status) {
    case CaseStatus::Pending:
        return QStringLiteral("pending");
    case CaseStatus::Resolved:
        return QStringLiteral("resolved");
    case CaseStatus::AlreadyApplied:
        return QStringLiteral("already_applied");
    case CaseStatus::Invalid:
        return QStringLiteral("invalid");
    case CaseStatus::Duplicate:
        return QStringLiteral("duplicate");
    case CaseStatus::NotFound:
        return QStringLiteral("not_found");
    case CaseStatus::Conflict:
        return QStringLiteral("conflict");
    case CaseStatus::Refused:
        return QStringLiteral("refused");
    case CaseStatus::Failed:
        break;
    }
    return QStringLiteral("failed");
}

CaseStatus refusalStatus(ErrorKind kind) {
    if (kind == ErrorKind::Permission) {
        return CaseStatus::Refused;
    }
    return kind == ErrorKind::Conflict ? CaseStatus::Conflict : CaseStatus::Failed;
}

bool succeeded(CaseStatus status) {
    return status == CaseStatus::Resolved || status == CaseStatus::AlreadyApplied;
}

namespace {

/** A probe's answer when this key did not resolve the case: someone else's resolution stands. */
void settleAsResolvedElsewhere(CaseJob& job) {
    job.status = CaseStatus::Conflict;
    job.message = QStringLiteral("already resolved by %1 (%2) before, not by this command")
                      .arg(job.event.resolvedBy, job.event.outcome ? toString(*job.event.outcome) : QString());
}

} // namespace

QJsonObject CaseJob::toJson(bool withLine) const {
    const auto stage = [](const std::optional<Stage>& s) { return s ? QJsonValue(toString(*s)) : QJsonValue(); };
    const auto text = [](const QString& s) { return s.isEmpty() ? QJsonValue() : QJsonValue(s); };
    QJsonObject o{
        {QStringLiteral("input"), input},
        {QStringLiteral("case_ref"), text(caseRef)},
        {QStringLiteral("uid"), text(event.uid)},
        {QStringLiteral("status"), statusName(status)},
        {QStringLiteral("message"), message},
        {QStringLiteral("stage_before"), stage(stageBefore)},
        {QStringLiteral("stage_after"), stage(stageAfter)},
        {QStringLiteral("audit"), audit ? QJsonValue(auditJson(*audit)) : QJsonValue()},
        {QStringLiteral("stage_cache"), text(stageCache)},
    };
    if (!stageCacheError.isEmpty()) {
        o.insert(QStringLiteral("stage_cache_error"), stageCacheError);
    }
    if (withLine) {
        o.insert(QStringLiteral("line"), line);
    }
    return o;
}

Result<ResolveOptions::Values> ResolveOptions::read(const QCommandLineParser& parser,
                                                    const enforcement::Policy& policy) const {
    if (!parser.isSet(outcome)) {
        return Error::invalid(QStringLiteral("--outcome is required (confirmed, false_positive or no_action)"));
    }
    const std::optional<Outcome> named = outcomeFromString(parser.value(outcome));
    if (!named) {
        return Error::invalid(QStringLiteral("--outcome must be confirmed, false_positive or no_action, not \"%1\"")
                                  .arg(parser.value(outcome)));
    }
    const QString code = parser.value(reasonCode).trimmed();
    if (const std::optional<QString> problem = reasonCodeProblem(policy, code, parser.value(notes))) {
        return Error::invalid(*problem);
    }
    std::optional<ClassifierVerdict> v;
    if (parser.isSet(verdict)) {
        v = classifierVerdictFromString(parser.value(verdict).trimmed());
        if (!v) {
            QStringList names;
            for (ClassifierVerdict each : classifierVerdicts()) {
                names.append(toString(each));
            }
            return Error::invalid(QStringLiteral("--verdict must be one of %1, not \"%2\"")
                                      .arg(names.join(QStringLiteral(", ")), parser.value(verdict)));
        }
    }
    return Values{*named, code, parser.value(notes), v};
}

std::optional<QString> reasonCodeProblem(const enforcement::Policy& policy, const QString& code, const QString& notes) {
    const Result<QString> reason = enforcement::codedReason(policy, code, notes);
    if (reason) {
        return std::nullopt;
    }
    if (code.trimmed().isEmpty()) {
        QStringList codes;
        for (const enforcement::ReasonCode& r : policy.reasonCodes) {
            codes.append(r.code);
        }
        return QStringLiteral("--reason-code CODE is required; one of: %1").arg(codes.join(QStringLiteral(", ")));
    }
    return reason.error().message;
}

void planResolve(CaseJob& job, const enforcement::Policy& policy, const FairUseState& state,
                 const std::optional<Casework>& casework, const ResolveRequest& request) {
    enforcement::ActionContext ctx;
    ctx.reviewer = request.reviewer;
    ctx.now = request.now;
    ctx.clientVersion = request.clientVersion;
    ctx.idempotencyKey = resolveKey(job.caseRef, request.outcome, request.reviewer.uid);
    ctx.caseRef = job.event.caseRef;
    ctx.eventId = job.event.id;
    job.stageBefore = state.stage;

    FairUseEvent event = job.event;
    job.probe = event.resolved && event.outcome == request.outcome &&
                event.resolvedBy.compare(request.reviewer.email, Qt::CaseInsensitive) == 0;
    if (job.probe) {
        // The request as it was while the case was open, only to present its key again (as the console's
        // BulkResolver does): the store answers "already applied" when this key resolved it.
        event.resolved = false;
        event.resolvedAt.reset();
        event.resolvedBy.clear();
        event.outcome.reset();
    }
    Result<ChangeSet> change =
        enforcement::buildResolve(policy, state, event, request.outcome, request.reasonCode, request.notes, false, ctx,
                                  event.classifier ? request.verdict : std::nullopt);
    if (!change) {
        if (job.probe) {
            settleAsResolvedElsewhere(job);
        } else {
            job.status = refusalStatus(change.error().kind);
            job.message = change.error().message;
        }
        return;
    }
    if (job.probe) {
        // A version the case can no longer have: if the key is unknown the commit fails its precondition, so the
        // case is never resolved twice. Well-formed, because Firestore must be able to evaluate it.
        change->expectedEventVersion = QStringLiteral("1970-01-01T00:00:00Z");
    } else {
        job.stageAfter = change->newState ? change->newState->stage : state.stage;
        casework::closeOnDecision(*change, casework);
    }
    job.change = std::move(change.value());
}

Result<std::optional<Casework>> readCaseworkOf(services::CaseStore& store, const QString& uid, int timeoutMs) {
    const Result<std::optional<Casework>> casework = services::awaitResult(store.getCasework(uid), timeoutMs);
    if (!casework && casework.error().kind == ErrorKind::Unavailable &&
        casework.error().message.contains(QStringLiteral("cannot read casework"))) {
        return std::optional<Casework>{}; // a store without casework: nothing to close
    }
    return casework;
}

void settleResolve(CaseJob& job, const Result<CommitResult>& answer) {
    if (answer && answer->alreadyApplied) {
        job.status = CaseStatus::AlreadyApplied;
        job.audit = answer->audit.sequence > 0 ? std::optional<AuditRecord>(answer->audit) : std::nullopt;
        job.stageAfter.reset();
        job.message =
            job.audit
                ? QStringLiteral("already applied by an earlier run: audit record %1").arg(describeRecord(*job.audit))
                : QStringLiteral("already applied by an earlier run");
        return;
    }
    if (job.probe) {
        settleAsResolvedElsewhere(job);
        return;
    }
    if (answer) {
        job.status = CaseStatus::Resolved;
        job.audit = answer->audit;
        job.message = QStringLiteral("resolved: audit record %1").arg(describeRecord(answer->audit));
        return;
    }
    const Error& error = answer.error();
    job.status = error.kind == ErrorKind::NotFound ? CaseStatus::NotFound : refusalStatus(error.kind);
    job.message = error.kind == ErrorKind::Permission
                      ? QStringLiteral("refused by the project's security rules: %1").arg(error.message)
                      : error.message;
}

} // namespace fairuse::cli
