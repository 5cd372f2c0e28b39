#include "classifier/ChatCompletion.h"

#include "classifier/ClassifierConfig.h"
#include "classifier/JsonGuard.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>
#include <optional>

namespace fairuse::classifier {

namespace {

const QString kWhat = QStringLiteral("chat completion response");

Error envelopeError(const QString& problem) {
    return Error::invalid(QString(kWhat + QStringLiteral(": ") + problem));
}

/** A token count: a non-negative integral JSON number that a double represents exactly. */
std::optional<std::int64_t> tokenCount(const QJsonValue& v) {
    if (!v.isDouble()) {
        return std::nullopt;
    }
    const double d = v.toDouble();
    constexpr double kMaxExact = 9007199254740992.0; // 2^53
    if (!std::isfinite(d) || d < 0.0 || d > kMaxExact || std::floor(d) != d) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(d);
}

/** The provider's error code, which OpenAI sends as a string but others send as a number. */
QString codeText(const QJsonValue& v) {
    if (v.isString()) {
        return v.toString();
    }
    if (v.isDouble()) {
        return QString::number(v.toDouble());
    }
    return {};
}

} // namespace

Result<ChatCompletion> parseChatCompletion(const QByteArray& httpBody) {
    const Result<QJsonObject> parsed = detail::parseJsonObject(httpBody, config::kMaxEnvelopeBytes, kWhat);
    if (!parsed.ok()) {
        return parsed.error();
    }
    const QJsonObject& root = *parsed;

    // Some proxies answer 200 with an error object instead of an error status.
    if (const QJsonValue error = root.value(QStringLiteral("error")); !error.isUndefined() && !error.isNull()) {
        const QString message =
            error.isObject() ? error.toObject().value(QStringLiteral("message")).toString() : error.toString();
        return envelopeError(QString(QStringLiteral("the provider reported an error: ") +
                                     detail::quoteForMessage(message, config::kMaxQuotedChars)));
    }

    const QJsonValue choicesValue = root.value(QStringLiteral("choices"));
    if (!choicesValue.isArray()) {
        return envelopeError(
            QString(QStringLiteral("\"choices\" must be an array, not ") + detail::typeName(choicesValue)));
    }
    const QJsonArray choices = choicesValue.toArray();
    if (choices.isEmpty()) {
        return envelopeError(QStringLiteral("\"choices\" is empty: the model gave no answer"));
    }
    if (!choices.at(0).isObject()) {
        return envelopeError(
            QString(QStringLiteral("choices[0] must be an object, not ") + detail::typeName(choices.at(0))));
    }
    const QJsonObject choice = choices.at(0).toObject();
    const QJsonValue messageValue = choice.value(QStringLiteral("message"));
    if (!messageValue.isObject()) {
        return envelopeError(
            QString(QStringLiteral("choices[0].message must be an object, not ") + detail::typeName(messageValue)));
    }
    const QJsonObject message = messageValue.toObject();

    // A refusal comes with finish_reason "stop", so it is checked first.
    const QJsonValue refusal = message.value(QStringLiteral("refusal"));
    if (refusal.isString() && !refusal.toString().trimmed().isEmpty()) {
        return Error::invalid(QString(QStringLiteral("model refused: ") +
                                      detail::quoteForMessage(refusal.toString(), config::kMaxQuotedChars)));
    }

    ChatCompletion completion;
    const QJsonValue finish = choice.value(QStringLiteral("finish_reason"));
    if (!finish.isUndefined() && !finish.isNull() && !finish.isString()) {
        return envelopeError(
            QString(QStringLiteral("choices[0].finish_reason must be a string, not ") + detail::typeName(finish)));
    }
    completion.finishReason = finish.toString();
    if (completion.finishReason == QLatin1String("length")) {
        return envelopeError(
            QStringLiteral("the model's output was cut off (finish_reason \"length\"); the answer is incomplete"));
    }
    if (completion.finishReason == QLatin1String("content_filter")) {
        return envelopeError(
            QStringLiteral("the provider's content filter withheld the answer (finish_reason \"content_filter\")"));
    }
    if (!completion.finishReason.isEmpty() && completion.finishReason != QLatin1String("stop")) {
        return envelopeError(QString(QStringLiteral("unexpected finish_reason \"") +
                                     detail::quoteForMessage(completion.finishReason, 40) +
                                     QStringLiteral("\"; expected \"stop\"")));
    }

    const QJsonValue content = message.value(QStringLiteral("content"));
    if (!content.isString()) {
        return envelopeError(
            QString(QStringLiteral("choices[0].message.content must be a string, not ") + detail::typeName(content)));
    }
    completion.content = content.toString();
    if (completion.content.trimmed().isEmpty()) {
        return envelopeError(QStringLiteral("choices[0].message.content is empty"));
    }

    completion.id = root.value(QStringLiteral("id")).toString();
    completion.model = root.value(QStringLiteral("model")).toString();

    const QJsonValue usage = root.value(QStringLiteral("usage"));
    const auto prompt = usage.toObject().value(QStringLiteral("prompt_tokens"));
    const auto completionTokens = usage.toObject().value(QStringLiteral("completion_tokens"));
    const std::optional<std::int64_t> promptCount = tokenCount(prompt);
    const std::optional<std::int64_t> completionCount = tokenCount(completionTokens);
    if (usage.isObject() && promptCount && completionCount) {
        completion.promptTokens = *promptCount;
        completion.completionTokens = *completionCount;
    } else {
        completion.usageMissing = true;
    }
    return completion;
}

Error parseApiError(int httpStatus, const QByteArray& body) {
    QString code;
    QString type;
    QString providerMessage;
    if (static_cast<std::size_t>(body.size()) <= config::kMaxErrorBodyBytes) {
        const Result<QJsonObject> parsed = detail::parseJsonObject(body, config::kMaxErrorBodyBytes, kWhat);
        if (parsed.ok()) {
            const QJsonValue error = parsed->value(QStringLiteral("error"));
            if (error.isObject()) {
                const QJsonObject e = error.toObject();
                code = codeText(e.value(QStringLiteral("code")));
                type = e.value(QStringLiteral("type")).toString();
                providerMessage = e.value(QStringLiteral("message")).toString();
            } else if (error.isString()) {
                providerMessage = error.toString();
            } else {
                providerMessage = parsed->value(QStringLiteral("message")).toString();
            }
        }
    }

    const bool quotaSpent = code == QLatin1String("insufficient_quota") || type == QLatin1String("insufficient_quota");
    QString what;
    ErrorKind kind = ErrorKind::Invalid;
    if (httpStatus >= 100 && httpStatus < 400) {
        kind = ErrorKind::Internal;
        what = QStringLiteral("is not an error status");
    } else if (quotaSpent) {
        kind = ErrorKind::Quota;
        what = QStringLiteral("quota exhausted; retrying will not help until the account is topped up");
    } else if (httpStatus == 429) {
        kind = ErrorKind::Unavailable;
        what = QStringLiteral("rate limited; retry later");
    } else if (httpStatus <= 0 || httpStatus == 408 || (httpStatus >= 500 && httpStatus <= 599)) {
        kind = ErrorKind::Unavailable;
        what = httpStatus <= 0 ? QStringLiteral("no response from the server")
                               : QStringLiteral("server error or timeout; retry later");
    } else if (httpStatus == 401 || httpStatus == 403) {
        kind = ErrorKind::Permission;
        what = httpStatus == 401 ? QStringLiteral("authentication failed; check the API key")
                                 : QStringLiteral("access denied for this key, organisation or model");
    } else if (httpStatus == 404) {
        kind = ErrorKind::NotFound;
        what = QStringLiteral("model or endpoint not found");
    } else {
        kind = ErrorKind::Invalid;
        what = QStringLiteral("request rejected");
    }

    QString message =
        QString(QStringLiteral("classifier API HTTP ") + QString::number(httpStatus) + QStringLiteral(": ") + what);
    const QString label = !code.isEmpty() ? code : type;
    if (!label.isEmpty()) {
        message += QString(QStringLiteral(" (") + detail::quoteForMessage(label, 60) + QStringLiteral(")"));
    }
    if (!providerMessage.trimmed().isEmpty()) {
        message += QString(QStringLiteral(": ") + detail::quoteForMessage(providerMessage, config::kMaxQuotedChars));
    }
    return Error{kind, message};
}

} // namespace fairuse::classifier
