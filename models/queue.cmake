# Queue-side models: target_sources(fairuse_models PRIVATE ...)
