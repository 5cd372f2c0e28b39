#pragma once
// The one way to guard an asynchronous continuation in services: QFuture::then(guarded(context, f)).

#include "common/Result.h"

#include <QPointer>

#include <memory>
#include <type_traits>

namespace fairuse::services {

namespace detail {

template <typename F>
struct CallableTraits : CallableTraits<decltype(&F::operator())> {};
template <typename C, typename R, typename A>
struct CallableTraits<R (C::*)(A) const> {
    using Arg = A;
    using Ret = R;
};
template <typename C, typename R, typename A>
struct CallableTraits<R (C::*)(A)> {
    using Arg = A;
    using Ret = R;
};

} // namespace detail

/**
 * A future continuation that runs `f` only while `context` lives, and `onClosed()` instead once it is gone. Qt 6.4's
 * QFuture::then(context, f) asserts when the context is destroyed before the future finishes (a window closed while
 * a request was in flight); without a context the continuation runs where the promise is finished, which for these
 * clients is always the thread that owns `context` (network replies are delivered there). `f` may use `context`
 * freely. Use onClosed to complete a promise the continuation owns, so its future always gets a result.
 */
template <typename Obj, typename F, typename OnClosed>
auto guardedOr(Obj* context, F f, OnClosed onClosed) {
    using Arg = typename detail::CallableTraits<F>::Arg;
    using Ret = typename detail::CallableTraits<F>::Ret;
    return [guard = QPointer<Obj>(context), fn = std::make_shared<F>(std::move(f)),
            closed = std::make_shared<OnClosed>(std::move(onClosed))](Arg arg) -> Ret {
        if (!guard) {
            return (*closed)();
        }
        return (*fn)(std::forward<Arg>(arg));
    };
}

/**
 * guardedOr() for the common cases: once `context` is gone, a continuation that returns a Result returns
 * ErrorKind::Unavailable with `closedMessage`, and one that returns void does nothing.
 */
template <typename Obj, typename F>
auto guarded(Obj* context, F f, QString closedMessage = QStringLiteral("the connection was closed")) {
    using Ret = typename detail::CallableTraits<F>::Ret;
    return guardedOr(context, std::move(f), [closedMessage]() -> Ret {
        if constexpr (!std::is_void_v<Ret>) {
            return Ret(Error::unavailable(closedMessage));
        }
    });
}

} // namespace fairuse::services
