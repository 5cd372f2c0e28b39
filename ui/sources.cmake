# target_sources(fairuse_ui PRIVATE ...)
