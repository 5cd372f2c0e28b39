#pragma once
// What the enforcement service would have done in shadow mode (fair_use_shadow/{id}): one decision of the shared core
// on one user in one check interval, recorded beside the backend's own decisions for the console to compare.

#include "common/Domain.h"
#include "common/Time.h"

#include <QString>

#include <optional>

namespace fairuse {

/**
 * One decision a shadow pass of fairuse-enforcer made and did not carry out: a cap hit (classified or not), or an
 * expiry it would have applied. The document id is deterministic per user and check interval, so a re-run of the pass
 * or a second shadow instance names the same document and never doubles the record.
 */
struct ShadowDecision {
    QString id; ///< the document id: shadowDecisionId()
    QString uid;
    TimePoint passAt{};        ///< the pass's time (--now or the clock at the pass's start)
    TimePoint intervalStart{}; ///< start of the check interval that holds passAt
    QString instance;          ///< the service instance that recorded it (--instance-name or host:pid)
    QString action;  ///< the core's action, wire name (enforcement::toString(Action)): warn, cooldown_skip, ...
    QString outcome; ///< what the live service would have done with it: would_write, nothing_to_write, ...
    Stage stageBefore = Stage::None;
    Stage stageAfter = Stage::None;
    std::optional<CapWindow> trigger;   ///< the first cap hit; nullopt for an expiry found by the sweep
    std::optional<SpeechTotals> totals; ///< window totals at the pass; nullopt for an expiry found by the sweep
    std::optional<double> score;        ///< the classifier's misuse score when it was consulted
    std::optional<UsageType> usageType;
    QString caseId;      ///< the case the live service would have written (enforcerCaseId), empty when none
    QString caseRef;     ///< its public reference (enforcerCaseRef)
    bool expiry = false; ///< a throttle or restriction the service would have lowered on time
    QString explanation;

    /** True when the live service would have changed the user: a case, or a stage change. */
    bool wouldAct() const { return !caseId.isEmpty() || stageAfter != stageBefore; }
};

} // namespace fairuse
