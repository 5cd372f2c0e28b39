# Sources of core/metering: speech window sums, cap checks and the incremental RollingMeter.
target_sources(fairuse_core PRIVATE
    metering/Metering.cpp
    metering/Metering.h
    metering/RollingMeter.cpp
    metering/RollingMeter.h
)
