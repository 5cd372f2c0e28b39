#include "embedded/DemoSubscriptions.h"

#include <chrono>

namespace fairuse::services::embedded {

namespace {

using std::chrono::days;

Subscription unlimited(const QString& status, TimePoint periodEnd) {
    return Subscription{QStringLiteral("unlimited"), status, periodEnd};
}

Subscription basic(const char* name = "basic") {
    return Subscription{QString::fromLatin1(name), QStringLiteral("active"), std::nullopt};
}

} // namespace

std::optional<Subscription> ordinarySubscription(double planDraw, TimePoint reference) {
    // The draw's digits spread period ends over the month without another random draw.
    const int spread = static_cast<int>(planDraw * 1000.0) % 28;
    if (planDraw < 0.10) {
        return basic("free");
    }
    if (planDraw < 0.45) {
        return basic();
    }
    if (planDraw < 0.55) {
        return std::nullopt;
    }
    if (planDraw < 0.90) {
        return basic();
    }
    if (planDraw < 0.97) {
        return unlimited(QStringLiteral("active"), reference + days(1 + spread));
    }
    return unlimited(QStringLiteral("canceled"), reference - days(1 + spread % 20));
}

Subscription flaggedSubscription(bool paid, int ordinal, TimePoint reference) {
    if (paid) {
        return ordinal % 4 == 3 ? unlimited(QStringLiteral("canceled"), reference - days(6))
                                : unlimited(QStringLiteral("active"), reference + days(5 + ordinal % 20));
    }
    switch (ordinal % 3) {
    case 0:
        return basic("free");
    case 1:
        return unlimited(QStringLiteral("canceled"), reference - days(9));
    default:
        return basic();
    }
}

} // namespace fairuse::services::embedded
