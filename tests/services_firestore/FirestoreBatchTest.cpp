// FirestoreCaseStore::applyBatch against the real emulator: many cases in few atomic commits with a verifying audit
// chain, one conflicting case reported alone, reruns that write nothing, same-document changes kept in order.
#include "EmulatorSupport.h"
#include "OpenCases.h"

#include "audit/AuditChain.h"
#include "firestore/FirestoreCaseStore.h"

#include <QFile>
#include <QJsonObject>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;

namespace {

using V = FirestoreValue;
using namespace fairuse::testing;

using Population = testing::OpenCases;

/** Users u0000.. with one open case each, written as the backend would; versions from the commit. */
Result<Population> seed(FirestoreClient& client, int users) {
    Population p;
    for (int i = 0; i < users; ++i) {
        FairUseState s;
        s.uid = QStringLiteral("u%1").arg(i, 4, 10, QLatin1Char('0'));
        s.stage = i % 2 == 0 ? Stage::Warning : Stage::Throttle;
        s.updatedAt = at("2026-03-20T10:00:00Z");
        s.lastClassifierScore = 0.8;
        s.lastClassifierType = UsageType::Audiobook;
        s.lastCaseRef = QStringLiteral("FU-%1").arg(i, 12, 16, QLatin1Char('0')).toUpper();
        p.states.append(s);
        p.events.append(testing::openCaseOf(s, QStringLiteral("ev%1").arg(i), Stage::None, at("2026-03-20T09:00:00Z")));
    }
    if (Status written = testing::writeOpenCases(client, p, 180000); !written) {
        return written.error();
    }
    return p;
}

/** Resolves every case; every fourth as a false positive, which also lowers the stage (a state write). */
ChangeSet resolveChange(const FairUseState& state, const FairUseEvent& event, int i, const QString& runId) {
    const Outcome outcome = i % 4 == 0 ? Outcome::FalsePositive : Outcome::NoAction;
    ChangeSet c;
    c.uid = state.uid;
    c.expectedStateVersion = state.version;
    if (outcome == Outcome::FalsePositive) {
        c.newState = state;
        c.newState->stage = Stage::None;
    }
    c.newEvent = event;
    c.newEvent->resolved = true;
    c.newEvent->resolvedBy = QStringLiteral("rev@x.com");
    c.newEvent->resolvedAt = at("2026-03-21T09:00:00Z");
    c.newEvent->outcome = outcome;
    c.expectedEventVersion = event.version;
    c.audit.at = at("2026-03-21T09:00:00Z");
    c.audit.reviewer = QStringLiteral("rev@x.com");
    c.audit.role = Role::Reviewer;
    c.audit.action = AuditAction::Resolve;
    c.audit.uid = state.uid;
    c.audit.caseRef = event.caseRef;
    c.audit.eventId = event.id;
    c.audit.stageBefore = state.stage;
    c.audit.stageAfter = c.newState ? c.newState->stage : state.stage;
    c.audit.reason = QStringLiteral("%1: weekly sweep").arg(toString(outcome));
    c.audit.clientVersion = QStringLiteral("test");
    c.idempotencyKey = runId + QLatin1Char(':') + event.id;
    return c;
}

QList<ChangeSet> resolveAll(const Population& p, const QString& runId) {
    QList<ChangeSet> out;
    for (int i = 0; i < p.states.size(); ++i) {
        out.append(resolveChange(p.states.at(i), p.events.at(i), i, runId));
    }
    return out;
}

/** The whole audit trail, verified against the head document. */
struct Trail {
    QList<AuditRecord> records;
    ChainVerification verification;
};

Trail trail(Fixture& f) {
    Trail t;
    AuditFilter all;
    all.limit = 100000;
    auto records = wait(f.store->listAudit(all));
    if (!records) {
        t.verification = {false, -1, why(records.error())};
        return t;
    }
    t.records = records.value();
    auto head = wait(f.client->get(FirestoreCaseStore::kAuditHeadPath));
    t.verification = verifyChain(t.records, head ? head->fields.value(QStringLiteral("hash")).toText() : QString());
    return t;
}

} // namespace

class FirestoreBatchTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void manyCasesInFewCommitsThenRerunWritesNothing();
    void oneConflictIsReportedAloneOthersCommit();
    void sameDocumentChangesKeepTheirOrder();
    void concurrentSingleAppliesKeepTheChainLinear();
    void underSecurityRules_data();
    void underSecurityRules();
};

