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
    // A timer that dies with this wait: QTimer::singleShot's would stay registered with the event dispatcher until
    // it fired, so a pass awaiting once per user kept one live timer per await of the last timeoutMs, and every wait
    // got slower as they piled up (bench/enforcer measured it).
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs);
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
