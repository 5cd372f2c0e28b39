# Sources of core/casework: how reviewers share the queue (claims with a lease, take-overs, releases).
target_sources(fairuse_core PRIVATE
    casework/Claims.cpp
    casework/Claims.h
)
