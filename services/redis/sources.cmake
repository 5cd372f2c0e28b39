# Sources of services/redis: the Redis client (hiredis protocol, Qt transport) and its
# cluster routing, the backend's usage store and the
# Lua record-and-check meter. Lua scripts are raw string literals in the .cpp files.
target_sources(fairuse_services PRIVATE
    redis/ClusterSlots.cpp
    redis/ClusterSlots.h
    redis/LuaMeter.cpp
    redis/LuaMeter.h
    redis/RedisClient.cpp
    redis/RedisClient.h
    redis/RedisClientErrors.cpp
    redis/RedisKeyspaceSubscriber.cpp
    redis/RedisKeyspaceSubscriber.h
    redis/RedisCommands.cpp
    redis/RedisCommands.h
    redis/RedisConfig.cpp
    redis/RedisCluster.cpp
    redis/RedisCluster.h
    redis/RedisConfig.h
    redis/RedisReply.cpp
    redis/RedisReply.h
    redis/RedisReplyReader.cpp
    redis/RedisReplyReader.h
    redis/RedisUsageStore.cpp
    redis/RedisUsageStore.h
    redis/SpeechBuckets.cpp
    redis/SpeechBuckets.h
)
