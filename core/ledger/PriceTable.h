#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <map>

namespace fairuse {

/** Price of one model, in micro-USD (1e-6 USD) per million tokens. */
struct ModelPrice {
    QString model;
    std::int64_t promptMicroUsdPerMTok = 0;
    std::int64_t completionMicroUsdPerMTok = 0;
    bool operator==(const ModelPrice&) const = default;
};

/**
 * LLM price table (SPEC 2.4). An unknown model is an error, never free: a call we cannot price must not slip past
 * the spend caps.
 *
 * JSON form (all prices integers, micro-USD per 1M tokens):
 * @code
 * {"models": [{"model": "gpt-4.1-mini", "prompt_micro_usd_per_mtok": 400000,
 *              "completion_micro_usd_per_mtok": 1600000}, ...]}
 * @endcode
 */
class PriceTable {
public:
    /** Largest accepted price: 1,000,000 USD per 1M tokens. Bounds keep cost arithmetic free of overflow. */
    static constexpr std::int64_t kMaxPriceMicroUsdPerMTok = 1'000'000'000'000;
    /** Largest accepted token count of one call (1e12). */
    static constexpr std::int64_t kMaxTokens = 1'000'000'000'000;

    /** An empty table: every model is unknown. */
    PriceTable() = default;

    /** List prices of a few current models (OpenAI list prices, standard tier, 2025), for the embedded demo and
     *  as a starting point; production loads its table from JSON. */
    static PriceTable defaults();

    /** Parses the JSON form. Malformed input (not JSON, missing or non-integer prices, negative or huge prices,
     *  empty or duplicate model names, no models) is ErrorKind::Invalid with the offending entry named. */
    static Result<PriceTable> fromJson(const QByteArray& json);
    /** The JSON form, models sorted by name; fromJson(toJson()) gives the same table. */
    QByteArray toJson() const;

    /** Adds or replaces one model's price; Invalid when the name is empty or a price is out of range. */
    Status setPrice(const ModelPrice& price);

    /**
     * Price of a model. Exact name first; failing that, a dated snapshot name as APIs report it
     * ("gpt-4.1-mini-2025-04-14") falls back to its base name ("gpt-4.1-mini"). Otherwise NotFound.
     */
    Result<ModelPrice> price(const QString& model) const;

    /**
     * Cost of one call in micro-USD, rounded up so that no priced call is ever free.
     * Errors: NotFound for an unknown model, Invalid for negative or absurd token counts.
     */
    Result<std::int64_t> costMicroUsd(const QString& model, std::int64_t promptTokens,
                                      std::int64_t completionTokens) const;

    QList<ModelPrice> prices() const;
    bool isEmpty() const { return m_prices.empty(); }

private:
    std::map<QString, ModelPrice> m_prices;
};

} // namespace fairuse
