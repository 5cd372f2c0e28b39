#include "enforcement/ReviewerActions.h"

#include "enforcement/ActionSupport.h"
#include "enforcement/DecisionReason.h"
#include "enforcement/Enforcement.h"

namespace fairuse::enforcement {

namespace {

/** Notes keep who wrote them and when, so the case document reads on its own. */
QString appendNote(const QString& existing, const ActionContext& ctx, const QString& note) {
    const QString line = QStringLiteral("[%1 %2] %3").arg(formatRfc3339(ctx.now), ctx.reviewer.email, note.trimmed());
    return existing.isEmpty() ? line : QString(existing + QLatin1Char('\n') + line);
}

/** One step down with the timers of the lower stage. */
FairUseState lowered(const Policy& policy, FairUseState s, TimePoint now) {
    switch (s.stage) {
    case Stage::Restrict:
        s.stage = Stage::Throttle;
        s.restrictUntil.reset();
        s.restrictReason.clear();
        s.throttleUntil = now + policy.throttleDuration;
        break;
    case Stage::Throttle:
        s.stage = Stage::Warning;
        s.throttleUntil.reset();
        break;
    case Stage::Warning:
        s.stage = Stage::None;
        break;
    case Stage::None:
        return s;
    }
    s.updatedAt = now;
    return s;
}

} // namespace

Role roleNeeded(AuditAction action, Stage before, Stage after) {
    switch (action) {
    case AuditAction::Resolve:
        return before == Stage::Restrict && after != Stage::Restrict ? Role::SeniorReviewer : Role::Reviewer;
    case AuditAction::OverrideStage:
        return roleNeededForOverride(before, after);
    case AuditAction::Reset:
        return Role::Admin;
    case AuditAction::Exempt:
    case AuditAction::Unexempt:
    case AuditAction::TakeOverClaim:
    case AuditAction::DecideAppeal:
        return Role::SeniorReviewer;
    case AuditAction::ManualReview:
        // Keeping a restriction is a reviewer's call; lifting or extending one is a senior's.
        return before == after ? Role::Reviewer : Role::SeniorReviewer;
    case AuditAction::RerunClassifier:
    case AuditAction::AddNote:
    case AuditAction::Claim:
    case AuditAction::ReleaseClaim:
    // Casework is every reviewer's; unpinning someone else's note or withdrawing someone else's escalation needs a
    // senior, which casework/Casework.h checks against the note's author and the escalation's reviewer.
    case AuditAction::PinNote:
    case AuditAction::UnpinNote:
    case AuditAction::Escalate:
    case AuditAction::DeEscalate:
    case AuditAction::Snooze:
    case AuditAction::Unsnooze:
    // Any reviewer saves views; changing or deleting someone else's shared view needs a senior
    // (casework/SavedViews.h checks it against the view's owner).
    case AuditAction::SaveView:
    case AuditAction::DeleteView:
        break;
    // The enforcement service's decisions: above every reviewer's role, so no reviewer may record one.
    case AuditAction::Enforce:
        return Role::Service;
    }
    return Role::Reviewer;
}

Result<ChangeSet> buildResolve(const Policy& policy, const FairUseState& state, const FairUseEvent& event,
                               Outcome outcome, const QString& reasonCode, const QString& notes, bool exempt,
                               const ActionContext& ctx, std::optional<ClassifierVerdict> verdict) {
    if (Status st = checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (Status st = checkEventOfUser(state, event); !st) {
        return st.error();
    }
    if (event.resolved) {
        return Error::conflict(QStringLiteral("case %1 was already resolved by %2 at %3")
                                   .arg(event.caseRef, event.resolvedBy,
                                        event.resolvedAt ? formatRfc3339(*event.resolvedAt) : QStringLiteral("?")));
    }
    if (exempt && outcome != Outcome::FalsePositive) {
        return Error::invalid(QStringLiteral("exempting the user is only possible with a false_positive resolution"));
    }
    if (exempt) {
        if (Status st = requireRole(ctx, Role::SeniorReviewer, QStringLiteral("exempting a user")); !st) {
            return st.error();
        }
    }
    if (outcome == Outcome::FalsePositive && state.stage == Stage::Restrict) {
        if (Status st = requireRole(ctx, roleNeeded(AuditAction::Resolve, state.stage, stepDown(state.stage)),
                                    QStringLiteral("resolving a restricted user's case as false_positive (which lifts "
                                                   "the restriction)"));
            !st) {
            return st.error();
        }
    }

    const Result<QString> reason = codedReason(policy, reasonCode, notes);
    if (!reason) {
        return reason.error();
    }
    ChangeSet cs = baseChangeSet(state, ctx, AuditAction::Resolve, *reason);
    cs.audit.caseRef = event.caseRef;
    cs.audit.eventId = event.id;
    if (verdict) {
        Result<ClassifierLabel> label = buildLabel(event, *verdict, toString(outcome), ctx);
        if (!label) {
            return label.error();
        }
        label->uid = state.uid;
        cs.label = *label;
    }

    FairUseEvent e = event;
    e.resolved = true;
    e.resolvedAt = ctx.now;
    e.resolvedBy = ctx.reviewer.email;
    e.outcome = outcome;
    if (!notes.trimmed().isEmpty()) {
        e.adminNotes = appendNote(e.adminNotes, ctx, notes);
    }
    cs.newEvent = e;
    cs.expectedEventVersion = event.version;

    if (outcome == Outcome::FalsePositive && state.stage != Stage::None) {
        cs.newState = lowered(policy, state, ctx.now);
        cs.audit.stageAfter = cs.newState->stage;
    }
    if (exempt) {
        cs.exempt = true;
    }
    return cs;
}

Result<ChangeSet> buildOverrideStage(const Policy& policy, const FairUseState& state, Stage target,
                                     const QString& reasonCode, const QString& notes, const ActionContext& ctx) {
    if (Status st = checkIdentity(state, ctx); !st) {
        return st.error();
    }
    const Result<QString> reason = codedReason(policy, reasonCode, notes);
    if (!reason) {
        return reason.error();
    }
    auto d = applyOverride(policy, state, target, ctx.reviewer, *reason, ctx.now);
    if (!d) {
        return d.error();
    }
    ChangeSet cs = baseChangeSet(state, ctx, AuditAction::OverrideStage, *reason);
    cs.newState = d->state;
    cs.audit.stageAfter = d->stageAfter;
    return cs;
}

Result<ChangeSet> buildReset(const Policy& policy, const FairUseState& state, const QString& reasonCode,
                             const QString& notes, const ActionContext& ctx) {
    if (Status st = checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (Status st = requireRole(ctx, roleNeeded(AuditAction::Reset, state.stage, Stage::None),
                                QStringLiteral("resetting a user"));
        !st) {
        return st.error();
    }
    const Result<QString> reason = codedReason(policy, reasonCode, notes);
    if (!reason) {
        return reason.error();
    }
    ChangeSet cs = baseChangeSet(state, ctx, AuditAction::Reset, *reason);
    FairUseState s = state;
    s.stage = Stage::None;
    s.violationCount7d = 0;
    s.violationCount30d = 0;
    s.throttleUntil.reset();
    s.restrictUntil.reset();
    s.restrictReason.clear();
    s.resetBy = ctx.reviewer.email;
    s.resetAt = ctx.now;
    s.updatedAt = ctx.now;
    cs.newState = s;
    cs.audit.stageAfter = Stage::None;
    return cs;
}

Result<ChangeSet> buildExempt(const Policy& policy, const FairUseState& state, bool exempt, const QString& reasonCode,
                              const QString& notes, const ActionContext& ctx) {
    if (Status st = checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (Status st =
            requireRole(ctx, roleNeeded(exempt ? AuditAction::Exempt : AuditAction::Unexempt, state.stage, state.stage),
                        exempt ? QStringLiteral("exempting a user") : QStringLiteral("un-exempting a user"));
        !st) {
        return st.error();
    }
    const Result<QString> reason = codedReason(policy, reasonCode, notes);
    if (!reason) {
        return reason.error();
    }
    if (state.exempt == exempt) {
        return Error::conflict(exempt ? QStringLiteral("user %1 is already exempt").arg(state.uid)
                                      : QStringLiteral("user %1 is not exempt").arg(state.uid));
    }
    ChangeSet cs = baseChangeSet(state, ctx, exempt ? AuditAction::Exempt : AuditAction::Unexempt, *reason);
    cs.exempt = exempt;
    // Exemptions live in their own collection; the state document is neither written nor a precondition.
    cs.checkStateVersion = false;
    return cs;
}

Result<ChangeSet> buildAddNote(const FairUseState& state, const FairUseEvent& event, const QString& note,
                               const ActionContext& ctx) {
    if (Status st = checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (Status st = checkEventOfUser(state, event); !st) {
        return st.error();
    }
    // The user note, tied to the case and kept in its notes too.
    Result<ChangeSet> cs = buildAddUserNote(state, note, ctx);
    if (!cs) {
        return cs;
    }
    cs->audit.caseRef = event.caseRef;
    cs->audit.eventId = event.id;
    FairUseEvent e = event;
    e.adminNotes = appendNote(e.adminNotes, ctx, note);
    cs->newEvent = e;
    cs->expectedEventVersion = event.version;
    return cs;
}

Result<ChangeSet> buildAddUserNote(const FairUseState& state, const QString& note, const ActionContext& ctx) {
    if (Status st = checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (Status st = requireText(note, QStringLiteral("a note")); !st) {
        return st.error();
    }
    ChangeSet cs = baseChangeSet(state, ctx, AuditAction::AddNote, note);
    cs.checkStateVersion = false;
    return cs;
}

Result<ChangeSet> buildRerunClassifier(const FairUseState& state, const QString& reason, const ActionContext& ctx) {
    if (Status st = checkIdentity(state, ctx); !st) {
        return st.error();
    }
    ChangeSet cs = baseChangeSet(state, ctx, AuditAction::RerunClassifier, reason);
    cs.checkStateVersion = false;
    return cs;
}

} // namespace fairuse::enforcement
