# Sources of core/ledger: target_sources(fairuse_core PRIVATE ledger/File.cpp ...)
