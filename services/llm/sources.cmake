# Sources of services/llm: target_sources(fairuse_services PRIVATE llm/File.cpp ...)
