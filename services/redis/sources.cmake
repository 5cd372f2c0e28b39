# Sources of services/redis: target_sources(fairuse_services PRIVATE redis/File.cpp ...)
