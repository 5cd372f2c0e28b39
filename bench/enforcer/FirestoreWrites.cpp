#include "FirestoreWrites.h"

#include "BenchPopulation.h"
#include "enforcement/EnforcerChanges.h"
#include "firestore/FirestoreCaseStore.h"

#include <QStringList>

#include <chrono>
#include <cstdio>
#include <optional>

namespace fairuse::bench {

using namespace std::chrono_literals;
using services::FirestoreCaseStore;
using services::FirestoreWrite;

namespace {

/** What a write of the commit is, from its document path. */
QString writeName(const FirestoreWrite& w, const ChangeSet& change, const AuditRecord& record) {
    QString name;
    if (w.path == FirestoreCaseStore::statePath(change.uid)) {
        name = QStringLiteral("state");
    } else if (change.newEvent && w.path == FirestoreCaseStore::eventPath(change.uid, change.newEvent->id)) {
        name = QStringLiteral("case");
    } else if (w.path == FirestoreCaseStore::auditPath(record.sequence)) {
        name = QStringLiteral("audit record");
    } else if (w.path == FirestoreCaseStore::idempotencyPath(change.idempotencyKey)) {
        name = QStringLiteral("idempotency key");
    } else if (w.path == FirestoreCaseStore::kAuditHeadPath) {
        name = QStringLiteral("audit head");
    } else {
        name = w.path;
    }
    const qsizetype fields = w.updateMask ? w.updateMask->size() : w.fields.size();
    return QStringLiteral("%1 (%2)").arg(name).arg(fields);
}

struct Scenario {
    const char* what;
    FairUseState before;
    std::optional<ClassifierResult> verdict; ///< nullopt: the expiry sweep (buildExpiryChange)
    QList<TimePoint> history;
};

ClassifierResult verdict(double score, UsageType type) {
    ClassifierResult r;
    r.misuseScore = score;
    r.usageType = type;
    r.confidence = 0.9;
    r.model = QStringLiteral("bench");
    return r;
}

FairUseState staged(Stage stage, TimePoint last, int count) {
    FairUseState s;
    s.uid = QStringLiteral("bench-user");
    s.stage = stage;
    s.updatedAt = last;
    s.lastViolationAt = last;
    s.lastClassifierAt = last;
    s.lastClassifierScore = 0.9;
    s.violationCount7d = count;
    s.violationCount30d = count;
    s.version = QStringLiteral("2026-11-28T12:00:00.000000Z");
    return s;
}

} // namespace

bool printFirestoreWrites(const QString& identity) {
    const enforcement::Policy policy = enforcement::Policy::forReview();
    const enforcement::ServiceIdentity who{identity, QString(), QStringLiteral("bench")};
    const TimePoint now = kBenchNow;
    const SpeechTotals over{9'000'000, 9'000'000, 9'000'000}; // over the basic plan's daily cap

    FairUseState fresh;
    fresh.uid = QStringLiteral("bench-user");
    FairUseState warned = staged(Stage::Warning, now - 48h, 1);
    FairUseState throttled = staged(Stage::Throttle, now - 72h, 2);
    throttled.throttleUntil = now + 96h;
    FairUseState throttleOver = staged(Stage::Throttle, now - 8 * 24h, 2);
    throttleOver.throttleUntil = now - 24h;
    FairUseState restrictOver = staged(Stage::Restrict, now - 31 * 24h, 3);
    restrictOver.restrictUntil = now - 1h;

    const QList<Scenario> scenarios{
        {"1st violation, no state document yet (none -> warning)", fresh, verdict(0.9, UsageType::Audiobook), {}},
        {"2nd violation in 7 days (warning -> throttle)", warned, verdict(0.9, UsageType::Audiobook), {now - 48h}},
        {"3rd violation in 30 days (throttle -> restrict)",
         throttled,
         verdict(0.9, UsageType::Audiobook),
         {now - 240h, now - 72h}},
        {"cap hit, legitimate use (score 0.2)", fresh, verdict(0.2, UsageType::None), {}},
        {"expiry sweep: throttle ended (throttle -> warning)", throttleOver, std::nullopt, {}},
        {"expiry sweep: restriction ended (restrict -> throttle)", restrictOver, std::nullopt, {}},
    };

    std::printf("\n%-56s %7s  %s\n", "commit (FirestoreCaseStore::apply)", "writes", "each write (fields it sets)");
    bool ok = true;
    for (const Scenario& s : scenarios) {
        Result<ChangeSet> change = Error::internal(QStringLiteral("not built"));
        if (s.verdict) {
            enforcement::EnforcementInput input;
            input.state = s.before;
            input.totals = over;
            input.caps = policy.capsFor(Plan::Basic);
            input.now = now;
            input.classifier = s.verdict;
            input.violationHistory = s.history;
            const QString caseId =
                enforcement::enforcerCaseId(s.before.uid, CapWindow::Daily, now, policy.checkInterval);
            input.caseRef = enforcement::enforcerCaseRef(caseId);
            const enforcement::Decision d = enforcement::evaluate(policy, input);
            if (!d.stateChanged) {
                std::printf("%-56s %7d  no commit (%s)\n", s.what, 0, qPrintable(toString(d.action)));
                continue;
            }
            change = enforcement::buildEnforcerChange(policy, s.before, d, who, now, caseId);
        } else {
            change =
                enforcement::buildExpiryChange(s.before, enforcement::applyExpiry(policy, s.before, now), who, now);
        }
        if (!change) {
            std::fprintf(stderr, "%s: %s\n", s.what, qPrintable(change.error().message));
            ok = false;
            continue;
        }
        AuditRecord record = change->audit;
        record.sequence = 2; // the store chains it after the head's record
        int stateIndex = -1;
        int eventIndex = -1;
        QList<FirestoreWrite> writes = FirestoreCaseStore::changeWrites(*change, record, &stateIndex, &eventIndex);
        writes.append(FirestoreCaseStore::headWrite(record, std::nullopt));
        QStringList names;
        for (const FirestoreWrite& w : writes) {
            names.append(writeName(w, *change, record));
        }
        std::printf("%-56s %7lld  %s\n", s.what, static_cast<long long>(writes.size()),
                    qPrintable(names.join(QStringLiteral(", "))));
    }
    std::printf("Around every commit: one batchGet (audit head + idempotency key), and DEL fair_use:stage:{uid} in "
                "Redis;\nper evaluated user: one batchGet (state, exemption, user document); per cap hit: the cases "
                "and\nconversations queries (the classifier's input).\n");
    return ok;
}

} // namespace fairuse::bench
