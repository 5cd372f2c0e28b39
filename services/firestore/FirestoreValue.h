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

/** A document as the REST API returns it. `name` is the full resource name. */
struct FirestoreDocument {
    QString name;
    FirestoreFields fields;
    QString createTime; ///< server time string, kept verbatim
    QString updateTime; ///< server time string, kept verbatim: the version used in preconditions

    /** The path relative to the documents root ("users/u1/fair_use_state/current"). */
    QString relativePath() const;
    /** The path segments of relativePath(). */
    QStringList pathSegments() const { return relativePath().split(QLatin1Char('/'), Qt::SkipEmptyParts); }

    static Result<FirestoreDocument> fromJson(const QJsonObject& json);
};

// ---- Domain mapping (SPEC 4.2 field names) ------------------------------------------------------------------
//
// Decoding rules, the same for every document type:
//  - a field that is missing or nullValue takes its default (0, empty, nullopt, false) unless listed as required;
//  - a field of the wrong type is an Error::invalid naming the field, never a silent default;
//  - integers may also be stored as integral doubles (Python clients write floats), doubles as integers,
//    timestamps as RFC 3339 strings (older backend writes);
//  - an unknown stage, trigger, outcome, role or action name is an error; an unknown classifier usage type
//    becomes UsageType::Unknown (the classifier contract) and is recorded in ClassifierResult::corrections.

/** State fields written by the console: every SPEC 4.2 field plus our additions last_classifier_at (start of the
 *  classifier cooldown), classifier_failed_at and classifier_failures (failed classifier runs in a row, for the retry
 *  wait). uid, exempt and version are not fields (they come from the path, the exemptions collection and
 *  updateTime). */
FirestoreFields encodeState(const FairUseState& state);
/** Field paths encodeState() writes, for an update mask that leaves the backend's other fields alone. */
QStringList stateFieldPaths();
/** The fields of stateFieldPaths() whose encoded values differ between `before` and `after`. */
QStringList changedStateFieldPaths(const FairUseState& before, const FairUseState& after);
/** Decodes users/{uid}/fair_use_state/current. Required: stage. uid is taken from the document path,
 *  version from updateTime. */
Result<FairUseState> decodeState(const FirestoreDocument& doc);

FirestoreFields encodeEvent(const FairUseEvent& event);
QStringList eventFieldPaths();
/** The fields a reviewer changes on an existing event (resolved, resolved_at, resolved_by, admin_notes, outcome);
 *  the backend's fields (timestamps, classifier, totals) are never rewritten. */
QStringList eventResolutionFieldPaths();
/** Decodes users/{uid}/fair_use_events/{id}. Required: created_at. */
Result<FairUseEvent> decodeEvent(const FirestoreDocument& doc);

FirestoreFields encodeClassifier(const ClassifierResult& result);
Result<ClassifierResult> decodeClassifier(const FirestoreFields& fields);

FirestoreFields encodeConversation(const Conversation& conversation);
/** Decodes users/{uid}/conversations/{id}. Required: created_at; started_at and finished_at default to it. */
Result<Conversation> decodeConversation(const FirestoreDocument& doc);

FirestoreFields encodeAudit(const AuditRecord& record);
/** Decodes fair_use_audit/{sequence}. Required: sequence, at, reviewer, action, hash. */
Result<AuditRecord> decodeAudit(const FirestoreFields& fields);

FirestoreFields encodeSpend(const LlmSpendRecord& record);
/** Decodes llm_spend/{id}. Required: uid, at, model. */
Result<LlmSpendRecord> decodeSpend(const FirestoreFields& fields);

} // namespace fairuse::services
