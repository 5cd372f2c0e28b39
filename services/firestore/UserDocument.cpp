#include "firestore/UserDocument.h"

#include <chrono>
#include <cmath>

namespace fairuse::services {

namespace {

using V = FirestoreValue;

std::optional<TimePoint> periodEnd(const FirestoreValue& v) {
    switch (v.type()) {
    case V::Type::Integer:
        return TimePoint{std::chrono::seconds(v.toInteger())};
    case V::Type::Double: {
        const double s = v.toDouble();
        // Inside what a TimePoint in milliseconds holds, with room to spare.
        if (!std::isfinite(s) || std::fabs(s) > 1e13) {
            return std::nullopt;
        }
        return TimePoint{std::chrono::milliseconds(std::llround(s * 1000.0))};
    }
    case V::Type::Timestamp:
        return v.toTimestamp();
    default:
        return std::nullopt;
    }
}

} // namespace

std::optional<Subscription> decodeSubscription(const FirestoreFields& userFields) {
    const FirestoreValue v = userFields.value(QStringLiteral("subscription"));
    if (v.type() != V::Type::Map) {
        return std::nullopt;
    }
    const FirestoreFields m = v.toMap();
    Subscription s;
    const FirestoreValue plan = m.value(QStringLiteral("plan"));
    s.plan = plan.type() == V::Type::String ? plan.toText() : QString();
    const FirestoreValue status = m.value(QStringLiteral("status"));
    s.status = status.type() == V::Type::String ? status.toText() : QString();
    s.currentPeriodEnd = periodEnd(m.value(QStringLiteral("current_period_end")));
    return s;
}

FirestoreValue encodeSubscription(const Subscription& s) {
    const auto end =
        s.currentPeriodEnd
            ? V::integer(
                  std::chrono::duration_cast<std::chrono::seconds>(s.currentPeriodEnd->time_since_epoch()).count())
            : V::null();
    return V::map({{QStringLiteral("plan"), V::string(s.plan)},
                   {QStringLiteral("status"), V::string(s.status)},
                   {QStringLiteral("current_period_end"), end}});
}

QString userDocumentPath(const QString& uid) {
    return QStringLiteral("users/%1").arg(uid);
}

} // namespace fairuse::services
