# Sources of core/enforcement: the policy table, the graduated state machine, overrides, reviewer-action builders,
# the replay step and the policy simulator.
target_sources(fairuse_core PRIVATE
    enforcement/ActionSupport.cpp
    enforcement/ActionSupport.h
    enforcement/DecisionReason.cpp
    enforcement/DecisionReason.h
    enforcement/Enforcement.cpp
    enforcement/Enforcement.h
    enforcement/Policy.cpp
    enforcement/Policy.h
    enforcement/PolicySimulation.cpp
    enforcement/PolicySimulation.h
    enforcement/ReplayTrack.cpp
    enforcement/ReplayTrack.h
    enforcement/ReviewerActions.cpp
    enforcement/ReviewerActions.h
)
