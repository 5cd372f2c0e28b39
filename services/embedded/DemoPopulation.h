#pragma once

#include "common/ClassifierLabel.h"
#include "common/Domain.h"
#include "common/Time.h"

#include <QList>
#include <QString>

#include <array>
#include <cstdint>
#include <optional>

namespace fairuse::services {

/** What a demo user is, which decides their sessions, conversations and classifier verdicts. */
enum class DemoProfile { Ordinary, Audiobook, Podcast, TvMovie, Commercial, LegitimateHeavy };
QString toString(DemoProfile p);

/** Parameters of the demo population. Same options (including seed and reference time) -> same population. */
struct DemoOptions {
    /** "Now" of the population: windows, events and ages are relative to it. */
    TimePoint referenceTime{};
    std::uint64_t seed = 20260323;
    /** Users with daily speech drawn from the target distribution (ordinary and detailed flagged users). */
    int users = 2000;
    /** Detailed flagged users of each misuse kind and of legitimate heavy users (conversations, minute buckets). */
    int flaggedPerKind = 24;
    /** Extra flagged users for scale tests: a state, one open case and window totals each, but no conversations or
     *  minute buckets (their queue speech comes from the snapshot columns; readSpeech returns zero for them). */
    int bulkFlagged = 0;
};

/** One demo user and their speech per trailing day. */
struct DemoUser {
    QString uid;
    DemoProfile profile = DemoProfile::Ordinary;
    /** The subscription on the user document; absent: the user has none. */
    std::optional<Subscription> subscription;
    Plan plan = Plan::Basic; ///< the plan in force at the reference time, from the subscription
    bool customStt = false;
    bool bulk = false; ///< a scale-test user without conversations or buckets
    /** Target mean daily speech in minutes (the distribution the generator draws from). */
    double dailySpeechMinutes = 0.0;
    /** Enforced speech per trailing 24 h slot: [0] = (ref - 24 h, ref], [1] = the 24 h before, ... */
    std::array<std::int64_t, 7> dailySpeechMs{};
    /** Window totals at the reference time (daily = [0], 3-day = [0..2], weekly = [0..6]). */
    SpeechTotals totalsAtReference() const;
};

struct DemoConversation {
    QString uid;
    Conversation conversation;
};

struct DemoMinute {
    QString uid;
    SpeechSource source = SpeechSource::Realtime;
    std::int64_t unixMinute = 0;
    std::int64_t speechMs = 0;
};

struct DemoSttBudget {
    QString uid;
    TimePoint day{}; ///< any time in the UTC day
    std::int64_t usedMs = 0;
};

struct DemoExemption {
    QString uid;
    TimePoint at{};
    QString by;
};

/**
 * A complete demo data set as plain values, so any store writer (embedded, Redis + Firestore) can reuse it.
 * Events, states, audit records and exemptions are consistent with each other; audit records are already chained
 * (fairuse::chain) in sequence order.
 */
struct DemoPopulation {
    TimePoint referenceTime{};
    QList<DemoUser> users;
    QList<FairUseState> states;
    QList<FairUseEvent> events;
    QList<DemoConversation> conversations;
    QList<DemoMinute> minutes; ///< last 7 days; every bucket of one (uid, source, minute) appears once
    QList<DemoSttBudget> sttBudget;
    QList<LlmSpendRecord> spend;
    QList<Reviewer> reviewers;
    QList<AuditRecord> audit;
    QList<DemoExemption> exemptions;
    /** Appeals of throttled and restricted users against their latest case, oldest first; most open, a couple
     *  upheld (each with its decide_appeal record in `audit`). */
    QList<Appeal> appeals;
    /** The reviewers' verdicts on the classifier of resolved cases that have a classifier result, one per case. */
    QList<ClassifierLabel> labels;
};

/** The demo reviewer the console signs in as in embedded mode. */
inline constexpr const char* kDemoReviewerEmail = "demo.reviewer@fairuse.example";

} // namespace fairuse::services
