# Benchmarks: one executable per area, each with a custom main that prints a summary after the runs.
add_executable(fairuse_bench_metering MeteringBench.cpp)
target_link_libraries(fairuse_bench_metering PRIVATE fairuse::options fairuse::core benchmark::benchmark)
# The policy simulator's replay: 10,000 users x 7 days under two policies (core only).
add_executable(fairuse_bench_simulator SimulatorBench.cpp)
target_link_libraries(fairuse_bench_simulator PRIVATE fairuse::options fairuse::core)
# Redis metering on a real redis-server, backend layout against LuaMeter, with redis-benchmark as the ceiling.
add_executable(fairuse_bench_redis
    redis/BackendLayout.cpp
    redis/BackendLayout.h
    redis/RedisBenchDriver.cpp
    redis/RedisBenchDriver.h
    redis/RedisBenchServer.cpp
    redis/RedisBenchServer.h
    redis/RedisCostProbe.cpp
    redis/RedisCostProbe.h
    redis/RedisMeteringBench.cpp
)
target_link_libraries(fairuse_bench_redis PRIVATE fairuse::options fairuse::services Qt6::Core Qt6::Network)
# Bulk resolve on the Firestore emulator with the shipped rules, which the bench starts itself together with the Auth
# emulator (the CTest fixture's script; tests/support/AuthEmulator.h signs its reviewer in): apply() per case against
# applyBatch(), with server credentials and with a reviewer's ID token.
add_executable(fairuse_bench_bulk_resolve
    firestore/BulkResolveBench.cpp
    firestore/BulkResolveSubjects.cpp
    firestore/BulkResolveSubjects.h
    firestore/EmulatorProcesses.cpp
    firestore/EmulatorProcesses.h
    firestore/ProcessCpu.cpp
    firestore/ProcessCpu.h
)
target_link_libraries(fairuse_bench_bulk_resolve PRIVATE fairuse::options fairuse::services Qt6::Core Qt6::Network)
target_include_directories(fairuse_bench_bulk_resolve PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
target_compile_definitions(fairuse_bench_bulk_resolve PRIVATE FAIRUSE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The audit log view's first screen on a 10,000-record log (emulator and embedded), against the whole-log read.
add_executable(fairuse_bench_audit_log firestore/AuditLogBench.cpp)
target_link_libraries(fairuse_bench_audit_log PRIVATE fairuse::options fairuse::services Qt6::Core Qt6::Network)
target_compile_definitions(fairuse_bench_audit_log PRIVATE FAIRUSE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# Opening one user on the default seeded population (emulator + redis-server, started by the bench itself): the
# state alone and every read of the user view, against the whole-collection reads they replaced.
add_executable(fairuse_bench_user_view firestore/UserViewBench.cpp)
target_link_libraries(fairuse_bench_user_view PRIVATE fairuse::options fairuse::services Qt6::Core Qt6::Network)
target_compile_definitions(fairuse_bench_user_view PRIVATE FAIRUSE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The console's queue table, speech chart and start-up (needs the GUI build); the Firestore part starts the emulator
# with the fixture's script under FAIRUSE_SOURCE_DIR (set at run time by scripts/bench) unless FIRESTORE_EMULATOR_HOST
# names one.
if(FAIRUSE_GUI)
    add_executable(fairuse_bench_queue
        console/FirestoreQueueBench.cpp
        console/QueueBench.cpp
        console/QueueBench.h
        console/QueueBenchMain.cpp
        console/QueueBenchParts.h
        console/QueueBenchSupport.cpp
        console/QueueBenchSupport.h
        console/QueueMeasure.cpp
        console/QueueMeasure.h
        console/SpeechChartBench.cpp
        console/StartupBench.cpp
        ${PROJECT_SOURCE_DIR}/app/console/Composition.cpp
        ${PROJECT_SOURCE_DIR}/app/console/Composition.h
    )
    target_link_libraries(fairuse_bench_queue PRIVATE fairuse::options fairuse::ui Qt6::Widgets Qt6::Concurrent)
    target_include_directories(fairuse_bench_queue PRIVATE ${PROJECT_SOURCE_DIR}/app/console)
endif()
# The enforcement service at scale (issue 12): fairuse-enforcer's per-user check on 100,000 users in the backend's
# layouts on a redis-server the bench starts, side by side with the backend's own check (ZRANGEBYSCORE + HMGET); the
# Firestore writes per commit; the memory of the real binary in --once --shadow on the Firestore emulator.
add_executable(fairuse_bench_enforcer
    enforcer/BenchPopulation.cpp
    enforcer/BenchPopulation.h
    enforcer/CheckModels.cpp
    enforcer/CheckModels.h
    enforcer/EnforcerBench.cpp
    enforcer/EnforcerRun.cpp
    enforcer/EnforcerRun.h
    enforcer/FirestoreWrites.cpp
    enforcer/FirestoreWrites.h
    enforcer/InstancesBench.cpp
    enforcer/InstancesBench.h
    enforcer/ServerStats.cpp
    enforcer/ServerStats.h
    firestore/EmulatorProcesses.cpp
    firestore/EmulatorProcesses.h
    firestore/ProcessCpu.cpp
    firestore/ProcessCpu.h
    redis/RedisBenchDriver.cpp
    redis/RedisBenchDriver.h
    redis/RedisBenchServer.cpp
    redis/RedisBenchServer.h
    redis/RedisCostProbe.cpp
    redis/RedisCostProbe.h
)
target_link_libraries(fairuse_bench_enforcer PRIVATE fairuse::options fairuse::services Qt6::Core Qt6::Network)
target_include_directories(fairuse_bench_enforcer PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/redis
                                                          ${CMAKE_CURRENT_SOURCE_DIR}/firestore)
target_compile_definitions(fairuse_bench_enforcer PRIVATE FAIRUSE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The memory figure runs the service's own binary, next to this one in the build tree.
if(TARGET fairuse-enforcer)
    add_dependencies(fairuse_bench_enforcer fairuse-enforcer)
endif()
