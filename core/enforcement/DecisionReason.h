#pragma once

#include "common/ClassifierLabel.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"

#include <QString>

/**
 * @file
 * What every decision carries besides its effect: a reason code from the policy's list (Policy::reasonCodes) with
 * optional notes, written into the audit record as "<code>[: notes]", and, for decisions on a case, the reviewer's
 * verdict on the classifier (a ClassifierLabel). The security rules check the same shape
 * (packaging/firestore/firestore.rules, reasonCoded).
 */
namespace fairuse::enforcement {

/**
 * "<code>" or "<code>: <notes>" with the notes on one line (line breaks and runs of spaces become one space, so the
 * record reads on one line and the rules' shape check applies). Invalid, naming the policy's codes, when `code` is not
 * one of them; Invalid when the code is "other" and there are no notes.
 */
Result<QString> codedReason(const Policy& policy, const QString& code, const QString& notes);

/** True when `reason` has the shape codedReason() writes: a code of [a-z0-9_], 1 to 40 characters, then nothing or
 *  ": " and notes. Records written before reason codes existed hold free text and answer false. */
bool isCodedReason(const QString& reason);

/** The code of a coded reason; empty for free text. */
QString reasonCodeOf(const QString& reason);

/**
 * The label of `verdict` on `event`'s classifier result, by the context's reviewer at ctx.now, with the reviewer's
 * decision `outcome` (a wire name). Invalid when the case has no id or no classifier result to assess.
 */
Result<ClassifierLabel> buildLabel(const FairUseEvent& event, ClassifierVerdict verdict, const QString& outcome,
                                   const ActionContext& ctx);

} // namespace fairuse::enforcement
