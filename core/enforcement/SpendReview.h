#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/EnforcerChanges.h"
#include "ledger/LlmSpendLedger.h"

#include <QList>
#include <QString>

#include <optional>

/**
 * @file
 * The enforcement service's LLM-spend trigger (SPEC 2.4 and 6; the seed "Custom STT (BYOK) users: uncapped LLM
 * spend"): a user whose settled LLM spend passes their plan's cap (LedgerPolicy, the caps the ledger gates calls
 * with) gets a case for review. Such a case changes no stage: spend is not misuse of the speech caps, and a reviewer
 * decides what to do (talk to the user, change their plan, exempt them). Its trigger is llm_daily or llm_monthly, it
 * carries the figures (FairUseEvent::llmSpend) instead of speech totals and a classifier verdict, and it is written
 * with the service's `enforce` record in one commit under a deterministic id, like a cap-hit case
 * (EnforcerChanges.h).
 *
 * How often: at most one case per trigger and slot (a UTC day for llm_daily, a 30-day slot since the epoch for
 * llm_monthly, the ledger's window lengths), and none while the user has an open spend case: a reviewer is asked once
 * per overspend, not once per check interval.
 */
namespace fairuse::enforcement {

/** The spend of one user over the ledger's windows, with the plan that sets the caps. */
struct SpendStanding {
    QString uid;
    Plan plan = Plan::Basic;
    bool customStt = false; ///< any record of the monthly window was made for a custom-STT session
    std::int64_t dailyMicroUsd = 0;
    std::int64_t monthlyMicroUsd = 0;
    SpendCaps caps;
};

/**
 * Sums `records` (the user's spend records of at least the trailing monthly window) the way LlmSpendLedger does:
 * a record counts in a window when its time is in [now - window, now]. Invalid when a record names another user or
 * has a negative cost (junk in the store is reported, never summed).
 */
Result<SpendStanding> spendStanding(const QString& uid, Plan plan, const QList<LlmSpendRecord>& records,
                                    const LedgerPolicy& policy, TimePoint now);

/** The spend cap the standing passes (strictly above it), the daily one first; nullopt within both caps. A cap of 0
 *  is a plan without LLM budget: any spend passes it. */
std::optional<CapWindow> spendCapPassed(const SpendStanding& standing);

/** True when one of `events` is an open (unresolved) LLM-spend case. */
bool hasOpenSpendCase(const QList<FairUseEvent>& events);

/** The id of the spend case of `uid` for `trigger` at `now`: enforcerCaseId over the trigger's slot (a day for
 *  llm_daily, 30 days for llm_monthly), so every instance and every pass in the slot names the same document. */
QString spendCaseId(const QString& uid, CapWindow trigger, TimePoint now, const LedgerPolicy& policy);

/**
 * The commit of a spend case: the case (id `caseId`, must not exist yet; the stage before and after is the state's,
 * action review_llm_spend, the policy's label) and the service's `enforce` record; the state is not written.
 * Invalid when the trigger is not a spend trigger, the standing does not pass that cap, the identity is missing, or
 * the user id is.
 */
Result<ChangeSet> buildSpendCaseChange(const FairUseState& state, const SpendStanding& standing, CapWindow trigger,
                                       const ServiceIdentity& who, TimePoint now, const QString& caseId,
                                       const QString& policyLabel);

/** "llm_daily 812,345 µUSD > 500,000 µUSD (plan basic, custom STT)": the explanation a spend case records. */
QString spendExplanation(const SpendStanding& standing, CapWindow trigger);

/** The enforcement action of a spend case. */
inline const QString kReviewLlmSpend = QStringLiteral("review_llm_spend");

} // namespace fairuse::enforcement
