#include "ledger/PriceTable.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>

#include <cmath>

namespace fairuse {

namespace {

constexpr std::int64_t kTokensPerPriceUnit = 1'000'000;

const QString kModels = QStringLiteral("models");
const QString kModel = QStringLiteral("model");
const QString kPrompt = QStringLiteral("prompt_micro_usd_per_mtok");
const QString kCompletion = QStringLiteral("completion_micro_usd_per_mtok");

/** Reads a non-negative integer price; JSON numbers are doubles, so fractions and out-of-range values are refused
 *  here rather than silently truncated. */
Result<std::int64_t> readPrice(const QJsonObject& entry, const QString& field, const QString& where) {
    const QJsonValue v = entry.value(field);
    if (v.isUndefined()) {
        return Error::invalid(QStringLiteral("%1: missing \"%2\"").arg(where, field));
    }
    if (!v.isDouble()) {
        return Error::invalid(QStringLiteral("%1: \"%2\" must be a number").arg(where, field));
    }
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < 0 || d > static_cast<double>(PriceTable::kMaxPriceMicroUsdPerMTok)) {
        return Error::invalid(QStringLiteral("%1: \"%2\" is out of range (0 to %3 micro-USD per 1M tokens)")
                                  .arg(where, field)
                                  .arg(PriceTable::kMaxPriceMicroUsdPerMTok));
    }
    if (std::floor(d) != d) {
        return Error::invalid(QStringLiteral("%1: \"%2\" must be a whole number of micro-USD").arg(where, field));
    }
    return static_cast<std::int64_t>(d);
}

Status validate(const ModelPrice& p) {
    if (p.model.trimmed().isEmpty() || p.model.trimmed() != p.model) {
        return Error::invalid(QStringLiteral("model name must be non-empty without surrounding spaces"));
    }
    for (const std::int64_t v : {p.promptMicroUsdPerMTok, p.completionMicroUsdPerMTok}) {
        if (v < 0 || v > PriceTable::kMaxPriceMicroUsdPerMTok) {
            return Error::invalid(QStringLiteral("price of %1 is out of range").arg(p.model));
        }
    }
    return {};
}

/** tokens * price / 1e6 split into whole millions and the remainder, so nothing overflows within the bounds;
 *  returns the exact whole part and adds the remainder's numerator (< 1e18) to `fraction`. */
std::int64_t scaledCost(std::int64_t tokens, std::int64_t price, std::int64_t& fraction) {
    fraction += (tokens % kTokensPerPriceUnit) * price;
    return (tokens / kTokensPerPriceUnit) * price;
}

} // namespace

