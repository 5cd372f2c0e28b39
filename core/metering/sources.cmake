# Sources of core/metering: target_sources(fairuse_core PRIVATE metering/File.cpp ...)
