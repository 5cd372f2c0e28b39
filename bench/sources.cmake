# Benchmarks: one executable per area, each with a custom main that prints a summary after the runs.
add_executable(fairuse_bench_metering MeteringBench.cpp)
target_link_libraries(fairuse_bench_metering PRIVATE fairuse::options fairuse::core benchmark::benchmark)
