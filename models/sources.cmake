# target_sources(fairuse_models PRIVATE ...)
