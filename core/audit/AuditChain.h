#pragma once

#include "common/Domain.h"
#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace fairuse {

/**
 * Canonical form of an audit record, the bytes that are hashed: one compact UTF-8 JSON object whose keys are
 * sorted (action, at, case_ref, client_version, event_id, prev_hash, reason, reviewer, reviewer_uid, role,
 * sequence, stage_after, stage_before, uid; reviewer_uid only when it is not empty), `hash` itself excluded. Enums use
 * their wire names, `at` is RFC 3339 UTC with milliseconds, absent stages are null, `sequence` is an integer. Strings
 * escape only `"`, `\` and control characters (\b \f \n \r \t, others as \u00xx), so the bytes equal Python's
 * `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` and the backend can verify the
 * chain independently.
 */
QByteArray canonicalAuditRecord(const AuditRecord& record);

/** SHA-256 (lower-case hex) of the canonical form, which includes prevHash and sequence. */
QString hashRecord(const AuditRecord& record);

/** Appends `next` after `previous` (nullptr for the first record): fills sequence (1-based), prevHash ("" for
 *  the first) and hash; all other fields are kept as given. */
AuditRecord chain(const AuditRecord* previous, AuditRecord next);

/**
 * Content checks that do not depend on the chain: a named reviewer (non-empty, not the "admin" placeholder the
 * old backend wrote), a user id, and a reason for stage overrides. Invalid with the reason otherwise.
 */
Status validateAuditRecord(const AuditRecord& record);

/** Outcome of verifyChain(). */
struct ChainVerification {
    bool ok = true;
    int firstBrokenIndex = -1; ///< index into the verified list, -1 when ok
    QString reason;            ///< what is wrong at that index, empty when ok
};

/**
 * Verifies a whole chain, oldest first, starting at sequence 1. Returns the first index at which something is
 * wrong: an invalid record (validateAuditRecord), a hash that does not match the record (edited field, forged
 * hash), a sequence that does not follow the previous one (deleted, inserted or reordered record) or a prevHash
 * that does not link to the previous record.
 *
 * A hash chain cannot notice the newest record being edited *and* re-hashed, or dropped: pass the head hash kept
 * elsewhere (`expectedHeadHash`, e.g. the store's chain head) to cover that; empty skips the check.
 */
ChainVerification verifyChain(const QList<AuditRecord>& records, const QString& expectedHeadHash = {});

} // namespace fairuse
