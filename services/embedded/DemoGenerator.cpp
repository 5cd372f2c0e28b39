#include "embedded/DemoGenerator.h"

#include "audit/AuditChain.h"
#include "common/Subscription.h"
#include "embedded/DemoAppeals.h"
#include "embedded/DemoContent.h"
#include "embedded/DemoLabels.h"
#include "embedded/DemoRng.h"
#include "embedded/DemoSpeechDistribution.h"
#include "embedded/DemoSpendCases.h"
#include "embedded/DemoSubscriptions.h"
#include "ledger/PriceTable.h"
#include "metering/Metering.h"

#include <QSet>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace fairuse::services {

using namespace embedded;
using std::chrono::hours;
using std::chrono::minutes;

namespace {
constexpr double kTopUserMinutes = 702.0; // 11.7 h
/** Flagged users are drawn from users at least this heavy, so they really exceed the caps. */
constexpr double kFlaggedMinimumMinutes = 90.0;
constexpr int kHistoryDays = 30; // conversations of flagged users; minute buckets only for the last 7 days
constexpr std::int64_t kSttBudgetMs = 30LL * 60'000;
const QString kClientVersion = QStringLiteral("fairuse-demo/1");

/** One detailed or bulk flagged user while it is being built. */
struct FlaggedPlan {
    int userIndex = 0;
    Stage finalStage = Stage::Warning;
    enum class Kind { Misuse, OpenFalsePositive, ResolvedFalsePositive, LowScore } kind = Kind::Misuse;
    std::array<std::int64_t, kHistoryDays + 7> dayMs{}; ///< per trailing day slot, extended for window sums
    QList<int> eventDays;                               ///< oldest first
};

class Builder {
public:
    explicit Builder(const DemoOptions& o)
        : m_opt(o)
        , m_rng(o.seed)
        , m_prices(PriceTable::defaults()) {
        m_pop.referenceTime = o.referenceTime;
    }

    DemoPopulation build() {
        addReviewers();
        const QList<int> flagged = drawUsers();
        for (int i = 0; i < m_pop.users.size(); ++i) {
            if (m_pop.users[i].profile == DemoProfile::Ordinary) {
                speakOrdinary(m_pop.users[i]);
            }
        }
        for (int index : flagged) {
            buildFlagged(index);
        }
        addBulk();
        addSpend();
        addAppeals();
        addDemoSpendCases(m_pop, kClientVersion);
        chainAudit();
        return std::move(m_pop);
    }

private:
    TimePoint ref() const { return m_opt.referenceTime; }
    TimePoint slotEnd(int day) const { return ref() - hours(24 * day); }

