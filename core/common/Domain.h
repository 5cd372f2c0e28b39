#pragma once

#include "common/Time.h"

#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace fairuse {

/** Enforcement stage, in escalation order. */
enum class Stage { None = 0, Warning = 1, Throttle = 2, Restrict = 3 };

/** What the classifier thinks the speech is. Wire names: none, audiobook, podcast, prerecorded, tv_movie,
 *  commercial, unknown. */
enum class UsageType { None, Audiobook, Podcast, Prerecorded, TvMovie, Commercial, Unknown };

/** Reviewer roles, in increasing power, and the enforcement service's. Service is no reviewer's role: it is never read
 *  from a token, a roles document or a command line (roleFromString refuses it), only from the audit records the
 *  service writes (auditRoleFromString); every reviewer role is below it, so no reviewer may take the service's
 *  action (AuditAction::Enforce). */
enum class Role { Reviewer = 0, SeniorReviewer = 1, Admin = 2, Service = 3 };

/** The cap whose passing opened a case: a soft cap on speech over a rolling window (daily, 3day, weekly), or the
 *  plan's LLM-spend cap over the ledger's daily or monthly window (llm_daily, llm_monthly: the enforcement service's
 *  spend trigger, enforcement/SpendReview.h). Wire names: daily, 3day, weekly, llm_daily, llm_monthly. */
enum class CapWindow { Daily, ThreeDay, Weekly, LlmDaily, LlmMonthly };

/** True for the LLM-spend triggers (llm_daily, llm_monthly), false for the speech windows. */
constexpr bool isSpendTrigger(CapWindow w) {
    return w == CapWindow::LlmDaily || w == CapWindow::LlmMonthly;
}

/** The plan in force, which selects the soft caps. Basic is the free tier (the backend's legacy name for it is
 *  `free`); every other plan is paid. common/Subscription.h derives it from the user's subscription. */
enum class Plan { Basic, Unlimited };

/** Where metered speech came from (SPEC 4.1 v2 keys). Only Realtime and SyncFresh are enforced. */
enum class SpeechSource { Realtime, SyncFresh, SyncBackfill, CustomStt };

QString toString(Stage s);
QString toString(UsageType t);
QString toString(Role r);
QString toString(CapWindow w);
QString toString(Plan p);
QString toString(SpeechSource s);

std::optional<Stage> stageFromString(const QString& s);
/** Unknown names map to nullopt; the classifier contract maps them to UsageType::Unknown itself. */
std::optional<UsageType> usageTypeFromString(const QString& s);
/** A reviewer's role: reviewer, senior_reviewer, admin (never service). */
std::optional<Role> roleFromString(const QString& s);
/** The role an audit record names: a reviewer's, or service. */
std::optional<Role> auditRoleFromString(const QString& s);
std::optional<CapWindow> capWindowFromString(const QString& s);
/** basic, unlimited; the legacy name free reads as basic. */
std::optional<Plan> planFromString(const QString& s);
std::optional<SpeechSource> speechSourceFromString(const QString& s);

/** Speech totals over the three trailing windows, in milliseconds of VAD-measured speech. */
struct SpeechTotals {
    std::int64_t dailyMs = 0;
    std::int64_t threeDayMs = 0;
    std::int64_t weeklyMs = 0;
    bool operator==(const SpeechTotals&) const = default;
};

/** Soft caps in milliseconds. A cap is hit when usage is strictly greater than it. */
struct Caps {
    std::int64_t dailyMs = 7'200'000;     // 2 h
    std::int64_t threeDayMs = 28'800'000; // 8 h
    std::int64_t weeklyMs = 36'000'000;   // 10 h
    bool operator==(const Caps&) const = default;

    static Caps forPlan(Plan plan);
};

/** One of the user's conversations, as the classifier and the evidence view see it. */
struct Conversation {
    QString id;
    QString title;
    QString overview;
    QString category;
    QString source;
    TimePoint startedAt{};
    TimePoint finishedAt{};
    TimePoint createdAt{};

