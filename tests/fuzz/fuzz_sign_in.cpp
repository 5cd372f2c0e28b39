// The sign-in answers: Identity Toolkit's signInWithPassword / signInWithIdp, the secure token service's refresh,
// and their error bodies.
#include "auth/FirebaseAuthClient.h"

#include <cstddef>
#include <cstdint>

using fairuse::services::FirebaseAuthClient;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray body(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    (void)FirebaseAuthClient::parseSignIn(body);
    (void)FirebaseAuthClient::parseRefresh(body);
    const int status = size > 0 ? 400 + data[0] % 200 : 400;
    (void)FirebaseAuthClient::mapError(status, body, QStringLiteral("identitytoolkit.googleapis.com"));
    return 0;
}
