#include "enforcement/Policy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace fairuse::enforcement {

namespace {

// Upper bounds that keep arithmetic on TimePoint (milliseconds in int64) far from overflow and catch unit mistakes
// (milliseconds written where seconds are expected) in a policy file.
constexpr std::int64_t kMaxSeconds = 10LL * 366 * 86400; // ten years
constexpr std::int64_t kMaxMs = 1000LL * kMaxSeconds;
constexpr int kMaxViolations = 1000;

QString typeName(const QJsonValue& v) {
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

Error wrongType(const QString& key, const char* expected, const QJsonValue& v) {
    return Error::invalid(
        QStringLiteral("policy: \"%1\" must be %2, not %3").arg(key, QString::fromLatin1(expected), typeName(v)));
}

/** A JSON number that is a whole number within [min, max]. */
Result<std::int64_t> integerIn(const QString& key, const QJsonValue& v, std::int64_t min, std::int64_t max) {
    if (!v.isDouble()) {
        return wrongType(key, "an integer", v);
    }
    const double d = v.toDouble();
    if (!std::isfinite(d) || d != std::floor(d)) {
        return Error::invalid(QStringLiteral("policy: \"%1\" must be a whole number, not %2").arg(key).arg(d));
    }
    // Compare as double first: a value far outside int64 must not reach toInteger().
    if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
        return Error::invalid(QStringLiteral("policy: \"%1\" must be between %2 and %3, not %4")
                                  .arg(key)
                                  .arg(min)
                                  .arg(max)
                                  .arg(d, 0, 'f', 0));
    }
    return static_cast<std::int64_t>(v.toInteger());
}

Result<Caps> parseCaps(const QString& plan, const QJsonValue& v, Caps caps) {
    const QString prefix = QStringLiteral("caps.") + plan;
    if (!v.isObject()) {
        return wrongType(prefix, "an object", v);
    }
    const QJsonObject o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString key = QString(prefix + QLatin1Char('.') + it.key());
        std::int64_t* field = nullptr;
        if (it.key() == QLatin1String("daily_ms")) {
            field = &caps.dailyMs;
        } else if (it.key() == QLatin1String("three_day_ms")) {
            field = &caps.threeDayMs;
        } else if (it.key() == QLatin1String("weekly_ms")) {
            field = &caps.weeklyMs;
        } else {
            return Error::invalid(QStringLiteral("policy: unknown key \"%1\" (expected daily_ms, three_day_ms, "
                                                 "weekly_ms)")
                                      .arg(key));
        }
        auto n = integerIn(key, it.value(), 1, kMaxMs);
        if (!n) {
            return n.error();
        }
        *field = *n;
    }
    return caps;
}

} // namespace

Caps Policy::capsFor(Plan plan) const {
    switch (plan) {
    case Plan::Unlimited:
        return unlimitedCaps;
    case Plan::Basic:
        break;
    }
    return basicCaps;
}

QString Policy::label() const {
    return QStringLiteral("%1 v%2").arg(name, version);
}

QList<ReasonCode> defaultReasonCodes() {
    return {
        {QStringLiteral("media_confirmed"), QStringLiteral("Pre-recorded media confirmed")},
        {QStringLiteral("legitimate_use"), QStringLiteral("Legitimate personal use or meetings")},
        {QStringLiteral("classifier_error"), QStringLiteral("The classifier was wrong")},
        {QStringLiteral("user_contacted"), QStringLiteral("User contacted, agreed to change")},
        {QStringLiteral("repeat_violation"), QStringLiteral("Repeated violations")},
        {QStringLiteral("other"), QStringLiteral("Other (explain in the notes)")},
    };
}

std::optional<ReasonCode> Policy::reasonCode(const QString& code) const {
    for (const ReasonCode& r : reasonCodes) {
        if (r.code == code) {
            return r;
        }
    }
    return std::nullopt;
}

Policy Policy::forReview() {
    Policy p;
    p.enabled = true;
    return p;
}

Result<Policy> Policy::fromJson(const QByteArray& json) {
    return fromJson(json, Policy{});
}

