#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <cstddef>

/** Internal to core/classifier: the defensive JSON reading shared by the output and envelope parsers. */
namespace fairuse::classifier::detail {

/**
 * Parses untrusted bytes that must hold exactly one JSON object. Rejects, with Error::invalid naming `what`:
 * more than maxBytes (before parsing anything), text that is not UTF-8, empty text, nesting deeper than
 * config::kMaxJsonDepth, a key repeated in one object (which value would win is parser-defined, and a repeated
 * misuse_score must not be resolved silently), malformed or truncated JSON, trailing text after the object, and
 * any top-level value that is not an object. A leading UTF-8 byte order mark and surrounding whitespace are accepted.
 */
Result<QJsonObject> parseJsonObject(const QByteArray& bytes, std::size_t maxBytes, const QString& what);

/** Name of a JSON value's type for error messages: "string", "number", "null", ... */
QString typeName(const QJsonValue& v);

/** Text quoted from a provider or model in a message: simplified, cut, with bearer tokens and API keys masked. */
QString quoteForMessage(const QString& text, int maxChars);

} // namespace fairuse::classifier::detail
