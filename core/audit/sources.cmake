# Sources of core/audit: hash-chained audit records, their verification page by page, public case references.
target_sources(fairuse_core PRIVATE
    audit/AuditChain.cpp
    audit/AuditChain.h
    audit/CaseRef.cpp
    audit/CaseRef.h
    audit/PageVerification.cpp
    audit/PageVerification.h
)
