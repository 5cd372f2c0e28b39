#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace fairuse {

/** What kind of failure an Error is, so callers can react without parsing messages. */
enum class ErrorKind {
    Invalid,     ///< bad input: malformed, out of range, unknown value
    NotFound,    ///< the thing asked for does not exist
    Conflict,    ///< someone else changed it first (precondition failed)
    Permission,  ///< the caller's role or credential does not allow it
    Unavailable, ///< a server could not be reached or is overloaded; retrying may help
    Quota,       ///< a budget or quota is spent; retrying will not help
    Internal,    ///< a bug or an unexpected state
};

/** A failure a caller must handle: a kind and a message written for the person who will read it. */
struct Error {
    ErrorKind kind = ErrorKind::Internal;
    QString message;

    static Error invalid(QString m) { return {ErrorKind::Invalid, std::move(m)}; }
    static Error notFound(QString m) { return {ErrorKind::NotFound, std::move(m)}; }
    static Error conflict(QString m) { return {ErrorKind::Conflict, std::move(m)}; }
    static Error permission(QString m) { return {ErrorKind::Permission, std::move(m)}; }
    static Error unavailable(QString m) { return {ErrorKind::Unavailable, std::move(m)}; }
    static Error quota(QString m) { return {ErrorKind::Quota, std::move(m)}; }
    static Error internal(QString m) { return {ErrorKind::Internal, std::move(m)}; }
};

/** Either a value or an Error. A small stand-in for C++23 std::expected. */
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error)
        : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(m_data); }
    const T& value() const& { return std::get<0>(m_data); }
    T&& value() && { return std::get<0>(std::move(m_data)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(m_data); }

    T valueOr(T fallback) const { return ok() ? value() : std::move(fallback); }

private:
    std::variant<T, Error> m_data;
};

/** Result of an operation that returns nothing on success. */
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

} // namespace fairuse
