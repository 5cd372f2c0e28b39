# Sources of services/firestore: the case store over the Firestore REST API (v1).
target_sources(fairuse_services PRIVATE
    firestore/FieldReader.cpp
    firestore/FieldReader.h
    firestore/FirestoreAuth.cpp
    firestore/FirestoreAuth.h
    firestore/FirestoreAppeals.cpp
    firestore/FirestoreAppeals.h
    firestore/FirestoreCaseStore.cpp
    firestore/FirestoreCaseStoreAudit.cpp
    firestore/FirestoreCaseStoreBatch.cpp
    firestore/FirestoreCaseStore.h
    firestore/FirestoreClaims.cpp
    firestore/FirestoreClaims.h
    firestore/FirestoreClient.cpp
    firestore/FirestoreClient.h
    firestore/FirestoreDocument.cpp
    firestore/FirestoreDocument.h
    firestore/FirestoreMapping.cpp
    firestore/FirestoreMapping.h
    firestore/FirestoreValue.cpp
    firestore/FirestoreValue.h
    firestore/UserDocument.cpp
    firestore/UserDocument.h
)
