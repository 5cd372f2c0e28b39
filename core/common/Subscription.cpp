#include "common/Subscription.h"

namespace fairuse {

bool isPaidPlanName(const QString& plan) {
    return !plan.isEmpty() && plan != QLatin1String("basic") && plan != QLatin1String("free");
}

Plan effectivePlan(const std::optional<Subscription>& subscription, TimePoint now) {
    return billingCycleEnd(subscription, now) ? Plan::Unlimited : Plan::Basic;
}

bool onFreeTier(const std::optional<Subscription>& subscription, TimePoint now) {
    return effectivePlan(subscription, now) == Plan::Basic;
}

bool paidPlanLapsed(const std::optional<Subscription>& subscription, TimePoint now) {
    return subscription && isPaidPlanName(subscription->plan) && !billingCycleEnd(subscription, now);
}

std::optional<TimePoint> billingCycleEnd(const std::optional<Subscription>& subscription, TimePoint now) {
    if (!subscription || !isPaidPlanName(subscription->plan) || !subscription->currentPeriodEnd ||
        now > *subscription->currentPeriodEnd) {
        return std::nullopt;
    }
    return subscription->currentPeriodEnd;
}

} // namespace fairuse
