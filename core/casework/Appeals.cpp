#include "casework/Appeals.h"

#include "enforcement/ActionSupport.h"
#include "enforcement/DecisionReason.h"
#include "enforcement/Enforcement.h"

#include <algorithm>

namespace fairuse::casework {

using enforcement::ActionContext;

Stage stageBeforeContested(const FairUseState& state, const std::optional<FairUseEvent>& contested) {
    if (contested) {
        return contested->previousStage;
    }
    return enforcement::stepDown(state.stage);
}

Result<ChangeSet> buildDecideAppeal(const enforcement::Policy& policy, const FairUseState& state, const Appeal& appeal,
                                    const std::optional<FairUseEvent>& contested, AppealDecision decision,
                                    const QString& reasonCode, const QString& notes, const ActionContext& ctx,
                                    std::optional<ClassifierVerdict> verdict) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (appeal.id.isEmpty() || appeal.id.contains(QLatin1Char(' '))) {
        return Error::invalid(QStringLiteral("the appeal has no usable id"));
    }
    if (!appeal.uid.isEmpty() && appeal.uid != state.uid) {
        return Error::invalid(QStringLiteral("appeal %1 is %2's, not %3's").arg(appeal.id, appeal.uid, state.uid));
    }
    if (contested && contested->caseRef != appeal.caseRef) {
        return Error::invalid(QStringLiteral("appeal %1 contests %2, not %3")
                                  .arg(appeal.id, appeal.caseRef.isEmpty() ? QStringLiteral("no case") : appeal.caseRef,
                                       contested->caseRef));
    }
    if (!appeal.isOpen()) {
        return Error::conflict(QStringLiteral("appeal %1 was already decided (%2) by %3")
                                   .arg(appeal.id, toString(*appeal.decision), appeal.decidedBy));
    }
    if (Status st =
            enforcement::requireRole(ctx, enforcement::roleNeeded(AuditAction::DecideAppeal, state.stage, state.stage),
                                     QStringLiteral("deciding an appeal"));
        !st) {
        return st.error();
    }
    const Result<QString> reason = enforcement::codedReason(policy, reasonCode, notes);
    if (!reason) {
        return reason.error();
    }

    ChangeSet cs =
        enforcement::baseChangeSet(state, ctx, AuditAction::DecideAppeal,
                                   QStringLiteral("appeal %1 %2: %3").arg(appeal.id, toString(decision), *reason));
    cs.audit.caseRef = appeal.caseRef;
    cs.audit.eventId = contested ? contested->id : QString();
    cs.checkStateVersion = false;
    if (verdict) {
        if (!contested) {
            return Error::invalid(
                QStringLiteral("appeal %1 contests no case: there is no classifier result to give a verdict on")
                    .arg(appeal.id));
        }
        Result<ClassifierLabel> label = enforcement::buildLabel(*contested, *verdict, toString(decision), ctx);
        if (!label) {
            return label.error();
        }
        label->uid = state.uid;
        cs.label = *label;
    }

    Appeal decided = appeal;
    decided.uid = state.uid;
    decided.decision = decision;
    decided.decidedBy = ctx.reviewer.email;
    decided.decidedAt = ctx.now;
    decided.decisionReason = *reason;
    cs.decidedAppeal = decided;

    if (decision == AppealDecision::Overturned) {
        // Overturning never raises the stage: a restriction that already ran down stays where it is.
        const Stage restored = std::min(stageBeforeContested(state, contested), state.stage);
        if (restored != state.stage) {
            auto d = enforcement::applyOverride(policy, state, restored, ctx.reviewer,
                                                QStringLiteral("appeal %1 overturned").arg(appeal.id), ctx.now);
            if (!d) {
                return d.error();
            }
            cs.newState = d->state;
            cs.checkStateVersion = true;
            cs.audit.stageAfter = d->stageAfter;
        }
    }
    return cs;
}

std::optional<Appeal> openAppeal(const QList<Appeal>& appeals, const QString& caseRef) {
    std::optional<Appeal> oldest;
    for (const Appeal& a : appeals) {
        if (!a.isOpen()) {
            continue;
        }
        if (!caseRef.isEmpty() && !a.caseRef.isEmpty() && a.caseRef != caseRef) {
            continue;
        }
        if (!oldest || a.createdAt < oldest->createdAt) {
            oldest = a;
        }
    }
    return oldest;
}

} // namespace fairuse::casework
