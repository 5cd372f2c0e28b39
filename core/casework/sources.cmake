# Sources of core/casework: how reviewers share the queue (claims with a lease, take-overs, releases; pinned notes,
# escalation and snooze; saved views; appeals; manual review of restrictions; the team dashboard's figures).
target_sources(fairuse_core PRIVATE
    casework/Appeals.cpp
    casework/Appeals.h
    casework/Casework.cpp
    casework/Casework.h
    casework/Claims.cpp
    casework/Claims.h
    casework/Dashboard.cpp
    casework/Dashboard.h
    casework/ManualReview.cpp
    casework/ManualReview.h
    casework/SavedViews.cpp
    casework/SavedViews.h
)
