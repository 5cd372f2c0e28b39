#pragma once

#include "common/Stores.h"

namespace fairuse::models {

/**
 * The queue's own test of one row against `filter`, for rows the store has not confirmed yet: a filter change is
 * answered at once from the loaded rows while the store is asked again. The resolved-only and case-reference parts
 * can only be approximated from a row (the store's answer settles them).
 */
bool matchesQueueFilter(const services::QueueFilter& filter, const services::QueueRow& row);

} // namespace fairuse::models
