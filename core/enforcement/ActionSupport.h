#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "enforcement/ReviewerActions.h"

#include <QString>

/**
 * @file
 * The checks and the audited skeleton every reviewer-action builder shares (ReviewerActions, casework/Claims).
 */
namespace fairuse::enforcement {

/** Refuses an action without the credential's identity or without a user id. */
Status checkIdentity(const FairUseState& state, const ActionContext& ctx);

/** Permission error naming `what`, the role needed and the reviewer's own role when the reviewer's is lower. */
Status requireRole(const ActionContext& ctx, Role needed, const QString& what);

/** Invalid when `text` is blank ("`what` is required"). */
Status requireText(const QString& text, const QString& what);

/** Invalid when the case has no id or belongs to another user. */
Status checkEventOfUser(const FairUseState& state, const FairUseEvent& event);

/** The audit record of `action` by the context's reviewer at the context's time (case, event, client version and
 *  the trimmed reason filled in); the user and stages are the caller's. */
AuditRecord actorRecord(const ActionContext& ctx, AuditAction action, const QString& reason);
/** A ChangeSet that changes nothing yet: the state version as precondition and the audit record of `action` by the
 *  context's reviewer, stage before = stage after = the state's. */
ChangeSet baseChangeSet(const FairUseState& state, const ActionContext& ctx, AuditAction action, const QString& reason);

} // namespace fairuse::enforcement
