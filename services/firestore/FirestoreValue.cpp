#include "firestore/FirestoreValue.h"

#include <QDateTime>
#include <QJsonArray>

#include <cmath>
#include <limits>

namespace fairuse::services {

namespace {

const QLatin1String kNull("nullValue");
const QLatin1String kBoolean("booleanValue");
const QLatin1String kInteger("integerValue");
const QLatin1String kDouble("doubleValue");
const QLatin1String kTimestamp("timestampValue");
const QLatin1String kString("stringValue");
const QLatin1String kReference("referenceValue");
const QLatin1String kMap("mapValue");
const QLatin1String kArray("arrayValue");
const QLatin1String kBytes("bytesValue");
const QLatin1String kGeoPoint("geoPointValue");

// Integers beyond 2^53 lose precision as JSON numbers, so only accept numbers that are exact integers in range.
Result<std::int64_t> integerFromJson(const QJsonValue& v) {
    if (v.isString()) {
        bool ok = false;
        const qlonglong i = v.toString().toLongLong(&ok);
        if (!ok) {
            return Error::invalid(
                QStringLiteral("integerValue \"%1\" is not a 64-bit integer").arg(v.toString().left(40)));
        }
        return std::int64_t{i};
    }
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9007199254740992.0) {
            return Error::invalid(QStringLiteral("integerValue %1 is not an exact integer").arg(d));
        }
        return static_cast<std::int64_t>(d);
    }
    return Error::invalid(QStringLiteral("integerValue must be a string or a number"));
}

Result<double> doubleFromJson(const QJsonValue& v) {
    if (v.isDouble()) {
        return v.toDouble();
    }
    if (v.isString()) {
        const QString s = v.toString();
        if (s == QLatin1String("NaN")) {
            return std::numeric_limits<double>::quiet_NaN();
        }
        if (s == QLatin1String("Infinity")) {
            return std::numeric_limits<double>::infinity();
        }
        if (s == QLatin1String("-Infinity")) {
            return -std::numeric_limits<double>::infinity();
        }
        bool ok = false;
        const double d = s.toDouble(&ok);
        if (ok) {
            return d;
        }
        return Error::invalid(QStringLiteral("doubleValue \"%1\" is not a number").arg(s.left(40)));
    }
    return Error::invalid(QStringLiteral("doubleValue must be a number or \"NaN\"/\"Infinity\"/\"-Infinity\""));
}

} // namespace

FirestoreValue FirestoreValue::boolean(bool b) {
    FirestoreValue v;
    v.m_type = Type::Boolean;
    v.m_bool = b;
    return v;
}

FirestoreValue FirestoreValue::integer(std::int64_t i) {
    FirestoreValue v;
    v.m_type = Type::Integer;
    v.m_int = i;
    return v;
}

FirestoreValue FirestoreValue::number(double d) {
    FirestoreValue v;
    v.m_type = Type::Double;
    v.m_double = d;
    return v;
}

FirestoreValue FirestoreValue::timestamp(TimePoint t) {
    FirestoreValue v;
    v.m_type = Type::Timestamp;
    v.m_time = t;
    return v;
}

FirestoreValue FirestoreValue::string(QString s) {
    FirestoreValue v;
    v.m_type = Type::String;
    v.m_text = std::move(s);
    return v;
}

FirestoreValue FirestoreValue::reference(QString documentName) {
    FirestoreValue v;
    v.m_type = Type::Reference;
    v.m_text = std::move(documentName);
    return v;
}

FirestoreValue FirestoreValue::map(FirestoreFields fields) {
    FirestoreValue v;
    v.m_type = Type::Map;
    v.m_map = std::make_shared<const FirestoreFields>(std::move(fields));
    return v;
}

FirestoreValue FirestoreValue::array(QList<FirestoreValue> values) {
    FirestoreValue v;
    v.m_type = Type::Array;
    v.m_array = std::make_shared<const QList<FirestoreValue>>(std::move(values));
    return v;
}

