# The policy simulator's runner (paged, bounded reads; replay off the GUI thread) and the console's policy file.
target_sources(fairuse_models PRIVATE
    PolicyFile.cpp
    PolicyFile.h
    SimulationRunner.cpp
    SimulationRunner.h
)
