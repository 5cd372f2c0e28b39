#include "enforcement/SpendReview.h"

#include <QLocale>

#include <algorithm>

namespace fairuse::enforcement {

namespace {

QString microUsd(std::int64_t v) {
    return QLocale::c().toString(static_cast<qlonglong>(v)) + QStringLiteral(" µUSD");
}

std::chrono::seconds slotOf(CapWindow trigger, const LedgerPolicy& policy) {
    const auto window = trigger == CapWindow::LlmDaily ? policy.dailyWindow : policy.monthlyWindow;
    return std::max(std::chrono::seconds{1}, std::chrono::duration_cast<std::chrono::seconds>(window));
}

} // namespace

Result<SpendStanding> spendStanding(const QString& uid, Plan plan, const QList<LlmSpendRecord>& records,
                                    const LedgerPolicy& policy, TimePoint now) {
    SpendStanding s;
    s.uid = uid;
    s.plan = plan;
    s.caps = policy.capsFor(plan);
    const TimePoint dailyFrom = now - policy.dailyWindow;
    const TimePoint monthlyFrom = now - policy.monthlyWindow;
    for (const LlmSpendRecord& r : records) {
        if (r.uid != uid) {
            return Error::invalid(QStringLiteral("a spend record of %1 was read for %2").arg(r.uid, uid));
        }
        if (r.costMicroUsd < 0) {
            return Error::invalid(
                QStringLiteral("a spend record of %1 has a negative cost (%2 µUSD)").arg(uid).arg(r.costMicroUsd));
        }
        if (r.at > now || r.at < monthlyFrom) {
            continue;
        }
        // Sums stay exact: a record is at most PriceTable's bound, far below overflow for a month of calls.
        s.monthlyMicroUsd += r.costMicroUsd;
        if (r.at >= dailyFrom) {
            s.dailyMicroUsd += r.costMicroUsd;
        }
        s.customStt = s.customStt || r.customStt;
    }
    return s;
}

std::optional<CapWindow> spendCapPassed(const SpendStanding& standing) {
    if (standing.dailyMicroUsd > standing.caps.dailyMicroUsd) {
        return CapWindow::LlmDaily;
    }
    if (standing.monthlyMicroUsd > standing.caps.monthlyMicroUsd) {
        return CapWindow::LlmMonthly;
    }
    return std::nullopt;
}

bool hasOpenSpendCase(const QList<FairUseEvent>& events) {
    return std::any_of(events.cbegin(), events.cend(),
                       [](const FairUseEvent& e) { return !e.resolved && isSpendTrigger(e.trigger); });
}

QString spendCaseId(const QString& uid, CapWindow trigger, TimePoint now, const LedgerPolicy& policy) {
    return enforcerCaseId(uid, trigger, now, slotOf(trigger, policy));
}

QString spendExplanation(const SpendStanding& standing, CapWindow trigger) {
    const bool daily = trigger == CapWindow::LlmDaily;
    return QStringLiteral("%1 %2 > %3 (plan %4%5)")
        .arg(toString(trigger), microUsd(daily ? standing.dailyMicroUsd : standing.monthlyMicroUsd),
             microUsd(daily ? standing.caps.dailyMicroUsd : standing.caps.monthlyMicroUsd), toString(standing.plan),
             standing.customStt ? QStringLiteral(", custom STT") : QString());
}

Result<ChangeSet> buildSpendCaseChange(const FairUseState& state, const SpendStanding& standing, CapWindow trigger,
                                       const ServiceIdentity& who, TimePoint now, const QString& caseId,
                                       const QString& policyLabel) {
    if (who.email.trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("the service's identity is missing: its credential names none"));
    }
    if (standing.uid.isEmpty() || (!state.uid.isEmpty() && state.uid != standing.uid)) {
        return Error::invalid(QStringLiteral("the spend case names no user, or two"));
    }
    if (!isSpendTrigger(trigger)) {
        return Error::invalid(QStringLiteral("%1 is not an LLM-spend trigger").arg(toString(trigger)));
    }
    const std::optional<CapWindow> passed = spendCapPassed(standing);
    const bool monthlyPassed = standing.monthlyMicroUsd > standing.caps.monthlyMicroUsd;
    if (!passed || (trigger == CapWindow::LlmMonthly && !monthlyPassed) ||
        (trigger == CapWindow::LlmDaily && *passed != CapWindow::LlmDaily)) {
        return Error::invalid(QStringLiteral("%1's spend does not pass the %2 cap: %3")
                                  .arg(standing.uid, toString(trigger), spendExplanation(standing, trigger)));
    }
    if (caseId.isEmpty() || enforcerCaseRef(caseId).isEmpty()) {
        return Error::invalid(QStringLiteral("the spend case of %1 has no valid id").arg(standing.uid));
    }
    FairUseEvent e;
    e.id = caseId;
    e.uid = standing.uid;
    e.createdAt = now;
    e.caseRef = enforcerCaseRef(caseId);
    e.trigger = trigger;
    e.thresholds = Caps{0, 0, 0}; // no speech cap applies to a spend case
    e.enforcementAction = kReviewLlmSpend;
    e.previousStage = state.stage;
    e.newStage = state.stage;
    e.policy = policyLabel;
    e.llmSpend = SpendFigures{
        standing.dailyMicroUsd, standing.monthlyMicroUsd, standing.caps.dailyMicroUsd, standing.caps.monthlyMicroUsd,
        standing.plan,          standing.customStt};

    ChangeSet cs;
    cs.uid = standing.uid;
    cs.newEvent = e;
    cs.checkStateVersion = false;    // the state is neither written nor read back: the case stands on its own
    cs.expectedEventVersion.clear(); // the deterministic id must not exist yet
    cs.idempotencyKey = QStringLiteral("enforcer/case/%1/%2").arg(standing.uid, caseId);
    AuditRecord& a = cs.audit;
    a.at = now;
    a.reviewer = who.email.trimmed();
    a.reviewerUid = who.uid;
    a.role = Role::Service;
    a.action = AuditAction::Enforce;
    a.uid = standing.uid;
    a.caseRef = e.caseRef;
    a.eventId = caseId;
    a.stageBefore = state.stage;
    a.stageAfter = state.stage;
    a.reason = QStringLiteral("%1: %2").arg(kReviewLlmSpend, spendExplanation(standing, trigger));
    a.clientVersion = who.clientVersion;
    return cs;
}

} // namespace fairuse::enforcement
