#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "ledger/SttBudget.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <optional>

namespace fairuse::enforcement {

/**
 * The enforcement policy table (SPEC 2.2): every number the state machine uses, in one place, with the requested
 * policy as the defaults. Decisions name the policy (name + version) so the console can show which policy produced
 * them.
 *
 * Defaults (the requested policy):
 *   - enabled = false, as in a backend deployment (FAIR_USE_ENABLED=false); forReview() turns it on for the console
 *     and `fairuse replay`;
 *   - a violation is a soft-cap hit with misuse_score >= 0.7;
 *   - warning on the first violation; throttle on the 2nd violation within 7 days; restrict on the 3rd violation
 *     within 30 days. A past violation is inside a window when now - violation <= window (the edge is inclusive,
 *     like the metering window rule);
 *   - throttle lasts 7 days. Restrict lasts "until the next billing cycle": the core does not know billing dates, so
 *     this is modelled as a configurable duration, default 30 days (the backend's flat 30 days); a caller that knows
 *     the billing date can pass a policy with the exact remaining duration;
 *   - classifier cooldown 12 h, live-session check interval 5 min, STT budget of restricted users 30 min a UTC day;
 *   - after a failed classifier run (outage, malformed or refused answer) the next run waits 15 min, doubling with
 *     each further failure in a row, never longer than the cooldown;
 *   - soft caps per plan from Caps::forPlan().
 */
/** A reason a reviewer's decision gives, from the list the policy defines: `code` is stored in the audit record,
 *  `label` is what the console shows. */
struct ReasonCode {
    QString code;  ///< [a-z0-9_], 1 to 40 characters
    QString label; ///< non-empty
    bool operator==(const ReasonCode&) const = default;
};

/** The reason codes a policy starts with. */
QList<ReasonCode> defaultReasonCodes();

struct Policy {
    QString name = QStringLiteral("requested");
    QString version = QStringLiteral("1");

    bool enabled = false;
    bool killSwitch = false;
    QStringList exemptUids;

    double scoreThreshold = 0.7; ///< violation when misuse_score >= threshold

    int throttleViolations = 2; ///< violations inside throttleWindow that move warning -> throttle
    std::chrono::seconds throttleWindow{7 * 86400};
    int restrictViolations = 3; ///< violations inside restrictWindow that move throttle -> restrict
    std::chrono::seconds restrictWindow{30 * 86400};

    std::chrono::seconds throttleDuration{7 * 86400};
    std::chrono::seconds restrictDuration{30 * 86400};
    std::chrono::seconds classifierCooldown{12 * 3600};
    std::chrono::seconds checkInterval{5 * 60};
    /** Wait after the first failed classifier run; it doubles per failure in a row, bounded by classifierCooldown. */
    std::chrono::seconds classifierRetryAfter{15 * 60};
    std::int64_t restrictedDailySttMs = kDefaultSttDailyBudgetMs; ///< 30 min of audio per UTC day while restricted

    /** How long a restricted user may wait for manual review before the review is late. */
    std::chrono::seconds manualReviewSla{24 * 3600};
    /** The reason codes decisions may carry (casework/ManualReview.h); "other" asks for notes. */
    QList<ReasonCode> reasonCodes = defaultReasonCodes();

    Caps basicCaps = Caps::forPlan(Plan::Basic);
    Caps unlimitedCaps = Caps::forPlan(Plan::Unlimited);

    bool operator==(const Policy&) const = default;

    /** The reason code `code`, or nullopt when the policy defines none such. */
    std::optional<ReasonCode> reasonCode(const QString& code) const;

    /** The soft caps of a plan under this policy. */
    Caps capsFor(Plan plan) const;

    /** "name vN", what decisions and the console show. */
    QString label() const;

    /** The requested policy with enforcement enabled: what the console and `fairuse replay` evaluate with. */
    static Policy forReview();

    /**
     * Parses a policy JSON object; each key present overrides the matching field of `base`, keys absent keep it.
     * Keys: name, version (strings); enabled, kill_switch (bools); exempt_uids (array of strings);
     * score_threshold (number in (0, 1]); throttle_violations, restrict_violations (integers >= 1, throttle <=
     * restrict); throttle_window_seconds, restrict_window_seconds, throttle_duration_seconds,
     * restrict_duration_seconds, classifier_cooldown_seconds, check_interval_seconds, classifier_retry_seconds
     * (integers >= 0; windows and durations > 0); restricted_daily_stt_ms (integer >= 0); caps: {basic|unlimited:
     * {daily_ms, three_day_ms, weekly_ms}} (integers > 0, each may be given alone; free, the legacy name of basic, is
     * rejected with a message saying so); manual_review_sla_seconds (integer > 0); reason_codes (a non-empty array of
     * {code, label}: codes of [a-z0-9_], 1 to 40 characters, unique; labels non-empty). Unknown keys, wrong types,
     * fractional or out-of-range numbers are rejected with a message naming the key.
     */
    static Result<Policy> fromJson(const QByteArray& json, const Policy& base);
    /** fromJson over the defaults (Policy{}, enforcement disabled unless the JSON enables it). */
    static Result<Policy> fromJson(const QByteArray& json);

    /** Every field, in the format fromJson() reads; fromJson(toJson()) == *this. */
    QByteArray toJson() const;
};

} // namespace fairuse::enforcement
