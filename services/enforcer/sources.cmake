# Sources of services/enforcer: the enforcement service's pass (fairuse-enforcer) over the backend's Redis and
# Firestore: finding users with speech, evaluating them with the core, committing the decisions, the expiry sweep.
target_sources(fairuse_services PRIVATE
    enforcer/ClassifierBackoff.cpp
    enforcer/ClassifierBackoff.h
    enforcer/EnforcerPass.cpp
    enforcer/EnforcerPass.h
    enforcer/EnforcerPassRanges.cpp
    enforcer/RangeLeases.cpp
    enforcer/RangeLeases.h
    enforcer/SpeechUserScan.cpp
    enforcer/SpeechUserScan.h
)
