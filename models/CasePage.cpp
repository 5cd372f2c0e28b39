#include "CasePage.h"

#include "DetailFormat.h"
#include "EventsModel.h"

#include <QCoreApplication>
#include <QLocale>
#include <QSet>

#include <algorithm>

namespace fairuse::models {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("fairuse::models::CasePage", text);
}

QString escaped(const QString& text) {
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br/>"));
}

QString stageChange(std::optional<Stage> before, std::optional<Stage> after) {
    if (!before || !after || *before == *after) {
        return {};
    }
    return QStringLiteral("%1 \u2192 %2").arg(stageLabel(*before), stageLabel(*after));
}

TimelineEntry::Kind kindOf(AuditAction action) {
    switch (action) {
    case AuditAction::AddNote:
    case AuditAction::PinNote:
    case AuditAction::UnpinNote:
        return TimelineEntry::Kind::Note;
    // Who works the case: claims, and escalation and snooze (casework/Casework.h).
    case AuditAction::Claim:
    case AuditAction::TakeOverClaim:
    case AuditAction::ReleaseClaim:
    case AuditAction::Escalate:
    case AuditAction::DeEscalate:
    case AuditAction::Snooze:
    case AuditAction::Unsnooze:
    // Saved views are the team's, never in a user's timeline (their records name no user).
    case AuditAction::SaveView:
    case AuditAction::DeleteView:
        return TimelineEntry::Kind::Claim;
    case AuditAction::Resolve:
    case AuditAction::OverrideStage:
    case AuditAction::Reset:
    case AuditAction::Exempt:
    case AuditAction::Unexempt:
    case AuditAction::RerunClassifier:
    case AuditAction::DecideAppeal:
    case AuditAction::ManualReview:
    // The enforcement service's decisions on cap hits and expiries.
    case AuditAction::Enforce:
        return TimelineEntry::Kind::Decision;
    }
    return TimelineEntry::Kind::Decision;
}

TimelineEntry fromAudit(const AuditRecord& r) {
    TimelineEntry e;
    e.at = r.at;
    e.kind = kindOf(r.action);
    e.caseRef = r.caseRef;
    QString what = auditActionLabel(r.action);
    what[0] = what.at(0).toUpper();
    const QString change = stageChange(r.stageBefore, r.stageAfter);
    e.title = tr("%1 by %2").arg(what, r.reviewer.isEmpty() ? tr("(no reviewer recorded)") : r.reviewer);
    if (!change.isEmpty()) {
        e.title += QStringLiteral(", ") + change;
    }
    if (!r.caseRef.isEmpty()) {
        e.title += tr(" (case %1)").arg(r.caseRef);
    }
    e.detail = r.reason;
    return e;
}

QString scoreText(const FairUseEvent& event) {
    if (!event.classifier) {
        return tr("no classifier verdict");
    }
    const ClassifierResult& c = *event.classifier;
    return tr("score %1, %2 (%3)")
        .arg(QLocale().toString(c.misuseScore, 'f', 2), usageTypeLabel(c.usageType), classifierKindLabel(c));
}

} // namespace

QString timelineKindLabel(TimelineEntry::Kind kind) {
    switch (kind) {
    case TimelineEntry::Kind::Case:
        return tr("Case");
    case TimelineEntry::Kind::Decision:
        return tr("Decision");
    case TimelineEntry::Kind::Note:
        return tr("Note");
    case TimelineEntry::Kind::Appeal:
        return tr("Appeal");
    case TimelineEntry::Kind::Claim:
        return tr("Claim");
    }
    return {};
}

QList<TimelineEntry> buildTimeline(const QList<FairUseEvent>& events, const QList<Appeal>& appeals,
                                   const QList<AuditRecord>& audit) {
    QList<TimelineEntry> entries;
    QSet<QString> notedCases;
    QSet<QString> resolvedInTrail;
    for (const AuditRecord& r : audit) {
        if (r.action == AuditAction::AddNote) {
            notedCases.insert(r.caseRef);
        }
        if (r.action == AuditAction::Resolve) {
            resolvedInTrail.insert(r.caseRef);
        }
    }
    for (const FairUseEvent& ev : events) {
        TimelineEntry e;
        e.at = ev.createdAt;
        e.kind = TimelineEntry::Kind::Case;
        e.caseRef = ev.caseRef;
        e.title = tr("Case %1 opened: %2 cap hit, %3")
                      .arg(ev.caseRef, capWindowLabel(ev.trigger),
                           stageChange(ev.previousStage, ev.newStage).isEmpty()
                               ? tr("stage stays %1").arg(stageLabel(ev.newStage))
                               : stageChange(ev.previousStage, ev.newStage));
        QStringList detail{caseSummary(ev).section(QLatin1Char('\n'), 1)};
        if (!ev.adminNotes.isEmpty() && !notedCases.contains(ev.caseRef)) {
            detail << tr("Notes: %1").arg(ev.adminNotes);
        }
        e.detail = detail.join(QLatin1Char('\n'));
        entries.append(e);
        if (ev.resolved && !resolvedInTrail.contains(ev.caseRef)) {
            TimelineEntry done;
            done.at = ev.resolvedAt.value_or(ev.createdAt);
            done.kind = TimelineEntry::Kind::Decision;
            done.caseRef = ev.caseRef;
            done.title = tr("Case %1 resolved: %2").arg(ev.caseRef, EventsModel::resolutionText(ev));
            entries.append(done);
        }
    }
    for (const AuditRecord& r : audit) {
        // The appeal's own document says how it was decided (below); its record would say it twice.
        if (r.action != AuditAction::DecideAppeal) {
            entries.append(fromAudit(r));
        }
    }
    for (const Appeal& a : appeals) {
        TimelineEntry received;
        received.at = a.createdAt;
        received.kind = TimelineEntry::Kind::Appeal;
        received.caseRef = a.caseRef;
        received.title = tr("Appeal %1 received via %2, contesting %3 (%4)")
                             .arg(a.id, appealChannelLabel(a.channel),
                                  a.caseRef.isEmpty() ? tr("the current stage") : a.caseRef, appealStatusLabel(a));
        received.detail = a.message;
        entries.append(received);
        if (a.decision) {
            TimelineEntry decided;
            decided.at = a.decidedAt.value_or(a.createdAt);
            decided.kind = TimelineEntry::Kind::Appeal;
            decided.caseRef = a.caseRef;
            decided.title = tr("Appeal %1 %2 by %3").arg(a.id, appealStatusLabel(a), a.decidedBy);
            decided.detail = a.decisionReason;
            entries.append(decided);
        }
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const TimelineEntry& a, const TimelineEntry& b) { return a.at > b.at; });
    return entries;
}

