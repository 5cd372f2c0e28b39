# Sources of services/embedded: target_sources(fairuse_services PRIVATE embedded/File.cpp ...)
