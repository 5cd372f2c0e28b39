#pragma once
// Awaiting a store or client call in a test, and an error as a failure message.

#include "ErrorKindName.h"
#include "common/Await.h"
#include "common/Promise.h"

#include <QString>

namespace fairuse::testing {

/** Waits for a call while running the event loop; the emulators can be slow on a loaded machine. */
template <typename T>
Result<T> wait(const services::Async<T>& f, int timeoutMs = 180000) {
    return services::awaitResult(f, timeoutMs);
}

/** An error as a failure message: "Quota: <message>". */
inline QString why(const Error& e) {
    return testsupport::kindName(e.kind) + QStringLiteral(": ") + e.message;
}

/** "ok", or the error as why(Error). */
template <typename T>
QString why(const Result<T>& r) {
    return r.ok() ? QStringLiteral("ok") : why(r.error());
}

} // namespace fairuse::testing
