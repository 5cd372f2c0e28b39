#include "classifier/JsonGuard.h"

#include "classifier/ClassifierConfig.h"
#include "classifier/ClassifierPrompt.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QList>
#include <QRegularExpression>
#include <QSet>
#include <QStringDecoder>

namespace fairuse::classifier::detail {

namespace {

bool isJsonSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/**
 * One linear pass over the raw text, before Qt's parser sees it: bounds the nesting (Qt's own limit is far higher
 * than anything our schema needs) and finds keys repeated within one object, which QJsonDocument would merge
 * silently. Malformed text is left for the real parser to report.
 */
Status scanStructure(const QByteArray& text, const QString& what) {
    struct Container {
        bool object = false;
        QSet<QByteArray> keys;
    };
    QList<Container> stack;
    bool inString = false;
    bool escaped = false;
    qsizetype stringStart = 0;
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char ch = text.at(i);
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (ch == '\\') {
                escaped = true;
            } else if (static_cast<unsigned char>(ch) < 0x20) {
                // JSON forbids raw control characters in strings; Qt's parser lets them through.
                return Error::invalid(QString(what +
                                              QStringLiteral(" has a raw control character in a string (at byte ") +
                                              QString::number(i) + QStringLiteral(")")));
            } else if (ch == '"') {
                inString = false;
                if (!stack.isEmpty() && stack.back().object) {
                    qsizetype j = i + 1;
                    while (j < n && isJsonSpace(text.at(j))) {
                        ++j;
                    }
                    if (j < n && text.at(j) == ':') {
                        const QByteArray key = text.mid(stringStart, i - stringStart);
                        if (stack.back().keys.contains(key)) {
                            return Error::invalid(QString(what + QStringLiteral(" repeats the key \"") +
                                                          quoteForMessage(QString::fromUtf8(key), 60) +
                                                          QStringLiteral("\" in one object")));
                        }
                        stack.back().keys.insert(key);
                    }
                }
            }
            continue;
        }
        switch (ch) {
        case '"':
            inString = true;
            stringStart = i + 1;
            break;
        case '{':
        case '[':
            if (stack.size() >= config::kMaxJsonDepth) {
                return Error::invalid(QString(what + QStringLiteral(" is nested more than ") +
                                              QString::number(config::kMaxJsonDepth) + QStringLiteral(" levels deep")));
            }
            stack.append(Container{ch == '{', {}});
            break;
        case '}':
        case ']':
            if (!stack.isEmpty()) {
                stack.removeLast();
            }
            break;
        default:
            break;
        }
    }
    return {};
}

} // namespace

QString typeName(const QJsonValue& v) {
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        return QStringLiteral("missing");
    }
    return QStringLiteral("unknown");
}

QString quoteForMessage(const QString& text, int maxChars) {
    static const QRegularExpression apiKey(QStringLiteral(R"(\b(sk|rk|pk)-[A-Za-z0-9_\-*.]{4,})"));
    static const QRegularExpression bearer(QStringLiteral(R"(\b(Bearer)\s+[A-Za-z0-9_\-*.~+/=]+)"),
                                           QRegularExpression::CaseInsensitiveOption);
    QString masked = text;
    masked.replace(apiKey, QStringLiteral("\\1-***"));
    masked.replace(bearer, QStringLiteral("\\1 ***"));
    return cutText(masked, maxChars);
}

Result<QJsonObject> parseJsonObject(const QByteArray& bytes, std::size_t maxBytes, const QString& what) {
    if (static_cast<std::size_t>(bytes.size()) > maxBytes) {
        return Error::invalid(QString(what + QStringLiteral(" is ") + QString::number(bytes.size()) +
                                      QStringLiteral(" bytes, more than the ") + QString::number(maxBytes) +
                                      QStringLiteral(" allowed; it was not parsed")));
    }
    QByteArray text = bytes;
    if (text.startsWith("\xEF\xBB\xBF")) {
        text.remove(0, 3);
    }
    {
        QStringDecoder decoder(QStringDecoder::Utf8);
        const QString decoded = decoder.decode(text);
        if (decoder.hasError()) {
            return Error::invalid(QString(what + QStringLiteral(" is not valid UTF-8")));
        }
    }
    text = text.trimmed();
    if (text.isEmpty()) {
        return Error::invalid(QString(what + QStringLiteral(" is empty")));
    }
    if (text.front() != '{') {
        const QString got = text.front() == '['
                                ? QStringLiteral("an array")
                                : QString(QStringLiteral("text starting with \"") +
                                          quoteForMessage(QString::fromUtf8(text.left(20)), 20) + QStringLiteral("\""));
        return Error::invalid(QString(what + QStringLiteral(" must be a JSON object, not ") + got));
    }
    if (const Status s = scanStructure(text, what); !s.ok()) {
        return s.error();
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error == QJsonParseError::GarbageAtEnd) {
        return Error::invalid(QString(what + QStringLiteral(" has trailing text after the JSON value (at byte ") +
                                      QString::number(parseError.offset) + QStringLiteral(")")));
    }
    if (parseError.error != QJsonParseError::NoError) {
        return Error::invalid(QString(what + QStringLiteral(" is not valid JSON: ") + parseError.errorString() +
                                      QStringLiteral(" at byte ") + QString::number(parseError.offset)));
    }
    if (!doc.isObject()) {
        return Error::invalid(QString(what + QStringLiteral(" must be a JSON object")));
    }
    return doc.object();
}

} // namespace fairuse::classifier::detail
