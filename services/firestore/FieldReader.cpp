#include "firestore/FieldReader.h"

#include <cmath>

namespace fairuse::services {

using Type = FirestoreValue::Type;

QString FieldReader::string(const QString& name) {
    const FirestoreValue* v = findOf(name, Type::String);
    return v ? v->toText() : QString();
}

bool FieldReader::boolean(const QString& name) {
    const FirestoreValue* v = findOf(name, Type::Boolean);
    return v && v->toBool();
}

std::int64_t FieldReader::integer(const QString& name) {
    const FirestoreValue* v = find(name);
    if (v && v->type() == Type::Double) {
        const double d = v->toDouble();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18) {
            return static_cast<std::int64_t>(d);
        }
        fail(name, QStringLiteral("is %1, not an integer").arg(d));
        return 0;
    }
    v = findOf(name, Type::Integer);
    return v ? v->toInteger() : 0;
}

std::optional<double> FieldReader::number(const QString& name) {
    const FirestoreValue* v = find(name);
    if (v && v->type() == Type::Integer) {
        return static_cast<double>(v->toInteger());
    }
    v = findOf(name, Type::Double);
    return v ? std::optional<double>(v->toDouble()) : std::nullopt;
}

std::optional<TimePoint> FieldReader::time(const QString& name) {
    const FirestoreValue* v = find(name);
    if (v && v->type() == Type::String) {
        auto t = parseRfc3339(v->toText());
        if (t) {
            return *t;
        }
        fail(name, t.error().message);
        return std::nullopt;
    }
    v = findOf(name, Type::Timestamp);
    return v ? std::optional<TimePoint>(v->toTimestamp()) : std::nullopt;
}

std::optional<FirestoreFields> FieldReader::map(const QString& name) {
    const FirestoreValue* v = findOf(name, Type::Map);
    return v ? std::optional<FirestoreFields>(v->toMap()) : std::nullopt;
}

QList<FirestoreValue> FieldReader::array(const QString& name) {
    const FirestoreValue* v = findOf(name, Type::Array);
    return v ? v->toArray() : QList<FirestoreValue>();
}

const FirestoreValue* FieldReader::find(const QString& name) const {
    const auto it = m_fields.constFind(name);
    if (it == m_fields.cend() || it->isNull()) {
        return nullptr;
    }
    return &*it;
}

const FirestoreValue* FieldReader::findOf(const QString& name, FirestoreValue::Type type) {
    const FirestoreValue* v = find(name);
    if (v && v->type() != type) {
        fail(name, QStringLiteral("should be %1, is %2")
                       .arg(FirestoreValue::typeName(type), FirestoreValue::typeName(v->type())));
        return nullptr;
    }
    return v;
}

} // namespace fairuse::services
