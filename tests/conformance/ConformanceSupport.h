#pragma once
// What the conformance suites share: the population every case-store test starts from, the subjects (a store under
// test and a way to seed it as the backend writes its data, not through the store), and waiting for store calls.

#include "common/Await.h"
#include "common/Stores.h"
#include "common/Time.h"

#include <QTest>

#include <functional>
#include <memory>

namespace fairuse::conformance {

/** A time written as RFC 3339 in a test (must be valid). */
inline TimePoint at(const char* s) {
    return parseRfc3339(QString::fromLatin1(s)).value();
}

/** Waits for a store call; the emulator can be slow on a loaded machine. */
template <typename T>
Result<T> wait(const services::Async<T>& f) {
    return services::awaitResult(f, 180000);
}

inline QString why(const Error& e) {
    return QStringLiteral("kind %1: %2").arg(int(e.kind)).arg(e.message);
}

/** What a backend holds before a test, written the way the backend and the seeder write it. */
struct Population {
    QList<FairUseState> states;
    QList<FairUseEvent> events; ///< each with its uid and id
    QList<std::pair<QString, Conversation>> conversations;
    QList<LlmSpendRecord> spend;
    QList<Reviewer> reviewers;
    QList<Appeal> appeals; ///< each with its uid and id, as the app writes them (open unless decided)
};

/** One case store under test. */
struct CaseStoreSubject {
    std::shared_ptr<services::CaseStore> store;
    std::function<Status(const Population&)> seed;
    /** What the store needs alive (its folder, its client). */
    std::shared_ptr<void> keep;
};

/** A new, empty case store for one test. */
using CaseStoreFactory = std::function<Result<CaseStoreSubject>()>;

/** One usage store under test, with the backend's own way to add STT budget and a stage to the cache. */
struct UsageStoreSubject {
    std::shared_ptr<services::UsageStore> store;
    std::function<Status(const QString& uid, TimePoint day, std::int64_t ms)> addSttBudget;
    std::shared_ptr<void> keep;
};

using UsageStoreFactory = std::function<Result<UsageStoreSubject>()>;

/** What a conformance suite holds: the factory of its subjects and the subject of the running test function. */
template <typename Subject>
class SuiteSubject {
public:
    explicit SuiteSubject(std::function<Result<Subject>()> factory)
        : m_factory(std::move(factory)) {}

protected:
    /** The subject's store. */
    auto& store() { return *m_subject.store; }

    /** A new subject from the factory, for the test function about to run. */
    Status renewSubject() {
        auto subject = m_factory();
        if (!subject) {
            return subject.error();
        }
        m_subject = subject.value();
        return {};
    }

