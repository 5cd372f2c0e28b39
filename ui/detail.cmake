# User view (and its casework: pinned notes, escalation, snooze), speech chart, action, casework and conflict
# dialogs, bulk resolve, appeals and manual-review inboxes, audit log, spend report, team dashboard, shadow
# comparison, PDF case report.
target_sources(fairuse_ui PRIVATE
    ActionDialog.cpp
    ActionDialog.h
    ActionDialogAppeals.cpp
    AppealsInboxView.cpp
    AppealsInboxView.h
    InboxView.cpp
    InboxView.h
    SpendCasesView.cpp
    SpendCasesView.h
    AuditLogView.cpp
    AuditLogView.h
    BulkResolveDialog.cpp
    BulkResolveDialog.h
    ChartSwap.h
    CaseHeader.cpp
    CaseHeader.h
    ClaimBanner.cpp
    ClaimBanner.h
    CaseReport.cpp
    CaseworkDialog.cpp
    CaseworkDialog.h
    UserViewCasework.cpp
    CaseReport.h
    ConflictDialog.cpp
    ConflictDialog.h
    DecisionFields.cpp
    DecisionFields.h
    ManualReviewView.cpp
    ManualReviewView.h
    DashboardView.cpp
    DashboardView.h
    ShadowComparisonView.cpp
    ShadowComparisonView.h
    SpeechChart.cpp
    SpeechChart.h
    SpendReportView.cpp
    SpendReportView.h
    UserSummary.cpp
    UserSummary.h
    UserView.cpp
    UserView.h
    UserViewLayout.cpp
)
