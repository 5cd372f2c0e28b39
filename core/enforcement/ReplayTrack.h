#pragma once

#include "common/Domain.h"
#include "common/Time.h"
#include "enforcement/Enforcement.h"
#include "enforcement/Policy.h"

#include <QList>

namespace fairuse::enforcement {

/** One user's history as a replay builds it: the state in force and the violations counted so far. */
struct ReplayTrack {
    FairUseState state;
    QList<TimePoint> violations;
};

/**
 * One check of a replay (`fairuse replay`, the policy simulator): evaluates `input` against the track's state and
 * violation history (the input's own state and history are replaced by the track's), then moves the track on: the
 * decision's state becomes the state in force and a counted violation joins the history at input.now.
 */
Decision replayCheck(const Policy& policy, ReplayTrack& track, EnforcementInput input);

} // namespace fairuse::enforcement
