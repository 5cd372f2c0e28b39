#pragma once

// The one helper for promises and for a future that has already finished: ready(value).

#include "common/Result.h"

#include <QFuture>
#include <QPromise>

#include <memory>

namespace fairuse::services {

/** Every store call is asynchronous: a QFuture that finishes with a value or an Error. Widgets and models continue
 *  with models::whenFinished(owner, future, handler) (models/FutureWatch.h) so an answer that arrives after its
 *  receiver is gone is dropped (Qt 6.4's future.then(context, ...) asserts in that case). */
template <typename T>
using Async = QFuture<Result<T>>;

/** A started promise shared between the continuations that may complete it (network replies, timers). */
template <typename T>
using PromisePtr = std::shared_ptr<QPromise<Result<T>>>;

template <typename T>
PromisePtr<T> makePromise() {
    auto p = std::make_shared<QPromise<Result<T>>>();
    p->start();
    return p;
}

/** Completes `p` with `r`: the one result its future will ever carry. */
template <typename T>
void finish(const PromisePtr<T>& p, Result<T> r) {
    p->addResult(std::move(r));
    p->finish();
}

/** A future that has already finished with `value`. */
template <typename T>
Async<T> ready(Result<T> value) {
    auto p = makePromise<T>();
    finish(p, std::move(value));
    return p->future();
}

} // namespace fairuse::services
