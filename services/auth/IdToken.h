#pragma once

#include "common/Result.h"
#include "common/Time.h"

#include <QString>

namespace fairuse::services {

/** What a Firebase ID token says about who holds it. */
struct IdTokenClaims {
    QString uid;   ///< "sub" (Firebase's user id)
    QString email; ///< empty when the account has none
    bool emailVerified = false;
    QString role;           ///< custom claim "role"; empty if absent or not a string
    QString signInProvider; ///< firebase.sign_in_provider: "password", "google.com", "oidc.x", ...
    QString projectId;      ///< "aud": the Firebase project the token is for
    QString issuer;         ///< "iss": https://securetoken.google.com/<project>
    TimePoint issuedAt{};   ///< "iat"
    TimePoint expiresAt{};  ///< "exp"
};

/**
 * Reads the claims of a Firebase ID token (a JWT: base64url header, payload and signature joined by dots).
 *
 * The signature is NOT checked: the console only reads its own token to show and choose what it may do; every
 * server that acts on the token (Firestore's security rules, Identity Toolkit) verifies it. Never use these claims
 * to authorise anything on a server.
 *
 * Fails with ErrorKind::Invalid and a message naming what is wrong when the text is not three dot-separated parts,
 * a part is not base64url, header or payload is not a JSON object, "sub" or "exp" is missing, or a claim has the
 * wrong type. The message never quotes the token.
 */
Result<IdTokenClaims> decodeIdToken(const QString& jwt);

} // namespace fairuse::services
