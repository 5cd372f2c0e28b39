#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "ledger/PriceTable.h"

#include <QHash>
#include <QString>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace fairuse {

/** Spend caps of one plan, in micro-USD. */
struct SpendCaps {
    std::int64_t dailyMicroUsd = 0;
    std::int64_t monthlyMicroUsd = 0;
    bool operator==(const SpendCaps&) const = default;
};

/** Ledger configuration: caps per plan and the rolling windows. One table of defaults, all overridable. */
struct LedgerPolicy {
    SpendCaps basic{500'000, 5'000'000};        ///< $0.50 a day, $5 a month
    SpendCaps unlimited{2'000'000, 20'000'000}; ///< $2 a day, $20 a month
    /** Plan of a user the ledger was not told about: the most restrictive, so forgetting setUser() is safe. */
    Plan defaultPlan = Plan::Basic;
    /** Rolling windows, trailing from "now"; a record belongs to a window when at >= now - length (as the meters). */
    std::chrono::milliseconds dailyWindow = std::chrono::hours{24};
    std::chrono::milliseconds monthlyWindow = std::chrono::hours{24 * 30};

    SpendCaps capsFor(Plan plan) const;
};

/** An estimate held against a user's caps between reserve() and settle()/release(). */
struct Reservation {
    std::uint64_t id = 0; ///< 0 is never a valid id
    QString uid;
    QString model;
    QString purpose;
    std::int64_t estimatedCostMicroUsd = 0;
    TimePoint at{};
};

/** Where one user's LLM spend stands. */
struct SpendStatus {
    Plan plan = Plan::Basic;
    bool customStt = false;
    SpendCaps caps;
    std::int64_t dailySettledMicroUsd = 0;
    std::int64_t monthlySettledMicroUsd = 0;
    std::int64_t reservedMicroUsd = 0;       ///< outstanding reservations (count in both windows)
    std::int64_t dailyRemainingMicroUsd = 0; ///< max(0, cap - settled - reserved)
    std::int64_t monthlyRemainingMicroUsd = 0;
    int outstandingReservations = 0;
    bool hasCredits = false; ///< both windows strictly below their caps
};

/**
 * Per-user LLM spend with plan caps (SPEC 2.4), the LLM-side counterpart of the transcription credit check, so
 * users who bring their own STT are bounded too.
 *
 * Reserve-then-settle: before a call, reserve() holds the estimated cost; it fails with ErrorKind::Quota when
 * settled + outstanding reservations + the estimate would exceed the daily or the monthly cap. After the call,
 * settle() replaces the estimate by the real cost (or release() drops it for a failed call). All methods are
 * thread-safe (one mutex), so concurrent calls cannot together reserve past a cap: settled + reserved never
 * exceeds the cap through reserve(). The real cost of a call that used more tokens than estimated is still
 * recorded in full (spend that happened is never dropped); the overshoot is reported by settle() and blocks
 * further reservations until the window rolls on.
 *
 * Pure: time is passed in; the ledger keeps only the last monthly window of spend per user (bounded memory).
 */
class LlmSpendLedger {
public:
    explicit LlmSpendLedger(PriceTable prices, LedgerPolicy policy = {});

    LlmSpendLedger(const LlmSpendLedger&) = delete;
    LlmSpendLedger& operator=(const LlmSpendLedger&) = delete;

    /** Plan and cohort of a user; users never set get LedgerPolicy::defaultPlan. */
    void setUser(const QString& uid, Plan plan, bool customStt);

    /** Replaces the caps and windows (e.g. after an admin changed policy); existing spend is kept. */
    void setPolicy(const LedgerPolicy& policy);
    LedgerPolicy policy() const;

    /** Loads settled spend from the store (e.g. at start-up). Records with negative cost or no uid are Invalid
     *  and nothing of the batch is loaded. */
    Status load(const QList<LlmSpendRecord>& records);

    /** True while the user has budget left in both windows (settled + reserved strictly below each cap). */
    bool hasLlmCredits(const QString& uid, TimePoint now) const;

    SpendStatus status(const QString& uid, TimePoint now) const;

    /**
     * Holds the estimated cost of a call. Errors: Quota when the estimate does not fit in the daily or monthly
     * cap (or the user has no credits left), NotFound for a model without a price, Invalid for bad token counts
     * or an empty uid.
     */
    Result<Reservation> reserve(const QString& uid, const QString& model, std::int64_t estimatedPromptTokens,
                                std::int64_t estimatedCompletionTokens, TimePoint now, const QString& purpose = {});

    /**
     * Like reserve(), but never refused for the user's caps. For our own enforcement calls (the purpose
     * classifier), whose frequency the enforcement policy already bounds (one run at a time, 12 h cooldown): a
     * user who spent their LLM budget must still be classifiable, or spending it would shield them from
     * enforcement. The spend is still recorded against the user. NotFound for a model without a price.
     */
    Result<Reservation> reserveUncapped(const QString& uid, const QString& model, std::int64_t estimatedPromptTokens,
                                        std::int64_t estimatedCompletionTokens, TimePoint now,
                                        const QString& purpose = {});

    /**
     * Replaces the reservation by the real cost of the call and returns the record to persist. The cost is
     * priced with the reservation's model. Errors: NotFound when the reservation is not outstanding (already
     * settled or released), Invalid for bad token counts (the reservation stays outstanding so the caller can
     * retry or release it).
     */
    Result<LlmSpendRecord> settle(const Reservation& reservation, std::int64_t actualPromptTokens,
                                  std::int64_t actualCompletionTokens, TimePoint now);

    /** Drops a reservation of a call that failed; NotFound when it is not outstanding. */
    Status release(const Reservation& reservation);

    /** Releases reservations held longer than `maxAge` (a caller that crashed before settling) and returns how
     *  many were released. */
    int releaseStale(TimePoint now, std::chrono::milliseconds maxAge);

private:
    Result<Reservation> reserveImpl(const QString& uid, const QString& model, std::int64_t estimatedPromptTokens,
                                    std::int64_t estimatedCompletionTokens, TimePoint now, const QString& purpose,
                                    bool enforceCaps);

    struct Entry {
        TimePoint at;
        std::int64_t costMicroUsd;
    };
    struct UserLedger {
        Plan plan;
        bool customStt = false;
        bool profileSet = false;
        std::vector<Entry> settled; ///< sorted by time
        std::int64_t reservedMicroUsd = 0;
        int outstanding = 0;
    };

    UserLedger& userLocked(const QString& uid);
    SpendStatus statusLocked(const QString& uid, TimePoint now) const;
    void pruneLocked(UserLedger& user, TimePoint now) const;
    static void insertSorted(std::vector<Entry>& entries, Entry entry);

    mutable std::mutex m_mutex;
    PriceTable m_prices;
    LedgerPolicy m_policy;
    QHash<QString, UserLedger> m_users;
    std::map<std::uint64_t, Reservation> m_reservations;
    std::uint64_t m_nextId = 1;
};

} // namespace fairuse
