#include "enforcement/ShadowComparison.h"

#include "enforcement/Enforcement.h"

#include <algorithm>
#include <vector>

namespace fairuse::enforcement {

namespace {

using std::chrono::seconds;

bool isExpiryAction(const QString& action) {
    const std::optional<Action> a = actionFromString(action);
    return a == Action::RestrictExpiredToThrottle || a == Action::ThrottleExpiredToWarning;
}

/** How the service's decision takes part in the comparison. */
enum class Kind { Acts, Expires, Quiet };

Kind kindOf(const ShadowDecision& d) {
    if (!d.caseId.isEmpty()) {
        return Kind::Acts;
    }
    if (d.stageAfter != d.stageBefore) {
        return d.expiry || isExpiryAction(d.action) ? Kind::Expires : Kind::Acts;
    }
    return Kind::Quiet;
}

struct BackendCase {
    const FairUseEvent* event = nullptr;
    bool used = false;
};

/** The user's unused backend case nearest to `at` within `window` (with new stage `stage`, when given); nullptr when
 *  there is none. */
BackendCase* nearest(std::vector<BackendCase>& cases, TimePoint at, seconds window, std::optional<Stage> stage) {
    const auto distanceTo = [at](const BackendCase& c) {
        return c.event->createdAt > at ? c.event->createdAt - at : at - c.event->createdAt;
    };
    BackendCase* best = nullptr;
    for (BackendCase& c : cases) {
        if (c.used || distanceTo(c) > window || (stage && c.event->newStage != *stage)) {
            continue;
        }
        if (best == nullptr || distanceTo(c) < distanceTo(*best)) {
            best = &c;
        }
    }
    return best;
}

QString stageName(Stage s) {
    return toString(s);
}

} // namespace

TimePoint checkIntervalStart(TimePoint t, std::chrono::seconds checkInterval) {
    const std::int64_t interval = std::max<std::int64_t>(1, checkInterval.count());
    const std::int64_t s = std::chrono::floor<seconds>(t).time_since_epoch().count();
    const std::int64_t floored = s >= 0 ? s / interval * interval : (s - interval + 1) / interval * interval;
    return TimePoint{seconds{floored}};
}

QString shadowDecisionId(const QString& uid, TimePoint intervalStart) {
    return uid + QLatin1Char('_') +
           QString::number(std::chrono::floor<seconds>(intervalStart).time_since_epoch().count());
}

QString toString(ShadowVerdict v) {
    switch (v) {
    case ShadowVerdict::Agree:
        return QStringLiteral("agree");
    case ShadowVerdict::ServiceOnly:
        return QStringLiteral("service_only");
    case ShadowVerdict::BackendOnly:
        return QStringLiteral("backend_only");
    case ShadowVerdict::StageDiffers:
        return QStringLiteral("stage_differs");
    }
    return QString();
}

bool backendCaseActed(const FairUseEvent& event) {
    if (event.newStage != event.previousStage) {
        return true;
    }
    const QString action = event.enforcementAction.trimmed().toLower();
    return !action.isEmpty() && action != QLatin1String("none") && action != QLatin1String("legitimate_use") &&
           action != QLatin1String("cooldown_skip") && action != QLatin1String("no_action");
}

ShadowComparison compareShadow(const ShadowComparisonInput& input) {
    const auto inPeriod = [&](TimePoint t) { return t >= input.from && t < input.to; };

    QList<const ShadowDecision*> decisions;
    for (const ShadowDecision& d : input.shadow) {
        if (inPeriod(d.passAt)) {
            decisions.append(&d);
        }
    }
    // The service watched from its first recorded decision to its last: backend cases outside that span say nothing
    // about the service (it was not running, or not yet), so they are left out.
    std::optional<TimePoint> first;
    std::optional<TimePoint> last;
    for (const ShadowDecision* d : decisions) {
        first = first ? std::min(*first, d->passAt) : d->passAt;
        last = last ? std::max(*last, d->passAt) : d->passAt;
    }
    QHash<QString, std::vector<BackendCase>> cases;
    for (const FairUseEvent& e : input.backendCases) {
        // The service's own cases (it may enforce live on other users) are not the backend's decisions.
        if (first && inPeriod(e.createdAt) && e.createdAt >= *first - input.matchWindow &&
            e.createdAt <= *last + input.matchWindow && !e.id.startsWith(QLatin1String("enf_")) &&
            backendCaseActed(e)) {
            cases[e.uid].push_back(BackendCase{&e, false});
        }
    }

    std::stable_sort(decisions.begin(), decisions.end(),
                     [](const ShadowDecision* x, const ShadowDecision* y) { return x->passAt < y->passAt; });
    // Matching in three rounds, so that a decision never takes the case another agrees with: decisions that act with
    // a case of the same stage, then decisions that act with any case, then quiet decisions with what is left.
    std::vector<const FairUseEvent*> matched(static_cast<std::size_t>(decisions.size()), nullptr);
    const auto round = [&](bool acting, bool sameStage) {
        for (qsizetype i = 0; i < decisions.size(); ++i) {
            const ShadowDecision& d = *decisions.at(i);
            const Kind kind = kindOf(d);
            if (matched[static_cast<std::size_t>(i)] != nullptr || kind == Kind::Expires ||
                (kind == Kind::Acts) != acting) {
                continue;
            }
            auto found = cases.find(d.uid);
            if (found == cases.end()) {
                continue;
            }
            BackendCase* c = nearest(found.value(), d.passAt, input.matchWindow,
                                     sameStage ? std::optional<Stage>(d.stageAfter) : std::nullopt);
            if (c != nullptr) {
                c->used = true;
                matched[static_cast<std::size_t>(i)] = c->event;
            }
        }
    };
    round(true, true);
    round(true, false);
    round(false, false);

    ShadowComparison out;
    const auto add = [&out](ShadowComparisonRow row) {
        switch (row.verdict) {
        case ShadowVerdict::Agree:
            ++out.agree;
            break;
        case ShadowVerdict::ServiceOnly:
            ++out.serviceOnly;
            break;
        case ShadowVerdict::BackendOnly:
            ++out.backendOnly;
            break;
        case ShadowVerdict::StageDiffers:
            ++out.stageDiffers;
            break;
        }
        out.rows.append(std::move(row));
    };

    for (qsizetype i = 0; i < decisions.size(); ++i) {
        const ShadowDecision* d = decisions.at(i);
        ShadowComparisonRow row;
        row.uid = d->uid;
        row.at = d->passAt;
        row.shadow = *d;
        row.serviceStage = d->stageAfter;
        const Kind kind = kindOf(*d);
        if (kind == Kind::Expires) {
            const auto state = input.backendStates.constFind(d->uid);
            if (state == input.backendStates.constEnd()) {
                row.verdict = ShadowVerdict::ServiceOnly;
                row.reason = QStringLiteral("the service would lower %1 to %2; the backend has no state")
                                 .arg(stageName(d->stageBefore), stageName(d->stageAfter));
            } else {
                row.backendStage = state->stage;
                if (state->stage == d->stageBefore) {
                    row.verdict = ShadowVerdict::ServiceOnly;
                    row.reason = QStringLiteral("the service would lower %1 to %2; the backend still has %1")
                                     .arg(stageName(d->stageBefore), stageName(d->stageAfter));
                } else {
                    row.verdict = ShadowVerdict::Agree;
                    row.reason = QStringLiteral("both lowered %1 (the backend is at %2)")
                                     .arg(stageName(d->stageBefore), stageName(state->stage));
                }
            }
            add(std::move(row));
            continue;
        }
        const FairUseEvent* match = matched[static_cast<std::size_t>(i)];
        if (match != nullptr) {
            row.backendCase = *match;
            row.backendStage = match->newStage;
        }
        if (kind == Kind::Acts && match == nullptr) {
            row.verdict = ShadowVerdict::ServiceOnly;
            row.reason = QStringLiteral("the service would %1 (%2 to %3); the backend made no case")
                             .arg(d->action, stageName(d->stageBefore), stageName(d->stageAfter));
        } else if (kind == Kind::Acts && match->newStage != d->stageAfter) {
            row.verdict = ShadowVerdict::StageDiffers;
            row.reason = QStringLiteral("the service would set %1, the backend set %2 (case %3)")
                             .arg(stageName(d->stageAfter), stageName(match->newStage), match->caseRef);
        } else if (kind == Kind::Acts) {
            row.verdict = ShadowVerdict::Agree;
            row.reason = QStringLiteral("both set %1 (case %2)").arg(stageName(d->stageAfter), match->caseRef);
        } else if (match != nullptr) {
            row.verdict = ShadowVerdict::BackendOnly;
            row.reason = QStringLiteral("the backend set %1 (case %2); the service would not act (%3)")
                             .arg(stageName(match->newStage), match->caseRef, d->action);
        } else {
            row.verdict = ShadowVerdict::Agree;
            row.reason = QStringLiteral("neither acted (the service: %1)").arg(d->action);
        }
        add(std::move(row));
    }

    for (auto it = cases.cbegin(); it != cases.cend(); ++it) {
        for (const BackendCase& c : it.value()) {
            if (c.used) {
                continue;
            }
            ShadowComparisonRow row;
            row.uid = c.event->uid;
            row.at = c.event->createdAt;
            row.backendCase = *c.event;
            row.backendStage = c.event->newStage;
            row.verdict = ShadowVerdict::BackendOnly;
            row.reason = QStringLiteral("the backend set %1 (case %2); the service recorded no decision")
                             .arg(stageName(c.event->newStage), c.event->caseRef);
            add(std::move(row));
        }
    }

    std::stable_sort(out.rows.begin(), out.rows.end(), [](const ShadowComparisonRow& a, const ShadowComparisonRow& b) {
        if (a.disagrees() != b.disagrees()) {
            return a.disagrees();
        }
        if (a.at != b.at) {
            return a.at > b.at;
        }
        return a.uid < b.uid;
    });
    return out;
}

} // namespace fairuse::enforcement
