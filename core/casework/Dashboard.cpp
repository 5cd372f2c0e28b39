#include "casework/Dashboard.h"

#include <QHash>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace fairuse::casework {

namespace {

TimePoint dayStartOf(TimePoint t) {
    return TimePoint{std::chrono::floor<std::chrono::days>(t)};
}

bool inPeriod(TimePoint t, TimePoint from, TimePoint to) {
    return t >= from && t < to;
}

/** Records in the order they happened; the chain sequence breaks ties between records of one millisecond. */
QList<const AuditRecord*> chronological(const QList<AuditRecord>& audit) {
    QList<const AuditRecord*> out;
    out.reserve(audit.size());
    for (const AuditRecord& r : audit) {
        out.append(&r);
    }
    std::sort(out.begin(), out.end(), [](const AuditRecord* a, const AuditRecord* b) {
        return a->at != b->at ? a->at < b->at : a->sequence < b->sequence;
    });
    return out;
}

QList<QueuePoint> queueOverTime(const QList<FairUseEvent>& cases, const QList<TimePoint>& days, TimePoint to) {
    // Sorted open and close instants make each day's count a pair of binary searches; the oldest open case is the
    // first, in creation order, not closed by then.
    std::vector<const FairUseEvent*> byCreation;
    std::vector<TimePoint> closes;
    byCreation.reserve(static_cast<std::size_t>(cases.size()));
    for (const FairUseEvent& c : cases) {
        if (c.resolved && (!c.resolvedAt || *c.resolvedAt < c.createdAt)) {
            continue; // never open as far as the queue can tell
        }
        byCreation.push_back(&c);
        if (c.resolved) {
            closes.push_back(*c.resolvedAt);
        }
    }
    std::sort(byCreation.begin(), byCreation.end(),
              [](const FairUseEvent* a, const FairUseEvent* b) { return a->createdAt < b->createdAt; });
    std::sort(closes.begin(), closes.end());

    QList<QueuePoint> out;
    out.reserve(days.size());
    std::size_t oldestCandidate = 0;
    for (const TimePoint day : days) {
        QueuePoint p;
        p.dayStart = day;
        p.at = std::min(day + std::chrono::days(1), to);
        const auto created = std::upper_bound(byCreation.begin(), byCreation.end(), p.at,
                                              [](TimePoint t, const FairUseEvent* c) { return t < c->createdAt; }) -
                             byCreation.begin();
        const auto closed = std::upper_bound(closes.begin(), closes.end(), p.at) - closes.begin();
        p.openCases = static_cast<int>(created - closed);
        // Cases closed by an earlier day's end stay closed, so the scan resumes where the previous day stopped.
        while (oldestCandidate < static_cast<std::size_t>(created)) {
            const FairUseEvent* c = byCreation[oldestCandidate];
            if (!c->resolved || *c->resolvedAt > p.at) {
                break;
            }
            ++oldestCandidate;
        }
        if (oldestCandidate < static_cast<std::size_t>(created)) {
            p.oldestOpenAge = p.at - byCreation[oldestCandidate]->createdAt;
        }
        out.append(p);
    }
    return out;
}

} // namespace

bool isDecision(AuditAction action) {
    return action == AuditAction::Resolve || action == AuditAction::OverrideStage ||
           action == AuditAction::DecideAppeal || action == AuditAction::ManualReview;
}

QList<AuditAction> dashboardActions() {
    return {AuditAction::Claim,         AuditAction::TakeOverClaim, AuditAction::ReleaseClaim, AuditAction::Resolve,
            AuditAction::OverrideStage, AuditAction::DecideAppeal,  AuditAction::ManualReview};
}

std::optional<Milliseconds> median(QList<Milliseconds> samples) {
    if (samples.isEmpty()) {
        return std::nullopt;
    }
    std::sort(samples.begin(), samples.end());
    const qsizetype mid = samples.size() / 2;
    if (samples.size() % 2 == 1) {
        return samples.at(mid);
    }
    return Milliseconds{(samples.at(mid - 1).count() + samples.at(mid).count()) / 2};
}