void FirestoreBatchTest::manyCasesInFewCommitsThenRerunWritesNothing() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    Fixture f = makeStore(host, QStringLiteral("batch-many"));
    constexpr int kUsers = 1200;
    auto population = seed(*f.client, kUsers);
    QVERIFY2(population, qPrintable(population ? QString() : why(population.error())));
    const QList<ChangeSet> changes = resolveAll(*population, QStringLiteral("run-1"));

    const auto before = f.store->writeStats();
    auto results = wait(f.store->applyBatch(changes));
    QVERIFY2(results, qPrintable(results ? QString() : why(results.error())));
    QCOMPARE(results->size(), kUsers);
    for (int i = 0; i < kUsers; ++i) {
        const Result<CommitResult>& r = results->at(i);
        QVERIFY2(r, qPrintable(QStringLiteral("change %1: %2").arg(i).arg(r ? QString() : why(r.error()))));
        QVERIFY(!r->alreadyApplied);
        QVERIFY(!r->eventVersion.isEmpty());
        QCOMPARE(r->stateVersion.isEmpty(), i % 4 != 0);
        QCOMPARE(r->audit.eventId, population->events.at(i).id);
    }
    // 3 writes per case (4 for a false positive) and one head per commit, at most 500 writes each: 8 commits.
    const qint64 commits = f.store->writeStats().commitRequests - before.commitRequests;
    QVERIFY2(commits >= 3 && commits <= 10, qPrintable(QString::number(commits)));

    Trail t = trail(f);
    QCOMPARE(t.records.size(), kUsers);
    QVERIFY2(t.verification.ok, qPrintable(t.verification.reason));
    // Results name the records as stored, in the order of the changes.
    for (int i = 0; i < kUsers; ++i) {
        QCOMPARE(results->at(i)->audit.hash, t.records.at(i).hash);
    }
    auto sample = wait(f.store->listEvents(population->states.at(4).uid));
    QVERIFY(sample && sample->size() == 1);
    QVERIFY(sample->at(0).resolved);
    QVERIFY(sample->at(0).outcome == std::optional<Outcome>(Outcome::FalsePositive));
    auto lowered = wait(f.store->getState(population->states.at(4).uid));
    QVERIFY(lowered && lowered->stage == Stage::None);
    auto kept = wait(f.store->getState(population->states.at(5).uid));
    QVERIFY(kept && kept->stage == Stage::Throttle);

    // The same run again: every key is known, nothing is committed, every change reports its stored record.
    const auto beforeRerun = f.store->writeStats();
    auto rerun = wait(f.store->applyBatch(changes));
    QVERIFY(rerun);
    QCOMPARE(rerun->size(), kUsers);
    for (int i = 0; i < kUsers; ++i) {
        QVERIFY2(rerun->at(i) && rerun->at(i)->alreadyApplied, qPrintable(QString::number(i)));
        QCOMPARE(rerun->at(i)->audit.hash, t.records.at(i).hash);
    }
    QCOMPARE(f.store->writeStats().commitRequests, beforeRerun.commitRequests);
    Trail after = trail(f);
    QCOMPARE(after.records.size(), kUsers);
    QVERIFY(after.verification.ok);
}

void FirestoreBatchTest::oneConflictIsReportedAloneOthersCommit() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    Fixture f = makeStore(host, QStringLiteral("batch-conflict"));
    constexpr int kUsers = 600;
    auto population = seed(*f.client, kUsers);
    QVERIFY2(population, qPrintable(population ? QString() : why(population.error())));
    const QList<ChangeSet> changes = resolveAll(*population, QStringLiteral("run-c"));

    // After the cases were read, another reviewer notes case 321: its version moves.
    constexpr int kVictim = 321;
    const FairUseEvent& victim = population->events.at(kVictim);
    auto noted = wait(f.client->patch(FirestoreCaseStore::eventPath(victim.uid, victim.id),
                                      {{QStringLiteral("admin_notes"), V::string(QStringLiteral("bob looked"))}},
                                      {QStringLiteral("admin_notes")}, Precondition::version(victim.version)));
    QVERIFY(noted);

    auto results = wait(f.store->applyBatch(changes));
    QVERIFY(results);
    QCOMPARE(results->size(), kUsers);
    for (int i = 0; i < kUsers; ++i) {
        const Result<CommitResult>& r = results->at(i);
        if (i == kVictim) {
            QVERIFY(!r);
            QCOMPARE(int(r.error().kind), int(ErrorKind::Conflict));
            QVERIFY2(r.error().message.contains(victim.uid), qPrintable(r.error().message));
        } else {
            QVERIFY2(r && !r->alreadyApplied,
                     qPrintable(QStringLiteral("change %1: %2")
                                    .arg(i)
                                    .arg(r ? QStringLiteral("already applied") : why(r.error()))));
        }
    }
    Trail t = trail(f);
    QCOMPARE(t.records.size(), kUsers - 1);
    QVERIFY2(t.verification.ok, qPrintable(t.verification.reason));
    for (const AuditRecord& a : std::as_const(t.records)) {
        QVERIFY(a.eventId != victim.id);
    }
    auto events = wait(f.store->listEvents(victim.uid));
    QVERIFY(events && events->size() == 1);
    QVERIFY(!events->at(0).resolved);
    QCOMPARE(events->at(0).adminNotes, QStringLiteral("bob looked"));
    QCOMPARE(events->at(0).version, noted.value());

    // A rerun: the committed ones are already applied, the victim is still a conflict (its version is stale).
    auto rerun = wait(f.store->applyBatch(changes));
    QVERIFY(rerun);
    for (int i = 0; i < kUsers; ++i) {
        if (i == kVictim) {
            QVERIFY(!rerun->at(i) && rerun->at(i).error().kind == ErrorKind::Conflict);
        } else {
            QVERIFY2(rerun->at(i) && rerun->at(i)->alreadyApplied, qPrintable(QString::number(i)));
        }
    }
    QCOMPARE(trail(f).records.size(), kUsers - 1);
}

