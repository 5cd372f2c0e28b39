#include "classifier/ClassifierOutput.h"

#include "classifier/ChatCompletion.h"
#include "classifier/ClassifierConfig.h"
#include "classifier/ClassifierPrompt.h"
#include "classifier/JsonGuard.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <cmath>

namespace fairuse::classifier {

namespace {

const QString kWhat = QStringLiteral("classifier output");

Error fieldError(const QString& field, const QString& problem) {
    return Error::invalid(QString(kWhat + QStringLiteral(": field \"") + field + QStringLiteral("\" ") + problem));
}

Error wrongType(const QString& field, const QJsonValue& v, const QString& expected) {
    if (v.isUndefined()) {
        return fieldError(field, QStringLiteral("is missing"));
    }
    return fieldError(
        field, QString(QStringLiteral("must be of type ") + expected + QStringLiteral(", not ") + detail::typeName(v)));
}

/** Removes a Markdown code fence around the object, which chat models add out of habit. */
Result<QByteArray> stripCodeFence(const QByteArray& content, QList<QString>& corrections) {
    QByteArray text = content.trimmed();
    if (text.startsWith("\xEF\xBB\xBF")) {
        text = text.mid(3).trimmed();
    }
    if (!text.startsWith("```")) {
        return content;
    }
    const qsizetype newline = text.indexOf('\n');
    if (newline < 0 || text.size() < newline + 4 || !text.endsWith("```")) {
        return Error::invalid(QString(kWhat + QStringLiteral(" opens a code fence that is never closed")));
    }
    const QByteArray language = text.mid(3, newline - 3).trimmed().toLower();
    if (!language.isEmpty() && language != "json") {
        return Error::invalid(QString(kWhat + QStringLiteral(" is fenced as \"") +
                                      detail::quoteForMessage(QString::fromUtf8(language), 40) +
                                      QStringLiteral("\", not JSON")));
    }
    corrections.append(QStringLiteral("removed a Markdown code fence around the JSON object"));
    return text.mid(newline + 1, text.size() - 3 - (newline + 1));
}

Result<double> unitInterval(const QJsonObject& o, const QString& field, QList<QString>& corrections) {
    const QJsonValue v = o.value(field);
    if (!v.isDouble()) {
        return wrongType(field, v, QStringLiteral("number"));
    }
    const double d = v.toDouble();
    if (!std::isfinite(d)) {
        return fieldError(field, QStringLiteral("is not a finite number"));
    }
    if (d < 0.0 || d > 1.0) {
        const double clamped = d < 0.0 ? 0.0 : 1.0;
        corrections.append(QString(field + QStringLiteral(" ") + QString::number(d) + QStringLiteral(" clamped to ") +
                                   QString::number(clamped)));
        return clamped;
    }
    return d;
}

Result<QString> requiredString(const QJsonObject& o, const QString& field, const QString& label) {
    const QJsonValue v = o.value(field);
    if (!v.isString()) {
        return wrongType(label, v, QStringLiteral("string"));
    }
    return v.toString();
}

QString cutWithNote(const QString& text, int maxChars, const QString& field, QList<QString>& corrections) {
    if (text.size() <= maxChars) {
        return text;
    }
    corrections.append(QString(field + QStringLiteral(" cut from ") + QString::number(text.size()) +
                               QStringLiteral(" to ") + QString::number(maxChars) + QStringLiteral(" characters")));
    return cutText(text, maxChars);
}

} // namespace

Result<ClassifierResult> parseClassifierOutput(const QByteArray& content, const QList<Conversation>& input) {
    // Checked before anything copies or scans the text.
    if (static_cast<std::size_t>(content.size()) > config::kMaxContentBytes) {
        return Error::invalid(QString(kWhat + QStringLiteral(" is ") + QString::number(content.size()) +
                                      QStringLiteral(" bytes, more than the ") +
                                      QString::number(config::kMaxContentBytes) +
                                      QStringLiteral(" allowed; it was not parsed")));
    }
    ClassifierResult result;
    result.promptVersion = promptVersion();
    result.heuristic = false;

    const Result<QByteArray> unfenced = stripCodeFence(content, result.corrections);
    if (!unfenced.ok()) {
        return unfenced.error();
    }
    const Result<QJsonObject> parsed = detail::parseJsonObject(*unfenced, config::kMaxContentBytes, kWhat);
    if (!parsed.ok()) {
        return parsed.error();
    }
    const QJsonObject& o = *parsed;

    static const QSet<QString> known{QStringLiteral("misuse_score"), QStringLiteral("usage_type"),
                                     QStringLiteral("confidence"), QStringLiteral("evidence"),
                                     QStringLiteral("reasoning")};
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key())) {
            result.corrections.append(QString(QStringLiteral("ignored the unknown field \"") +
                                              detail::quoteForMessage(it.key(), 60) + QStringLiteral("\"")));
        }
    }

    // Fields are checked in schema order so that the first problem reported is stable.
    const Result<double> score = unitInterval(o, QStringLiteral("misuse_score"), result.corrections);
    if (!score.ok()) {
        return score.error();
    }
    result.misuseScore = *score;

    const QJsonValue typeValue = o.value(QStringLiteral("usage_type"));
    if (!typeValue.isString()) {
        return wrongType(QStringLiteral("usage_type"), typeValue, QStringLiteral("string"));
    }
    const QString rawType = typeValue.toString();
    const QString normalisedType = rawType.trimmed().toLower();
    if (const auto type = usageTypeFromString(normalisedType)) {
        result.usageType = *type;
        if (normalisedType != rawType) {
            result.corrections.append(QString(QStringLiteral("usage_type \"") + detail::quoteForMessage(rawType, 40) +
                                              QStringLiteral("\" normalised to \"") + normalisedType +
                                              QStringLiteral("\"")));
        }
    } else {
        result.usageType = UsageType::Unknown;
        result.corrections.append(QString(QStringLiteral("unknown usage_type \"") +
                                          detail::quoteForMessage(rawType, 40) +
                                          QStringLiteral("\" recorded as unknown")));
    }

    const Result<double> confidence = unitInterval(o, QStringLiteral("confidence"), result.corrections);
    if (!confidence.ok()) {
        return confidence.error();
    }
    result.confidence = *confidence;

    const QJsonValue evidenceValue = o.value(QStringLiteral("evidence"));
    if (!evidenceValue.isArray()) {
        return wrongType(QStringLiteral("evidence"), evidenceValue, QStringLiteral("array"));
    }
    const QJsonArray evidence = evidenceValue.toArray();

    const Result<QString> reasoning = requiredString(o, QStringLiteral("reasoning"), QStringLiteral("reasoning"));
    if (!reasoning.ok()) {
        return reasoning.error();
    }
    result.reasoning =
        cutWithNote(reasoning->trimmed(), config::kMaxReasoningChars, QStringLiteral("reasoning"), result.corrections);

    QHash<QString, const Conversation*> byId;
    for (const Conversation& c : input) {
        byId.insert(c.id, &c);
    }
    QSet<QString> cited;
    int duplicates = 0;
    int emptyReasons = 0;
    int retitled = 0;
    int extraKeys = 0;
    int longReasons = 0;
    for (qsizetype i = 0; i < evidence.size(); ++i) {
        const QString label = QString(QStringLiteral("evidence[") + QString::number(i) + QStringLiteral("]"));
        const QJsonValue item = evidence.at(i);
        if (!item.isObject()) {
            return wrongType(label, item, QStringLiteral("object"));
        }
        const QJsonObject e = item.toObject();
        const Result<QString> id =
            requiredString(e, QStringLiteral("conversation_id"), QString(label + QStringLiteral(".conversation_id")));
        if (!id.ok()) {
            return id.error();
        }
        const Result<QString> title =
            requiredString(e, QStringLiteral("title"), QString(label + QStringLiteral(".title")));
        if (!title.ok()) {
            return title.error();
        }
        const Result<QString> reason =
            requiredString(e, QStringLiteral("reason"), QString(label + QStringLiteral(".reason")));
        if (!reason.ok()) {
            return reason.error();
        }
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (it.key() != QLatin1String("conversation_id") && it.key() != QLatin1String("title") &&
                it.key() != QLatin1String("reason")) {
                ++extraKeys;
            }
        }

        const QString conversationId = id->trimmed();
        const auto found = byId.constFind(conversationId);
        if (found == byId.constEnd()) {
            ++result.droppedEvidence;
            continue;
        }
        if (cited.contains(conversationId)) {
            ++duplicates;
            continue;
        }
        cited.insert(conversationId);

        Evidence kept;
        kept.conversationId = conversationId;
        // The stored title is what the reviewer sees next to the conversation; a paraphrase would mislead.
        kept.title = (*found)->title;
        if (title->trimmed() != kept.title.trimmed()) {
            ++retitled;
        }
        kept.reason = reason->trimmed();
        if (kept.reason.isEmpty()) {
            kept.reason = QStringLiteral("(no reason given)");
            ++emptyReasons;
        } else if (kept.reason.size() > config::kMaxReasonChars) {
            kept.reason = cutText(kept.reason, config::kMaxReasonChars);
            ++longReasons;
        }
        result.evidence.append(kept);
    }

    const auto note = [&result](int count, const QString& what) {
        if (count > 0) {
            result.corrections.append(QString(QString::number(count) + QStringLiteral(" ") + what));
        }
    };
    note(result.droppedEvidence, QStringLiteral("evidence entries dropped: they name conversations not in the input"));
    note(duplicates, QStringLiteral("evidence entries dropped: they repeat a conversation already cited"));
    note(extraKeys, QStringLiteral("unknown evidence fields ignored"));
    note(emptyReasons, QStringLiteral("evidence entries had an empty reason"));
    note(longReasons, QString(QStringLiteral("evidence reasons cut to ") + QString::number(config::kMaxReasonChars) +
                              QStringLiteral(" characters")));
    note(retitled, QStringLiteral("evidence titles replaced by the conversation's stored title"));
    if (result.evidence.size() > config::kMaxEvidence) {
        result.corrections.append(QString(QStringLiteral("evidence truncated from ") +
                                          QString::number(result.evidence.size()) + QStringLiteral(" to ") +
                                          QString::number(config::kMaxEvidence) + QStringLiteral(" entries")));
        result.evidence.resize(config::kMaxEvidence);
    }
    return result;
}

Result<ClassifierResult> parseClassifierResponse(const QByteArray& httpBody, const QList<Conversation>& input,
                                                 const QString& requestedModel) {
    const Result<ChatCompletion> completion = parseChatCompletion(httpBody);
    if (!completion.ok()) {
        return completion.error();
    }
    Result<ClassifierResult> result = parseClassifierOutput(completion->content.toUtf8(), input);
    if (result.ok()) {
        result->model = completion->model.isEmpty() ? requestedModel : completion->model;
    }
    return result;
}

} // namespace fairuse::classifier
