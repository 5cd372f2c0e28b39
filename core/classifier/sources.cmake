# Sources of core/classifier: target_sources(fairuse_core PRIVATE classifier/File.cpp ...)
