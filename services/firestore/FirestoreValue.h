#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>

namespace fairuse::services {

class FirestoreValue;
/** The fields of a document or of a mapValue. */
using FirestoreFields = QMap<QString, FirestoreValue>;

/**
 * One typed Firestore value as the REST API (v1) writes it in JSON: {"stringValue": "x"}, {"integerValue": "5"}, ...
 *
 * Timestamps are held at millisecond precision (the core's TimePoint) and written with microseconds; a timestamp
 * read from JSON keeps its original text and is written back verbatim, so that a query cursor built from it
 * keeps the server's full precision (a truncated cursor would skip rows). The
 * server's own version stamps (updateTime) are never passed through this type, they stay strings so that no
 * precision is lost when they are used as preconditions. Value types the fair-use documents never use
 * (bytesValue, geoPointValue) are kept as their raw JSON so that reading and writing them back changes nothing.
 */
class FirestoreValue {
public:
    enum class Type { Null, Boolean, Integer, Double, Timestamp, String, Reference, Map, Array, Other };

    FirestoreValue() = default; ///< nullValue

    static FirestoreValue null() { return {}; }
    static FirestoreValue boolean(bool b);
    static FirestoreValue integer(std::int64_t i);
    static FirestoreValue number(double d);
    static FirestoreValue timestamp(TimePoint t);
    static FirestoreValue string(QString s);
    static FirestoreValue reference(QString documentName);
    static FirestoreValue map(FirestoreFields fields);
    static FirestoreValue array(QList<FirestoreValue> values);
    /** nullValue for nullopt, else timestamp. */
    static FirestoreValue optionalTimestamp(const std::optional<TimePoint>& t);

    Type type() const { return m_type; }
    bool isNull() const { return m_type == Type::Null; }

    bool toBool() const { return m_bool; }
    std::int64_t toInteger() const { return m_int; }
    double toDouble() const { return m_double; }
    TimePoint toTimestamp() const { return m_time; }
    /** The text of a string, the document name of a reference, or a parsed timestamp's original text. */
    const QString& toText() const { return m_text; }
    FirestoreFields toMap() const;
    QList<FirestoreValue> toArray() const;

    /** The REST JSON form ({"integerValue": "5"}, {"arrayValue": {}} for an empty array, ...). */
    QJsonObject toJson() const;
    /** Parses the REST JSON form. Strict about shape (one type key, right JSON type), lenient where the API
     *  is (integerValue as a string or a number, doubleValue "NaN"/"Infinity"/"-Infinity"). */
    static Result<FirestoreValue> fromJson(const QJsonValue& json);

    /** Type name as in the REST API ("stringValue", ...), for error messages. */
    static QString typeName(Type t);

    /** Deep equality; NaN equals NaN so that round trips can be compared. */
    bool operator==(const FirestoreValue& other) const;
    bool operator!=(const FirestoreValue& other) const { return !(*this == other); }

private:
    Type m_type = Type::Null;
    bool m_bool = false;
    std::int64_t m_int = 0;
    double m_double = 0.0;
    TimePoint m_time{};
    QString m_text;
    // Shared, immutable children: a value is cheap to copy and the recursive type stays complete.
    std::shared_ptr<const FirestoreFields> m_map;
    std::shared_ptr<const QList<FirestoreValue>> m_array;
    QJsonObject m_raw; // Type::Other
};

/** Encodes the fields of a document or map to {"name": value-json, ...}. */
QJsonObject fieldsToJson(const FirestoreFields& fields);
/** Parses {"name": value-json, ...}; the first bad value is reported with its field path. */
Result<FirestoreFields> fieldsFromJson(const QJsonObject& json);

/** Formats a timestamp as RFC 3339 UTC with microseconds ("2026-03-20T10:15:00.123000Z"). */
QString formatFirestoreTimestamp(TimePoint t);

} // namespace fairuse::services
