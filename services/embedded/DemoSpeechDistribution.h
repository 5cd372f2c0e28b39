#pragma once

namespace fairuse::services::embedded {

/** Daily speech minutes of the demo population at quantile p (0..1): median 12.7 min, P95 2.1 h, P99 3.4 h, capped
 *  below the planted top user. */
double dailyMinutesAtQuantile(double p);

} // namespace fairuse::services::embedded
