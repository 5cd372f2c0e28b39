#pragma once
// The users the enforcer's end-to-end tests seed (EnforcerE2ETest on redis-server, EnforcerClusterTest on a Redis
// Cluster): their speech in the backend's own Redis key layout, their conversations, subscriptions, states and
// earlier cases in Firestore, and what a pass must decide for each, computed with the core (never hard-coded).

#include "TestTime.h"

#include "common/Await.h"

#include "classifier/HeuristicClassifier.h"
#include "common/Subscription.h"
#include "enforcement/Enforcement.h"
#include "enforcement/EnforcerChanges.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/UserDocument.h"
#include "metering/Metering.h"

#include <QByteArray>
#include <QEventLoop>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QTest>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace fairuse::testing::enforcer {

using namespace std::chrono_literals;

inline const QString kIdentity = QStringLiteral("enforcer@fairuse.example");
inline const TimePoint kT = at("2026-12-01T12:00:00Z");
inline const enforcement::Policy kPolicy = enforcement::Policy::forReview();

enum class Kind { Audiobook, Meeting, Light };

/** One seeded user and everything the pass will read about them. */
struct User {
    QString uid;
    Kind kind = Kind::Light;
    std::int64_t speechMs = 0; ///< spread over the 3 hours before kT: daily = 3-day = weekly
    bool v2 = false;
    bool junkValue = false;
    std::optional<Subscription> subscription;
    FairUseState state; ///< version empty: no state document
    QList<FairUseEvent> events;
    QList<Conversation> conversations;
    /** What the LLM classifier answers for this user (EnforcerLlmE2ETest); nullopt: the heuristic classifies. */
    std::optional<ClassifierResult> verdict;
    /** The classifier call fails for this user: the pass writes nothing for them. */
    bool classifierFails = false;
};

struct Expected {
    enforcement::Decision decision;
    QString caseId;
};

/** What one run of the binary printed: decision lines, range lines and the summary. */
struct Run {
    int exitCode = -1;
    QList<QJsonObject> decisions;
    QList<QJsonObject> ranges; ///< the range lines (RangeLeases.h): range, users, evaluated, outcome
    QJsonObject summary;
    QString err;
    qint64 ms = 0;
};

/** Sorts the JSON lines of an enforcer's standard output into `run`. */
inline void readLines(const QByteArray& out, Run& run) {
    for (const QByteArray& line : out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains(QStringLiteral("summary"))) {
            run.summary = o.value(QStringLiteral("summary")).toObject();
        } else if (o.contains(QStringLiteral("range"))) {
            run.ranges.append(o);
        } else if (!o.isEmpty()) {
            run.decisions.append(o);
        }
    }
}

/**
 * Runs the built enforcer (FAIRUSE_ENFORCER_EXE) with `args` and `env`, the test's event loop spinning meanwhile so
 * that servers living in the test process (the scripted LLM server, TCP proxies) keep answering; `onLine` sees each
 * standard-output line as it arrives. Killed after three minutes.
 */
inline Run runEnforcerAsync(const QStringList& args, const QProcessEnvironment& env,
                            const std::function<void(const QJsonObject&)>& onLine = {}) {
    QProcess p;
    p.setProcessEnvironment(env);
    QByteArray out;
    QEventLoop loop;
    QObject::connect(&p, &QProcess::readyReadStandardOutput, &loop, [&] {
        while (p.canReadLine()) {
            const QByteArray line = p.readLine();
            out += line;
            if (onLine) {
                onLine(QJsonDocument::fromJson(line).object());
            }
        }
    });
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(180000, &loop, &QEventLoop::quit);
    p.start(qEnvironmentVariable("FAIRUSE_ENFORCER_EXE"), args);
    Run run;
    if (!p.waitForStarted()) {
        run.err = QStringLiteral("did not start");
        return run;
    }
    loop.exec();
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished();
        run.err = QStringLiteral("timed out");
        return run;
    }
    out += p.readAllStandardOutput();
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    run.err = QString::fromUtf8(p.readAllStandardError());
    readLines(out, run);
    return run;
}

inline Conversation conversation(const QString& id, Kind kind, int index, TimePoint started, int minutes) {
    Conversation c;
    c.id = id;
    c.title = kind == Kind::Audiobook ? QStringLiteral("The Hobbit audiobook, Chapter %1").arg(index + 1)
                                      : QStringLiteral("Weekly team meeting: roadmap review %1").arg(index + 1);
    c.overview = kind == Kind::Audiobook ? QStringLiteral("Narration of the next chapter of the book.")
                                         : QStringLiteral("The team went through the roadmap and assigned owners.");
    c.category = kind == Kind::Audiobook ? QStringLiteral("entertainment") : QStringLiteral("work");
    c.source = QStringLiteral("omi");
    c.startedAt = started;
    c.finishedAt = started + std::chrono::minutes(minutes);
    c.createdAt = c.finishedAt;
    return c;
}

