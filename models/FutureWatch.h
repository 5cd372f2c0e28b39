#pragma once

#include "common/Result.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <type_traits>
#include <utility>

namespace fairuse::models {

namespace detail {
template <typename T>
struct IsResult : std::false_type {};
template <typename U>
struct IsResult<Result<U>> : std::true_type {};
} // namespace detail

/**
 * Calls `handler` with the result of `future` once it finishes, through a QFutureWatcher owned by `owner`.
 *
 * Use this instead of `future.then(owner, handler)`: with Qt 6.4 (assertions on) a then(context) continuation trips
 * `ASSERT: "context"` when the context object is destroyed before the future finishes, which happens whenever a view
 * or dialog closes while a store answer is in flight. Here the watcher dies with its owner, so an answer arriving
 * after the owner is destroyed is simply dropped and the handler never runs.
 *
 * The handler always runs asynchronously, from the event loop of the owner's thread, even when the future has
 * already finished: callers never see their own state change under them before this call returns. Call it from the
 * owner's thread (the watcher becomes the owner's child).
 *
 * A future that finishes without a result (cancelled, e.g. its promise was dropped) reports
 * `Error::unavailable` when `T` is a `Result<...>`; for any other `T` the handler is not called, as with then().
 */
template <typename T, typename F>
void whenFinished(QObject* owner, QFuture<T> future, F handler) {
    auto* watcher = new QFutureWatcher<T>(owner);
    QObject::connect(watcher, &QFutureWatcherBase::finished, owner, [watcher, handler = std::move(handler)]() mutable {
        watcher->deleteLater();
        const QFuture<T> f = watcher->future();
        if (f.resultCount() > 0) {
            handler(f.result());
        } else if constexpr (detail::IsResult<T>::value) {
            handler(T(Error::unavailable(QStringLiteral("the request was cancelled"))));
        }
    });
    watcher->setFuture(std::move(future));
}

} // namespace fairuse::models
