#pragma once
// Shared by the tests that compose the console from the emulator profile against the CTest fixtures (redis, the
// Firestore and Auth emulators): the time the console is pinned to, waiting for a call, a profile pointed at the
// fixtures, and starting the composer.

#include "AuthEmulator.h"
#include "BackendFixtures.h"
#include "Composition.h"
#include "common/Await.h"

#include <QSignalSpy>
#include <QTest>

namespace fairuse::testing::emulatorconsole {

namespace backends = fairuse::testing::backends;

inline constexpr int kTimeoutMs = 120000;

/** The time the composed console is pinned to. */
inline TimePoint reference() {
    return parseRfc3339(QStringLiteral("2026-03-20T10:15:00Z")).value();
}

/** Waits for a call of the console or the emulators, which can be slow on a loaded machine. */
template <typename T>
Result<T> get(const services::Async<T>& f) {
    return services::awaitResult(f, kTimeoutMs);
}

/** Points `profile` at the fixtures: redis database `redisDb` on `redisPort`, `project` of the Firestore emulator at
 *  `firestoreHost`, and the Auth emulator `auth`. */
inline void pointAtFixtures(models::ConnectionProfile& profile, quint16 redisPort, int redisDb, const QString& project,
                            const QString& firestoreHost, const AuthEmulator& auth) {
    profile.redisUrl = QStringLiteral("redis://127.0.0.1:%1/%2").arg(redisPort).arg(redisDb);
    profile.firestoreProject = project;
    profile.firestoreEmulatorHost = firestoreHost;
    profile.authProject = kAuthProject;
    profile.authEmulatorHost = auth.host();
    profile.firebaseApiKey = kAuthApiKey;
}

/** Starts `composer` and waits until it is ready: empty, or why it failed. */
inline QString startAndWait(fairuse::console::Composer& composer) {
    QSignalSpy ready(&composer, &fairuse::console::Composer::ready);
    QSignalSpy failed(&composer, &fairuse::console::Composer::failed);
    composer.start();
    if (!QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, kTimeoutMs)) {
        return QStringLiteral("the console was neither ready nor failed in time");
    }
    return failed.isEmpty() ? QString() : failed.first().at(0).toString();
}

} // namespace fairuse::testing::emulatorconsole
