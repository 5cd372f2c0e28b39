#include "embedded/DemoSpeechDistribution.h"

#include <algorithm>
#include <cmath>

namespace fairuse::services::embedded {

namespace {

// Target distribution of daily speech (minutes) and the planted top user.
constexpr double kMedianMinutes = 12.7;
constexpr double kP95Minutes = 126.0;     // 2.1 h
constexpr double kP99Minutes = 204.0;     // 3.4 h
constexpr double kTopUserMinutes = 702.0; // 11.7 h
constexpr double kOrdinaryCeilingMinutes = 660.0;
constexpr double kZ95 = 1.6448536269514722;
constexpr double kZ99 = 2.3263478740408408;

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
double inverseNormal(double p) {
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                   1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                   6.680131188771972e+01, -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                   -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                   3.754408661907416e+00};
    constexpr double low = 0.02425;
    if (p < low) {
        const double q = std::sqrt(-2 * std::log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) {
        const double q = std::sqrt(-2 * std::log(1 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double q = p - 0.5;
    const double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

} // namespace

/** Daily speech minutes at quantile p: log-normal through the median and P95, bent above P95 to pass P99. */
double dailyMinutesAtQuantile(double p) {
    static const double sigma = std::log(kP95Minutes / kMedianMinutes) / kZ95;
    static const double tailSlope = std::log(kP99Minutes / kP95Minutes) / (kZ99 - kZ95);
    const double z = inverseNormal(std::clamp(p, 1e-9, 1 - 1e-9));
    const double m = z <= kZ95 ? kMedianMinutes * std::exp(sigma * z) : kP95Minutes * std::exp(tailSlope * (z - kZ95));
    return std::min(m, kOrdinaryCeilingMinutes);
}

} // namespace fairuse::services::embedded
