# Sources of services/auth: Firebase Authentication (Identity Toolkit and Secure Token REST APIs), the signed-in
# reviewer's session, the ID token's claims, and the OAuth 2.0 loopback sign-in (PKCE) with Google or an OIDC provider.
target_sources(fairuse_services PRIVATE
    auth/AuthLogging.h
    auth/AuthSession.cpp
    auth/AuthSession.h
    auth/FirebaseAuthClient.cpp
    auth/FirebaseAuthClient.h
    auth/IdToken.cpp
    auth/IdToken.h
    auth/OAuthLoopbackFlow.cpp
    auth/OAuthLoopbackFlow.h
)
