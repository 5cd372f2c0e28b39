# Sources of core/enforcement: the policy table, the graduated state machine, overrides and reviewer-action builders.
target_sources(fairuse_core PRIVATE
    enforcement/ActionSupport.cpp
    enforcement/ActionSupport.h
    enforcement/Enforcement.cpp
    enforcement/Enforcement.h
    enforcement/Policy.cpp
    enforcement/Policy.h
    enforcement/ReviewerActions.cpp
    enforcement/ReviewerActions.h
)
