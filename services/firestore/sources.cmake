# Sources of services/firestore: target_sources(fairuse_services PRIVATE firestore/File.cpp ...)
