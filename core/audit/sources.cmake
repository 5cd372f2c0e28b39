# Sources of core/audit: target_sources(fairuse_core PRIVATE audit/File.cpp ...)
