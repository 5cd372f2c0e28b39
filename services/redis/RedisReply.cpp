#include "redis/RedisReply.h"

#include <limits>

namespace fairuse::services {

std::optional<std::int64_t> parseStrictInt64(const QByteArray& text) {
    if (text.isEmpty() || text.size() > 20) {
        return std::nullopt;
    }
    qsizetype i = 0;
    const bool negative = text.at(0) == '-';
    if (negative) {
        i = 1;
        if (text.size() == 1) {
            return std::nullopt;
        }
    }
    // Accumulate as a negative number so INT64_MIN parses without overflow.
    std::int64_t value = 0;
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    for (; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const int digit = c - '0';
        if (value < (kMin + digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 - digit;
    }
    if (negative) {
        return value;
    }
    if (value == kMin) {
        return std::nullopt;
    }
    return -value;
}

QByteArray RedisReply::errorCode() const {
    if (m_type != Type::Error) {
        return {};
    }
    const qsizetype space = m_text.indexOf(' ');
    return space < 0 ? m_text : m_text.left(space);
}

std::optional<std::int64_t> RedisReply::toInteger() const {
    switch (m_type) {
    case Type::Integer:
        return m_integer;
    case Type::String:
    case Type::Status:
        return parseStrictInt64(m_text);
    default:
        return std::nullopt;
    }
}

} // namespace fairuse::services
