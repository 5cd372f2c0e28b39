# Sources of core/audit: hash-chained audit records and public case references.
target_sources(fairuse_core PRIVATE
    audit/AuditChain.cpp
    audit/AuditChain.h
    audit/CaseRef.cpp
    audit/CaseRef.h
)
