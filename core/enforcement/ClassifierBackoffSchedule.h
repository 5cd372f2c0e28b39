#pragma once

#include "common/Time.h"

#include <QByteArray>

#include <chrono>
#include <optional>

namespace fairuse::enforcement {

/**
 * The enforcement service's backoff after a failed classifier call (services/enforcer/ClassifierBackoff.h keeps it in
 * Redis): how long to wait after a number of failures in a row, and the stored value "failures:retry_at_ms", read
 * strictly because it comes back from a server (fuzz_classifier_backoff).
 */
struct BackoffEntry {
    int failures = 0;
    TimePoint retryAt{};
};

/** The wait after `failures` failures in a row: 5 min, doubling, at most 6 h (0 or less counts as 1). */
std::chrono::milliseconds backoffDelayAfter(int failures);
/** The entry after one more failure at `now`. */
BackoffEntry nextBackoff(const std::optional<BackoffEntry>& previous, TimePoint now);

QByteArray encodeBackoff(const BackoffEntry& entry);
/** Two decimal integers "failures:retry_at_ms", failures 1..1000, retry_at within the years 2000..2200; anything else
 *  (signs, spaces, hex, a third field, overflow) is nullopt. */
std::optional<BackoffEntry> decodeBackoff(const QByteArray& value);

} // namespace fairuse::enforcement