inline FairUseEvent pastCase(const QString& uid, int n, TimePoint created, Stage before, Stage after) {
    FairUseEvent e;
    e.id = QStringLiteral("backend-%1-%2").arg(uid).arg(n);
    e.uid = uid;
    e.createdAt = created;
    e.caseRef = QStringLiteral("FU-B%1%2").arg(n).arg(uid.mid(1).toInt(), 10, 10, QLatin1Char('0'));
    e.trigger = CapWindow::Daily;
    e.windowSpeech = {10'000'000, 10'000'000, 10'000'000};
    ClassifierResult r;
    r.misuseScore = 0.9;
    r.usageType = UsageType::Audiobook;
    r.confidence = 0.9;
    r.model = QStringLiteral("backend");
    e.classifier = r;
    e.enforcementAction = toString(after);
    e.previousStage = before;
    e.newStage = after;
    return e;
}

/** A user of `kind` with `speechMs` in the last 3 hours, at `stage` after `pastCases` violations (the last one 2 days
 *  ago for a warning, 3 for a throttle), with six conversations of their kind unless light. */
inline User makeUser(const QString& uid, Kind kind, std::int64_t speechMs, Stage stage, int pastCases) {
    User u;
    u.uid = uid;
    u.kind = kind;
    u.speechMs = speechMs;
    u.state.uid = u.uid;
    if (kind != Kind::Light) {
        for (int i = 0; i < 6; ++i) {
            u.conversations.append(
                conversation(QStringLiteral("c%1").arg(i), kind, i, kT - std::chrono::hours(20 * (i + 1)), 70 + 4 * i));
        }
    }
    if (stage != Stage::None) {
        const TimePoint last = kT - (stage == Stage::Warning ? 48h : 72h);
        u.state.stage = stage;
        u.state.updatedAt = last;
        u.state.lastViolationAt = last;
        u.state.lastClassifierAt = last;
        u.state.lastClassifierScore = 0.9;
        u.state.lastClassifierType = UsageType::Audiobook;
        u.state.violationCount7d = pastCases;
        u.state.violationCount30d = pastCases;
        if (stage == Stage::Throttle) {
            u.state.throttleUntil = last + kPolicy.throttleDuration;
            u.events.append(pastCase(u.uid, 1, kT - 240h, Stage::None, Stage::Warning));
        }
        u.events.append(pastCase(u.uid, pastCases, last, enforcement::stepDown(stage), stage));
        u.state.version = QStringLiteral("seeded");
    }
    return u;
}

/** The backend's writes of `u`'s speech: one minute in three over the three hours before kT, spread evenly (the
 *  remainder on the last), in the legacy or the v2 realtime layout, and a junk value when asked. */
inline QList<QList<QByteArray>> speechCommands(const User& u) {
    QList<QList<QByteArray>> commands;
    const QByteArray uid = u.uid.toUtf8();
    const QByteArray bucket =
        u.v2 ? QByteArray("fair_use:v2:bucket:realtime:" + uid) : QByteArray("fair_use:bucket:" + uid);
    const QByteArray speech =
        u.v2 ? QByteArray("fair_use:v2:speech:realtime:" + uid) : QByteArray("fair_use:speech:" + uid);
    const std::int64_t nowMinute = std::chrono::duration_cast<std::chrono::minutes>(kT.time_since_epoch()).count();
    const int minutes = 60;
    for (int i = 0; i < minutes; ++i) {
        const std::int64_t minute = nowMinute - 180 + 3 * i;
        const std::int64_t ms = u.speechMs / minutes + (i == minutes - 1 ? u.speechMs % minutes : 0);
        commands.append({"HINCRBY", bucket, QByteArray::number(minute), QByteArray::number(ms)});
        commands.append({"ZADD", speech, QByteArray::number(minute * 60), QByteArray::number(minute)});
    }
    if (u.junkValue) {
        const QByteArray minute = QByteArray::number(nowMinute - 7);
        commands.append({"HSET", bucket, minute, "not-a-number"});
        commands.append({"ZADD", speech, QByteArray::number((nowMinute - 7) * 60), minute});
    }
    return commands;
}