    std::function<Result<Subject>()> m_factory;
    Subject m_subject;
};

/** The case references of the population (stored form). */
inline const QString kAliceOpenRef = QStringLiteral("FU-0A1B2C3D4E5F");
inline const QString kAliceClosedRef = QStringLiteral("FU-00000000A11C");
inline const QString kBobOpenRef = QStringLiteral("FU-B0B000000001");
inline const QString kCarolRef = QStringLiteral("FU-CA201000000F");

inline FairUseState flaggedState(const QString& uid, Stage stage, const char* updatedAt, double score, UsageType type) {
    FairUseState s;
    s.uid = uid;
    s.stage = stage;
    s.updatedAt = at(updatedAt);
    s.lastViolationAt = at(updatedAt);
    s.violationCount7d = static_cast<int>(stage);
    s.violationCount30d = static_cast<int>(stage);
    s.lastClassifierScore = score;
    s.lastClassifierType = type;
    s.lastClassifierAt = at(updatedAt);
    if (stage == Stage::Throttle) {
        s.throttleUntil = *s.updatedAt + std::chrono::hours(24 * 7);
    }
    if (stage == Stage::Restrict) {
        s.restrictUntil = *s.updatedAt + std::chrono::hours(24 * 30);
        s.restrictReason = QStringLiteral("third violation in 30 days");
    }
    return s;
}

inline FairUseEvent event(const QString& uid, const QString& id, const QString& ref, const char* createdAt,
                          Stage before, Stage after, bool resolved) {
    FairUseEvent e;
    e.uid = uid;
    e.id = id;
    e.caseRef = ref;
    e.createdAt = at(createdAt);
    e.sessionId = QStringLiteral("session-") + id;
    e.trigger = CapWindow::Daily;
    e.windowSpeech = SpeechTotals{8'000'000, 9'000'000, 10'000'000};
    e.enforcementAction = toString(after);
    e.previousStage = before;
    e.newStage = after;
    e.resolved = resolved;
    if (resolved) {
        e.resolvedAt = e.createdAt + std::chrono::hours(1);
        e.resolvedBy = QStringLiteral("senior@example.com");
        e.outcome = Outcome::Confirmed;
    }
    return e;
}

/**
 * Flagged users alice (warning, 10:00), bob (throttle, 11:00), carol (restrict, 09:00) and q01..q09 (warning, one
 * minute apart before 08:00), dave in stage none (never in the queue). alice has an open and a resolved case, bob an
 * open one, carol a resolved one; alice has five conversations; spend of alice and bob over three days; one senior
 * reviewer; carol appealed her restriction twice (one upheld, one open), alice her warning once (open).
 */
inline Population standardPopulation() {
    Population p;
    p.states = {
        flaggedState(QStringLiteral("alice"), Stage::Warning, "2026-03-20T10:00:00Z", 0.9, UsageType::Audiobook),
        flaggedState(QStringLiteral("bob"), Stage::Throttle, "2026-03-20T11:00:00Z", 0.8, UsageType::Podcast),
        flaggedState(QStringLiteral("carol"), Stage::Restrict, "2026-03-20T09:00:00Z", 0.95, UsageType::Commercial),
        flaggedState(QStringLiteral("dave"), Stage::None, "2026-03-20T12:00:00Z", 0.1, UsageType::None)};
    for (int i = 1; i <= 9; ++i) {
        FairUseState s = flaggedState(QStringLiteral("q%1").arg(i, 2, 10, QLatin1Char('0')), Stage::Warning,
                                      "2026-03-20T08:00:00Z", 0.75, UsageType::Prerecorded);
        s.updatedAt = *s.updatedAt - std::chrono::minutes(i);
        p.states.append(s);
    }
    p.events = {event(QStringLiteral("alice"), QStringLiteral("e1"), kAliceOpenRef, "2026-03-20T09:55:00Z", Stage::None,
                      Stage::Warning, false),
                event(QStringLiteral("alice"), QStringLiteral("e0"), kAliceClosedRef, "2026-03-10T09:55:00Z",
                      Stage::None, Stage::Warning, true),
                event(QStringLiteral("bob"), QStringLiteral("e2"), kBobOpenRef, "2026-03-20T10:55:00Z", Stage::Warning,
                      Stage::Throttle, false),
                event(QStringLiteral("carol"), QStringLiteral("e3"), kCarolRef, "2026-03-20T08:55:00Z", Stage::Throttle,
                      Stage::Restrict, true)};
    for (int i = 0; i < 5; ++i) {
        Conversation c;
        c.id = QStringLiteral("c%1").arg(i);
        c.title = QStringLiteral("Chapter %1").arg(i);
        c.overview = QStringLiteral("Reading chapter %1 aloud").arg(i);
        c.category = QStringLiteral("education");
        c.source = QStringLiteral("phone");
        c.createdAt = at("2026-03-19T08:00:00Z") + std::chrono::hours(4 * i);
        c.startedAt = c.createdAt - std::chrono::minutes(70);
        c.finishedAt = c.createdAt;
        p.conversations.append({QStringLiteral("alice"), c});
    }
    for (int day = 0; day < 3; ++day) {
        for (const QString& uid : {QStringLiteral("alice"), QStringLiteral("bob")}) {
            LlmSpendRecord r;
            r.uid = uid;
            r.at = at("2026-03-18T12:00:00Z") + std::chrono::hours(24 * day);
            r.model = QStringLiteral("gpt-4o-mini");
            r.purpose = QStringLiteral("structuring");
            r.promptTokens = 1000 * (day + 1);
            r.completionTokens = 100;
            r.costMicroUsd = 150 * (day + 1) + (uid == QLatin1String("bob") ? 7 : 0);
            r.customStt = uid == QLatin1String("alice");
            r.plan = Plan::Basic;
            p.spend.append(r);
        }
    }
    p.reviewers = {Reviewer{QStringLiteral("senior@example.com"), Role::SeniorReviewer, QString()}};
    const auto appeal = [](const char* uid, const char* id, const QString& ref, const char* createdAt,
                           const char* channel) {
        Appeal a;
        a.uid = QString::fromLatin1(uid);
        a.id = QString::fromLatin1(id);
        a.caseRef = ref;
        a.createdAt = at(createdAt);
        a.message = QStringLiteral("Please look again: %1").arg(a.id);
        a.channel = QString::fromLatin1(channel);
        return a;
    };
    Appeal decided = appeal("carol", "ap0", kCarolRef, "2026-03-20T09:30:00Z", "email");
    decided.decision = AppealDecision::Upheld;
    decided.decidedBy = QStringLiteral("senior@example.com");
    decided.decidedAt = at("2026-03-20T09:45:00Z");
    decided.decisionReason = QStringLiteral("commercial audio every night");
    p.appeals = {decided, appeal("carol", "ap1", kCarolRef, "2026-03-20T10:30:00Z", "app"),
                 appeal("alice", "ap2", kAliceOpenRef, "2026-03-20T10:05:00Z", "support")};
    return p;
}

/** The reviewer every test acts as. */
inline Reviewer actingReviewer() {
    return Reviewer{QStringLiteral("senior@example.com"), Role::SeniorReviewer, QStringLiteral("senior-uid")};
}

} // namespace fairuse::conformance

/** Fails the test with the error's reason unless `expr` (a Result or Status, evaluated once) is ok. */
#define CONFORM_OK(expr)                                                                                               \
    do {                                                                                                               \
        const auto& conformOk_ = (expr);                                                                               \
        QVERIFY2(conformOk_.ok(),                                                                                      \
                 qPrintable(conformOk_.ok() ? QString() : fairuse::conformance::why(conformOk_.error())));             \
    } while (false)
