#include "ledger/LlmSpendLedger.h"

#include <algorithm>

namespace fairuse {

SpendCaps LedgerPolicy::capsFor(Plan plan) const {
    return plan == Plan::Unlimited ? unlimited : basic;
}

LlmSpendLedger::LlmSpendLedger(PriceTable prices, LedgerPolicy policy)
    : m_prices(std::move(prices))
    , m_policy(policy) {}

void LlmSpendLedger::setUser(const QString& uid, Plan plan, bool customStt) {
    std::lock_guard lock(m_mutex);
    UserLedger& user = userLocked(uid);
    user.plan = plan;
    user.customStt = customStt;
    user.profileSet = true;
}

void LlmSpendLedger::setPolicy(const LedgerPolicy& policy) {
    std::lock_guard lock(m_mutex);
    for (UserLedger& user : m_users) {
        if (!user.profileSet) {
            user.plan = policy.defaultPlan;
        }
    }
    m_policy = policy;
}

LedgerPolicy LlmSpendLedger::policy() const {
    std::lock_guard lock(m_mutex);
    return m_policy;
}

Status LlmSpendLedger::load(const QList<LlmSpendRecord>& records) {
    for (const LlmSpendRecord& r : records) {
        if (r.uid.isEmpty() || r.costMicroUsd < 0) {
            return Error::invalid(QStringLiteral("spend record of \"%1\" at %2 has no uid or a negative cost")
                                      .arg(r.uid, formatRfc3339(r.at)));
        }
    }
    std::lock_guard lock(m_mutex);
    for (const LlmSpendRecord& r : records) {
        insertSorted(userLocked(r.uid).settled, Entry{r.at, r.costMicroUsd});
    }
    return {};
}

bool LlmSpendLedger::hasLlmCredits(const QString& uid, TimePoint now) const {
    std::lock_guard lock(m_mutex);
    return statusLocked(uid, now).hasCredits;
}

SpendStatus LlmSpendLedger::status(const QString& uid, TimePoint now) const {
    std::lock_guard lock(m_mutex);
    return statusLocked(uid, now);
}

Result<Reservation> LlmSpendLedger::reserve(const QString& uid, const QString& model,
                                            std::int64_t estimatedPromptTokens, std::int64_t estimatedCompletionTokens,
                                            TimePoint now, const QString& purpose) {
    return reserveImpl(uid, model, estimatedPromptTokens, estimatedCompletionTokens, now, purpose, true);
}

Result<Reservation> LlmSpendLedger::reserveUncapped(const QString& uid, const QString& model,
                                                    std::int64_t estimatedPromptTokens,
                                                    std::int64_t estimatedCompletionTokens, TimePoint now,
                                                    const QString& purpose) {
    return reserveImpl(uid, model, estimatedPromptTokens, estimatedCompletionTokens, now, purpose, false);
}

Result<Reservation> LlmSpendLedger::reserveImpl(const QString& uid, const QString& model,
                                                std::int64_t estimatedPromptTokens,
                                                std::int64_t estimatedCompletionTokens, TimePoint now,
                                                const QString& purpose, bool enforceCaps) {
    if (uid.isEmpty()) {
        return Error::invalid(QStringLiteral("cannot reserve LLM spend without a user id"));
    }
    // Pricing needs no lock: the table is immutable after construction.
    const Result<std::int64_t> estimate =
        m_prices.costMicroUsd(model, estimatedPromptTokens, estimatedCompletionTokens);
    if (!estimate) {
        return estimate.error();
    }

    std::lock_guard lock(m_mutex);
    UserLedger& user = userLocked(uid);
    pruneLocked(user, now);
    const SpendStatus s = statusLocked(uid, now);
    if (enforceCaps && !s.hasCredits) {
        return Error::quota(QStringLiteral("user %1 has no LLM credits left (%2 of %3 micro-USD today, %4 of %5 "
                                           "this month, including reservations)")
                                .arg(uid)
                                .arg(s.dailySettledMicroUsd + s.reservedMicroUsd)
                                .arg(s.caps.dailyMicroUsd)
                                .arg(s.monthlySettledMicroUsd + s.reservedMicroUsd)
                                .arg(s.caps.monthlyMicroUsd));
    }
    if (enforceCaps && (*estimate > s.dailyRemainingMicroUsd || *estimate > s.monthlyRemainingMicroUsd)) {
        const bool daily = *estimate > s.dailyRemainingMicroUsd;
        return Error::quota(QStringLiteral("estimated %1 micro-USD for %2 exceeds what is left of user %3's %4 "
                                           "LLM cap (%5 micro-USD)")
                                .arg(*estimate)
                                .arg(model, uid, daily ? QStringLiteral("daily") : QStringLiteral("monthly"))
                                .arg(daily ? s.dailyRemainingMicroUsd : s.monthlyRemainingMicroUsd));
    }
    Reservation r;
    r.id = m_nextId++;
    r.uid = uid;
    r.model = model;
    r.purpose = purpose;
    r.estimatedCostMicroUsd = *estimate;
    r.at = now;
    user.reservedMicroUsd += *estimate;
    ++user.outstanding;
    m_reservations.emplace(r.id, r);
    return r;
}

Result<LlmSpendRecord> LlmSpendLedger::settle(const Reservation& reservation, std::int64_t actualPromptTokens,
                                              std::int64_t actualCompletionTokens, TimePoint now) {
    std::lock_guard lock(m_mutex);
    const auto it = m_reservations.find(reservation.id);
    if (it == m_reservations.end()) {
        return Error::notFound(
            QStringLiteral("reservation %1 is not outstanding (already settled or released)").arg(reservation.id));
    }
    // Trust the ledger's copy, not the caller's: a caller cannot settle under another user or a cheaper model.
    const Reservation held = it->second;
    const Result<std::int64_t> cost = m_prices.costMicroUsd(held.model, actualPromptTokens, actualCompletionTokens);
    if (!cost) {
        return cost.error();
    }
    m_reservations.erase(it);
    UserLedger& user = userLocked(held.uid);
    user.reservedMicroUsd -= held.estimatedCostMicroUsd;
    --user.outstanding;
    insertSorted(user.settled, Entry{now, *cost});
    pruneLocked(user, now);

    LlmSpendRecord record;
    record.uid = held.uid;
    record.at = now;
    record.model = held.model;
    record.purpose = held.purpose;
    record.promptTokens = actualPromptTokens;
    record.completionTokens = actualCompletionTokens;
    record.costMicroUsd = *cost;
    record.customStt = user.customStt;
    record.plan = user.plan;
    return record;
}

Status LlmSpendLedger::release(const Reservation& reservation) {
    std::lock_guard lock(m_mutex);
    const auto it = m_reservations.find(reservation.id);
    if (it == m_reservations.end()) {
        return Error::notFound(
            QStringLiteral("reservation %1 is not outstanding (already settled or released)").arg(reservation.id));
    }
    UserLedger& user = userLocked(it->second.uid);
    user.reservedMicroUsd -= it->second.estimatedCostMicroUsd;
    --user.outstanding;
    m_reservations.erase(it);
    return {};
}

int LlmSpendLedger::releaseStale(TimePoint now, std::chrono::milliseconds maxAge) {
    std::lock_guard lock(m_mutex);
    int released = 0;
    for (auto it = m_reservations.begin(); it != m_reservations.end();) {
        if (now - it->second.at > maxAge) {
            UserLedger& user = userLocked(it->second.uid);
            user.reservedMicroUsd -= it->second.estimatedCostMicroUsd;
            --user.outstanding;
            it = m_reservations.erase(it);
            ++released;
        } else {
            ++it;
        }
    }
    return released;
}

LlmSpendLedger::UserLedger& LlmSpendLedger::userLocked(const QString& uid) {
    auto it = m_users.find(uid);
    if (it == m_users.end()) {
        UserLedger user;
        user.plan = m_policy.defaultPlan;
        it = m_users.insert(uid, user);
    }
    return *it;
}

SpendStatus LlmSpendLedger::statusLocked(const QString& uid, TimePoint now) const {
    SpendStatus s;
    s.plan = m_policy.defaultPlan;
    if (const auto it = m_users.constFind(uid); it != m_users.cend()) {
        const UserLedger& user = *it;
        s.plan = user.plan;
        s.customStt = user.customStt;
        s.reservedMicroUsd = user.reservedMicroUsd;
        s.outstandingReservations = user.outstanding;
        const TimePoint dailyFrom = now - m_policy.dailyWindow;
        const TimePoint monthlyFrom = now - m_policy.monthlyWindow;
        for (const Entry& e : user.settled) {
            // Entries after `now` (a caller replaying history) are not spend "so far" at `now`.
            if (e.at > now) {
                break;
            }
            if (e.at >= monthlyFrom) {
                s.monthlySettledMicroUsd += e.costMicroUsd;
            }
            if (e.at >= dailyFrom) {
                s.dailySettledMicroUsd += e.costMicroUsd;
            }
        }
    }
    s.caps = m_policy.capsFor(s.plan);
    const std::int64_t daily = s.dailySettledMicroUsd + s.reservedMicroUsd;
    const std::int64_t monthly = s.monthlySettledMicroUsd + s.reservedMicroUsd;
    s.dailyRemainingMicroUsd = std::max<std::int64_t>(0, s.caps.dailyMicroUsd - daily);
    s.monthlyRemainingMicroUsd = std::max<std::int64_t>(0, s.caps.monthlyMicroUsd - monthly);
    s.hasCredits = daily < s.caps.dailyMicroUsd && monthly < s.caps.monthlyMicroUsd;
    return s;
}

void LlmSpendLedger::pruneLocked(UserLedger& user, TimePoint now) const {
    // Only entries older than the longest window can go; both windows trail from the latest `now` seen.
    const TimePoint keepFrom = now - std::max(m_policy.monthlyWindow, m_policy.dailyWindow);
    const auto firstKept = std::lower_bound(user.settled.begin(), user.settled.end(), keepFrom,
                                            [](const Entry& e, TimePoint t) { return e.at < t; });
    user.settled.erase(user.settled.begin(), firstKept);
}

void LlmSpendLedger::insertSorted(std::vector<Entry>& entries, Entry entry) {
    const auto pos = std::upper_bound(entries.begin(), entries.end(), entry.at,
                                      [](TimePoint t, const Entry& e) { return t < e.at; });
    entries.insert(pos, entry);
}

} // namespace fairuse
