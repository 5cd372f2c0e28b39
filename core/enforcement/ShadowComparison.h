#pragma once

#include "common/Domain.h"
#include "common/ShadowDecision.h"
#include "common/Time.h"

#include <QHash>
#include <QList>
#include <QString>

#include <chrono>
#include <optional>

/**
 * @file
 * Where the enforcement service in shadow mode and the backend's own enforcement disagree (issue 12): the decisions
 * the service recorded (fair_use_shadow) set against the cases the backend wrote, and its states, for the same users
 * over a period. Pure: the caller reads both sides and passes them in.
 */
namespace fairuse::enforcement {

/** Start of the check interval that holds `t`: t floored to `checkInterval` (Unix seconds). */
TimePoint checkIntervalStart(TimePoint t, std::chrono::seconds checkInterval);

/** The shadow document's id for `uid` in the check interval starting at `intervalStart`: "{uid}_{Unix seconds}".
 *  Every shadow pass in that interval, on any instance, names the same document. */
QString shadowDecisionId(const QString& uid, TimePoint intervalStart);

/** How one decision compares. */
enum class ShadowVerdict {
    Agree,        ///< both acted with the same stage, or neither acted
    ServiceOnly,  ///< the service would have acted, the backend did not
    BackendOnly,  ///< the backend acted, the service would not have
    StageDiffers, ///< both acted, with different stages
};

/** Wire names: agree, service_only, backend_only, stage_differs. */
QString toString(ShadowVerdict v);

/** One compared decision: the shadow's, the backend's case it was matched with, or both. */
struct ShadowComparisonRow {
    QString uid;
    TimePoint at{}; ///< the shadow pass's time, else the backend case's creation
    ShadowVerdict verdict = ShadowVerdict::Agree;
    std::optional<ShadowDecision> shadow;
    std::optional<FairUseEvent> backendCase;
    /** The stage the service would have set (its stage before when it would not act); nullopt without a shadow
     *  decision. */
    std::optional<Stage> serviceStage;
    /** The stage the backend set: its case's new stage, else its state's stage; nullopt when it has neither. */
    std::optional<Stage> backendStage;
    QString reason; ///< one line: why the verdict

    bool disagrees() const { return verdict != ShadowVerdict::Agree; }
};

struct ShadowComparison {
    /** Disagreements first, then agreements; each group newest first, then by uid. */
    QList<ShadowComparisonRow> rows;
    int agree = 0;
    int serviceOnly = 0;
    int backendOnly = 0;
    int stageDiffers = 0;

    int decisions() const { return agree + disagree(); }
    int disagree() const { return serviceOnly + backendOnly + stageDiffers; }
};

/** What the comparison reads. */
struct ShadowComparisonInput {
    QList<ShadowDecision> shadow;
    /** The backend's cases (fair_use_events); those outside [from, to), and the service's own (enforcerCaseId,
     *  "enf_"), are left out. */
    QList<FairUseEvent> backendCases;
    /** The backend's current states by uid, for expiries (which make no case); a user without one has no state. */
    QHash<QString, FairUseState> backendStates;
    TimePoint from{};
    TimePoint to{};
    /** A backend case matches a shadow decision of the same user made at most this long before or after it: the
     *  service evaluates once per check interval, the backend on every check. */
    std::chrono::seconds matchWindow{300};
};

/** True when the backend's case did something: a stage change or a counted violation (not a logged legitimate use). */
bool backendCaseActed(const FairUseEvent& event);

/**
 * Classifies every shadow decision in [from, to) and every backend case in [from, to) not matched to one.
 *
 * A shadow decision that would make a case, or change the stage on a cap hit, is matched with the user's backend case
 * nearest in time within matchWindow (each case matched once): agree when the stages are the same, stage_differs
 * otherwise, service_only without one. A shadow decision that would not act is matched the same way with a backend
 * case that acted: backend_only with one, agree without. An expiry is compared with the backend's state: agree when
 * the backend has lowered the stage too (its stage is no longer the one the service would have lowered), else
 * service_only. A backend case that acted and matched no shadow decision is backend_only.
 *
 * The service is taken to have watched from its first decision in the period to its last (matchWindow either side):
 * backend cases outside that span are left out, so a period without any shadow decision compares nothing rather than
 * calling every backend case a disagreement.
 */
ShadowComparison compareShadow(const ShadowComparisonInput& input);

} // namespace fairuse::enforcement