    QString newUid() { return m_rng.text(28, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"); }
    QString newId() { return m_rng.text(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"); }
    QString newCaseRef() {
        for (;;) {
            QString ref = QStringLiteral("FU-") + m_rng.text(12, "0123456789ABCDEF");
            if (!m_caseRefs.contains(ref)) {
                m_caseRefs.insert(ref);
                return ref;
            }
        }
    }

    void addReviewers() {
        m_pop.reviewers = {{QString::fromLatin1(kDemoReviewerEmail), Role::SeniorReviewer},
                           {QStringLiteral("alex.reviewer@fairuse.example"), Role::Reviewer},
                           {QStringLiteral("kim.reviewer@fairuse.example"), Role::Reviewer},
                           {QStringLiteral("sam.senior@fairuse.example"), Role::SeniorReviewer},
                           {QStringLiteral("ops.admin@fairuse.example"), Role::Admin}};
    }

    /** Creates the `users` population with stratified quantiles (tight percentiles at any size), assigns the
     *  flagged kinds to the heaviest users and returns the flagged users' indexes. */
    QList<int> drawUsers() {
        const int n = std::max(m_opt.users, 1);
        QList<double> levels(n);
        for (int i = 0; i < n; ++i) {
            levels[i] = dailyMinutesAtQuantile((i + m_rng.uniform()) / n);
        }
        for (int i = n - 1; i > 0; --i) { // Fisher-Yates with our generator
            std::swap(levels[i], levels[m_rng.between(0, i)]);
        }
        m_pop.users.reserve(n + m_opt.bulkFlagged);
        for (int i = 0; i < n; ++i) {
            DemoUser u;
            u.uid = newUid();
            u.dailySpeechMinutes = levels[i];
            const double planDraw = m_rng.uniform();
            setSubscription(u, embedded::ordinarySubscription(planDraw, ref()));
            u.customStt = m_rng.chance(0.06);
            m_pop.users.append(u);
        }

        QList<int> byLevel(n);
        std::iota(byLevel.begin(), byLevel.end(), 0);
        std::stable_sort(byLevel.begin(), byLevel.end(), [&](int a, int b) {
            return m_pop.users[a].dailySpeechMinutes > m_pop.users[b].dailySpeechMinutes;
        });

        QList<int> flagged;
        if (m_opt.flaggedPerKind <= 0) {
            return flagged;
        }
        // The planted top user: an audiobook farm at 11.7 h a day.
        DemoUser& top = m_pop.users[byLevel[0]];
        top.dailySpeechMinutes = kTopUserMinutes;
        top.profile = DemoProfile::Audiobook;
        setSubscription(top, embedded::flaggedSubscription(true, 0, ref()));
        top.customStt = false;
        flagged.append(byLevel[0]);

        constexpr std::array kinds{DemoProfile::Audiobook, DemoProfile::Podcast, DemoProfile::TvMovie,
                                   DemoProfile::Commercial, DemoProfile::LegitimateHeavy};
        std::array<int, kinds.size()> count{1, 0, 0, 0, 0};
        int next = 1;
        while (next < n) {
            bool placed = false;
            for (std::size_t k = 0; k < kinds.size() && next < n; ++k) {
                if (count[k] >= m_opt.flaggedPerKind) {
                    continue;
                }
                DemoUser& u = m_pop.users[byLevel[next++]];
                // Only when the population is too small for the requested flagged count are users made heavier.
                u.dailySpeechMinutes = std::max(u.dailySpeechMinutes, kFlaggedMinimumMinutes + m_rng.between(0, 40));
                u.profile = kinds[k];
                setSubscription(u, embedded::flaggedSubscription(u.dailySpeechMinutes > 300, count[k], ref()));
                u.customStt = false;
                flagged.append(byLevel[next - 1]);
                ++count[k];
                placed = true;
            }
            if (!placed) {
                break;
            }
        }
        return flagged;
    }

    /** Day weights with mean 1 over the last 7 days; heavy days (events) get more. */
    std::array<double, 7> dayWeights(const QList<int>& heavyDays) {
        std::array<double, 7> w{};
        for (int d = 0; d < 7; ++d) {
            w[d] = heavyDays.contains(d) ? 1.6 : m_rng.between(0.4, 1.2);
        }
        const double mean = std::accumulate(w.begin(), w.end(), 0.0) / 7.0;
        for (double& x : w) {
            x /= mean;
        }
        return w;
    }

    /**
     * Lays `targetMs` of speech out as sessions inside day slot `day`, from 06:00 into the slot on, never touching
     * the minutes at slot edges (so window sums at the reference time equal slot sums whatever the second of now).
     * Returns what was placed; writes buckets for the last 7 days and conversations when `conversations` is set.
     */
    std::int64_t speakDay(const DemoUser& u, int day, std::int64_t targetMs, bool conversations, int& counter,
                          SpeechSource source) {
        const SessionShape shape = shapeOf(u.profile);
        const std::int64_t slotStartMinute = unixMinute(slotEnd(day) - hours(24)) + 1;
        const std::int64_t lastMinute = unixMinute(slotEnd(day)) - 2;
        // Very heavy days start at 01:00 so that a day's sessions and gaps still fit inside the slot.
        const bool heavyDay = targetMs > 8LL * 3'600'000;
        std::int64_t minute = slotStartMinute + (heavyDay ? 60 : 6 * 60 + m_rng.between(0, 90));
        std::int64_t placed = 0;
        while (placed < targetMs && minute < lastMinute) {
            const int length = m_rng.between(shape.minMinutes, shape.maxMinutes);
            const std::int64_t start = minute;
            for (int i = 0; i < length && placed < targetMs && minute < lastMinute; ++i, ++minute) {
                const auto perMinute = static_cast<std::int64_t>(
                    std::min(60'000.0, shape.speechRatio * 60'000.0 * m_rng.between(0.93, 1.05)));
                const std::int64_t ms = std::min(perMinute, targetMs - placed);
                if (day < 7 && ms > 0) {
                    m_pop.minutes.append(DemoMinute{u.uid, source, minute, ms});
                }
                placed += ms;
            }
            if (conversations) {
                const Session s = describeSession(u.profile, m_rng, counter);
                Conversation c;
                c.id = newId();
                c.title = s.title;
                c.overview = s.overview;
                c.category = s.category;
                c.source = toString(source);
                c.startedAt = fromUnixMinute(start);
                c.finishedAt = fromUnixMinute(minute);
                c.createdAt = c.startedAt;
                m_pop.conversations.append(DemoConversation{u.uid, c});
            }
            minute += m_rng.between(shape.minGap, shape.maxGap);
        }
        return placed;
    }

    void speakOrdinary(DemoUser& u) {
        const std::array<double, 7> w = dayWeights({});
        const SpeechSource source = u.customStt
                                        ? SpeechSource::CustomStt
                                        : (m_rng.chance(0.2) ? SpeechSource::SyncFresh : SpeechSource::Realtime);
        int counter = 0;
        for (int d = 0; d < 7; ++d) {
            const auto target = static_cast<std::int64_t>(std::llround(u.dailySpeechMinutes * w[d] * 60'000.0));
            const std::int64_t placed = speakDay(u, d, target, false, counter, source);
            // Speech through the user's own STT is metered but never enforced: not part of the window totals.
            u.dailySpeechMs[d] = source == SpeechSource::CustomStt ? 0 : placed;
        }
    }

    void buildFlagged(int index) {
        DemoUser& u = m_pop.users[index];
        FlaggedPlan plan;
        plan.userIndex = index;
        const int ordinal = m_kindOrdinal[static_cast<int>(u.profile)]++;
        if (u.profile == DemoProfile::LegitimateHeavy) {
            constexpr std::array kinds{FlaggedPlan::Kind::OpenFalsePositive, FlaggedPlan::Kind::ResolvedFalsePositive,
                                       FlaggedPlan::Kind::LowScore};
            plan.kind = kinds[static_cast<std::size_t>(ordinal % 3)];
            plan.finalStage = plan.kind == FlaggedPlan::Kind::LowScore ? Stage::None : Stage::Warning;
        } else {
            const int slot = ordinal % 20;
            plan.finalStage = (ordinal == 0 && u.dailySpeechMinutes >= kTopUserMinutes)
                                  ? Stage::Restrict
                                  : (slot < 8 ? Stage::Warning : (slot < 15 ? Stage::Throttle : Stage::Restrict));
        }
        // Event days, oldest first: the latest within 3 days, then steps within the policy windows.
        const int events = std::max(1, static_cast<int>(plan.finalStage));
        QList<int> days{m_rng.between(0, 3)};
        for (int e = 1; e < events; ++e) {
            days.prepend(days.first() + m_rng.between(1, 5));
        }
        plan.eventDays = days;

        // Speech per day slot: the last 7 days shaped around event days, older days around the user's level.
        std::array<double, 7> w = dayWeights(days);
        if (u.dailySpeechMinutes >= kTopUserMinutes) {
            w.fill(1.0); // the planted top user speaks 11.7 h every day
        }
        const SpeechSource source =
            (u.profile == DemoProfile::Podcast && m_rng.chance(0.4)) ? SpeechSource::SyncFresh : SpeechSource::Realtime;
        int counter = m_rng.between(1, 9);
        for (int d = 0; d < kHistoryDays; ++d) {
            const double weight =
                d < 7 ? w[d]
                      : (u.dailySpeechMinutes >= kTopUserMinutes ? 1.0
                                                                 : (days.contains(d) ? 1.6 : m_rng.between(0.5, 1.2)));
            const auto target = static_cast<std::int64_t>(std::llround(u.dailySpeechMinutes * weight * 60'000.0));
            const std::int64_t placed = u.bulk ? target : speakDay(u, d, target, true, counter, source);
            plan.dayMs[d] = placed;
            if (d < 7) {
                u.dailySpeechMs[d] = placed;
            }
        }
        for (int d = kHistoryDays; d < kHistoryDays + 7; ++d) {
            plan.dayMs[d] = static_cast<std::int64_t>(u.dailySpeechMinutes * 60'000.0);
        }
        writeCases(u, plan);
    }

    /** Events, state, resolutions, audit records, exemptions and STT budget of one flagged user. */
    void writeCases(DemoUser& u, const FlaggedPlan& plan) {
        const Caps caps = Caps::forPlan(u.plan);
        Stage stage = Stage::None;
        QList<FairUseEvent> events;
        for (int i = 0; i < plan.eventDays.size(); ++i) {
            const int day = plan.eventDays[i];
            FairUseEvent e;
            e.id = newId();
            e.uid = u.uid;
            e.createdAt = slotEnd(day) - minutes(m_rng.between(40, 240));
            e.caseRef = newCaseRef();
            e.sessionId = QStringLiteral("sess-") + newId().left(12);
            auto sum = [&](int from, int n) {
                std::int64_t s = 0;
                for (int d = from; d < from + n; ++d) {
                    s += plan.dayMs[d];
                }
                return s;
            };
            e.windowSpeech = SpeechTotals{sum(day, 1), sum(day, 3), sum(day, 7)};
            e.thresholds = caps;
            const QList<CapWindow> hit = metering::capsHit(e.windowSpeech, caps);
            e.trigger = hit.isEmpty() ? CapWindow::Weekly : hit.first();

            ClassifierResult c;
            const bool legit = u.profile == DemoProfile::LegitimateHeavy;
            if (plan.kind == FlaggedPlan::Kind::LowScore) {
                c.misuseScore = m_rng.between(0.05, 0.35);
                c.usageType = UsageType::None;
            } else if (legit) {
                c.misuseScore = m_rng.between(0.70, 0.76);
                c.usageType = m_rng.chance(0.5) ? UsageType::Unknown : UsageType::Prerecorded;
            } else {
                c.misuseScore = m_rng.between(0.78, 0.97);
                c.usageType = usageTypeOf(u.profile);
            }
            c.confidence = m_rng.between(0.62, 0.95);
            c.reasoning = reasoningOf(u.profile);
            c.heuristic = m_rng.chance(0.2);
            c.model = c.heuristic ? QStringLiteral("heuristic") : QStringLiteral("gpt-5.1");
            c.promptVersion = c.heuristic ? QStringLiteral("heuristic-v1") : QStringLiteral("purpose-v3");
            if (!u.bulk) {
                // Cite the user's longest conversations of the week before the event.
                QList<const Conversation*> recent;
                for (const DemoConversation& dc : m_pop.conversations) {
                    if (dc.uid == u.uid && dc.conversation.createdAt <= e.createdAt &&
                        dc.conversation.createdAt >= e.createdAt - hours(24 * 7)) {
                        recent.append(&dc.conversation);
                    }
                }
                std::stable_sort(recent.begin(), recent.end(), [](const Conversation* a, const Conversation* b) {
                    return a->durationMinutes() > b->durationMinutes();
                });
                for (int k = 0; k < std::min<qsizetype>(recent.size(), 5); ++k) {
                    c.evidence.append(Evidence{recent[k]->id, recent[k]->title, evidenceReason(u.profile)});
                }
            }
            e.classifier = c;
            e.previousStage = stage;
            if (plan.kind != FlaggedPlan::Kind::LowScore) {
                stage = static_cast<Stage>(std::min(static_cast<int>(stage) + 1, 3));
            }
            e.newStage = stage;
            e.enforcementAction = actionFor(e.newStage == e.previousStage ? Stage::None : e.newStage);
            if (!u.bulk && !c.heuristic) {
                addClassifierSpend(u, e.createdAt);
            }
            events.append(e);
        }

        // Reviews: older cases mostly confirmed; some latest cases too; false positives cleared by a senior.
        const QString reviewers[] = {QStringLiteral("alex.reviewer@fairuse.example"),
                                     QStringLiteral("kim.reviewer@fairuse.example"),
                                     QString::fromLatin1(kDemoReviewerEmail)};
        std::optional<TimePoint> stateChangedAt;
        for (int i = 0; i < events.size(); ++i) {
            FairUseEvent& e = events[i];
            const bool latest = i == events.size() - 1;
            const TimePoint at = e.createdAt + minutes(m_rng.between(90, 900));
            if (at >= ref() || u.bulk || plan.kind == FlaggedPlan::Kind::LowScore) {
                continue;
            }
            if (plan.kind == FlaggedPlan::Kind::ResolvedFalsePositive) {
                const QString senior = QStringLiteral("sam.senior@fairuse.example");
                resolve(e, at, senior, Role::SeniorReviewer, Outcome::FalsePositive,
                        QStringLiteral("Meetings and conference talks; legitimate heavy use."));
                addLabel(e, u.uid, at, senior, ClassifierVerdict::ModelWrongLegitimate);
                addAudit(at + minutes(1), senior, Role::SeniorReviewer, AuditAction::OverrideStage, u.uid, e,
                         Stage::Warning, Stage::None,
                         QStringLiteral("legitimate_use: False positive: back-to-back meetings"));
                addAudit(at + minutes(2), senior, Role::SeniorReviewer, AuditAction::Exempt, u.uid, e, Stage::None,
                         Stage::None,
                         QStringLiteral("legitimate_use: Conference organiser, verified by support ticket"));
                m_pop.exemptions.append(DemoExemption{u.uid, at + minutes(2), senior});
                stage = Stage::None;
                stateChangedAt = at + minutes(2);
                continue;
            }
            if (plan.kind == FlaggedPlan::Kind::OpenFalsePositive) {
                continue; // waiting for a reviewer: the case the demo invites you to clear
            }
            if ((!latest && m_rng.chance(0.7)) || (latest && m_rng.chance(0.15))) {
                const QString& who = reviewers[m_rng.between(0, 2)];
                const Role role = who == QLatin1String(kDemoReviewerEmail) ? Role::SeniorReviewer : Role::Reviewer;
                resolve(e, at, who, role, Outcome::Confirmed,
                        QStringLiteral("Confirmed: %1.").arg(toString(usageTypeOf(u.profile))));
                addAudit(at, who, role, AuditAction::Resolve, u.uid, e, e.newStage, e.newStage,
                         QStringLiteral("media_confirmed: Evidence matches %1 playback")
                             .arg(toString(usageTypeOf(u.profile))));
                addLabel(e, u.uid, at, who, ClassifierVerdict::ModelRight);
            }
        }
        if (!u.bulk && plan.finalStage == Stage::Restrict && m_rng.chance(0.3)) {
            const FairUseEvent& e = events.last();
            const TimePoint at = std::min(ref() - minutes(5), e.createdAt + minutes(m_rng.between(30, 300)));
            addAudit(at, QString::fromLatin1(kDemoReviewerEmail), Role::SeniorReviewer, AuditAction::AddNote, u.uid, e,
                     Stage::Restrict, Stage::Restrict,
                     QStringLiteral("Asked the user by e-mail to describe their use."));
        }

        const FairUseEvent& last = events.last();
        FairUseState s;
        s.uid = u.uid;
        s.stage = stage;
        s.updatedAt = stateChangedAt.value_or(last.createdAt);
        s.subscription = u.subscription;
        if (plan.kind != FlaggedPlan::Kind::LowScore) {
            s.lastViolationAt = last.createdAt;
            for (const FairUseEvent& e : events) {
                s.violationCount7d += e.createdAt >= ref() - hours(24 * 7) ? 1 : 0;
                s.violationCount30d += e.createdAt >= ref() - hours(24 * 30) ? 1 : 0;
            }
        }
        for (const FairUseEvent& e : events) {
            if (e.newStage == Stage::Throttle && e.previousStage != Stage::Throttle) {
                s.throttleUntil = e.createdAt + hours(24 * 7);
            }
            if (e.newStage == Stage::Restrict && e.previousStage != Stage::Restrict) {
                s.restrictUntil = e.createdAt + hours(24 * 30);
                s.restrictReason = QStringLiteral("Third fair-use violation within 30 days (%1)")
                                       .arg(toString(e.classifier->usageType));
            }
        }
        if (stage == Stage::None) {
            s.throttleUntil.reset();
            s.restrictUntil.reset();
            s.restrictReason.clear();
        }
        s.lastClassifierScore = last.classifier->misuseScore;
        s.lastClassifierType = last.classifier->usageType;
        s.lastClassifierAt = last.createdAt;
        s.lastCaseRef = last.caseRef;
        if (plan.kind == FlaggedPlan::Kind::ResolvedFalsePositive && stage == Stage::None && stateChangedAt) {
            // After the senior's false positive, an admin (only admins may reset) clears the user's history.
            const QString admin = QStringLiteral("ops.admin@fairuse.example");
            const TimePoint resetAt = std::min(*stateChangedAt + minutes(1), ref());
            addAudit(resetAt, admin, Role::Admin, AuditAction::Reset, u.uid, last, Stage::None, Stage::None,
                     QStringLiteral("History cleared after the false positive"));
            s.resetBy = admin;
            s.resetAt = resetAt;
            s.updatedAt = resetAt;
            s.violationCount7d = 0;
            s.violationCount30d = 0;
            s.exempt = true;
        }
        m_pop.states.append(s);
        m_pop.events.append(events);

        if (stage == Stage::Restrict && !u.bulk) {
            const auto restrictedAt = *s.restrictUntil - hours(24 * 30);
            for (int d = 0; d < 4 && ref() - hours(24 * d) >= restrictedAt; ++d) {
                const std::int64_t used = d == 0 ? m_rng.between(0, 30) * 60'000LL
                                                 : (m_rng.chance(0.6) ? kSttBudgetMs : m_rng.between(5, 29) * 60'000LL);
                if (used > 0) {
                    m_pop.sttBudget.append(DemoSttBudget{u.uid, ref() - hours(24 * d), used});
                }
            }
        }
    }

    void resolve(FairUseEvent& e, TimePoint at, const QString& who, Role, Outcome outcome, const QString& notes) {
        e.resolved = true;
        e.resolvedAt = at;
        e.resolvedBy = who;
        e.adminNotes = notes;
        e.outcome = outcome;
    }

    void addLabel(const FairUseEvent& e, const QString& uid, TimePoint at, const QString& who, ClassifierVerdict v) {
        if (std::optional<ClassifierLabel> l = embedded::demoLabel(e, uid, at, who, v)) {
            m_pop.labels.append(*l);
        }
    }

    void addAudit(TimePoint at, const QString& who, Role role, AuditAction action, const QString& uid,
                  const FairUseEvent& e, Stage before, Stage after, const QString& reason) {
        AuditRecord a;
        a.at = at;
        a.reviewer = who;
        a.role = role;
        a.action = action;
        a.uid = uid;
        a.caseRef = e.caseRef;
        a.eventId = e.id;
        a.stageBefore = before;
        a.stageAfter = after;
        a.reason = reason;
        a.clientVersion = kClientVersion;
        m_pop.audit.append(a);
    }

    void addBulk() {
        constexpr std::array kinds{DemoProfile::Audiobook, DemoProfile::Podcast, DemoProfile::TvMovie,
                                   DemoProfile::Commercial};
        for (int i = 0; i < m_opt.bulkFlagged; ++i) {
            DemoUser u;
            u.uid = newUid();
            u.bulk = true;
            u.profile = kinds[static_cast<std::size_t>(i) % kinds.size()];
            setSubscription(u, embedded::flaggedSubscription(false, i, ref()));
            u.dailySpeechMinutes = m_rng.between(130.0, 420.0);
            m_pop.users.append(u);
            buildFlagged(static_cast<int>(m_pop.users.size()) - 1);
        }
    }

    void setSubscription(DemoUser& u, std::optional<Subscription> subscription) {
        u.subscription = std::move(subscription);
        u.plan = effectivePlan(u.subscription, ref());
    }

    void addClassifierSpend(const DemoUser& u, TimePoint at) {
        addSpendRecord(u, at, QStringLiteral("gpt-5.1"), QStringLiteral("classifier"), m_rng.between(3000, 9000),
                       m_rng.between(250, 800));
    }

    void addSpendRecord(const DemoUser& u, TimePoint at, const QString& model, const QString& purpose, int prompt,
                        int completion) {
        LlmSpendRecord r;
        r.uid = u.uid;
        r.at = at;
        r.model = model;
        r.purpose = purpose;
        r.promptTokens = prompt;
        r.completionTokens = completion;
        r.costMicroUsd = m_prices.costMicroUsd(model, prompt, completion).valueOr(0);
        r.customStt = u.customStt;
        r.plan = u.plan;
        m_pop.spend.append(r);
    }

    /** Post-processing calls of platform users and of users who bring their own STT (a few of them heavy). */
    void addSpend() {
        int whales = 0;
        for (const DemoUser& u : m_pop.users) {
            if (u.bulk) {
                continue;
            }
            const bool spender = u.customStt || u.profile != DemoProfile::Ordinary || m_rng.chance(0.15);
            if (!spender) {
                continue;
            }
            const bool whale = u.customStt && whales < 3 && m_rng.chance(0.2);
            whales += whale ? 1 : 0;
            for (int d = 0; d < 14; ++d) {
                const int calls =
                    whale ? m_rng.between(150, 300) : (u.customStt ? m_rng.between(4, 30) : m_rng.between(0, 6));
                for (int k = 0; k < calls; ++k) {
                    const TimePoint at = slotEnd(d) - minutes(m_rng.between(2, 24 * 60 - 2));
                    const double p = m_rng.uniform();
                    if (p < 0.6) {
                        addSpendRecord(
                            u, at, m_rng.chance(0.5) ? QStringLiteral("gpt-4.1-mini") : QStringLiteral("gpt-5-mini"),
                            QStringLiteral("structuring"), m_rng.between(800, whale ? 16000 : 6000),
                            m_rng.between(150, 1500));
                    } else if (p < 0.85) {
                        addSpendRecord(u, at, QStringLiteral("gpt-4o-mini"), QStringLiteral("memory_extraction"),
                                       m_rng.between(600, 4000), m_rng.between(100, 600));
                    } else {
                        addSpendRecord(u, at, QStringLiteral("gpt-5-mini"), QStringLiteral("post_processing"),
                                       m_rng.between(500, 3000), m_rng.between(100, 900));
                    }
                }
            }
        }
        std::stable_sort(m_pop.spend.begin(), m_pop.spend.end(),
                         [](const LlmSpendRecord& a, const LlmSpendRecord& b) { return a.at < b.at; });
    }

    /** Appeals (embedded/DemoAppeals.h), with the decide_appeal records of the decided ones. */
    void addAppeals() { addDemoAppeals(m_pop, m_opt.seed, kClientVersion); }

    void chainAudit() {
        std::stable_sort(m_pop.audit.begin(), m_pop.audit.end(),
                         [](const AuditRecord& a, const AuditRecord& b) { return a.at < b.at; });
        for (int i = 0; i < m_pop.audit.size(); ++i) {
            m_pop.audit[i] = fairuse::chain(i == 0 ? nullptr : &m_pop.audit[i - 1], m_pop.audit[i]);
        }
    }

    DemoOptions m_opt;
    DemoRng m_rng;
    PriceTable m_prices;
    DemoPopulation m_pop;
    QSet<QString> m_caseRefs;
    std::array<int, 6> m_kindOrdinal{};
};

} // namespace

DemoPopulation generateDemoPopulation(const DemoOptions& options) {
    return Builder(options).build();
}

} // namespace fairuse::services