    double durationMinutes() const {
        return std::chrono::duration<double, std::ratio<60>>(finishedAt - startedAt).count();
    }
};

/** One conversation the classifier cites, and why. */
struct Evidence {
    QString conversationId;
    QString title;
    QString reason;
    bool operator==(const Evidence&) const = default;
};

/** The classifier's verdict on a user's recent conversations. */
struct ClassifierResult {
    double misuseScore = 0.0; ///< 0..1
    UsageType usageType = UsageType::None;
    double confidence = 0.0; ///< 0..1
    QList<Evidence> evidence;
    QString reasoning;
    QString model;              ///< model name, or "heuristic"
    QString promptVersion;      ///< prompt or heuristic version
    bool heuristic = false;     ///< true when produced by the offline heuristic, not an LLM
    int droppedEvidence = 0;    ///< evidence entries dropped because they named unknown conversations
    QList<QString> corrections; ///< what the parser corrected (clamped score, unknown type, ...)
};

/** users/{uid}.subscription, the backend's record of what the user pays for (SPEC 4.2), as stored. */
struct Subscription {
    QString plan;                              ///< basic, unlimited, ...; a legacy `free` means basic
    QString status;                            ///< active, canceled, ...
    std::optional<TimePoint> currentPeriodEnd; ///< end of the paid billing period (stored as Unix seconds)
    bool operator==(const Subscription&) const = default;
};

/** users/{uid}/fair_use_state/current (SPEC 4.2). */
struct FairUseState {
    QString uid;
    Stage stage = Stage::None;
    std::optional<TimePoint> updatedAt;
    std::optional<TimePoint> lastViolationAt;
    int violationCount7d = 0;
    int violationCount30d = 0;
    std::optional<TimePoint> throttleUntil;
    std::optional<TimePoint> restrictUntil;
    QString restrictReason;
    std::optional<double> lastClassifierScore;
    std::optional<UsageType> lastClassifierType;
    std::optional<TimePoint> lastClassifierAt; ///< start of the classifier cooldown (our addition)
    /** Last failed classifier run (outage, malformed or refused answer); cleared by a good run (our addition). */
    std::optional<TimePoint> classifierFailedAt;
    int classifierFailures = 0; ///< failed classifier runs in a row since the last good one (our addition)
    QString lastCaseRef;
    QString resetBy;
    std::optional<TimePoint> resetAt;
    bool exempt = false; ///< our addition: from the exemptions collection
    /** From the user document (users/{uid}.subscription), not the state document; absent when the user has none.
     *  The plan in force at a given time is effectivePlan() (common/Subscription.h). */
    std::optional<Subscription> subscription;
    /** previous_stage: the stage in force before a free-credit restriction, restored when the credits return. */
    std::optional<Stage> previousStage;
    QString version; ///< store version token for preconditions (Firestore updateTime); empty when new
};

/** Outcome a reviewer records when resolving a case. Wire names: confirmed, false_positive, no_action. */
enum class Outcome { Confirmed, FalsePositive, NoAction };
QString toString(Outcome o);
std::optional<Outcome> outcomeFromString(const QString& s);

/** The LLM spend an llm_daily or llm_monthly case was opened on (the event's `llm_spend` map), in micro-USD. */
struct SpendFigures {
    std::int64_t dailyMicroUsd = 0;
    std::int64_t monthlyMicroUsd = 0;
    std::int64_t dailyCapMicroUsd = 0;
    std::int64_t monthlyCapMicroUsd = 0;
    Plan plan = Plan::Basic; ///< the plan whose caps applied
    bool customStt = false;  ///< the user brings their own speech-to-text (a spend record of the window says so)
    bool operator==(const SpendFigures&) const = default;
};

