#include "DetailFormat.h"

#include "common/Subscription.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

namespace fairuse::models {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("fairuse::models::DetailFormat", text);
}
} // namespace

QString formatTime(TimePoint t) {
    return QDateTime::fromMSecsSinceEpoch(toUnixMs(t), Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QString formatTime(const std::optional<TimePoint>& t) {
    return t ? formatTime(*t) : QStringLiteral("\u2014");
}

QString formatSpeechHours(std::int64_t ms) {
    return tr("%1 h").arg(QLocale().toString(static_cast<double>(ms) / 3'600'000.0, 'f', 1));
}

QString formatAgainstCap(std::int64_t ms, std::int64_t capMs) {
    const QString text = tr("%1 / %2 cap").arg(formatSpeechHours(ms), formatSpeechHours(capMs));
    // A cap is hit when usage is strictly greater than it (Domain.h).
    return ms > capMs ? tr("%1 (over)").arg(text) : text;
}

QString formatUsd(std::int64_t microUsd) {
    return QStringLiteral("$") + QLocale().toString(static_cast<double>(microUsd) / 1'000'000.0, 'f', 4);
}

QString spendFiguresText(const FairUseEvent& e) {
    if (!e.llmSpend) {
        return {};
    }
    const SpendFigures& s = *e.llmSpend;
    return tr("last 24 h %1 of %2, last 30 days %3 of %4; plan %5, %6")
        .arg(formatUsd(s.dailyMicroUsd), formatUsd(s.dailyCapMicroUsd), formatUsd(s.monthlyMicroUsd),
             formatUsd(s.monthlyCapMicroUsd), toString(s.plan),
             s.customStt ? tr("own speech-to-text") : tr("platform speech-to-text"));
}

QString stageLabel(Stage s) {
    switch (s) {
    case Stage::None:
        return tr("none");
    case Stage::Warning:
        return tr("warning");
    case Stage::Throttle:
        return tr("throttle");
    case Stage::Restrict:
        return tr("restrict");
    }
    return {};
}

QString usageTypeLabel(UsageType t) {
    switch (t) {
    case UsageType::None:
        return tr("none");
    case UsageType::Audiobook:
        return tr("audiobook");
    case UsageType::Podcast:
        return tr("podcast");
    case UsageType::Prerecorded:
        return tr("prerecorded");
    case UsageType::TvMovie:
        return tr("TV / movie");
    case UsageType::Commercial:
        return tr("commercial");
    case UsageType::Unknown:
        return tr("unknown");
    }
    return {};
}

QString outcomeLabel(Outcome o) {
    switch (o) {
    case Outcome::Confirmed:
        return tr("confirmed");
    case Outcome::FalsePositive:
        return tr("false positive");
    case Outcome::NoAction:
        return tr("no action");
    }
    return {};
}

QString classifierVerdictLabel(ClassifierVerdict v) {
    switch (v) {
    case ClassifierVerdict::ModelRight:
        return tr("Model right");
    case ClassifierVerdict::ModelWrongLegitimate:
        return tr("Model wrong: legitimate meetings");
    case ClassifierVerdict::ModelWrongMedia:
        return tr("Model wrong: it was media");
    case ClassifierVerdict::ModelWrongOther:
        return tr("Model wrong: other");
    case ClassifierVerdict::NotAssessed:
        return tr("Not assessed");
    }
    return {};
}

QString roleName(Role r) {
    switch (r) {
    case Role::Reviewer:
        return tr("reviewer");
    case Role::SeniorReviewer:
        return tr("senior reviewer");
    case Role::Admin:
        return tr("admin");
    case Role::Service:
        return tr("enforcement service");
    }
    return {};
}

QString auditActionLabel(AuditAction a) {
    switch (a) {
    case AuditAction::Resolve:
        return tr("resolve");
    case AuditAction::OverrideStage:
        return tr("override stage");
    case AuditAction::Reset:
        return tr("reset");
    case AuditAction::Exempt:
        return tr("exempt");
    case AuditAction::Unexempt:
        return tr("un-exempt");
    case AuditAction::RerunClassifier:
        return tr("re-run classifier");
    case AuditAction::AddNote:
        return tr("add note");
    case AuditAction::Claim:
        return tr("claim");
    case AuditAction::TakeOverClaim:
        return tr("take over claim");
    case AuditAction::ReleaseClaim:
        return tr("release claim");
    case AuditAction::DecideAppeal:
        return tr("decide appeal");
    case AuditAction::ManualReview:
        return tr("manual review");
    case AuditAction::PinNote:
        return tr("pin note");
    case AuditAction::UnpinNote:
        return tr("unpin note");
    case AuditAction::Escalate:
        return tr("escalate");
    case AuditAction::DeEscalate:
        return tr("de-escalate");
    case AuditAction::Snooze:
        return tr("snooze");
    case AuditAction::Unsnooze:
        return tr("unsnooze");
    case AuditAction::SaveView:
        return tr("save view");
    case AuditAction::DeleteView:
        return tr("delete view");
    case AuditAction::Enforce:
        return tr("enforce");
    }
    return {};
}

QString appealChannelLabel(const QString& channel) {
    if (channel == QLatin1String("in_app")) {
        return tr("in app");
    }
    if (channel == QLatin1String("support_email")) {
        return tr("support e-mail");
    }
    return channel.isEmpty() ? QStringLiteral("\u2014") : channel;
}

QString appealStatusLabel(const Appeal& appeal) {
    if (!appeal.decision) {
        return tr("open");
    }
    return *appeal.decision == AppealDecision::Upheld ? tr("upheld") : tr("overturned");
}

QString capWindowLabel(CapWindow w) {
    switch (w) {
    case CapWindow::Daily:
        return tr("daily");
    case CapWindow::ThreeDay:
        return tr("3-day");
    case CapWindow::Weekly:
        return tr("weekly");
    case CapWindow::LlmDaily:
        return tr("LLM spend, daily");
    case CapWindow::LlmMonthly:
        return tr("LLM spend, monthly");
    }
    return {};
}

QString classifierKindLabel(const ClassifierResult& r) {
    return r.heuristic ? tr("heuristic") : tr("LLM");
}

QString planText(const std::optional<Subscription>& subscription, TimePoint now) {
    const QString plan = toString(effectivePlan(subscription, now));
    if (!subscription) {
        return tr("%1 (no subscription)").arg(plan);
    }
    if (const auto end = billingCycleEnd(subscription, now)) {
        return tr("%1 until %2").arg(subscription->plan, formatTime(*end));
    }
    if (paidPlanLapsed(subscription, now)) {
        return subscription->currentPeriodEnd
                   ? tr("%1 (%2 ended %3)").arg(plan, subscription->plan, formatTime(*subscription->currentPeriodEnd))
                   : tr("%1 (%2 without a billing period)").arg(plan, subscription->plan);
    }
    if (subscription->plan == QLatin1String("free")) {
        return tr("%1 (legacy free)").arg(plan);
    }
    return plan;
}

} // namespace fairuse::models
