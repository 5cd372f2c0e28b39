#pragma once

#include "common/Domain.h"
#include "firestore/FirestoreValue.h"

#include <optional>

namespace fairuse::services {

/**
 * The subscription on the user document users/{uid} (SPEC 4.2): {plan, status, current_period_end (Unix seconds),
 * ...}, where the backend reads the plan. Read defensively: no `subscription` map means no subscription (the user is
 * on basic); a current_period_end that is not a number (integer or double seconds) or a timestamp is absent; other
 * fields of the map are ignored.
 */
std::optional<Subscription> decodeSubscription(const FirestoreFields& userFields);

/** The `subscription` map as the backend writes it: plan, status, current_period_end in Unix seconds (or null). */
FirestoreValue encodeSubscription(const Subscription& subscription);

/** users/{uid}, the user document. */
QString userDocumentPath(const QString& uid);

} // namespace fairuse::services
