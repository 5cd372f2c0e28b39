# Sources of services/secrets: OS keychain (QtKeychain, never plain text) and the in-memory session store.
target_sources(fairuse_services PRIVATE
    secrets/KeychainSecretStore.cpp
    secrets/KeychainSecretStore.h
    secrets/SessionSecretStore.cpp
    secrets/SessionSecretStore.h
)
