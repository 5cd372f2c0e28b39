# Queue-side models: the paged flagged-user queue and the console's connection profiles.
target_sources(fairuse_models PRIVATE
    ConnectionProfile.cpp
    ConnectionProfile.h
    QueueModel.cpp
    QueueModel.h
)
