# Sources of core/enforcement: target_sources(fairuse_core PRIVATE enforcement/File.cpp ...)
