#include "common/Domain.h"

#include "common/WireNames.h"

namespace fairuse {

namespace {

constexpr std::array kStages{std::pair{Stage::None, "none"}, std::pair{Stage::Warning, "warning"},
                             std::pair{Stage::Throttle, "throttle"}, std::pair{Stage::Restrict, "restrict"}};
constexpr std::array kUsageTypes{
    std::pair{UsageType::None, "none"},        std::pair{UsageType::Audiobook, "audiobook"},
    std::pair{UsageType::Podcast, "podcast"},  std::pair{UsageType::Prerecorded, "prerecorded"},
    std::pair{UsageType::TvMovie, "tv_movie"}, std::pair{UsageType::Commercial, "commercial"},
    std::pair{UsageType::Unknown, "unknown"}};
constexpr std::array kRoles{std::pair{Role::Reviewer, "reviewer"}, std::pair{Role::SeniorReviewer, "senior_reviewer"},
                            std::pair{Role::Admin, "admin"}, std::pair{Role::Service, "service"}};
constexpr std::array kWindows{std::pair{CapWindow::Daily, "daily"}, std::pair{CapWindow::ThreeDay, "3day"},
                              std::pair{CapWindow::Weekly, "weekly"}, std::pair{CapWindow::LlmDaily, "llm_daily"},
                              std::pair{CapWindow::LlmMonthly, "llm_monthly"}};
constexpr std::array kPlans{std::pair{Plan::Basic, "basic"}, std::pair{Plan::Unlimited, "unlimited"}};
constexpr std::array kSources{
    std::pair{SpeechSource::Realtime, "realtime"}, std::pair{SpeechSource::SyncFresh, "sync_fresh"},
    std::pair{SpeechSource::SyncBackfill, "sync_backfill"}, std::pair{SpeechSource::CustomStt, "custom_stt"}};
constexpr std::array kOutcomes{std::pair{Outcome::Confirmed, "confirmed"},
                               std::pair{Outcome::FalsePositive, "false_positive"},
                               std::pair{Outcome::NoAction, "no_action"}};
constexpr std::array kActions{std::pair{AuditAction::Resolve, "resolve"},
                              std::pair{AuditAction::OverrideStage, "override_stage"},
                              std::pair{AuditAction::Reset, "reset"},
                              std::pair{AuditAction::Exempt, "exempt"},
                              std::pair{AuditAction::Unexempt, "unexempt"},
                              std::pair{AuditAction::RerunClassifier, "rerun_classifier"},
                              std::pair{AuditAction::AddNote, "add_note"},
                              std::pair{AuditAction::Claim, "claim"},
                              std::pair{AuditAction::TakeOverClaim, "take_over_claim"},
                              std::pair{AuditAction::ReleaseClaim, "release_claim"},
                              std::pair{AuditAction::DecideAppeal, "decide_appeal"},
                              std::pair{AuditAction::ManualReview, "manual_review"},
                              std::pair{AuditAction::PinNote, "pin_note"},
                              std::pair{AuditAction::UnpinNote, "unpin_note"},
                              std::pair{AuditAction::Escalate, "escalate"},
                              std::pair{AuditAction::DeEscalate, "de_escalate"},
                              std::pair{AuditAction::Snooze, "snooze"},
                              std::pair{AuditAction::Unsnooze, "unsnooze"},
                              std::pair{AuditAction::SaveView, "save_view"},
                              std::pair{AuditAction::DeleteView, "delete_view"},
                              std::pair{AuditAction::Enforce, "enforce"}};
constexpr std::array kAppealDecisions{std::pair{AppealDecision::Upheld, "upheld"},
                                      std::pair{AppealDecision::Overturned, "overturned"}};

} // namespace

QString toString(Stage s) {
    return wireName(kStages, s);
}
QString toString(UsageType t) {
    return wireName(kUsageTypes, t);
}
QString toString(Role r) {
    return wireName(kRoles, r);
}
QString toString(CapWindow w) {
    return wireName(kWindows, w);
}
QString toString(Plan p) {
    return wireName(kPlans, p);
}
QString toString(SpeechSource s) {
    return wireName(kSources, s);
}
QString toString(Outcome o) {
    return wireName(kOutcomes, o);
}
QString toString(AuditAction a) {
    return wireName(kActions, a);
}
QString toString(AppealDecision d) {
    return wireName(kAppealDecisions, d);
}

std::optional<Stage> stageFromString(const QString& s) {
    return fromWireName(kStages, s);
}
std::optional<UsageType> usageTypeFromString(const QString& s) {
    return fromWireName(kUsageTypes, s);
}
std::optional<Role> roleFromString(const QString& s) {
    const std::optional<Role> role = fromWireName(kRoles, s);
    return role == Role::Service ? std::nullopt : role;
}
std::optional<Role> auditRoleFromString(const QString& s) {
    return fromWireName(kRoles, s);
}
std::optional<CapWindow> capWindowFromString(const QString& s) {
    return fromWireName(kWindows, s);
}
std::optional<Plan> planFromString(const QString& s) {
    if (s == QLatin1String("free")) {
        return Plan::Basic;
    }
    return fromWireName(kPlans, s);
}
std::optional<SpeechSource> speechSourceFromString(const QString& s) {
    return fromWireName(kSources, s);
}
std::optional<Outcome> outcomeFromString(const QString& s) {
    return fromWireName(kOutcomes, s);
}
std::optional<AuditAction> auditActionFromString(const QString& s) {
    return fromWireName(kActions, s);
}
std::optional<AppealDecision> appealDecisionFromString(const QString& s) {
    return fromWireName(kAppealDecisions, s);
}

Caps Caps::forPlan(Plan plan) {
    if (plan == Plan::Unlimited) {
        return Caps{14'400'000, 57'600'000, 72'000'000}; // 4 h / 16 h / 20 h
    }
    return Caps{};
}

} // namespace fairuse
