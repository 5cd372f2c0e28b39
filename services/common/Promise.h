#pragma once

#include "common/Result.h"
#include "common/Stores.h"

#include <QPromise>

#include <memory>

namespace fairuse::services {

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
