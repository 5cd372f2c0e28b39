# Sources of services/secrets: target_sources(fairuse_services PRIVATE secrets/File.cpp ...)