/** users/{uid}/fair_use_events/{id}: one fair-use event, which the console calls a case (SPEC 2.5, 4.2). */
struct FairUseEvent {
    QString id;
    QString uid;
    TimePoint createdAt{};
    QString caseRef; ///< FU- + 12 upper-case hex
    QString sessionId;
    CapWindow trigger = CapWindow::Daily;
    SpeechTotals windowSpeech;
    Caps thresholds;
    std::optional<ClassifierResult> classifier;
    QString enforcementAction;
    Stage previousStage = Stage::None;
    Stage newStage = Stage::None;
    bool resolved = false;
    std::optional<TimePoint> resolvedAt;
    QString resolvedBy;
    QString adminNotes;
    std::optional<Outcome> outcome; ///< our addition
    /** Policy::label() of the policy that produced the case (our addition); empty on the backend's own cases. */
    QString policy;
    /** The backend's synthetic case for exhausted free credits (classifier usage type free_exhausted): not abuse. */
    bool freeCreditsExhausted = false;
    /** Set on LLM-spend cases (trigger llm_daily or llm_monthly), which have no speech figures and no classifier. */
    std::optional<SpendFigures> llmSpend;
    QString version; ///< store version token for preconditions
};

/** Reviewer actions that write audit records. Wire names: resolve, override_stage, reset, exempt, unexempt,
 *  rerun_classifier, add_note, claim, take_over_claim, release_claim, decide_appeal, manual_review, pin_note,
 *  unpin_note, escalate, de_escalate, snooze, unsnooze, save_view, delete_view, enforce. save_view and delete_view are
 *  the team's, not a user's: their records name no user (uid empty) and the view in the reason (casework/SavedViews.h).
 *  enforce is the enforcement service's (fairuse-enforcer), never a reviewer's: a decision of the core on a cap hit
 *  or an expiry, recorded with Role::Service and the service's identity (enforcement/EnforcerChanges.h). */
enum class AuditAction {
    Resolve,
    OverrideStage,
    Reset,
    Exempt,
    Unexempt,
    RerunClassifier,
    AddNote,
    Claim,
    TakeOverClaim,
    ReleaseClaim,
    DecideAppeal,
    ManualReview,
    PinNote,
    UnpinNote,
    Escalate,
    DeEscalate,
    Snooze,
    Unsnooze,
    SaveView,
    DeleteView,
    Enforce
};
QString toString(AuditAction a);
std::optional<AuditAction> auditActionFromString(const QString& s);

/** Who is acting: taken from the credential in use, never a fixed string. */
struct Reviewer {
    QString email;
    Role role = Role::Reviewer;
    QString uid{}; ///< the credential's user id (Firebase Auth uid); empty for the embedded demo store's identity
};

/** One append-only audit record. hash = SHA-256 over the canonical form including prevHash. */
struct AuditRecord {
    std::int64_t sequence = 0; ///< 1-based position in the chain
    TimePoint at{};
    QString reviewer;      ///< e-mail from the credential
    QString reviewerUid{}; ///< user id from the credential; empty in records written before sign-in existed
    Role role = Role::Reviewer;
    AuditAction action = AuditAction::AddNote;
    QString uid;
    QString caseRef; ///< may be empty for user-level actions
    QString eventId;
    std::optional<Stage> stageBefore;
    std::optional<Stage> stageAfter;
    QString reason;
    QString clientVersion;
    QString prevHash; ///< hex; empty string for the first record
    QString hash;     ///< hex
};

/** fair_use_claims/{uid}: a reviewer working a user's case holds it for a lease, so two reviewers do not work one
 *  case. The claim is the user's, not one event's: the case page and the queue row are the user's. */
struct CaseClaim {
    QString uid;
    QString reviewer;    ///< e-mail from the credential
    QString reviewerUid; ///< user id from the credential (empty for the embedded demo store's identity)
    TimePoint claimedAt{};
    TimePoint expiresAt{};
    QString version; ///< store version token for preconditions
    bool operator==(const CaseClaim&) const = default;
};

