#pragma once

#include "common/Result.h"
#include "common/Time.h"
#include "firestore/FirestoreValue.h"

#include <QString>

#include <cstdint>
#include <initializer_list>
#include <optional>

namespace fairuse::services {

/** Reads typed fields of one document, remembering the first error with its field path. */
class FieldReader {
public:
    FieldReader(const FirestoreFields& fields, QString context)
        : m_fields(fields)
        , m_context(std::move(context)) {}

    bool has(const QString& name) const { return find(name) != nullptr; }

    void require(const QString& name) {
        if (!has(name)) {
            fail(name, QStringLiteral("is required but missing"));
        }
    }
    void requireAll(std::initializer_list<const char*> names) {
        for (const char* name : names) {
            require(QString::fromLatin1(name));
        }
    }

    /** Typed readers: a missing or null field gives the default (empty, false, 0, nullopt); a field of another
     *  type is recorded as the error and also gives the default. */
    QString string(const QString& name);
    bool boolean(const QString& name);
    std::int64_t integer(const QString& name);
    std::optional<double> number(const QString& name);
    std::optional<TimePoint> time(const QString& name);
    std::optional<FirestoreFields> map(const QString& name);
    QList<FirestoreValue> array(const QString& name);

    /** A string field parsed by `parse` (stageFromString, ...); unknown names are errors. */
    template <typename T, typename Parse>
    std::optional<T> named(const QString& name, Parse parse) {
        const QString s = string(name);
        if (s.isEmpty()) {
            return std::nullopt;
        }
        auto parsed = parse(s);
        if (!parsed) {
            fail(name, QStringLiteral("has unknown value \"%1\"").arg(s.left(40)));
        }
        return parsed;
    }

    void fail(const QString& name, const QString& why) {
        if (!m_error) {
            m_error = Error::invalid(QStringLiteral("%1: field %2 %3").arg(m_context, name, why));
        }
    }

    /** Adopts an error from a nested decoder. */
    void fail(const Error& nested) {
        if (!m_error) {
            m_error = Error::invalid(QStringLiteral("%1: %2").arg(m_context, nested.message));
        }
    }

    /** Reads the map field `name` with `read(FieldReader&)`, recording the first error it finds here; nothing when
     *  the field is missing or null. */
    template <typename Read>
    void nested(const QString& name, Read read) {
        if (const std::optional<FirestoreFields> m = map(name)) {
            FieldReader inner(*m, name);
            read(inner);
            if (inner.error()) {
                fail(*inner.error());
            }
        }
    }

    const std::optional<Error>& error() const { return m_error; }

    /** `value`, or the first error recorded. */
    template <typename T>
    Result<T> result(T value) const {
        if (m_error) {
            return *m_error;
        }
        return value;
    }

private:
    /** The field, or nullptr when it is missing or null. */
    const FirestoreValue* find(const QString& name) const;
    /** The field when it holds `type`; nullptr when it is missing or null, or (recorded as the error) another type. */
    const FirestoreValue* findOf(const QString& name, FirestoreValue::Type type);

    const FirestoreFields& m_fields;
    QString m_context;
    std::optional<Error> m_error;
};

} // namespace fairuse::services
