#include "embedded/DemoAppeals.h"

#include "embedded/DemoRng.h"

#include <QSet>

#include <algorithm>
#include <array>

namespace fairuse::services {

using namespace embedded;
using std::chrono::minutes;

namespace {

/** Throttled and restricted users who appealed their latest case; every fourth appeal is decided, at most this many. */
constexpr double kAppealChance = 0.4;
constexpr int kDecidedAppeals = 2;
constexpr std::uint64_t kAppealSeedSalt = 0xA99EA15ULL;

} // namespace

void addDemoAppeals(DemoPopulation& pop, std::uint64_t seed, const QString& clientVersion) {
    const TimePoint ref = pop.referenceTime;
    DemoRng rng(seed ^ kAppealSeedSalt);
    QSet<QString> bulk;
    for (const DemoUser& u : pop.users) {
        if (u.bulk) {
            bulk.insert(u.uid);
        }
    }
    const std::array messages{
        QStringLiteral("I record my own lectures and listen back to them to study. Nothing is resold or "
                       "published; please look at it again."),
        QStringLiteral("Those were long client calls, back to back, for a conference I organise. I can send the "
                       "agenda if that helps."),
        QStringLiteral("My transcription got slow this week and I did not change anything. Why was I throttled?"),
        QStringLiteral("I am a journalist and transcribe interviews every day. The recordings are my own."),
        QStringLiteral("Please review my account: I think the podcast I listened to in the car was picked up "
                       "by mistake."),
    };
    const std::array channels{QStringLiteral("in_app"), QStringLiteral("support_email")};
    const QString senior = QStringLiteral("sam.senior@fairuse.example");
    int appealed = 0;
    int decided = 0;
    for (const FairUseState& s : pop.states) {
        if (s.stage < Stage::Throttle || bulk.contains(s.uid) || !rng.chance(kAppealChance)) {
            continue;
        }
        const FairUseEvent* contested = nullptr;
        for (const FairUseEvent& e : pop.events) {
            if (e.uid == s.uid && e.caseRef == s.lastCaseRef) {
                contested = &e;
            }
        }
        if (contested == nullptr || contested->createdAt + minutes(30) >= ref) {
            continue;
        }
        Appeal a;
        a.id = QStringLiteral("appeal-") + rng.text(12, "abcdefghijklmnopqrstuvwxyz0123456789");
        a.uid = s.uid;
        const auto span = std::chrono::duration_cast<minutes>(ref - contested->createdAt).count();
        a.createdAt =
            contested->createdAt + minutes(rng.between(20, static_cast<int>(std::max<std::int64_t>(21, span - 10))));
        a.message = rng.pick(messages);
        a.channel = rng.pick(channels);
        a.caseRef = contested->caseRef;
        if (appealed++ % 4 == 3 && decided < kDecidedAppeals && a.createdAt + minutes(10) < ref) {
            ++decided;
            const TimePoint at = a.createdAt + minutes(5);
            a.decision = AppealDecision::Upheld;
            a.decidedBy = senior;
            a.decidedAt = at;
            a.decisionReason =
                QStringLiteral("media_confirmed: The sessions match the classifier's evidence; the case stands.");
            AuditRecord record;
            record.at = at;
            record.reviewer = senior;
            record.role = Role::SeniorReviewer;
            record.action = AuditAction::DecideAppeal;
            record.uid = s.uid;
            record.caseRef = contested->caseRef;
            record.eventId = contested->id;
            record.stageBefore = s.stage;
            record.stageAfter = s.stage;
            record.reason = QStringLiteral("appeal %1 upheld: %2").arg(a.id, a.decisionReason);
            record.clientVersion = clientVersion;
            pop.audit.append(record);
        }
        pop.appeals.append(a);
    }
    std::stable_sort(pop.appeals.begin(), pop.appeals.end(),
                     [](const Appeal& x, const Appeal& y) { return x.createdAt < y.createdAt; });
}

} // namespace fairuse::services
