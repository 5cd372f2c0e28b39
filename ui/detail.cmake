# User view, charts, action dialogs, bulk resolve, audit log, spend report: target_sources(fairuse_ui PRIVATE ...)
