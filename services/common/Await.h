#pragma once

#include "common/Result.h"

#include <QEventLoop>
#include <QFuture>
#include <QFutureWatcher>
#include <QTimer>

namespace fairuse::services {

/**
 * Waits for a future while running the calling thread's event loop, so work that needs this thread's event
 * loop (network replies, sockets) can finish. For command-line tools and tests; never call it in a widget.
 * Returns false on timeout.
 */
template <typename T>
bool await(const QFuture<T>& future, int timeoutMs = 30000) {
    if (future.isFinished()) {
        return true;
    }
    QEventLoop loop;
    QFutureWatcher<T> watcher;
    QObject::connect(&watcher, &QFutureWatcher<T>::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    if (!future.isFinished()) {
        loop.exec();
    }
    return future.isFinished();
}

/** Awaits and returns the result; a timeout becomes ErrorKind::Unavailable. */
template <typename R>
R awaitResult(const QFuture<R>& future, int timeoutMs = 30000) {
    if (!await(future, timeoutMs)) {
        return R{Error::unavailable(QStringLiteral("timed out after %1 ms").arg(timeoutMs))};
    }
    return future.result();
}

} // namespace fairuse::services
