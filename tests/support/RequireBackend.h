#pragma once
// One rule for every test that needs a real backend (redis-server, the Firestore emulator, the Firebase Auth
// emulator, the keychain, the scripted LLM server, a tool such as openssl): when the backend is missing, the test
// fails under CI=true or FAIRUSE_REQUIRE_BACKENDS=1 and skips otherwise, so CI never passes by skipping.

#include <QByteArray>
#include <QString>
#include <QTest>

namespace fairuse::testing::backends {

/** True under CI=true or FAIRUSE_REQUIRE_BACKENDS=1: a backend that is not there is a failure, not a skip. */
inline bool backendsRequired() {
    return qEnvironmentVariable("CI") == QLatin1String("true") ||
           qEnvironmentVariable("FAIRUSE_REQUIRE_BACKENDS") == QLatin1String("1");
}

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
