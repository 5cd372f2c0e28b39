#pragma once

#include "common/Domain.h"
#include "common/Time.h"
#include "enforcement/Policy.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace fairuse::ui {

/**
 * The user view's summary of one user as a reviewer reads it: the fair-use state with its cases, plan, caps and the
 * policy behind them; a classifier verdict; the STT budget; the LLM spend against its caps. Plain text from plain
 * values, translated in the user view's context.
 */
class UserSummary {
    Q_DECLARE_TR_FUNCTIONS(fairuse::ui::UserView)
public:
    /** Stage, plan, violations, cases, restrictions, the last classifier run, what produced the stage and the caps,
     *  one fact a line. `events` newest first. */
    static QString stateText(const FairUseState& state, const QList<FairUseEvent>& events,
                             const enforcement::Policy& policy, TimePoint now);
    /** Today's STT use against the restricted budget; `usedMs` absent: not available. */
    static QString sttBudgetText(const FairUseState& state, std::optional<std::int64_t> usedMs,
                                 const enforcement::Policy& policy, TimePoint now);
    /** A classifier verdict: kind, score, type, confidence, model, dropped evidence and reasoning; `origin` says
     *  where it comes from (a case, a re-run). */
    static QString classifierText(const ClassifierResult& result, const QString& origin);
    /** LLM spend in the last 24 h and 30 days against the caps of `plan`. */
    static QString spendText(const QList<LlmSpendRecord>& spend, Plan plan, TimePoint now);
};

} // namespace fairuse::ui
