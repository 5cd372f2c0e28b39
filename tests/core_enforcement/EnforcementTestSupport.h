#pragma once

// Shared helpers of the enforcement tests: fixed times and metatypes for data-driven columns.

#include "common/Domain.h"
#include "common/Subscription.h"
#include "common/Time.h"
#include "enforcement/Enforcement.h"

#include <QMetaType>
#include <QTest>

#include <chrono>
#include <optional>
#include <type_traits>

Q_DECLARE_METATYPE(fairuse::Stage)
Q_DECLARE_METATYPE(fairuse::Role)
Q_DECLARE_METATYPE(fairuse::Plan)
Q_DECLARE_METATYPE(fairuse::Outcome)
Q_DECLARE_METATYPE(fairuse::enforcement::Action)

namespace fairuse::enforcement::testing {

// QTest prints values through an unqualified toString(), and fairuse::toString(enum) returns QString, which QTest
// cannot print; tests compare enums by their wire names instead: QCOMPARE(nm(a), nm(b)).
template <typename Enum>
requires std::is_enum_v<Enum> QString nm(Enum v) {
    return toString(v); // fairuse::toString, or fairuse::enforcement::toString for Action (found by ADL)
}
template <typename T>
QString nm(const std::optional<T>& v) {
    return v ? nm(*v) : QStringLiteral("(nullopt)");
}
template <typename T>
QStringList nm(const QList<T>& v) {
    QStringList out;
    for (const T& x : v) {
        out << nm(x);
    }
    return out;
}

using namespace std::chrono_literals;

/** A fixed "now" far from any epoch edge; every test time is relative to it. */
inline TimePoint t0() {
    return parseRfc3339(QStringLiteral("2026-03-20T12:00:00Z")).value();
}

inline constexpr qint64 kDailyCapMs = 7'200'000; // default basic-plan daily cap, stated here independently

inline SpeechTotals overDailyCap() {
    return SpeechTotals{kDailyCapMs + 1, kDailyCapMs + 1, kDailyCapMs + 1};
}

inline ClassifierResult verdict(double score, UsageType type = UsageType::Audiobook) {
    ClassifierResult r;
    r.misuseScore = score;
    r.usageType = type;
    r.confidence = 0.9;
    r.model = QStringLiteral("test-model");
    r.promptVersion = QStringLiteral("p1");
    return r;
}

inline FairUseState stateAt(Stage stage, const QString& uid = QStringLiteral("u1")) {
    FairUseState s;
    s.uid = uid;
    s.stage = stage;
    s.version = QStringLiteral("v1");
    return s;
}

inline EnforcementInput input(const FairUseState& state, SpeechTotals totals, std::optional<ClassifierResult> c,
                              TimePoint now = t0()) {
    EnforcementInput in;
    in.state = state;
    in.totals = totals;
    in.caps = Caps::forPlan(effectivePlan(state.subscription, now));
    in.classifier = std::move(c);
    in.now = now;
    return in;
}

} // namespace fairuse::enforcement::testing
