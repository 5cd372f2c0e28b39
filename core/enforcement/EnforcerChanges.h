#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/Enforcement.h"

#include <QString>

#include <chrono>

/**
 * @file
 * What the enforcement service (fairuse-enforcer) writes for a decision of the core: the ChangeSet a store applies
 * in one atomic commit (state under its version's precondition, the case under "must not exist", the audit record
 * chained to the head), and the deterministic ids that keep a retry or a second instance from doubling a case.
 *
 * Every record is an `enforce` record (AuditAction::Enforce) under Role::Service, naming the service's identity as
 * its credential gives it (a service account's client_email); its reason is the core's action and explanation,
 * "throttle: Violation: cap hit ...".
 */
namespace fairuse::enforcement {

/** Who the service is, from its credential: never a fixed string, never a reviewer. */
struct ServiceIdentity {
    QString email; ///< the service account's client_email (an identity given by configuration on an emulator)
    QString uid;   ///< the credential's id when it has one (a service account's client_id); may be empty
    QString clientVersion;
};

/**
 * The id of the case a cap hit of `uid` at `now` creates: "enf_" + 24 hex digits of SHA-256 over the uid, the
 * trigger and the start of the check interval that holds `now` (now floored to `checkInterval`, Unix seconds). Every
 * instance that evaluates the user in the same check interval names the same document, so the second commit fails
 * its "must not exist" precondition instead of writing a second case.
 */
QString enforcerCaseId(const QString& uid, CapWindow trigger, TimePoint now, std::chrono::seconds checkInterval);

/** The public reference of that case: "FU-" + the first 12 hex digits of the same hash, upper case. */
QString enforcerCaseRef(const QString& caseId);

/**
 * The ChangeSet recording `decision`, evaluated on `before` at `now`: the decision's state (only the fields that
 * changed when `before` exists, the whole document when it is new), its case with id `caseId` when it made one, and
 * the service's `enforce` record. The idempotency key is the case id, or the user, action and check interval for a
 * decision without a case. Invalid when the decision changed nothing, or the identity is missing.
 */
Result<ChangeSet> buildEnforcerChange(const Policy& policy, const FairUseState& before, const Decision& decision,
                                      const ServiceIdentity& who, TimePoint now, const QString& caseId);

/** The ChangeSet lowering `before` as applyExpiry decided (`expiry.action` set), with its `enforce` record. */
Result<ChangeSet> buildExpiryChange(const FairUseState& before, const Expiry& expiry, const ServiceIdentity& who,
                                    TimePoint now);

} // namespace fairuse::enforcement
