#pragma once

#include <QByteArray>
#include <QDateTime>

#include <chrono>
#include <optional>

namespace fairuse::services {

/**
 * When and how long to wait before retrying a rate-limited (429) or failed (5xx) LLM request.
 *
 * The server's own wait wins: `retry-after-ms` (OpenAI's, milliseconds) over `retry-after` (RFC 9110: seconds or
 * an HTTP date). Without either we back off exponentially with "equal jitter" (half fixed, half random) so that
 * many clients rate-limited together do not come back together, yet every retry waits at least half the step.
 */
struct RetryPolicy {
    int maxRetries = 3; ///< retries after the first attempt; 0 = never retry
    std::chrono::milliseconds initialBackoff{500};
    std::chrono::milliseconds maxBackoff{20000};
    /** A server asking for a longer wait than this is not waited for: the call fails with Unavailable instead of
     *  holding the user's classification hostage (the enforcement cooldown schedules the next try). */
    std::chrono::milliseconds maxServerWait{60000};

    /**
     * The wait the server asked for, from the raw header values (empty when absent). Junk, negative or
     * non-finite values are ignored (nullopt, as if absent). An HTTP date in the past means no wait (0 ms).
     * `nowUtc` is the wall clock, passed in so HTTP dates are testable.
     */
    static std::optional<std::chrono::milliseconds>
    serverRequestedWait(const QByteArray& retryAfterMs, const QByteArray& retryAfter, const QDateTime& nowUtc);

    /** Backoff before retry number `retryIndex` (0 for the first retry); `unitRandom` in [0, 1] (clamped). */
    std::chrono::milliseconds backoff(int retryIndex, double unitRandom) const;
};

} // namespace fairuse::services
