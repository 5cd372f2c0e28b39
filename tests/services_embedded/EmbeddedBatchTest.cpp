// EmbeddedCaseStore::applyBatch: many cases in one transaction with a verifying audit chain, one conflicting case
// rolled back alone, reruns that write nothing, and changes of one user applied in order.
#include "EmbeddedTestSupport.h"

#include "audit/AuditChain.h"

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

const TimePoint kNow = at("2026-03-20T10:00:00Z");

QString uidOf(int i) {
    return QStringLiteral("u%1").arg(i, 4, 10, QLatin1Char('0'));
}

QString caseRefOf(int i) {
    return QStringLiteral("FU-%1").arg(i, 12, 16, QLatin1Char('0')).toUpper();
}

/** Creates users u0000.. with one open case each (in one batch: the creation path is tested elsewhere). */
bool seed(EmbeddedCaseStore& cases, int users) {
    QList<ChangeSet> creates;
    for (int i = 0; i < users; ++i) {
        const QString uid = uidOf(i);
        ChangeSet c;
        c.uid = uid;
        c.newState = makeState(uid, i % 2 == 0 ? Stage::Warning : Stage::Throttle, kNow);
        c.newState->lastCaseRef = caseRefOf(i);
        c.newEvent = makeEvent(uid, QStringLiteral("ev%1").arg(i), caseRefOf(i), kNow);
        c.audit = makeAudit(uid, AuditAction::OverrideStage, kNow, QStringLiteral("seeded"));
        creates.append(c);
    }
    auto r = awaitResult(cases.applyBatch(creates), 120000);
    if (!r) {
        return false;
    }
    return std::all_of(r->cbegin(), r->cend(), [](const Result<CommitResult>& c) { return c.ok(); });
}

ChangeSet resolveChange(const FairUseState& state, const FairUseEvent& event, Outcome outcome, const QString& run) {
    ChangeSet c;
    c.uid = state.uid;
    c.expectedStateVersion = state.version;
    if (outcome == Outcome::FalsePositive) {
        c.newState = state;
        c.newState->stage = state.stage == Stage::Throttle ? Stage::Warning : Stage::None;
    }
    c.newEvent = event;
    c.newEvent->resolved = true;
    c.newEvent->resolvedAt = kNow;
    c.newEvent->resolvedBy = QStringLiteral("alex.reviewer@fairuse.example");
    c.newEvent->outcome = outcome;
    c.expectedEventVersion = event.version;
    c.audit = makeAudit(state.uid, AuditAction::Resolve, kNow, toString(outcome));
    c.audit.caseRef = event.caseRef;
    c.audit.eventId = event.id;
    c.audit.stageBefore = state.stage;
    c.audit.stageAfter = c.newState ? c.newState->stage : state.stage;
    c.idempotencyKey = run + QLatin1Char(':') + event.id;
    return c;
}

/** Every user's case resolved at the versions read now; every fourth as a false positive (a state write). */
QList<ChangeSet> resolveAll(EmbeddedCaseStore& cases, int users, const QString& run) {
    QList<ChangeSet> out;
    for (int i = 0; i < users; ++i) {
        const FairUseState state = awaitResult(cases.getState(uidOf(i))).value();
        const FairUseEvent event = awaitResult(cases.listEvents(uidOf(i))).value().value(0);
        out.append(resolveChange(state, event, i % 4 == 0 ? Outcome::FalsePositive : Outcome::NoAction, run));
    }
    return out;
}

QList<AuditRecord> allAudit(EmbeddedCaseStore& cases) {
    AuditFilter all;
    all.limit = 0;
    return awaitResult(cases.listAudit(all)).value();
}

} // namespace

class TestEmbeddedBatch : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void manyCasesOneTransactionThenRerunWritesNothing() {
        TempStore store;
        constexpr int kUsers = 1200;
        QVERIFY(seed(store.cases(), kUsers));
        const QList<ChangeSet> changes = resolveAll(store.cases(), kUsers, QStringLiteral("run-1"));
        const int before = static_cast<int>(allAudit(store.cases()).size());
        QCOMPARE(before, kUsers);

        auto results = awaitResult(store.cases().applyBatch(changes), 120000);
        QVERIFY(results);
        QCOMPARE(results->size(), kUsers);
        for (int i = 0; i < kUsers; ++i) {
            QVERIFY2(results->at(i) && !results->at(i)->alreadyApplied, qPrintable(QString::number(i)));
            QCOMPARE(results->at(i)->stateVersion.isEmpty(), i % 4 != 0);
            QCOMPARE(results->at(i)->eventVersion, QStringLiteral("2"));
        }
        const QList<AuditRecord> audit = allAudit(store.cases());
        QCOMPARE(audit.size(), 2 * kUsers);
        const ChainVerification v = verifyChain(audit, audit.last().hash);
        QVERIFY2(v.ok, qPrintable(v.reason));
        for (int i = 0; i < kUsers; ++i) {
            QCOMPARE(results->at(i)->audit.hash, audit.at(kUsers + i).hash);
        }
        QCOMPARE(nm(awaitResult(store.cases().getState(uidOf(0)))->stage), nm(Stage::None));
        QCOMPARE(nm(awaitResult(store.cases().getState(uidOf(1)))->stage), nm(Stage::Throttle));
        QVERIFY(awaitResult(store.cases().listEvents(uidOf(7)))->at(0).resolved);

