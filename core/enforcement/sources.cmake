# Sources of core/enforcement: the policy table, the graduated state machine, overrides, reviewer-action builders,
# the replay step, the policy simulator and what the enforcement service writes for a decision.
target_sources(fairuse_core PRIVATE
    enforcement/ActionSupport.cpp
    enforcement/ActionSupport.h
    enforcement/ClassifierBackoffSchedule.cpp
    enforcement/ClassifierBackoffSchedule.h
    enforcement/DecisionReason.cpp
    enforcement/DecisionReason.h
    enforcement/EnforcerChanges.cpp
    enforcement/EnforcerChanges.h
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
    enforcement/SpendReview.cpp
    enforcement/SpendReview.h
    enforcement/ShadowComparison.cpp
    enforcement/ShadowComparison.h
)
