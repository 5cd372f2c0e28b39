// EmbeddedCaseStore: every CaseStore method, apply() preconditions, idempotency and the audit chain.
#include "EmbeddedTestSupport.h"

#include "audit/AuditChain.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

const TimePoint kNow = at("2026-03-20T10:00:00Z");

int auditCount(EmbeddedCaseStore& cases) {
    AuditFilter all;
    all.limit = 0;
    return static_cast<int>(awaitResult(cases.listAudit(all)).value().size());
}

ChangeSet createUser(const QString& uid, const QString& eventId, const QString& caseRef, TimePoint when) {
    ChangeSet c;
    c.uid = uid;
    c.newState = makeState(uid, Stage::Warning, when);
    c.newState->lastCaseRef = caseRef;
    c.newEvent = makeEvent(uid, eventId, caseRef, when);
    c.audit = makeAudit(uid, AuditAction::OverrideStage, when, QStringLiteral("escalated in test"));
    c.audit.caseRef = caseRef;
    c.audit.eventId = eventId;
    return c;
}

} // namespace

class TestEmbeddedCaseStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void getStateIsNotFoundForUnknownUsers() {
        TempStore store;
        auto r = awaitResult(store.cases().getState(QStringLiteral("ghost")));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::NotFound);
    }

    void stateAndEventRoundTrip() {
        TempStore store;
        ChangeSet c = createUser(QStringLiteral("u1"), QStringLiteral("ev1"), QStringLiteral("FU-00000000000A"), kNow);
        c.newState->stage = Stage::Restrict;
        c.newState->throttleUntil = kNow + hours(24 * 7);
        c.newState->restrictUntil = kNow + hours(24 * 30);
        c.newState->restrictReason = QStringLiteral("third violation");
        c.newState->lastClassifierAt = kNow - minutes(3);
        c.newState->classifierFailedAt = kNow - minutes(2);
        c.newState->classifierFailures = 4;
        c.newState->resetBy = QStringLiteral("sam@x");
        c.newState->resetAt = kNow - hours(1);
        c.newState->previousStage = Stage::Warning;
        c.newState->violationCount7d = 2;
        c.newState->violationCount30d = 3;
        c.newEvent->resolved = true;
        c.newEvent->resolvedAt = kNow + minutes(1);
        c.newEvent->resolvedBy = QStringLiteral("alex.reviewer@fairuse.example");
        c.newEvent->outcome = Outcome::Confirmed;
        c.newEvent->adminNotes = QStringLiteral("notes \"quoted\"");
        c.newEvent->thresholds = Caps::forPlan(Plan::Unlimited);
        auto commit = awaitResult(store.cases().apply(c));
        QVERIFY2(commit.ok(), qPrintable(commit.ok() ? QString() : commit.error().message));
        QCOMPARE(commit->stateVersion, QStringLiteral("1"));
        QCOMPARE(commit->eventVersion, QStringLiteral("1"));
        QCOMPARE(commit->alreadyApplied, false);

        auto s = awaitResult(store.cases().getState(QStringLiteral("u1")));
        QVERIFY(s.ok());
        FairUseState expected = *c.newState;
        expected.version = QStringLiteral("1");
        QCOMPARE(nm(s->stage), nm(expected.stage));
        QCOMPARE(s->updatedAt, expected.updatedAt);
        QCOMPARE(s->lastViolationAt, expected.lastViolationAt);
        QCOMPARE(s->violationCount7d, 2);
        QCOMPARE(s->violationCount30d, 3);
        QCOMPARE(s->throttleUntil, expected.throttleUntil);
        QCOMPARE(s->restrictUntil, expected.restrictUntil);
        QCOMPARE(s->restrictReason, expected.restrictReason);
        QCOMPARE(s->lastClassifierScore, expected.lastClassifierScore);
        QCOMPARE(s->lastClassifierType, expected.lastClassifierType);
        QCOMPARE(s->lastClassifierAt, expected.lastClassifierAt);
        QCOMPARE(s->classifierFailedAt, expected.classifierFailedAt);
        QCOMPARE(s->classifierFailures, 4);
        QCOMPARE(s->lastCaseRef, expected.lastCaseRef);
        QCOMPARE(s->resetBy, expected.resetBy);
        QCOMPARE(s->resetAt, expected.resetAt);
        QVERIFY(s->previousStage == Stage::Warning);
        QCOMPARE(s->exempt, false);
        QCOMPARE(s->version, QStringLiteral("1"));

        auto events = awaitResult(store.cases().listEvents(QStringLiteral("u1")));
        QVERIFY(events.ok());
        QCOMPARE(events->size(), 1);
        const FairUseEvent& e = events->first();
        QCOMPARE(e.id, QStringLiteral("ev1"));
        QCOMPARE(e.createdAt, kNow);
        QCOMPARE(nm(e.trigger), nm(CapWindow::ThreeDay));
        QCOMPARE(e.windowSpeech, c.newEvent->windowSpeech);
        QCOMPARE(e.thresholds, Caps::forPlan(Plan::Unlimited));
        QVERIFY(e.classifier.has_value());
        QCOMPARE(e.classifier->misuseScore, 0.91);
        QCOMPARE(nm(e.classifier->usageType), nm(UsageType::Audiobook));
        QCOMPARE(e.classifier->evidence, c.newEvent->classifier->evidence);
        QCOMPARE(e.classifier->model, QStringLiteral("gpt-5.1"));
        QCOMPARE(e.classifier->promptVersion, QStringLiteral("purpose-v3"));
        QCOMPARE(e.resolved, true);
        QCOMPARE(e.resolvedAt, c.newEvent->resolvedAt);
        QCOMPARE(e.outcome, std::optional<Outcome>(Outcome::Confirmed));
        QCOMPARE(e.adminNotes, c.newEvent->adminNotes);
        QCOMPARE(e.version, QStringLiteral("1"));
    }

    void listEventsIsNewestFirst() {
        TempStore store;
        QVERIFY(awaitResult(store.cases().apply(createUser(QStringLiteral("u"), QStringLiteral("old"),
                                                           QStringLiteral("FU-000000000001"), kNow - hours(5))))
                    .ok());
        ChangeSet second;
        second.uid = QStringLiteral("u");
        second.checkStateVersion = false;
        second.newEvent =
            makeEvent(QStringLiteral("u"), QStringLiteral("new"), QStringLiteral("FU-000000000002"), kNow);
        second.audit = makeAudit(QStringLiteral("u"), AuditAction::AddNote, kNow, QStringLiteral("n"));
        QVERIFY(awaitResult(store.cases().apply(second)).ok());
        auto events = awaitResult(store.cases().listEvents(QStringLiteral("u")));
        QCOMPARE(events->size(), 2);
        QCOMPARE(events->at(0).id, QStringLiteral("new"));
        QCOMPARE(events->at(1).id, QStringLiteral("old"));
        QCOMPARE(awaitResult(store.cases().listEvents(QStringLiteral("nobody")))->size(), 0);
    }

    void staleStateVersionConflictsAndWritesNothing() {
        TempStore store;
        const QString uid = QStringLiteral("u1");
        QVERIFY(awaitResult(
                    store.cases().apply(createUser(uid, QStringLiteral("e1"), QStringLiteral("FU-00000000000B"), kNow)))
                    .ok());
        // Another reviewer moves the state to version 2.
        ChangeSet other;
        other.uid = uid;
        other.newState = makeState(uid, Stage::Throttle, kNow + minutes(1));
        other.expectedStateVersion = QStringLiteral("1");
        other.audit = makeAudit(uid, AuditAction::OverrideStage, kNow + minutes(1), QStringLiteral("escalate"));
        QCOMPARE(awaitResult(store.cases().apply(other))->stateVersion, QStringLiteral("2"));
        const int auditsBefore = auditCount(store.cases());

        // Our change still expects version 1 and also carries a new event: nothing of it may be written.
        ChangeSet mine;
        mine.uid = uid;
        mine.newState = makeState(uid, Stage::None, kNow + minutes(2));
        mine.expectedStateVersion = QStringLiteral("1");
        mine.newEvent = makeEvent(uid, QStringLiteral("e2"), QStringLiteral("FU-00000000000C"), kNow + minutes(2));
        mine.exempt = true;
        mine.audit = makeAudit(uid, AuditAction::Reset, kNow + minutes(2), QStringLiteral("reset"));
        mine.idempotencyKey = QStringLiteral("mine-1");
        auto r = awaitResult(store.cases().apply(mine));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Conflict);
        QVERIFY2(r.error().message.contains(QStringLiteral("state")), qPrintable(r.error().message));

        auto s = awaitResult(store.cases().getState(uid));
        QCOMPARE(nm(s->stage), nm(Stage::Throttle));
        QCOMPARE(s->version, QStringLiteral("2"));
        QCOMPARE(s->exempt, false);
        QCOMPARE(awaitResult(store.cases().listEvents(uid))->size(), 1);
        QCOMPARE(auditCount(store.cases()), auditsBefore);
        // The key was not consumed: the corrected change applies.
        mine.expectedStateVersion = QStringLiteral("2");
        auto retry = awaitResult(store.cases().apply(mine));
        QVERIFY(retry.ok());
        QCOMPARE(retry->alreadyApplied, false);
        QCOMPARE(retry->stateVersion, QStringLiteral("3"));
    }

    void newUserMustNotExistYet() {
        TempStore store;
        const QString uid = QStringLiteral("u1");
        QVERIFY(awaitResult(
                    store.cases().apply(createUser(uid, QStringLiteral("e1"), QStringLiteral("FU-00000000000D"), kNow)))
                    .ok());
        auto again = awaitResult(
            store.cases().apply(createUser(uid, QStringLiteral("e9"), QStringLiteral("FU-00000000000E"), kNow)));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().kind, ErrorKind::Conflict);
    }

    void staleEventVersionConflictsAndWritesNothing() {
        TempStore store;
        const QString uid = QStringLiteral("u1");
        QVERIFY(awaitResult(
                    store.cases().apply(createUser(uid, QStringLiteral("e1"), QStringLiteral("FU-00000000000F"), kNow)))
                    .ok());
        ChangeSet resolve;
        resolve.uid = uid;
        resolve.checkStateVersion = false;
        resolve.newState = makeState(uid, Stage::Throttle, kNow + minutes(5)); // would change the state too
        resolve.newEvent = makeEvent(uid, QStringLiteral("e1"), QStringLiteral("FU-00000000000F"), kNow);
        resolve.newEvent->resolved = true;
        resolve.expectedEventVersion = QString(); // wrong: the event exists at version 1
        resolve.audit = makeAudit(uid, AuditAction::Resolve, kNow + minutes(5), QStringLiteral("ok"));
        auto r = awaitResult(store.cases().apply(resolve));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Conflict);
        QVERIFY2(r.error().message.contains(QStringLiteral("FU-00000000000F")), qPrintable(r.error().message));
        QCOMPARE(nm(awaitResult(store.cases().getState(uid))->stage), nm(Stage::Warning));
        QCOMPARE(awaitResult(store.cases().listEvents(uid))->first().resolved, false);
        QCOMPARE(auditCount(store.cases()), 1);

        resolve.expectedEventVersion = QStringLiteral("1");
        auto ok = awaitResult(store.cases().apply(resolve));
        QVERIFY(ok.ok());
        QCOMPARE(ok->eventVersion, QStringLiteral("2"));
        QCOMPARE(ok->stateVersion, QStringLiteral("2"));
        QCOMPARE(awaitResult(store.cases().listEvents(uid))->first().resolved, true);
    }

    void idempotencyKeyAppliesOnce() {
        TempStore store;
        const QString uid = QStringLiteral("u1");
        QVERIFY(awaitResult(
                    store.cases().apply(createUser(uid, QStringLiteral("e1"), QStringLiteral("FU-000000000010"), kNow)))
                    .ok());
        ChangeSet note;
        note.uid = uid;
        note.checkStateVersion = false;
        note.audit = makeAudit(uid, AuditAction::AddNote, kNow + minutes(1), QStringLiteral("bulk note"));
        note.idempotencyKey = QStringLiteral("bulk-7:e1");
        auto first = awaitResult(store.cases().apply(note));
        QVERIFY(first.ok());
        QCOMPARE(first->alreadyApplied, false);
        auto second = awaitResult(store.cases().apply(note));
        QVERIFY(second.ok());
        QCOMPARE(second->alreadyApplied, true);
        QCOMPARE(second->audit.hash, first->audit.hash);
        QCOMPARE(auditCount(store.cases()), 2);
    }

    void auditChainVerifiesAfterSeveralApplies() {
        TempStore store;
        const QString uid = QStringLiteral("u1");
        auto created = awaitResult(
            store.cases().apply(createUser(uid, QStringLiteral("e1"), QStringLiteral("FU-000000000011"), kNow)));
        QVERIFY(created.ok());
        QString state = created->stateVersion;
        QString head;
        for (int i = 0; i < 6; ++i) {
            ChangeSet c;
            c.uid = uid;
            c.newState = makeState(uid, i % 2 ? Stage::Warning : Stage::Throttle, kNow + minutes(i + 1));
            c.expectedStateVersion = state;
            c.exempt = i == 3 ? std::optional<bool>(true) : std::nullopt;
            c.audit = makeAudit(uid, i == 3 ? AuditAction::Exempt : AuditAction::OverrideStage, kNow + minutes(i + 1),
                                QStringLiteral("step %1").arg(i));
            auto r = awaitResult(store.cases().apply(c));
            QVERIFY(r.ok());
            QCOMPARE(r->audit.sequence, i + 2);
            state = r->stateVersion;
            head = r->audit.hash;
        }
        AuditFilter all;
        all.limit = 0;
        auto records = awaitResult(store.cases().listAudit(all));
        QVERIFY(records.ok());
        QCOMPARE(records->size(), 7);
        const ChainVerification v = verifyChain(*records, head);
        QVERIFY2(v.ok, qPrintable(v.reason));
        QCOMPARE(awaitResult(store.cases().getState(uid))->exempt, true);
    }

    void exemptionFollowsTheChangeSet() {
        TempStore store;
        const QString uid = QStringLiteral("u1");
        ChangeSet c = createUser(uid, QStringLiteral("e1"), QStringLiteral("FU-000000000012"), kNow);
        c.exempt = true;
        QVERIFY(awaitResult(store.cases().apply(c)).ok());
        QCOMPARE(awaitResult(store.cases().getState(uid))->exempt, true);
        ChangeSet un;
        un.uid = uid;
        un.checkStateVersion = false;
        un.exempt = false;
        un.audit = makeAudit(uid, AuditAction::Unexempt, kNow + minutes(1), QStringLiteral("no longer"));
        QVERIFY(awaitResult(store.cases().apply(un)).ok());
        QCOMPARE(awaitResult(store.cases().getState(uid))->exempt, false);
    }

    void applyRejectsInconsistentChangeSets() {
        TempStore store;
        ChangeSet c = createUser(QStringLiteral("u1"), QStringLiteral("e1"), QStringLiteral("FU-000000000013"), kNow);
        c.newState->uid = QStringLiteral("someone-else");
        auto r = awaitResult(store.cases().apply(c));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
        ChangeSet noUid;
        auto r2 = awaitResult(store.cases().apply(noUid));
        QVERIFY(!r2.ok());
        QCOMPARE(r2.error().kind, ErrorKind::Invalid);
    }

    void findByCaseRefNormalises_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("kind"); // -1 found, else ErrorKind
        QTest::newRow("exact") << QStringLiteral("FU-ABCDEF012345") << -1;
        QTest::newRow("lower case and spaces") << QStringLiteral("  fu-abcdef012345 ") << -1;
        QTest::newRow("hex only") << QStringLiteral("abcdef012345") << -1;
        QTest::newRow("unknown") << QStringLiteral("FU-ABCDEF012346") << int(ErrorKind::NotFound);
        QTest::newRow("too short") << QStringLiteral("FU-ABC") << int(ErrorKind::Invalid);
        QTest::newRow("not hex") << QStringLiteral("FU-ABCDEFGHIJKL") << int(ErrorKind::Invalid);
        QTest::newRow("empty") << QString() << int(ErrorKind::Invalid);
    }

    void findByCaseRefNormalises() {
        QFETCH(QString, query);
        QFETCH(int, kind);
        TempStore store;
        QVERIFY(awaitResult(store.cases().apply(createUser(QStringLiteral("u1"), QStringLiteral("e1"),
                                                           QStringLiteral("FU-ABCDEF012345"), kNow)))
                    .ok());
        auto r = awaitResult(store.cases().findByCaseRef(query));
        if (kind < 0) {
            QVERIFY(r.ok());
            QCOMPARE(r->id, QStringLiteral("e1"));
            QCOMPARE(r->uid, QStringLiteral("u1"));
        } else {
            QVERIFY(!r.ok());
            QCOMPARE(int(r.error().kind), kind);
        }
    }

    void conversationsSpendAndReviewersFromAPopulation() {
        TempStore store;
        DemoPopulation pop;
        pop.referenceTime = kNow;
        for (int i = 0; i < 5; ++i) {
            Conversation c;
            c.id = QStringLiteral("c%1").arg(i);
            c.title = QStringLiteral("Chapter %1").arg(i);
            c.overview = QStringLiteral("overview %1").arg(i);
            c.category = QStringLiteral("entertainment");
            c.source = QStringLiteral("realtime");
            c.startedAt = kNow - hours(24 * i) - minutes(90);
            c.finishedAt = kNow - hours(24 * i);
            c.createdAt = c.startedAt;
            pop.conversations.append(DemoConversation{QStringLiteral("u1"), c});
        }
        pop.conversations.append(DemoConversation{QStringLiteral("u2"), pop.conversations.first().conversation});
        for (int i = 0; i < 4; ++i) {
            LlmSpendRecord r;
            r.uid = QStringLiteral("u%1").arg(i);
            r.at = kNow - hours(i);
            r.model = QStringLiteral("gpt-5-mini");
            r.purpose = QStringLiteral("structuring");
            r.promptTokens = 1000 * (i + 1);
            r.completionTokens = 100;
            r.costMicroUsd = 450 + i;
            r.customStt = i % 2 == 0;
            r.plan = Plan::Basic;
            pop.spend.append(r);
        }
        pop.reviewers = {{QStringLiteral("Demo.Reviewer@FairUse.example"), Role::SeniorReviewer},
                         {QStringLiteral("ops.admin@fairuse.example"), Role::Admin}};
        QVERIFY(awaitResult(store.stores.database->ready()).ok());
        const Status written = writeToEmbedded(pop, *store.stores.database);
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));

        auto convs = awaitResult(store.cases().listConversations(QStringLiteral("u1"), kNow - hours(24 * 3), 10));
        QVERIFY(convs.ok());
        // created_at within the last 3 days: c0, c1, c2 (c3 started 3 days and 90 minutes ago).
        QCOMPARE(convs->size(), 3);
        QCOMPARE(convs->at(0).id, QStringLiteral("c0"));
        QCOMPARE(convs->at(2).id, QStringLiteral("c2"));
        QCOMPARE(convs->at(0).overview, QStringLiteral("overview 0"));
        QCOMPARE(convs->at(0).durationMinutes(), 90.0);
        QCOMPARE(awaitResult(store.cases().listConversations(QStringLiteral("u1"), kNow - hours(24 * 30), 2))->size(),
                 2);

        auto spend = awaitResult(store.cases().listSpend(kNow - hours(2), kNow));
        QVERIFY(spend.ok());
        QCOMPARE(spend->size(), 2); // [from, to): the record at kNow is excluded
        QCOMPARE(spend->at(0).uid, QStringLiteral("u2"));
        QCOMPARE(spend->at(0).customStt, true);
        QCOMPARE(spend->at(1).costMicroUsd, 451);
        QCOMPARE(spend->at(1).promptTokens, 2000);

        QCOMPARE(nm(awaitResult(store.cases().reviewerRole(QStringLiteral("demo.reviewer@fairuse.example"))).value()),
                 nm(Role::SeniorReviewer));
        QCOMPARE(nm(awaitResult(store.cases().reviewerRole(QStringLiteral(" OPS.admin@fairuse.example"))).value()),
                 nm(Role::Admin));
        auto unknown = awaitResult(store.cases().reviewerRole(QStringLiteral("mallory@fairuse.example")));
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().kind, ErrorKind::NotFound);
    }

    void listAuditFilters() {
        TempStore store;
        QVERIFY(awaitResult(store.cases().apply(createUser(QStringLiteral("a"), QStringLiteral("e1"),
                                                           QStringLiteral("FU-000000000021"), kNow)))
                    .ok());
        QVERIFY(awaitResult(store.cases().apply(createUser(QStringLiteral("b"), QStringLiteral("e2"),
                                                           QStringLiteral("FU-000000000022"), kNow + minutes(10))))
                    .ok());
        for (int i = 0; i < 3; ++i) {
            ChangeSet note;
            note.uid = QStringLiteral("a");
            note.checkStateVersion = false;
            note.audit = makeAudit(QStringLiteral("a"), AuditAction::AddNote, kNow + minutes(20 + i),
                                   QStringLiteral("note %1").arg(i));
            note.audit.reviewer = QStringLiteral("kim.reviewer@fairuse.example");
            QVERIFY(awaitResult(store.cases().apply(note)).ok());
        }
        AuditFilter f;
        f.uid = QStringLiteral("a");
        QCOMPARE(awaitResult(store.cases().listAudit(f))->size(), 4);
        f = {};
        f.reviewer = QStringLiteral("kim.reviewer@fairuse.example");
        QCOMPARE(awaitResult(store.cases().listAudit(f))->size(), 3);
        f = {};
        f.action = AuditAction::OverrideStage;
        auto overrides = awaitResult(store.cases().listAudit(f));
        QCOMPARE(overrides->size(), 2);
        QVERIFY(overrides->at(0).sequence < overrides->at(1).sequence);
        f = {};
        f.from = kNow + minutes(10);
        f.to = kNow + minutes(21);
        QCOMPARE(awaitResult(store.cases().listAudit(f))->size(), 2);
        f = {};
        f.limit = 2;
        auto newest = awaitResult(store.cases().listAudit(f));
        QCOMPARE(newest->size(), 2);
        QCOMPARE(newest->at(0).sequence, 4); // the newest two, oldest first
        QCOMPARE(newest->at(1).sequence, 5);
        QCOMPARE(newest->at(1).reason, QStringLiteral("note 2"));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedCaseStore)
#include "EmbeddedCaseStoreTest.moc"