        // The same changes again: all already applied, nothing written.
        auto rerun = awaitResult(store.cases().applyBatch(changes), 120000);
        QVERIFY(rerun);
        for (int i = 0; i < kUsers; ++i) {
            QVERIFY(rerun->at(i) && rerun->at(i)->alreadyApplied);
            QCOMPARE(rerun->at(i)->audit.hash, audit.at(kUsers + i).hash);
        }
        QCOMPARE(allAudit(store.cases()).size(), 2 * kUsers);
    }

    void oneConflictIsRolledBackAlone() {
        TempStore store;
        constexpr int kUsers = 300;
        QVERIFY(seed(store.cases(), kUsers));
        const QList<ChangeSet> changes = resolveAll(store.cases(), kUsers, QStringLiteral("run-c"));

        // Another reviewer notes case 123 after it was read: its version moves.
        constexpr int kVictim = 123;
        FairUseEvent victim = *changes.at(kVictim).newEvent;
        victim.resolved = false;
        victim.resolvedAt.reset();
        victim.resolvedBy.clear();
        victim.outcome.reset();
        victim.adminNotes = QStringLiteral("bob looked");
        ChangeSet note;
        note.uid = victim.uid;
        note.newEvent = victim;
        note.expectedEventVersion = changes.at(kVictim).expectedEventVersion;
        note.checkStateVersion = false;
        note.audit = makeAudit(victim.uid, AuditAction::AddNote, kNow, QStringLiteral("bob looked"));
        QVERIFY(awaitResult(store.cases().apply(note)));

        auto results = awaitResult(store.cases().applyBatch(changes), 120000);
        QVERIFY(results);
        for (int i = 0; i < kUsers; ++i) {
            if (i == kVictim) {
                QVERIFY(!results->at(i));
                QCOMPARE(int(results->at(i).error().kind), int(ErrorKind::Conflict));
            } else {
                QVERIFY2(results->at(i) && !results->at(i)->alreadyApplied, qPrintable(QString::number(i)));
            }
        }
        const QList<AuditRecord> audit = allAudit(store.cases());
        QCOMPARE(audit.size(), kUsers + 1 + kUsers - 1);
        QVERIFY(verifyChain(audit, audit.last().hash).ok);
        const FairUseEvent stored = awaitResult(store.cases().listEvents(victim.uid))->at(0);
        QVERIFY(!stored.resolved);
        QCOMPARE(stored.adminNotes, QStringLiteral("bob looked"));

        auto rerun = awaitResult(store.cases().applyBatch(changes), 120000);
        QVERIFY(rerun);
        for (int i = 0; i < kUsers; ++i) {
            QVERIFY(i == kVictim ? !rerun->at(i) : rerun->at(i)->alreadyApplied);
        }
        QCOMPARE(allAudit(store.cases()).size(), audit.size());
    }

    void changesOfOneUserApplyInOrder() {
        TempStore store;
        QVERIFY(seed(store.cases(), 2));
        const FairUseState state = awaitResult(store.cases().getState(uidOf(1))).value();
        const FairUseEvent event = awaitResult(store.cases().listEvents(uidOf(1))).value().at(0);
        // 0 resolves as a false positive (state 1 -> 2); 1 repeats 0's key (applied once); 2 is conditioned on the
        // state 0 read, which 0 changed: conflict; 3 is another user's case and applies.
        ChangeSet second = resolveChange(state, event, Outcome::NoAction, QStringLiteral("other"));
        second.newEvent->id = QStringLiteral("ev-missing");
        second.expectedEventVersion.clear();
        const QList<ChangeSet> changes{
            resolveChange(state, event, Outcome::FalsePositive, QStringLiteral("r")),
            resolveChange(state, event, Outcome::FalsePositive, QStringLiteral("r")),
            second,
            resolveChange(awaitResult(store.cases().getState(uidOf(0))).value(),
                          awaitResult(store.cases().listEvents(uidOf(0))).value().at(0), Outcome::NoAction,
                          QStringLiteral("r")),
        };
        auto results = awaitResult(store.cases().applyBatch(changes));
        QVERIFY(results);
        QVERIFY(results->at(0) && !results->at(0)->alreadyApplied);
        QCOMPARE(results->at(0)->stateVersion, QStringLiteral("2"));
        QVERIFY(results->at(1) && results->at(1)->alreadyApplied);
        QCOMPARE(results->at(1)->audit.hash, results->at(0)->audit.hash);
        QVERIFY(!results->at(2));
        QCOMPARE(int(results->at(2).error().kind), int(ErrorKind::Conflict));
        QVERIFY(results->at(3) && !results->at(3)->alreadyApplied);
        const QList<AuditRecord> audit = allAudit(store.cases());
        QCOMPARE(audit.size(), 2 + 2);
        QVERIFY(verifyChain(audit, audit.last().hash).ok);
        QCOMPARE(nm(awaitResult(store.cases().getState(uidOf(1)))->stage), nm(Stage::Warning));
        // Nothing of the conflicting change was written (its event would be new).
        QCOMPARE(awaitResult(store.cases().listEvents(uidOf(1)))->size(), 1);

        auto empty = awaitResult(store.cases().applyBatch({}));
        QVERIFY(empty && empty->isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedBatch)
#include "EmbeddedBatchTest.moc"
