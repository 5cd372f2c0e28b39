target_sources(fairuse_models PRIVATE Backend.h EnforcerStatus.cpp EnforcerStatus.h FutureWatch.h)
# Each part lists its own sources.
foreach(part queue detail simulator)
    include(${CMAKE_CURRENT_SOURCE_DIR}/${part}.cmake)
endforeach()
