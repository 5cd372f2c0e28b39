#pragma once

#include "common/Result.h"

#include <QPointer>

#include <memory>
#include <type_traits>

namespace fairuse::services::detail {

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

/**
 * A future continuation that runs only while `context` lives: QFuture::then(context, f) in Qt 6.4 asserts when the
 * context is destroyed before the future finishes (a window closed while a request was in flight). Without a
 * context the continuation runs where the promise is finished, which for these clients is always the thread that
 * owns `context` (network replies are delivered there). A continuation whose context is gone returns
 * ErrorKind::Unavailable ("closed") or, for void, does nothing.
 */
template <typename Obj, typename F>
auto guarded(Obj* context, F f) {
    using Arg = typename CallableTraits<F>::Arg;
    using Ret = typename CallableTraits<F>::Ret;
    return [guard = QPointer<Obj>(context), fn = std::make_shared<F>(std::move(f))](Arg arg) -> Ret {
        if (!guard) {
            if constexpr (std::is_void_v<Ret>) {
                return;
            } else {
                return Ret(Error::unavailable(QStringLiteral("the Firestore connection was closed")));
            }
        }
        return (*fn)(std::forward<Arg>(arg));
    };
}

} // namespace fairuse::services::detail