void FirestoreBatchTest::sameDocumentChangesKeepTheirOrder() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    Fixture f = makeStore(host, QStringLiteral("batch-order"));
    auto population = seed(*f.client, 3);
    QVERIFY(population);
    const Population& p = *population;
    // 0: resolves u0000's case. 1: the same key again (a double click): applied once. 2: u0001's case.
    // 3: u0000's case again, conditioned on the version change 0 read: it must run after 0 and conflict.
    QList<ChangeSet> changes{resolveChange(p.states[0], p.events[0], 1, QStringLiteral("r")),
                             resolveChange(p.states[0], p.events[0], 1, QStringLiteral("r")),
                             resolveChange(p.states[1], p.events[1], 1, QStringLiteral("r")),
                             resolveChange(p.states[0], p.events[0], 1, QStringLiteral("other"))};
    auto results = wait(f.store->applyBatch(changes));
    QVERIFY(results);
    QCOMPARE(results->size(), 4);
    QVERIFY(results->at(0) && !results->at(0)->alreadyApplied);
    QVERIFY(results->at(1) && results->at(1)->alreadyApplied);
    QCOMPARE(results->at(1)->audit.hash, results->at(0)->audit.hash);
    QVERIFY(results->at(2) && !results->at(2)->alreadyApplied);
    QVERIFY(!results->at(3) && results->at(3).error().kind == ErrorKind::Conflict);
    Trail t = trail(f);
    QCOMPARE(t.records.size(), 2);
    QVERIFY(t.verification.ok);

    // Refused up front, without touching the others: an invalid user id.
    ChangeSet bad = resolveChange(p.states[2], p.events[2], 1, QStringLiteral("r"));
    bad.uid = QStringLiteral("a/b");
    auto mixed = wait(f.store->applyBatch({bad, resolveChange(p.states[2], p.events[2], 1, QStringLiteral("r"))}));
    QVERIFY(mixed);
    QVERIFY(!mixed->at(0) && mixed->at(0).error().kind == ErrorKind::Invalid);
    QVERIFY(mixed->at(1) && !mixed->at(1)->alreadyApplied);
    QCOMPARE(trail(f).records.size(), 3);

    auto empty = wait(f.store->applyBatch({}));
    QVERIFY(empty && empty->isEmpty());

    // The bulk resolver's probe of a case resolved before the run: an expected version that can never match is a
    // conflict for that change alone (a well-formed timestamp, so the precondition is evaluated, not refused).
    auto more = seed(*f.client, 6);
    QVERIFY(more);
    ChangeSet probe = resolveChange(more->states[4], more->events[4], 1, QStringLiteral("probe"));
    probe.expectedEventVersion = QStringLiteral("1970-01-01T00:00:00Z");
    auto probed =
        wait(f.store->applyBatch({probe, resolveChange(more->states[5], more->events[5], 1, QStringLiteral("probe"))}));
    QVERIFY(probed);
    QVERIFY(!probed->at(0) && probed->at(0).error().kind == ErrorKind::Conflict);
    QVERIFY2(probed->at(1), qPrintable(probed->at(1) ? QString() : why(probed->at(1).error())));
    QCOMPARE(trail(f).records.size(), 4);
}

