# The policy simulator dialog.
target_sources(fairuse_ui PRIVATE
    SimulatorDialog.cpp
    SimulatorDialog.h
)