Result<Policy> Policy::fromJson(const QByteArray& json, const Policy& base) {
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error::invalid(QStringLiteral("policy: not valid JSON at offset %1: %2")
                                  .arg(parseError.offset)
                                  .arg(parseError.errorString()));
    }
    if (!doc.isObject()) {
        return Error::invalid(QStringLiteral("policy: the top level must be a JSON object"));
    }
    Policy p = base;
    const QJsonObject o = doc.object();

    using Setter = std::function<Status(const QString&, const QJsonValue&)>;
    const auto stringField = [&p](QString Policy::*field) -> Setter {
        return [&p, field](const QString& key, const QJsonValue& v) -> Status {
            if (!v.isString()) {
                return wrongType(key, "a string", v);
            }
            if (v.toString().trimmed().isEmpty()) {
                return Error::invalid(QStringLiteral("policy: \"%1\" must not be empty").arg(key));
            }
            p.*field = v.toString();
            return {};
        };
    };
    const auto boolField = [&p](bool Policy::*field) -> Setter {
        return [&p, field](const QString& key, const QJsonValue& v) -> Status {
            if (!v.isBool()) {
                return wrongType(key, "a boolean", v);
            }
            p.*field = v.toBool();
            return {};
        };
    };
    const auto countField = [&p](int Policy::*field) -> Setter {
        return [&p, field](const QString& key, const QJsonValue& v) -> Status {
            auto n = integerIn(key, v, 1, kMaxViolations);
            if (!n) {
                return n.error();
            }
            p.*field = static_cast<int>(*n);
            return {};
        };
    };
    const auto secondsField = [&p](std::chrono::seconds Policy::*field, std::int64_t min) -> Setter {
        return [&p, field, min](const QString& key, const QJsonValue& v) -> Status {
            auto n = integerIn(key, v, min, kMaxSeconds);
            if (!n) {
                return n.error();
            }
            p.*field = std::chrono::seconds{*n};
            return {};
        };
    };

    const std::pair<const char*, Setter> setters[] = {
        {"name", stringField(&Policy::name)},
        {"version", stringField(&Policy::version)},
        {"enabled", boolField(&Policy::enabled)},
        {"kill_switch", boolField(&Policy::killSwitch)},
        {"exempt_uids",
         [&p](const QString& key, const QJsonValue& v) -> Status {
             if (!v.isArray()) {
                 return wrongType(key, "an array of strings", v);
             }
             QStringList uids;
             const QJsonArray a = v.toArray();
             for (qsizetype i = 0; i < a.size(); ++i) {
                 if (!a.at(i).isString() || a.at(i).toString().isEmpty()) {
                     return Error::invalid(
                         QStringLiteral("policy: \"%1\"[%2] must be a non-empty string").arg(key).arg(i));
                 }
                 uids << a.at(i).toString();
             }
             p.exemptUids = uids;
             return {};
         }},
        {"score_threshold",
         [&p](const QString& key, const QJsonValue& v) -> Status {
             if (!v.isDouble()) {
                 return wrongType(key, "a number", v);
             }
             const double d = v.toDouble();
             // 0 would make every cap hit a violation, which the spec forbids: heavy use alone never escalates.
             if (!(d > 0.0 && d <= 1.0)) {
                 return Error::invalid(
                     QStringLiteral("policy: \"%1\" must be greater than 0 and at most 1, not %2").arg(key).arg(d));
             }
             p.scoreThreshold = d;
             return {};
         }},
        {"throttle_violations", countField(&Policy::throttleViolations)},
        {"restrict_violations", countField(&Policy::restrictViolations)},
        {"throttle_window_seconds", secondsField(&Policy::throttleWindow, 1)},
        {"restrict_window_seconds", secondsField(&Policy::restrictWindow, 1)},
        {"throttle_duration_seconds", secondsField(&Policy::throttleDuration, 1)},
        {"restrict_duration_seconds", secondsField(&Policy::restrictDuration, 1)},
        {"classifier_cooldown_seconds", secondsField(&Policy::classifierCooldown, 0)},
        {"check_interval_seconds", secondsField(&Policy::checkInterval, 1)},
        {"classifier_retry_seconds", secondsField(&Policy::classifierRetryAfter, 0)},
        {"restricted_daily_stt_ms",
         [&p](const QString& key, const QJsonValue& v) -> Status {
             auto n = integerIn(key, v, 0, kMaxMs);
             if (!n) {
                 return n.error();
             }
             p.restrictedDailySttMs = *n;
             return {};
         }},
        {"manual_review_sla_seconds", secondsField(&Policy::manualReviewSla, 1)},
        {"reason_codes",
         [&p](const QString& key, const QJsonValue& v) -> Status {
             if (!v.isArray() || v.toArray().isEmpty()) {
                 return wrongType(key, "a non-empty array of {code, label}", v);
             }
             static const QRegularExpression codeShape(QStringLiteral("^[a-z0-9_]{1,40}$"));
             QList<ReasonCode> codes;
             const QJsonArray a = v.toArray();
             for (qsizetype i = 0; i < a.size(); ++i) {
                 const QJsonObject o = a.at(i).toObject();
                 const QString code = o.value(QStringLiteral("code")).toString();
                 const QString label = o.value(QStringLiteral("label")).toString().trimmed();
                 if (!a.at(i).isObject() || o.size() != 2 || !codeShape.match(code).hasMatch() || label.isEmpty()) {
                     return Error::invalid(QStringLiteral("policy: \"%1\"[%2] must be {\"code\": [a-z0-9_]{1,40}, "
                                                          "\"label\": a non-empty string}")
                                               .arg(key)
                                               .arg(i));
                 }
                 if (std::any_of(codes.cbegin(), codes.cend(), [&](const ReasonCode& r) { return r.code == code; })) {
                     return Error::invalid(QStringLiteral("policy: \"%1\" lists \"%2\" twice").arg(key, code));
                 }
                 codes.append({code, label});
             }
             p.reasonCodes = codes;
             return {};
         }},
        {"caps",
         [&p](const QString& key, const QJsonValue& v) -> Status {
             if (!v.isObject()) {
                 return wrongType(key, "an object", v);
             }
             const QJsonObject caps = v.toObject();
             for (auto it = caps.begin(); it != caps.end(); ++it) {
                 Caps* field = nullptr;
                 if (it.key() == QLatin1String("free")) {
                     return Error::invalid(QStringLiteral(
                         "policy: \"caps.free\" is the legacy name of the basic plan; set \"caps.basic\""));
                 }
                 if (it.key() == QLatin1String("basic")) {
                     field = &p.basicCaps;
                 } else if (it.key() == QLatin1String("unlimited")) {
                     field = &p.unlimitedCaps;
                 } else {
                     return Error::invalid(
                         QStringLiteral("policy: unknown plan \"caps.%1\" (expected basic, unlimited)").arg(it.key()));
                 }
                 auto parsed = parseCaps(it.key(), it.value(), *field);
                 if (!parsed) {
                     return parsed.error();
                 }
                 *field = *parsed;
             }
             return {};
         }},
    };

    for (auto it = o.begin(); it != o.end(); ++it) {
        const Setter* setter = nullptr;
        for (const auto& [name, s] : setters) {
            if (it.key() == QLatin1String(name)) {
                setter = &s;
                break;
            }
        }
        if (setter == nullptr) {
            return Error::invalid(QStringLiteral("policy: unknown key \"%1\"").arg(it.key()));
        }
        const Status st = (*setter)(it.key(), it.value());
        if (!st) {
            return st.error();
        }
    }

    // Cross-field rules, checked on the merged result so a partial file cannot produce an inconsistent table.
    if (p.throttleViolations > p.restrictViolations) {
        return Error::invalid(
            QStringLiteral("policy: throttle_violations (%1) must not exceed restrict_violations (%2)")
                .arg(p.throttleViolations)
                .arg(p.restrictViolations));
    }
    return p;
}

