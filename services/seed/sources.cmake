# Sources of services/seed: writes the demo population into a Redis + Firestore pair in the backend's layout.
target_sources(fairuse_services PRIVATE
    seed/BackendSeeder.cpp
    seed/BackendSeeder.h
)
