#pragma once

#include "common/Result.h"
#include "common/ShadowDecision.h"
#include "firestore/FirestoreClient.h"

#include <QJsonObject>

#include <chrono>
#include <optional>

namespace fairuse::services {

/**
 * The shadow decision that one decision line of a shadow pass describes (EnforcerPass's sink: uid, action,
 * stage_before, stage_after, trigger, daily_ms, ..., score, usage_type, case_id, case_ref, outcome, sweep), made at
 * `passAt` by `instance`, with its deterministic id (enforcement::shadowDecisionId of the check interval). nullopt for
 * a line that names no user or no action (a range's line).
 */
std::optional<ShadowDecision> shadowDecisionFromLine(const QJsonObject& line, TimePoint passAt,
                                                     std::chrono::seconds checkInterval, const QString& instance);

/** What recordShadowDecision() found. */
enum class ShadowWrite { Recorded, AlreadyRecorded };

/**
 * Writes `d` to fair_use_shadow/{d.id} on condition that no document is there: a re-run in the same check interval,
 * or a second shadow instance, finds the first record and leaves it (AlreadyRecorded). The only document a shadow
 * pass writes besides its heartbeat.
 */
Result<ShadowWrite> recordShadowDecision(FirestoreClient& firestore, const ShadowDecision& d, int timeoutMs);

} // namespace fairuse::services
