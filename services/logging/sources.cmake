# Sources of services/logging: the one logging pipeline (Qt categories -> redaction -> spdlog file + stderr).
target_sources(fairuse_services PRIVATE
    logging/Categories.cpp
    logging/Logging.cpp
    logging/Logging.h
)
