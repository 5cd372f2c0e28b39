# Queue-side models: the paged flagged-user queue, its casework (escalations, snoozes), the saved views and the console's connection
# profiles.
target_sources(fairuse_models PRIVATE
    ConnectionProfile.cpp
    ConnectionProfile.h
    LazyReader.cpp
    LazyReader.h
    QueueCasework.cpp
    QueueCasework.h
    QueueDetailsReader.cpp
    QueueDetailsReader.h
    QueueFilterMatch.cpp
    QueueFilterMatch.h
    QueueFormat.cpp
    QueueFormat.h
    QueueModel.cpp
    QueueModel.h
    QueueOrder.cpp
    QueueOrder.h
    QueuePager.cpp
    QueuePager.h
    QueueReadAll.cpp
    QueueReadAll.h
    QueueSpeechReader.cpp
    QueueSpeechReader.h
    SavedViewList.cpp
    SavedViewList.h
)