/** The Firestore documents of the population: subscriptions, states, earlier cases, conversations. */
inline QList<services::FirestoreWrite> firestoreWrites(const QList<User>& users) {
    using services::FirestoreCaseStore;
    using services::FirestoreWrite;
    QList<FirestoreWrite> writes;
    for (const User& u : users) {
        if (u.subscription) {
            writes.append(
                FirestoreWrite::set(services::userDocumentPath(u.uid),
                                    {{QStringLiteral("subscription"), services::encodeSubscription(*u.subscription)}}));
        }
        if (!u.state.version.isEmpty()) {
            writes.append(FirestoreWrite::set(FirestoreCaseStore::statePath(u.uid), services::encodeState(u.state)));
        }
        for (const FairUseEvent& e : u.events) {
            writes.append(FirestoreWrite::set(FirestoreCaseStore::eventPath(u.uid, e.id), services::encodeEvent(e)));
        }
        for (const Conversation& c : u.conversations) {
            writes.append(FirestoreWrite::set(QStringLiteral("users/%1/conversations/%2").arg(u.uid, c.id),
                                              services::encodeConversation(c)));
        }
    }
    return writes;
}

/** What the pass at `now` must decide for `u` from `state`, with the user's scripted verdict or the heuristic
 *  classifier; a user whose classifier call fails keeps the decision that asked for it, which changes nothing. */
inline Expected expect(const User& u, const FairUseState& state, TimePoint now, std::int64_t speechMs) {
    enforcement::EnforcementInput in;
    in.state = state;
    in.state.subscription = u.subscription;
    in.totals = {speechMs, speechMs, speechMs};
    in.caps = kPolicy.capsFor(effectivePlan(u.subscription, now));
    in.now = now;
    Expected x;
    const QList<CapWindow> hits = metering::capsHit(in.totals, in.caps);
    if (!hits.isEmpty()) {
        x.caseId = enforcement::enforcerCaseId(u.uid, hits.first(), now, kPolicy.checkInterval);
        in.caseRef = enforcement::enforcerCaseRef(x.caseId);
    }
    x.decision = enforcement::evaluate(kPolicy, in);
    if (x.decision.action == enforcement::Action::ConsultClassifier && !u.classifierFails) {
        in.classifier = u.verdict ? *u.verdict : classifier::classifyHeuristically(u.conversations, now);
        in.violationHistory = enforcement::violationHistory(u.events, state, kPolicy.scoreThreshold);
        x.decision = enforcement::evaluate(kPolicy, in);
    }
    return x;
}

/** What the first pass at kT wrote, as verifyStored found it. */
struct Tally {
    int cases = 0;
    int writes = 0;
    int throttles = 0;
    int restricts = 0;
    QHash<QString, FairUseState> after; ///< each user's state as the core says it must be after the pass
};

/** Checks every user's stored state and cases against what the core decides at kT (expect()): the stage, exactly one
 *  new case with the deterministic id when the decision makes one, none otherwise. Fails the running test (check
 *  QTest::currentTestFailed()) at the first difference. */
inline void verifyStored(services::FirestoreCaseStore& store, const QList<User>& users, Tally& tally) {
    for (const User& u : users) {
        const Expected x = expect(u, u.state, kT, u.speechMs);
        const auto stored = services::awaitResult(store.getStateOrNew(u.uid));
        QVERIFY(stored.ok());
        QVERIFY2(stored->stage == x.decision.stageAfter,
                 qPrintable(QStringLiteral("%1: %2, expected %3 (%4)")
                                .arg(u.uid, toString(stored->stage), toString(x.decision.stageAfter),
                                     x.decision.explanation)));
        tally.after.insert(u.uid, x.decision.state);
        const auto events = services::awaitResult(store.listEvents(u.uid));
        QVERIFY(events.ok());
        QCOMPARE(events->size(), u.events.size() + (x.decision.event ? 1 : 0));
        if (x.decision.event) {
            ++tally.cases;
            const FairUseEvent& e = events->first();
            QCOMPARE(e.id, x.caseId);
            QCOMPARE(e.caseRef, x.decision.event->caseRef);
            QCOMPARE(toString(e.newStage), toString(x.decision.stageAfter));
            QCOMPARE(e.enforcementAction, toString(x.decision.action));
            QCOMPARE(e.windowSpeech, (SpeechTotals{u.speechMs, u.speechMs, u.speechMs}));
            QVERIFY(e.classifier);
            QCOMPARE(e.classifier->model, u.verdict ? u.verdict->model : QStringLiteral("heuristic"));
            QCOMPARE(stored->lastCaseRef, e.caseRef);
        }
        tally.throttles += x.decision.action == enforcement::Action::Throttle ? 1 : 0;
        tally.restricts += x.decision.action == enforcement::Action::Restrict ? 1 : 0;
        tally.writes += x.decision.stateChanged ? 1 : 0;
    }
}

} // namespace fairuse::testing::enforcer
