#pragma once

#include <QString>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

namespace fairuse::services::embedded {

/** Seeded generator with its own transforms: std:: distributions differ between standard libraries. */
class DemoRng {
public:
    explicit DemoRng(std::uint64_t seed)
        : m_engine(seed) {}

    double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }
    double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /** Inclusive integer range. */
    int between(int lo, int hi) {
        const auto span = static_cast<std::uint64_t>(hi - lo + 1);
        return lo + static_cast<int>(m_engine() % span);
    }
    bool chance(double p) { return uniform() < p; }
    double normal() {
        const double u1 = std::max(uniform(), 1e-300);
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    }
    QString text(int n, const char* alphabet) {
        const auto size = static_cast<int>(std::char_traits<char>::length(alphabet));
        QString s;
        s.reserve(n);
        for (int i = 0; i < n; ++i) {
            s.append(QLatin1Char(alphabet[between(0, size - 1)]));
        }
        return s;
    }
    template <typename T, std::size_t N>
    const T& pick(const std::array<T, N>& items) {
        return items[static_cast<std::size_t>(between(0, static_cast<int>(N) - 1))];
    }

private:
    std::mt19937_64 m_engine;
};

} // namespace fairuse::services::embedded
