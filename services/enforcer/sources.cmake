# Sources of services/enforcer: the enforcement service's pass (fairuse-enforcer) over the backend's Redis and
# Firestore: finding users with speech, evaluating them with the core, committing the decisions, the expiry sweep;
# and its HTTP endpoint (/metrics, /healthz) on QtHttpServer.
find_package(Qt6 6.4 REQUIRED COMPONENTS HttpServer)
target_sources(fairuse_services PRIVATE
    enforcer/ClassifierBackoff.cpp
    enforcer/ClassifierReruns.cpp
    enforcer/ClassifierReruns.h
    enforcer/ClassifierBackoff.h
    enforcer/EnforcerHttp.cpp
    enforcer/EnforcerHttp.h
    enforcer/EnforcerMetrics.cpp
    enforcer/EnforcerMetrics.h
    enforcer/EnforcerPass.cpp
    enforcer/EnforcerPass.h
    enforcer/EnforcerPassRanges.cpp
    enforcer/EnforcerPassSpend.cpp
    enforcer/EvaluationMarkers.cpp
    enforcer/EvaluationMarkers.h
    enforcer/PromptEvaluations.cpp
    enforcer/PromptEvaluations.h
    enforcer/RangeLeases.cpp
    enforcer/RangeLeases.h
    enforcer/ShadowRecorder.cpp
    enforcer/ShadowRecorder.h
    enforcer/SpeechUserScan.cpp
    enforcer/SpeechUserScan.h
)
target_link_libraries(fairuse_services PUBLIC Qt6::HttpServer)