/** How a reviewer decides an appeal. Wire names: upheld (the contested decision stands), overturned. */
enum class AppealDecision { Upheld, Overturned };
QString toString(AppealDecision d);
std::optional<AppealDecision> appealDecisionFromString(const QString& s);

/** users/{uid}/fair_use_appeals/{id}: a user's request for review of a decision (docs/data-model.md). Written by the
 *  app or support with status open; a reviewer decides it. */
struct Appeal {
    QString id;
    QString uid;
    TimePoint createdAt{};
    QString message;
    QString caseRef; ///< the case whose decision is contested; may be empty (the user's current stage)
    QString channel; ///< app, email, support, ...
    std::optional<AppealDecision> decision; ///< nullopt while open
    QString decidedBy;
    std::optional<TimePoint> decidedAt;
    QString decisionReason;
    QString version; ///< store version token for preconditions
    bool isOpen() const { return !decision.has_value(); }
};

/** users/{uid}/fair_use_notes/{id}: a note a reviewer pinned on a user, shown in every later case of that user until
 *  it is unpinned (casework/Casework.h). Its id is the id of the pin_note record that wrote it. */
struct UserNote {
    QString id;
    QString uid;
    QString text;
    QString author;    ///< e-mail from the credential
    QString authorUid; ///< user id from the credential (empty for the embedded demo store's identity)
    TimePoint createdAt{};
    QString caseRef; ///< the case it was written on; may be empty
    bool pinned = true;
    QString unpinnedBy; ///< e-mail of who unpinned it, empty while pinned
    std::optional<TimePoint> unpinnedAt;
    QString version; ///< store version token for preconditions
    bool operator==(const UserNote&) const = default;
};

/** fair_use_casework/{uid}: the user's open case escalated to a senior and/or snoozed (casework/Casework.h). Both
 *  parts are cleared by their own action or by a decision on the case; a document with neither is deleted. */
struct Casework {
    QString uid;
    QString caseRef; ///< the case escalated or snoozed
    std::optional<TimePoint> escalatedAt;
    QString escalatedBy; ///< e-mail from the credential
    QString escalatedByUid;
    QString escalationNote;
    std::optional<TimePoint> snoozedAt;
    std::optional<TimePoint> snoozedUntil; ///< nullopt with snoozeUntilCapHit: until the user's next cap hit
    bool snoozeUntilCapHit = false;
    QString snoozedBy; ///< e-mail from the credential
    QString snoozedByUid;
    QString version; ///< store version token for preconditions
    bool escalated() const { return escalatedAt.has_value(); }
    bool snoozed() const { return snoozedAt.has_value(); }
    bool isEmpty() const { return !escalated() && !snoozed(); }
    bool operator==(const Casework&) const = default;
};

/** fair_use_views/{id}: a named queue filter a reviewer saved, shared with the team or personal
 *  (casework/SavedViews.h). The filter is the canonical JSON of casework::ViewFilter. */
struct SavedView {
    QString id;
    QString name;
    QString owner;    ///< e-mail from the credential of who created it
    QString ownerUid; ///< user id from the credential (empty for the embedded demo store's identity)
    bool shared = false;
    QString filter; ///< canonical JSON (casework::toJson(ViewFilter))
    TimePoint createdAt{};
    TimePoint updatedAt{};
    QString updatedBy; ///< e-mail of who saved it last
    QString version;   ///< store version token for preconditions
    bool operator==(const SavedView&) const = default;
};

/** One LLM call made on a user's behalf (SPEC 2.4). */
struct LlmSpendRecord {
    QString uid;
    TimePoint at{};
    QString model;
    QString purpose; ///< structuring, memory_extraction, post_processing, classifier
    std::int64_t promptTokens = 0;
    std::int64_t completionTokens = 0;
    std::int64_t costMicroUsd = 0;
    bool customStt = false;
    Plan plan = Plan::Basic; ///< the plan in force when the call was made
};

} // namespace fairuse
