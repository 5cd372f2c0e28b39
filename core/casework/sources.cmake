# Sources of core/casework: how reviewers share the queue (claims with a lease, take-overs, releases; appeals).
target_sources(fairuse_core PRIVATE
    casework/Appeals.cpp
    casework/Appeals.h
    casework/Claims.cpp
    casework/Claims.h
    casework/ManualReview.cpp
    casework/ManualReview.h
)
