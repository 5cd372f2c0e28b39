# The policy simulator dialog and its chart.
target_sources(fairuse_ui PRIVATE
    PeakSpeechChart.cpp
    PeakSpeechChart.h
    SimulatorDialog.cpp
    SimulatorDialog.h
)
