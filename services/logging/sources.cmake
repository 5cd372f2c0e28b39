# Sources of services/logging: target_sources(fairuse_services PRIVATE logging/File.cpp ...)
