#pragma once

#include "common/Result.h"

#include <QList>

#include <memory>

namespace fairuse::services {

/**
 * The requests a network client has in flight, held weakly: a call goes away with its last owner once answered. The
 * client closes the rest when it is destroyed, so that no caller waits for ever on a future nobody will finish.
 * `Call` has a `QPromise<Result<T>> promise`.
 */
template <typename Call>
class CallsInFlight {
public:
    /** Holds `call` until it is answered (and forgets the answered ones). */
    void track(const std::shared_ptr<Call>& call) {
        m_calls.removeIf([](const std::weak_ptr<Call>& c) { return c.expired(); });
        m_calls.append(call);
    }

    /** Finishes every call still waiting with `error`. */
    void closeAll(const Error& error) {
        for (const auto& weak : std::as_const(m_calls)) {
            if (const auto call = weak.lock(); call && !call->promise.future().isFinished()) {
                call->promise.addResult(error);
                call->promise.finish();
            }
        }
    }

private:
    QList<std::weak_ptr<Call>> m_calls;
};

} // namespace fairuse::services
