#include "enforcement/ReplayTrack.h"

namespace fairuse::enforcement {

Decision replayCheck(const Policy& policy, ReplayTrack& track, EnforcementInput input) {
    input.state = track.state;
    input.violationHistory = track.violations;
    Decision d = evaluate(policy, input);
    if (d.violationCounted) {
        track.violations.append(input.now);
    }
    track.state = d.state;
    return d;
}

} // namespace fairuse::enforcement