void FirestoreBatchTest::concurrentSingleAppliesKeepTheChainLinear() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    // Whoever loses the head retries; enough retries that losing to the 10 others many times in a row still
    // ends in success (the property checked is a linear chain with nothing lost or doubled, not the retry budget).
    FirestoreCaseStore::Options options;
    options.auditHeadRetries = 60;
    Fixture f = makeStore(host, QStringLiteral("batch-race"), options);
    constexpr int kUsers = 400;
    auto population = seed(*f.client, kUsers);
    QVERIFY(population);
    const QList<ChangeSet> all = resolveAll(*population, QStringLiteral("race"));
    // The batch takes the first 390 cases; other reviewers act on the last 10 one by one at the same time, so the
    // audit head moves under the batch's commits.
    auto batch = f.store->applyBatch(all.mid(0, kUsers - 10));
    QList<Async<CommitResult>> singles;
    for (int i = kUsers - 10; i < kUsers; ++i) {
        singles.append(f.store->apply(all.at(i)));
    }
    auto results = wait(batch);
    QVERIFY(results);
    for (const auto& r : std::as_const(*results)) {
        QVERIFY2(r, qPrintable(r ? QString() : why(r.error())));
    }
    for (const auto& s : std::as_const(singles)) {
        auto r = wait(s);
        QVERIFY2(r, qPrintable(r ? QString() : why(r.error())));
    }
    Trail t = trail(f);
    QCOMPARE(t.records.size(), kUsers);
    QVERIFY2(t.verification.ok, qPrintable(t.verification.reason));
}

void FirestoreBatchTest::underSecurityRules_data() {
    QTest::addColumn<bool>("batchesAllowed");
    QTest::newRow("shipped rules") << true;
    // Rules deployed before batches were allowed: the head advances by exactly one record per commit.
    QTest::newRow("one record per commit") << false;
}

void FirestoreBatchTest::underSecurityRules() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    QFETCH(bool, batchesAllowed);
    // A reviewer signed in with their own ID token is held to the security rules. The shipped rules
    // (packaging/firestore/firestore.rules) let a commit advance the audit head by a whole batch when the head names
    // the batch's first record; under rules that allow one record per commit the batch must still resolve every
    // case, one per commit.
    const QString projectId = testing::freshProject(QStringLiteral("batch-rules"));
    QFile file(qEnvironmentVariable("FAIRUSE_SOURCE_DIR") + QStringLiteral("/packaging/firestore/firestore.rules"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QByteArray rules = file.readAll();
    if (!batchesAllowed) {
        const QByteArray batchBound = "request.resource.data.sequence <= headBefore() + 500";
        QVERIFY2(rules.contains(batchBound), "the shipped rules no longer bound a batch the way this test expects");
        rules.replace(batchBound, "request.resource.data.sequence <= headBefore() + 1");
    }
    QVERIFY(testing::loadRules(host, projectId, rules));
    auto owner =
        std::make_shared<FirestoreClient>(testing::emulatorConfig(projectId, host), StaticToken::emulatorOwner());
    constexpr int kUsers = 5;
    auto population = seed(*owner, kUsers);
    QVERIFY(population);
    QJsonObject claims{{QStringLiteral("role"), QStringLiteral("reviewer")}};
    auto token = std::make_shared<StaticToken>(
        emulatorIdToken(projectId, QStringLiteral("r1"), QStringLiteral("rev@x.com"), claims));
    Fixture f;
    f.client = std::make_shared<FirestoreClient>(testing::emulatorConfig(projectId, host), token);
    f.store = std::make_unique<FirestoreCaseStore>(f.client);
    // Two rounds, so that the second batch has to continue a head the first one wrote.
    for (int round = 0; round < 2; ++round) {
        QList<ChangeSet> changes;
        for (int i = round; i < kUsers; i += 2) {
            // No action: a plain reviewer may resolve, not lower a stage. The record names the token's uid, as the
            // core's builders do from the signed-in identity.
            ChangeSet change =
                resolveChange(population->states.at(i), population->events.at(i), 1, QStringLiteral("rules"));
            change.audit.reviewerUid = QStringLiteral("r1");
            changes.append(change);
        }
        const qint64 before = f.store->writeStats().commitRequests;
        auto results = wait(f.store->applyBatch(changes));
        QVERIFY(results);
        for (const auto& r : std::as_const(*results)) {
            QVERIFY2(r && !r->alreadyApplied, qPrintable(r ? QStringLiteral("already applied") : why(r.error())));
        }
        // One commit for the batch; without batches one refused commit, then one per change.
        const qint64 commits = f.store->writeStats().commitRequests - before;
        QCOMPARE(commits, batchesAllowed ? qint64{1} : static_cast<qint64>(changes.size()) + 1);
    }
    Fixture admin{owner, std::make_unique<FirestoreCaseStore>(owner)};
    Trail t = trail(admin);
    QCOMPARE(t.records.size(), kUsers);
    QVERIFY2(t.verification.ok, qPrintable(t.verification.reason));
}

QTEST_GUILESS_MAIN(FirestoreBatchTest)
#include "FirestoreBatchTest.moc"
