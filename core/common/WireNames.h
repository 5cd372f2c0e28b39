#pragma once

#include <QString>

#include <array>
#include <cstddef>
#include <optional>
#include <utility>

namespace fairuse {

/** An enum's wire names: each value with the name it has in stored documents, logs and command lines. */
template <typename E, std::size_t N>
using WireNames = std::array<std::pair<E, const char*>, N>;

/** The wire name of `value`; empty when the table lacks it. */
template <typename E, std::size_t N>
QString wireName(const WireNames<E, N>& names, E value) {
    for (const auto& [e, name] : names) {
        if (e == value) {
            return QString::fromLatin1(name);
        }
    }
    return {};
}

/** The value whose wire name is `name` (exact, case-sensitive); nullopt for any other text. */
template <typename E, std::size_t N>
std::optional<E> fromWireName(const WireNames<E, N>& names, const QString& name) {
    for (const auto& [e, n] : names) {
        if (name == QLatin1String(n)) {
            return e;
        }
    }
    return std::nullopt;
}

} // namespace fairuse
