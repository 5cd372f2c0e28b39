#include "UserSummary.h"

#include "DetailFormat.h"
#include "EventsModel.h"
#include "common/Subscription.h"
#include "enforcement/Enforcement.h"
#include "ledger/LlmSpendLedger.h"
#include "ledger/SttBudget.h"

#include <QLocale>
#include <QStringList>

#include <chrono>

namespace fairuse::ui {

QString UserSummary::stateText(const FairUseState& s, const QList<FairUseEvent>& events,
                               const enforcement::Policy& policy, TimePoint now) {
    int open = 0;
    for (const FairUseEvent& e : std::as_const(events)) {
        open += e.resolved ? 0 : 1;
    }
    QStringList lines;
    lines << tr("Stage: %1").arg(models::stageLabel(s.stage));
    const Plan plan = effectivePlan(s.subscription, now);
    lines << tr("Plan: %1").arg(models::planText(s.subscription, now));
    lines << tr("Violations: %1 in the last 7 days, %2 in the last 30 days")
                 .arg(s.violationCount7d)
                 .arg(s.violationCount30d);
    lines << tr("Cases: %1 (%2 open)").arg(events.size()).arg(open);
    lines << tr("Last violation: %1").arg(models::formatTime(s.lastViolationAt));
    if (s.throttleUntil) {
        lines << tr("Throttled until %1").arg(models::formatTime(s.throttleUntil));
    }
    if (s.restrictUntil || s.stage == Stage::Restrict) {
        lines << tr("Restricted until %1 (%2)")
                     .arg(models::formatTime(s.restrictUntil),
                          s.restrictReason.isEmpty() ? tr("no reason recorded") : s.restrictReason);
        // The restriction is meant to hold until the next billing cycle; the subscription says when that is.
        if (const auto cycleEnd = billingCycleEnd(s.subscription, now)) {
            lines.last() += tr("; billing cycle ends %1").arg(models::formatTime(*cycleEnd));
        }
    }
    if (s.lastClassifierScore) {
        lines << tr("Last classifier: score %1, %2, at %3")
                     .arg(QLocale().toString(*s.lastClassifierScore, 'f', 2),
                          s.lastClassifierType ? models::usageTypeLabel(*s.lastClassifierType) : tr("unknown type"),
                          models::formatTime(s.lastClassifierAt));
    }
    if (!s.resetBy.isEmpty()) {
        lines << tr("Reset by %1 on %2").arg(s.resetBy, models::formatTime(s.resetAt));
    }
    lines << tr("Exempt: %1").arg(s.exempt ? tr("yes") : tr("no"));
    lines << tr("Updated: %1").arg(models::formatTime(s.updatedAt));
    // The stage comes from the newest case's decision, under the policy that produced that case.
    if (!events.isEmpty()) {
        const FairUseEvent& last = events.first();
        lines << tr("Produced by: %1 (%2 \u2192 %3) on %4, policy %5")
                     .arg(last.enforcementAction, models::stageLabel(last.previousStage),
                          models::stageLabel(last.newStage), models::formatTime(last.createdAt),
                          models::EventsModel::policyText(last));
    }
    lines << tr("Policy the console evaluates with: %1").arg(policy.label());
    const Caps caps = policy.capsFor(plan);
    lines << tr("Caps (%1): daily %2, 3-day %3, weekly %4")
                 .arg(toString(plan), models::formatSpeechHours(caps.dailyMs),
                      models::formatSpeechHours(caps.threeDayMs), models::formatSpeechHours(caps.weeklyMs));
    return lines.join(QLatin1Char('\n'));
}

QString UserSummary::sttBudgetText(const FairUseState& s, std::optional<std::int64_t> usedMs,
                                   const enforcement::Policy& policy, TimePoint now) {
    const SttBudget budget(policy.restrictedDailySttMs);
    if (!usedMs) {
        return tr("STT budget: not available");
    } else {
        const SttBudgetStatus st = budget.status(*usedMs, now);
        const QString used = tr("%1 min used of %2 min today, resets at %3")
                                 .arg(*usedMs / 60'000)
                                 .arg(st.limitMs / 60'000)
                                 .arg(models::formatTime(st.resetsAt));
        // The budget applies while a restriction is in force now: an ended one no longer budgets.
        if (enforcement::sttBudgetFor(policy, s, now)) {
            return tr("STT budget (restricted): %1%2")
                .arg(used, st.exhausted ? tr(" \u2014 exhausted, no audio forwarded") : QString());
        } else {
            return tr("STT budget: applies only while restricted (%1)").arg(used);
        }
    }
}

QString UserSummary::spendText(const QList<LlmSpendRecord>& spend, Plan plan, TimePoint now) {
    LedgerPolicy ledger;
    const SpendCaps spendCaps = ledger.capsFor(plan);
    std::int64_t day = 0;
    std::int64_t month = 0;
    for (const LlmSpendRecord& r : std::as_const(spend)) {
        month += r.costMicroUsd;
        if (r.at > now - std::chrono::hours(24)) {
            day += r.costMicroUsd;
        }
    }
    return tr("LLM spend: %1 in the last 24 h (cap %2), %3 in the last 30 days (cap %4), %5 calls")
        .arg(models::formatUsd(day), models::formatUsd(spendCaps.dailyMicroUsd), models::formatUsd(month),
             models::formatUsd(spendCaps.monthlyMicroUsd))
        .arg(spend.size());
}

QString UserSummary::classifierText(const ClassifierResult& r, const QString& origin) {
    QStringList lines;
    lines << tr("[%1] Classifier verdict from %2").arg(models::classifierKindLabel(r).toUpper(), origin);
    lines << tr("Score %1, type %2, confidence %3")
                 .arg(QLocale().toString(r.misuseScore, 'f', 2), models::usageTypeLabel(r.usageType),
                      QLocale().toString(r.confidence, 'f', 2));
    lines << tr("Model %1, prompt version %2").arg(r.model, r.promptVersion);
    if (r.droppedEvidence > 0) {
        lines << tr("%n evidence entries dropped (they named unknown conversations)", nullptr, r.droppedEvidence);
    } else {
        lines << tr("No evidence dropped");
    }
    lines << tr("Reasoning: %1").arg(r.reasoning);
    return lines.join(QLatin1Char('\n'));
}

} // namespace fairuse::ui
