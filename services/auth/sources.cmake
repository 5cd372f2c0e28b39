# Sources of services/auth: the OAuth 2.0 loopback sign-in (PKCE) with Google or an OIDC provider.
target_sources(fairuse_services PRIVATE
    auth/OAuthLoopbackFlow.cpp
    auth/OAuthLoopbackFlow.h
)
