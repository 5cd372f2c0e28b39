#include "BackendLayout.h"

namespace fairuse::bench {

std::vector<std::pair<std::int64_t, std::int64_t>> speechMinutes(bool heavy, std::int64_t firstDayMinute, int days) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (int d = 0; d < days; ++d) {
        const std::int64_t day = firstDayMinute + d * kDayMinutes;
        if (heavy) {
            for (std::int64_t m = 8 * 60; m < 20 * 60; ++m) {
                out.emplace_back(day + m, 60'000);
            }
        } else {
            for (int i = 0; i < 13; ++i) {
                out.emplace_back(day + 8 * 60 + 2 + 70 * i, 45'000);
            }
        }
    }
    return out;
}

} // namespace fairuse::bench
