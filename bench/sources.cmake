# Benchmarks: add_executable(...) linking benchmark::benchmark