FirestoreValue FirestoreValue::optionalTimestamp(const std::optional<TimePoint>& t) {
    return t ? timestamp(*t) : null();
}

FirestoreFields FirestoreValue::toMap() const {
    return m_map ? *m_map : FirestoreFields{};
}

QList<FirestoreValue> FirestoreValue::toArray() const {
    return m_array ? *m_array : QList<FirestoreValue>{};
}

QString FirestoreValue::typeName(Type t) {
    switch (t) {
    case Type::Null:
        return kNull;
    case Type::Boolean:
        return kBoolean;
    case Type::Integer:
        return kInteger;
    case Type::Double:
        return kDouble;
    case Type::Timestamp:
        return kTimestamp;
    case Type::String:
        return kString;
    case Type::Reference:
        return kReference;
    case Type::Map:
        return kMap;
    case Type::Array:
        return kArray;
    case Type::Other:
        return QStringLiteral("other value");
    }
    return {};
}

QString formatFirestoreTimestamp(TimePoint t) {
    // Qt formats milliseconds; the API documents microseconds ("...00.123000Z"), which the emulator and the
    // server both accept, so pad the fraction.
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(toUnixMs(t), Qt::UTC);
    return dt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) + QStringLiteral("000Z");
}

QJsonObject FirestoreValue::toJson() const {
    switch (m_type) {
    case Type::Null:
        return QJsonObject{{kNull, QJsonValue::Null}};
    case Type::Boolean:
        return QJsonObject{{kBoolean, m_bool}};
    case Type::Integer:
        return QJsonObject{{kInteger, QString::number(m_int)}};
    case Type::Double:
        if (std::isnan(m_double)) {
            return QJsonObject{{kDouble, QStringLiteral("NaN")}};
        }
        if (std::isinf(m_double)) {
            return QJsonObject{{kDouble, m_double > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity")}};
        }
        return QJsonObject{{kDouble, m_double}};
    case Type::Timestamp:
        return QJsonObject{{kTimestamp, m_text.isEmpty() ? formatFirestoreTimestamp(m_time) : m_text}};
    case Type::String:
        return QJsonObject{{kString, m_text}};
    case Type::Reference:
        return QJsonObject{{kReference, m_text}};
    case Type::Map:
        return QJsonObject{{kMap, QJsonObject{{QStringLiteral("fields"), fieldsToJson(toMap())}}}};
    case Type::Array: {
        QJsonArray values;
        for (const auto& v : toArray()) {
            values.append(v.toJson());
        }
        // The API omits "values" for an empty array; writing {} keeps our output identical to its.
        QJsonObject inner;
        if (!values.isEmpty()) {
            inner.insert(QStringLiteral("values"), values);
        }
        return QJsonObject{{kArray, inner}};
    }
    case Type::Other:
        return m_raw;
    }
    return {};
}

Result<FirestoreValue> FirestoreValue::fromJson(const QJsonValue& json) {
    if (!json.isObject()) {
        return Error::invalid(QStringLiteral("a value must be a JSON object"));
    }
    const QJsonObject o = json.toObject();
    if (o.size() != 1) {
        return Error::invalid(QStringLiteral("a value must have exactly one type key, found %1").arg(o.size()));
    }
    const QString key = o.begin().key();
    const QJsonValue v = o.begin().value();
    if (key == kNull) {
        return FirestoreValue::null();
    }
    if (key == kBoolean) {
        if (!v.isBool()) {
            return Error::invalid(QStringLiteral("booleanValue must be true or false"));
        }
        return FirestoreValue::boolean(v.toBool());
    }
    if (key == kInteger) {
        auto i = integerFromJson(v);
        if (!i) {
            return i.error();
        }
        return FirestoreValue::integer(*i);
    }
    if (key == kDouble) {
        auto d = doubleFromJson(v);
        if (!d) {
            return d.error();
        }
        return FirestoreValue::number(*d);
    }
    if (key == kTimestamp) {
        if (!v.isString()) {
            return Error::invalid(QStringLiteral("timestampValue must be an RFC 3339 string"));
        }
        auto t = parseRfc3339(v.toString());
        if (!t) {
            return Error::invalid(QStringLiteral("timestampValue: %1").arg(t.error().message));
        }
        // Keep the server's text: query cursors built from it need its full (micro/nano) precision.
        FirestoreValue value = FirestoreValue::timestamp(*t);
        value.m_text = v.toString();
        return value;
    }
    if (key == kString) {
        if (!v.isString()) {
            return Error::invalid(QStringLiteral("stringValue must be a string"));
        }
        return FirestoreValue::string(v.toString());
    }
    if (key == kReference) {
        if (!v.isString()) {
            return Error::invalid(QStringLiteral("referenceValue must be a string"));
        }
        return FirestoreValue::reference(v.toString());
    }
    if (key == kMap) {
        if (!v.isObject()) {
            return Error::invalid(QStringLiteral("mapValue must be an object"));
        }
        const QJsonValue fields = v.toObject().value(QStringLiteral("fields"));
        if (fields.isUndefined()) {
            return FirestoreValue::map({}); // an empty map has no "fields"
        }
        if (!fields.isObject()) {
            return Error::invalid(QStringLiteral("mapValue.fields must be an object"));
        }
        auto parsed = fieldsFromJson(fields.toObject());
        if (!parsed) {
            return parsed.error();
        }
        return FirestoreValue::map(std::move(parsed.value()));
    }
    if (key == kArray) {
        if (!v.isObject()) {
            return Error::invalid(QStringLiteral("arrayValue must be an object"));
        }
        const QJsonValue values = v.toObject().value(QStringLiteral("values"));
        if (values.isUndefined()) {
            return FirestoreValue::array({});
        }
        if (!values.isArray()) {
            return Error::invalid(QStringLiteral("arrayValue.values must be an array"));
        }
        QList<FirestoreValue> out;
        const QJsonArray arr = values.toArray();
        out.reserve(arr.size());
        for (qsizetype i = 0; i < arr.size(); ++i) {
            auto item = fromJson(arr.at(i));
            if (!item) {
                return Error::invalid(QStringLiteral("[%1]: %2").arg(i).arg(item.error().message));
            }
            out.append(std::move(item.value()));
        }
        return FirestoreValue::array(std::move(out));
    }
    if (key == kBytes || key == kGeoPoint) {
        FirestoreValue other;
        other.m_type = Type::Other;
        other.m_raw = o;
        return other;
    }
    return Error::invalid(QStringLiteral("unknown value type \"%1\"").arg(key.left(40)));
}

bool FirestoreValue::operator==(const FirestoreValue& other) const {
    if (m_type != other.m_type) {
        return false;
    }
    switch (m_type) {
    case Type::Null:
        return true;
    case Type::Boolean:
        return m_bool == other.m_bool;
    case Type::Integer:
        return m_int == other.m_int;
    case Type::Double:
        return (std::isnan(m_double) && std::isnan(other.m_double)) || m_double == other.m_double;
    case Type::Timestamp:
        return m_time == other.m_time;
    case Type::String:
    case Type::Reference:
        return m_text == other.m_text;
    case Type::Map:
        return toMap() == other.toMap();
    case Type::Array:
        return toArray() == other.toArray();
    case Type::Other:
        return m_raw == other.m_raw;
    }
    return false;
}

QJsonObject fieldsToJson(const FirestoreFields& fields) {
    QJsonObject o;
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
        o.insert(it.key(), it.value().toJson());
    }
    return o;
}

Result<FirestoreFields> fieldsFromJson(const QJsonObject& json) {
    FirestoreFields fields;
    for (auto it = json.begin(); it != json.end(); ++it) {
        auto v = FirestoreValue::fromJson(it.value());
        if (!v) {
            return Error::invalid(QStringLiteral("%1: %2").arg(it.key(), v.error().message));
        }
        fields.insert(it.key(), std::move(v.value()));
    }
    return fields;
}

} // namespace fairuse::services