PriceTable PriceTable::defaults() {
    PriceTable t;
    // micro-USD per 1M tokens: prompt (input), completion (output).
    const ModelPrice list[] = {
        {QStringLiteral("gpt-5.1"), 1'250'000, 10'000'000}, {QStringLiteral("gpt-5"), 1'250'000, 10'000'000},
        {QStringLiteral("gpt-5-mini"), 250'000, 2'000'000}, {QStringLiteral("gpt-5-nano"), 50'000, 400'000},
        {QStringLiteral("gpt-4.1"), 2'000'000, 8'000'000},  {QStringLiteral("gpt-4.1-mini"), 400'000, 1'600'000},
        {QStringLiteral("gpt-4.1-nano"), 100'000, 400'000}, {QStringLiteral("gpt-4o"), 2'500'000, 10'000'000},
        {QStringLiteral("gpt-4o-mini"), 150'000, 600'000},  {QStringLiteral("o4-mini"), 1'100'000, 4'400'000},
    };
    for (const ModelPrice& p : list) {
        t.m_prices[p.model] = p;
    }
    return t;
}

Result<PriceTable> PriceTable::fromJson(const QByteArray& json) {
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error::invalid(QStringLiteral("price table is not JSON: %1 at offset %2")
                                  .arg(parseError.errorString())
                                  .arg(parseError.offset));
    }
    if (!doc.isObject()) {
        return Error::invalid(QStringLiteral("price table must be a JSON object"));
    }
    const QJsonValue models = doc.object().value(kModels);
    if (!models.isArray()) {
        return Error::invalid(QStringLiteral("price table needs a \"models\" array"));
    }
    const QJsonArray array = models.toArray();
    if (array.isEmpty()) {
        return Error::invalid(QStringLiteral("price table has no models"));
    }
    PriceTable table;
    for (qsizetype i = 0; i < array.size(); ++i) {
        QString where = QStringLiteral("models[%1]").arg(i);
        if (!array.at(i).isObject()) {
            return Error::invalid(QStringLiteral("%1 must be an object").arg(where));
        }
        const QJsonObject entry = array.at(i).toObject();
        const QJsonValue name = entry.value(kModel);
        if (!name.isString() || name.toString().trimmed().isEmpty()) {
            return Error::invalid(QStringLiteral("%1: \"model\" must be a non-empty string").arg(where));
        }
        ModelPrice p;
        p.model = name.toString();
        where = QStringLiteral("%1 (%2)").arg(where, p.model);
        if (table.m_prices.count(p.model) != 0) {
            return Error::invalid(QStringLiteral("%1: duplicate model").arg(where));
        }
        const Result<std::int64_t> prompt = readPrice(entry, kPrompt, where);
        if (!prompt) {
            return prompt.error();
        }
        const Result<std::int64_t> completion = readPrice(entry, kCompletion, where);
        if (!completion) {
            return completion.error();
        }
        p.promptMicroUsdPerMTok = *prompt;
        p.completionMicroUsdPerMTok = *completion;
        if (const Status s = validate(p); !s) {
            return Error::invalid(QStringLiteral("%1: %2").arg(where, s.error().message));
        }
        table.m_prices[p.model] = p;
    }
    return table;
}

QByteArray PriceTable::toJson() const {
    QJsonArray array;
    for (const auto& [name, p] : m_prices) {
        QJsonObject entry;
        entry.insert(kModel, name);
        entry.insert(kPrompt, static_cast<qint64>(p.promptMicroUsdPerMTok));
        entry.insert(kCompletion, static_cast<qint64>(p.completionMicroUsdPerMTok));
        array.append(entry);
    }
    QJsonObject root;
    root.insert(kModels, array);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Status PriceTable::setPrice(const ModelPrice& price) {
    if (const Status s = validate(price); !s) {
        return s;
    }
    m_prices[price.model] = price;
    return {};
}

Result<ModelPrice> PriceTable::price(const QString& model) const {
    if (const auto it = m_prices.find(model); it != m_prices.end()) {
        return it->second;
    }
    // APIs answer with the dated snapshot they served ("gpt-4.1-mini-2025-04-14"); bill it at the base model.
    static const QRegularExpression dated(QStringLiteral("^(.+)-\\d{4}-\\d{2}-\\d{2}$"));
    if (const QRegularExpressionMatch m = dated.match(model); m.hasMatch()) {
        if (const auto it = m_prices.find(m.captured(1)); it != m_prices.end()) {
            return it->second;
        }
    }
    return Error::notFound(QStringLiteral("no price for model \"%1\": unknown models are never free").arg(model));
}

Result<std::int64_t> PriceTable::costMicroUsd(const QString& model, std::int64_t promptTokens,
                                              std::int64_t completionTokens) const {
    if (promptTokens < 0 || completionTokens < 0 || promptTokens > kMaxTokens || completionTokens > kMaxTokens) {
        return Error::invalid(QStringLiteral("token counts must be between 0 and %1 (got %2 prompt, %3 completion)")
                                  .arg(kMaxTokens)
                                  .arg(promptTokens)
                                  .arg(completionTokens));
    }
    const Result<ModelPrice> p = price(model);
    if (!p) {
        return p.error();
    }
    std::int64_t fraction = 0;
    std::int64_t cost = scaledCost(promptTokens, p->promptMicroUsdPerMTok, fraction);
    cost += scaledCost(completionTokens, p->completionMicroUsdPerMTok, fraction);
    cost += (fraction + kTokensPerPriceUnit - 1) / kTokensPerPriceUnit; // round up: a priced call is never free
    return cost;
}

QList<ModelPrice> PriceTable::prices() const {
    QList<ModelPrice> out;
    out.reserve(static_cast<qsizetype>(m_prices.size()));
    for (const auto& [name, p] : m_prices) {
        out.append(p);
    }
    return out;
}

} // namespace fairuse
