#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"

#include <QList>
#include <QString>

#include <optional>

/**
 * @file
 * Appeals: a user's request for review of a decision (users/{uid}/fair_use_appeals/{id}), decided by a senior
 * reviewer as upheld (the contested decision stands) or overturned (the stage before it is restored). The decision is
 * written on the appeal with its audit record `decide_appeal`, whose reason reads
 * "appeal <id> upheld|overturned: <reason code>[: notes]", so the record names the appeal it decides and why.
 */
namespace fairuse::casework {

/** The stage an overturned appeal restores: the stage before the contested case's decision (its previous stage), or,
 *  with no case, one step below the current stage. */
Stage stageBeforeContested(const FairUseState& state, const std::optional<FairUseEvent>& contested);

/**
 * Senior reviewer: decides an open appeal. Upheld changes only the appeal; overturned also sets the state to
 * stageBeforeContested() with that stage's timers (as a manual override would) when that is lower than the stage in
 * force (overturning never raises a stage). A reason code of the policy is required (the appeal's decision reason is
 * "<code>[: notes]"). With a verdict, the ChangeSet carries the label of the contested case (outcome: upheld or
 * overturned); a verdict without a contested case is Invalid. Conflict when the appeal was already decided; Invalid
 * when it is another user's or `contested` is not the case it names.
 */
Result<ChangeSet> buildDecideAppeal(const enforcement::Policy& policy, const FairUseState& state, const Appeal& appeal,
                                    const std::optional<FairUseEvent>& contested, AppealDecision decision,
                                    const QString& reasonCode, const QString& notes,
                                    const enforcement::ActionContext& ctx,
                                    std::optional<ClassifierVerdict> verdict = std::nullopt);

/** The oldest open appeal of `appeals`; with a case reference, the oldest open one that contests that case or names
 *  none. Resolving a case asks about it, so an appeal is never left open by accident. */
std::optional<Appeal> openAppeal(const QList<Appeal>& appeals, const QString& caseRef = {});

} // namespace fairuse::casework