QByteArray Policy::toJson() const {
    const auto capsJson = [](const Caps& c) {
        return QJsonObject{{QStringLiteral("daily_ms"), static_cast<qint64>(c.dailyMs)},
                           {QStringLiteral("three_day_ms"), static_cast<qint64>(c.threeDayMs)},
                           {QStringLiteral("weekly_ms"), static_cast<qint64>(c.weeklyMs)}};
    };
    const auto secs = [](std::chrono::seconds s) { return static_cast<qint64>(s.count()); };
    QJsonObject o{
        {QStringLiteral("name"), name},
        {QStringLiteral("version"), version},
        {QStringLiteral("enabled"), enabled},
        {QStringLiteral("kill_switch"), killSwitch},
        {QStringLiteral("exempt_uids"), QJsonArray::fromStringList(exemptUids)},
        {QStringLiteral("score_threshold"), scoreThreshold},
        {QStringLiteral("throttle_violations"), throttleViolations},
        {QStringLiteral("throttle_window_seconds"), secs(throttleWindow)},
        {QStringLiteral("restrict_violations"), restrictViolations},
        {QStringLiteral("restrict_window_seconds"), secs(restrictWindow)},
        {QStringLiteral("throttle_duration_seconds"), secs(throttleDuration)},
        {QStringLiteral("restrict_duration_seconds"), secs(restrictDuration)},
        {QStringLiteral("classifier_cooldown_seconds"), secs(classifierCooldown)},
        {QStringLiteral("check_interval_seconds"), secs(checkInterval)},
        {QStringLiteral("classifier_retry_seconds"), secs(classifierRetryAfter)},
        {QStringLiteral("restricted_daily_stt_ms"), static_cast<qint64>(restrictedDailySttMs)},
        {QStringLiteral("manual_review_sla_seconds"), secs(manualReviewSla)},
        {QStringLiteral("reason_codes"),
         [this] {
             QJsonArray a;
             for (const ReasonCode& r : reasonCodes) {
                 a.append(QJsonObject{{QStringLiteral("code"), r.code}, {QStringLiteral("label"), r.label}});
             }
             return a;
         }()},
        {QStringLiteral("caps"), QJsonObject{{QStringLiteral("basic"), capsJson(basicCaps)},
                                             {QStringLiteral("unlimited"), capsJson(unlimitedCaps)}}},
    };
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace fairuse::enforcement
