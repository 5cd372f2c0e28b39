#pragma once

#include <QByteArray>
#include <QList>

#include <cstdint>
#include <optional>

namespace fairuse::services {

/**
 * One Redis reply as a plain value (RESP2): nil, integer, bulk string, status, error or array.
 * Produced by RedisClient from hiredis' reader; holds no pointers into hiredis memory.
 */
class RedisReply {
public:
    enum class Type { Nil, Integer, String, Status, Error, Array };

    RedisReply() = default;

    static RedisReply nil() { return RedisReply{}; }
    static RedisReply integer(std::int64_t v) {
        RedisReply r;
        r.m_type = Type::Integer;
        r.m_integer = v;
        return r;
    }
    static RedisReply string(QByteArray s) { return withText(Type::String, std::move(s)); }
    static RedisReply status(QByteArray s) { return withText(Type::Status, std::move(s)); }
    static RedisReply error(QByteArray s) { return withText(Type::Error, std::move(s)); }
    static RedisReply array(QList<RedisReply> elements) {
        RedisReply r;
        r.m_type = Type::Array;
        r.m_elements = std::move(elements);
        return r;
    }

    Type type() const { return m_type; }
    bool isNil() const { return m_type == Type::Nil; }
    bool isInteger() const { return m_type == Type::Integer; }
    bool isString() const { return m_type == Type::String; }
    bool isStatus() const { return m_type == Type::Status; }
    bool isError() const { return m_type == Type::Error; }
    bool isArray() const { return m_type == Type::Array; }

    /** Integer value of an integer reply (0 for other types). */
    std::int64_t integerValue() const { return m_integer; }
    /** Text of a string, status or error reply (empty for other types). */
    const QByteArray& text() const { return m_text; }
    /** Elements of an array reply (empty for other types). */
    const QList<RedisReply>& elements() const { return m_elements; }

    /** The error's first word ("WRONGPASS", "NOSCRIPT", "ERR"), or empty when this is not an error. */
    QByteArray errorCode() const;

    /**
     * The reply as a strict decimal integer: an integer reply, or a string/status reply that is exactly an optional
     * '-' followed by 1..19 digits and fits in int64. Anything else (nil, "12abc", "1.5", " 7") is nullopt.
     */
    std::optional<std::int64_t> toInteger() const;

    bool operator==(const RedisReply&) const = default;

private:
    static RedisReply withText(Type t, QByteArray s) {
        RedisReply r;
        r.m_type = t;
        r.m_text = std::move(s);
        return r;
    }

    Type m_type = Type::Nil;
    std::int64_t m_integer = 0;
    QByteArray m_text;
    QList<RedisReply> m_elements;
};

/** Parses a strict decimal int64 ("-12", "0"); rejects blanks, signs alone, '+', fractions and overflow. */
std::optional<std::int64_t> parseStrictInt64(const QByteArray& text);

} // namespace fairuse::services
