#include "casework/ManualReview.h"

#include "common/WireNames.h"
#include "enforcement/ActionSupport.h"
#include "enforcement/DecisionReason.h"
#include "enforcement/Enforcement.h"

#include <array>

namespace fairuse::casework {

namespace {

constexpr std::array kDecisions{std::pair{ReviewDecision::RestoreNone, "restore_none"},
                                std::pair{ReviewDecision::RestoreWarning, "restore_warning"},
                                std::pair{ReviewDecision::KeepRestricted, "keep"},
                                std::pair{ReviewDecision::Extend, "extend"}};

} // namespace

QString toString(ReviewDecision d) {
    return wireName(kDecisions, d);
}

std::optional<ReviewDecision> reviewDecisionFromString(const QString& s) {
    return fromWireName(kDecisions, s);
}

std::optional<TimePoint> restrictedSince(const enforcement::Policy& policy, const FairUseState& state) {
    if (state.stage != Stage::Restrict || !state.restrictUntil) {
        return std::nullopt;
    }
    return *state.restrictUntil - policy.restrictDuration;
}

SlaStatus slaStatus(const enforcement::Policy& policy, TimePoint waitingSince, TimePoint now) {
    SlaStatus s;
    s.dueAt = waitingSince + policy.manualReviewSla;
    s.late = now > s.dueAt;
    s.waited = std::max(std::chrono::milliseconds{0},
                        std::chrono::duration_cast<std::chrono::milliseconds>(now - waitingSince));
    return s;
}

bool reviewedSince(const QList<AuditRecord>& records, TimePoint since) {
    return std::any_of(records.cbegin(), records.cend(), [since](const AuditRecord& r) {
        return r.action == AuditAction::ManualReview && r.at >= since;
    });
}

Result<ChangeSet> buildManualReview(const enforcement::Policy& policy, const FairUseState& state,
                                    ReviewDecision decision, const QString& reasonCode, const QString& notes,
                                    const enforcement::ActionContext& ctx, const std::optional<CaseVerdict>& verdict) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    const FairUseState inForce = enforcement::applyExpiry(policy, state, ctx.now).state;
    if (inForce.stage != Stage::Restrict) {
        return Error::invalid(QStringLiteral("%1 is not restricted (stage %2): there is no restriction to review")
                                  .arg(state.uid, toString(inForce.stage)));
    }
    const Result<QString> coded = enforcement::codedReason(policy, reasonCode, notes);
    if (!coded) {
        return coded.error();
    }
    const QString reason = toString(decision) + QLatin1Char(' ') + *coded;

    ChangeSet cs = enforcement::baseChangeSet(state, ctx, AuditAction::ManualReview, reason);
    cs.checkStateVersion = false;
    if (verdict) {
        if (!verdict->event.uid.isEmpty() && verdict->event.uid != state.uid) {
            return Error::invalid(QStringLiteral("case %1 is not %2's").arg(verdict->event.caseRef, state.uid));
        }
        Result<ClassifierLabel> label =
            enforcement::buildLabel(verdict->event, verdict->verdict, toString(decision), ctx);
        if (!label) {
            return label.error();
        }
        label->uid = state.uid;
        cs.label = *label;
        cs.audit.caseRef = verdict->event.caseRef;
        cs.audit.eventId = verdict->event.id;
    }
    switch (decision) {
    case ReviewDecision::KeepRestricted:
        break;
    case ReviewDecision::RestoreNone:
    case ReviewDecision::RestoreWarning: {
        const Stage target = decision == ReviewDecision::RestoreNone ? Stage::None : Stage::Warning;
        if (Status st =
                enforcement::requireRole(ctx, enforcement::roleNeeded(AuditAction::ManualReview, state.stage, target),
                                         QStringLiteral("lifting a restriction"));
            !st) {
            return st.error();
        }
        auto d = enforcement::applyOverride(policy, state, target, ctx.reviewer, reason, ctx.now);
        if (!d) {
            return d.error();
        }
        cs.newState = d->state;
        cs.checkStateVersion = true;
        cs.audit.stageAfter = d->stageAfter;
        break;
    }
    case ReviewDecision::Extend: {
        if (Status st = enforcement::requireRole(ctx, Role::SeniorReviewer, QStringLiteral("extending a restriction"));
            !st) {
            return st.error();
        }
        FairUseState extended = state;
        extended.restrictUntil = *state.restrictUntil + policy.restrictDuration;
        extended.updatedAt = ctx.now;
        cs.newState = extended;
        cs.checkStateVersion = true;
        break;
    }
    }
    return cs;
}

} // namespace fairuse::casework
