#include "firestore/FieldReader.h"

#include <cmath>

namespace fairuse::services {

QString FieldReader::string(const QString& name) {
    const FirestoreValue* v = find(name);
    if (!v) {
        return {};
    }
    if (v->type() != FirestoreValue::Type::String) {
        wrongType(name, *v, QStringLiteral("stringValue"));
        return {};
    }
    return v->toText();
}

bool FieldReader::boolean(const QString& name) {
    const FirestoreValue* v = find(name);
    if (!v) {
        return false;
    }
    if (v->type() != FirestoreValue::Type::Boolean) {
        wrongType(name, *v, QStringLiteral("booleanValue"));
        return false;
    }
    return v->toBool();
}

std::int64_t FieldReader::integer(const QString& name) {
    const FirestoreValue* v = find(name);
    if (!v) {
        return 0;
    }
    if (v->type() == FirestoreValue::Type::Integer) {
        return v->toInteger();
    }
    if (v->type() == FirestoreValue::Type::Double) {
        const double d = v->toDouble();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18) {
            return static_cast<std::int64_t>(d);
        }
        fail(name, QStringLiteral("is %1, not an integer").arg(d));
        return 0;
    }
    wrongType(name, *v, QStringLiteral("integerValue"));
    return 0;
}

std::optional<double> FieldReader::number(const QString& name) {
    const FirestoreValue* v = find(name);
    if (!v) {
        return std::nullopt;
    }
    if (v->type() == FirestoreValue::Type::Double) {
        return v->toDouble();
    }
    if (v->type() == FirestoreValue::Type::Integer) {
        return static_cast<double>(v->toInteger());
    }
    wrongType(name, *v, QStringLiteral("doubleValue"));
    return std::nullopt;
}

std::optional<TimePoint> FieldReader::time(const QString& name) {
    const FirestoreValue* v = find(name);
    if (!v) {
        return std::nullopt;
    }
    if (v->type() == FirestoreValue::Type::Timestamp) {
        return v->toTimestamp();
    }
    if (v->type() == FirestoreValue::Type::String) {
        auto t = parseRfc3339(v->toText());
        if (t) {
            return *t;
        }
        fail(name, t.error().message);
        return std::nullopt;
    }
    wrongType(name, *v, QStringLiteral("timestampValue"));
    return std::nullopt;
}

std::optional<FirestoreFields> FieldReader::map(const QString& name) {
    const FirestoreValue* v = find(name);
    if (!v) {
        return std::nullopt;
    }
    if (v->type() != FirestoreValue::Type::Map) {
        wrongType(name, *v, QStringLiteral("mapValue"));
        return std::nullopt;
    }
    return v->toMap();
}

QList<FirestoreValue> FieldReader::array(const QString& name) {
    const FirestoreValue* v = find(name);
    if (!v) {
        return {};
    }
    if (v->type() != FirestoreValue::Type::Array) {
        wrongType(name, *v, QStringLiteral("arrayValue"));
        return {};
    }
    return v->toArray();
}

const FirestoreValue* FieldReader::find(const QString& name) const {
    const auto it = m_fields.constFind(name);
    if (it == m_fields.cend() || it->isNull()) {
        return nullptr;
    }
    return &*it;
}

void FieldReader::wrongType(const QString& name, const FirestoreValue& v, const QString& expected) {
    fail(name, QStringLiteral("should be %1, is %2").arg(expected, FirestoreValue::typeName(v.type())));
}

} // namespace fairuse::services