QString timelineHtml(const QList<TimelineEntry>& entries) {
    if (entries.isEmpty()) {
        return QStringLiteral("<p><i>%1</i></p>").arg(tr("Nothing has happened to this user yet.").toHtmlEscaped());
    }
    QString html;
    for (const TimelineEntry& e : entries) {
        html += QStringLiteral("<p style='margin-bottom:8px'><span style='color:#666'>%1</span> &nbsp;<b>%2</b><br/>%3")
                    .arg(formatTime(e.at).toHtmlEscaped(), timelineKindLabel(e.kind).toHtmlEscaped(), escaped(e.title));
        if (!e.detail.isEmpty()) {
            html += QStringLiteral("<br/><span style='color:#333'>%1</span>").arg(escaped(e.detail));
        }
        html += QStringLiteral("</p>");
    }
    return html;
}

QString caseSummary(const FairUseEvent& event) {
    const QString head = event.resolved
                             ? tr("Case %1, opened %2 on a %3 cap hit; resolved: %4")
                                   .arg(event.caseRef, formatTime(event.createdAt), capWindowLabel(event.trigger),
                                        EventsModel::resolutionText(event))
                             : tr("Open case %1, opened %2 on a %3 cap hit")
                                   .arg(event.caseRef, formatTime(event.createdAt), capWindowLabel(event.trigger));
    const QString stage = stageChange(event.previousStage, event.newStage).isEmpty()
                              ? tr("stage stays %1").arg(stageLabel(event.newStage))
                              : tr("stage %1").arg(stageChange(event.previousStage, event.newStage));
    if (isSpendTrigger(event.trigger)) {
        const QString figures = spendFiguresText(event);
        return head + QLatin1Char('\n') +
               tr("LLM spend: %1; %2; %3")
                   .arg(figures.isEmpty() ? tr("no figures recorded") : figures, stage, EventsModel::policyText(event));
    }
    const SpeechTotals& s = event.windowSpeech;
    const Caps& c = event.thresholds;
    QString line =
        tr("At the hit: day %1, 3 days %2, week %3; %4; %5; %6")
            .arg(formatAgainstCap(s.dailyMs, c.dailyMs), formatAgainstCap(s.threeDayMs, c.threeDayMs),
                 formatAgainstCap(s.weeklyMs, c.weeklyMs), stage, scoreText(event), EventsModel::policyText(event));
    return head + QLatin1Char('\n') + line;
}

QString conversationHtml(const Conversation& c, const QString& citedReason) {
    QString html = QStringLiteral("<p><b>%1</b></p>").arg(escaped(c.title.isEmpty() ? tr("(untitled)") : c.title));
    html += QStringLiteral("<p>%1</p>")
                .arg(tr("%1, %2 min; category %3; source %4; conversation %5")
                         .arg(formatTime(c.startedAt), QLocale().toString(c.durationMinutes(), 'f', 0),
                              c.category.isEmpty() ? QStringLiteral("\u2014") : c.category,
                              c.source.isEmpty() ? QStringLiteral("\u2014") : c.source, c.id)
                         .toHtmlEscaped());
    if (!citedReason.isEmpty()) {
        html += QStringLiteral("<p><i>%1</i> %2</p>")
                    .arg(tr("Cited by the classifier:").toHtmlEscaped(), escaped(citedReason));
    }
    html += QStringLiteral("<p>%1</p>").arg(escaped(c.overview.isEmpty() ? tr("(no overview)") : c.overview));
    return html;
}

int capSharePercent(std::int64_t usedMs, std::int64_t capMs) {
    if (capMs <= 0) {
        return 0;
    }
    return static_cast<int>((usedMs * 100 + capMs / 2) / capMs);
}

} // namespace fairuse::models
