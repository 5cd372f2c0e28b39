#include "embedded/DemoSpendCases.h"

#include "enforcement/Policy.h"
#include "enforcement/SpendReview.h"

#include <QHash>

namespace fairuse::services {

void addDemoSpendCases(DemoPopulation& pop, const QString& clientVersion) {
    const TimePoint now = pop.referenceTime;
    const LedgerPolicy ledger;
    QHash<QString, QList<LlmSpendRecord>> byUser;
    for (const LlmSpendRecord& r : pop.spend) {
        byUser[r.uid].append(r);
    }
    QHash<QString, FairUseState> states;
    for (const FairUseState& s : pop.states) {
        states.insert(s.uid, s);
    }
    const enforcement::ServiceIdentity service{QString::fromLatin1(kDemoServiceEmail), QString(), clientVersion};
    const QString policy = enforcement::Policy::forReview().label();
    for (const DemoUser& u : pop.users) {
        const auto records = byUser.constFind(u.uid);
        if (records == byUser.cend()) {
            continue;
        }
        const Result<enforcement::SpendStanding> standing =
            enforcement::spendStanding(u.uid, u.plan, *records, ledger, now);
        const std::optional<CapWindow> passed = standing ? enforcement::spendCapPassed(*standing) : std::nullopt;
        if (!passed) {
            continue;
        }
        FairUseState state = states.value(u.uid);
        state.uid = u.uid;
        // Opened at the last review before the reference time: the service reviews spend every check interval.
        const TimePoint at = now - std::chrono::minutes(3);
        const Result<ChangeSet> change = enforcement::buildSpendCaseChange(
            state, *standing, *passed, service, at, enforcement::spendCaseId(u.uid, *passed, at, ledger), policy);
        if (!change) {
            continue;
        }
        pop.events.append(*change->newEvent);
        pop.audit.append(change->audit);
    }
}

} // namespace fairuse::services
