// A Google service-account key file (JSON with a PEM private key).
#include "firestore/FirestoreAuth.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)fairuse::services::ServiceAccountToken::fromKeyJson(
        QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)));
    return 0;
}
