# Detail-side models: user view tables, audit log, spend report, speech chart aggregation, bulk resolve.
target_sources(fairuse_models PRIVATE
    AuditChainCheck.cpp
    AuditChainCheck.h
    AuditModel.cpp
    AuditModel.h
    AuditPager.cpp
    AuditPager.h
    Backend.h
    BulkResolver.cpp
    BulkResolver.h
    CaseClaims.cpp
    CaseClaims.h
    ConversationsModel.cpp
    ConversationsModel.h
    DetailFormat.cpp
    DetailFormat.h
    EventsModel.cpp
    EventsModel.h
    EvidenceModel.cpp
    EvidenceModel.h
    RowListModel.h
    SpeechSeries.cpp
    SpeechSeries.h
    SpendModel.cpp
    SpendModel.h
)
