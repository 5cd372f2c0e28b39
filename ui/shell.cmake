# Main window, queue view, profiles, shortcuts: target_sources(fairuse_ui PRIVATE ...)
