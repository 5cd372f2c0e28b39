# Each part lists its own sources.
foreach(part shell detail simulator)
    include(${CMAKE_CURRENT_SOURCE_DIR}/${part}.cmake)
endforeach()
