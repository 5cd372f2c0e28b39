#pragma once
// One rule for every test that needs a real backend (redis-server, the Firestore emulator, the Firebase Auth
// emulator, the keychain, the scripted LLM server, a tool such as openssl): when the backend is missing, the test
// fails under CI=true or FAIRUSE_REQUIRE_BACKENDS=1 and skips otherwise, so CI never passes by skipping.

#include "BackendFixtures.h"

#include <QByteArray>
#include <QString>
#include <QTest>

namespace fairuse::testing::backends {

/**
 * Records the outcome for a missing backend: a failure when backendsRequired(), a skip otherwise. Returns
 * `available`; the caller returns from the test function when it is false (REQUIRE_BACKEND does that).
 * `name` names the backend ("redis-server"), `why` says how to get it ("run scripts/setup").
 */
inline bool requireBackend(const QString& name, bool available, const QString& why, const char* file, int line) {
    if (available) {
        return true;
    }
    if (backendsRequired()) {
        const QByteArray message =
            (name + QStringLiteral(" is required (CI=true or FAIRUSE_REQUIRE_BACKENDS=1) but missing: ") + why)
                .toUtf8();
        QTest::qFail(message.constData(), file, line);
    } else {
        const QByteArray message = (name + QStringLiteral(" is missing, test skipped: ") + why).toUtf8();
        QTest::qSkip(message.constData(), file, line);
    }
    return false;
}

} // namespace fairuse::testing::backends

/** Fails (backends required) or skips the current test function unless `available`. */
#define REQUIRE_BACKEND(name, available, why)                                                                          \
    do {                                                                                                               \
        if (!fairuse::testing::backends::requireBackend((name), (available), (why), __FILE__, __LINE__)) {             \
            return;                                                                                                    \
        }                                                                                                              \
    } while (false)

/** Fails or skips (REQUIRE_BACKEND) unless the redis fixture instance whose port is `port` runs. */
#define REQUIRE_REDIS(port)                                                                                            \
    REQUIRE_BACKEND(fairuse::testing::backends::kRedisServer, (port) != 0, fairuse::testing::backends::kRedisHow)

/** Fails or skips (REQUIRE_BACKEND) unless `host` (emulatorHost()) names a running Firestore emulator. */
#define REQUIRE_FIRESTORE_EMULATOR(host)                                                                               \
    REQUIRE_BACKEND(fairuse::testing::backends::kFirestoreEmulator, !(host).isEmpty(),                                 \
                    fairuse::testing::backends::kFirestoreHow)

/** Fails or skips (REQUIRE_BACKEND) outside scripts/with-test-session. */
#define REQUIRE_KEYCHAIN()                                                                                             \
    REQUIRE_BACKEND(fairuse::testing::backends::kKeychain, fairuse::testing::backends::keychainAvailable(),            \
                    fairuse::testing::backends::kKeychainHow)

/** Fails or skips (REQUIRE_BACKEND) unless the fixture's Auth emulator runs. */
#define REQUIRE_AUTH_EMULATOR()                                                                                        \
    REQUIRE_BACKEND(fairuse::testing::backends::kAuthEmulator,                                                         \
                    !fairuse::testing::backends::authEmulatorHost().isEmpty(), fairuse::testing::backends::kAuthHow)