QList<Milliseconds> claimToDecisionTimes(const QList<AuditRecord>& audit, TimePoint from, TimePoint to) {
    struct Held {
        QString reviewer;
        TimePoint since{};
    };
    QHash<QString, Held> holders; // by user id: who holds the user's case, since when
    QList<Milliseconds> out;
    for (const AuditRecord* r : chronological(audit)) {
        switch (r->action) {
        case AuditAction::Claim:
        case AuditAction::TakeOverClaim:
            holders.insert(r->uid, Held{r->reviewer, r->at});
            break;
        case AuditAction::ReleaseClaim: {
            const auto it = holders.constFind(r->uid);
            if (it != holders.cend() && it->reviewer == r->reviewer) {
                holders.erase(it);
            }
            break;
        }
        default:
            if (isDecision(r->action)) {
                const auto it = holders.constFind(r->uid);
                if (it != holders.cend() && it->reviewer == r->reviewer) {
                    if (inPeriod(r->at, from, to)) {
                        out.append(r->at - it->since);
                    }
                    holders.erase(it);
                }
            }
            break;
        }
    }
    return out;
}

int slaBreaches(const QList<FairUseEvent>& cases, TimePoint from, TimePoint to, Milliseconds sla) {
    int breaches = 0;
    for (const FairUseEvent& c : cases) {
        if (c.resolved && !c.resolvedAt) {
            continue;
        }
        const TimePoint deadline = c.createdAt + sla;
        if (!inPeriod(deadline, from, to)) {
            continue;
        }
        if (!c.resolved || *c.resolvedAt > deadline) {
            ++breaches;
        }
    }
    return breaches;
}

DashboardFigures computeDashboard(const DashboardInput& input, TimePoint from, TimePoint to, Milliseconds sla) {
    DashboardFigures f;
    f.from = from;
    f.to = to;
    f.sla = sla;
    if (to <= from) {
        return f;
    }
    for (TimePoint day = dayStartOf(from); day < to; day += std::chrono::days(1)) {
        f.days.append(day);
    }
    const TimePoint firstDay = f.days.first();

    QMap<QString, ReviewerDecisions> byReviewer;
    for (const AuditRecord& r : input.audit) {
        if (!isDecision(r.action) || !inPeriod(r.at, from, to)) {
            continue;
        }
        ReviewerDecisions& d = byReviewer[r.reviewer];
        if (d.perDay.isEmpty()) {
            d.reviewer = r.reviewer;
            d.perDay.fill(0, f.days.size());
        }
        const auto day = std::chrono::floor<std::chrono::days>(r.at - firstDay).count();
        ++d.perDay[static_cast<qsizetype>(day)];
        ++d.total;
        ++f.totalDecisions;
    }
    f.decisions = byReviewer.values();

    const QList<Milliseconds> times = claimToDecisionTimes(input.audit, from, to);
    f.claimToDecisionSamples = static_cast<int>(times.size());
    f.medianClaimToDecision = median(times);

    f.queue = queueOverTime(input.cases, f.days, to);
    f.slaBreaches = slaBreaches(input.cases, from, to, sla);

    QSet<QString> seenAppeals;
    for (const Appeal& a : input.appeals) {
        if (!a.decision || !a.decidedAt || !inPeriod(*a.decidedAt, from, to)) {
            continue;
        }
        const QString key = a.uid + QLatin1Char('/') + a.id;
        if (seenAppeals.contains(key)) {
            continue;
        }
        seenAppeals.insert(key);
        ++(*a.decision == AppealDecision::Upheld ? f.appealsUpheld : f.appealsOverturned);
    }

    QMap<int, UsageOverturn> byUsage;
    for (const FairUseEvent& c : input.cases) {
        if (!c.resolved || !c.resolvedAt || !inPeriod(*c.resolvedAt, from, to) || c.freeCreditsExhausted) {
            continue;
        }
        const UsageType type = c.classifier ? c.classifier->usageType : UsageType::Unknown;
        UsageOverturn& u = byUsage[static_cast<int>(type)];
        u.usageType = type;
        ++u.resolved;
        if (c.outcome == Outcome::FalsePositive) {
            ++u.falsePositives;
        }
    }
    f.overturnByUsage = byUsage.values();
    return f;
}

} // namespace fairuse::casework
