// FirestoreCaseStore against the real emulator: queue paging, atomic apply with preconditions, concurrent
// reviewers, the audit chain, idempotency, exemptions, spend, roles.
#include "EmulatorSupport.h"

#include "audit/AuditChain.h"
#include "firestore/FirestoreCaseStore.h"

#include <QTest>

#include <algorithm>

using namespace fairuse;
using namespace fairuse::services;

namespace {

using V = FirestoreValue;
using namespace fairuse::testing;

FairUseState flaggedState(const QString& uid, Stage stage, const char* updated, double score, UsageType type) {
    FairUseState s;
    s.uid = uid;
    s.stage = stage;
    s.updatedAt = at(updated);
    s.lastClassifierScore = score;
    s.lastClassifierType = type;
    s.lastCaseRef = QStringLiteral("FU-%1").arg(uid.toUpper().leftJustified(12, QLatin1Char('0')));
    return s;
}

FairUseEvent openEvent(const QString& id, const QString& caseRef, const char* created, Stage newStage) {
    FairUseEvent e;
    e.id = id;
    e.caseRef = caseRef;
    e.createdAt = at(created);
    e.trigger = CapWindow::Daily;
    e.windowSpeech = SpeechTotals{7'500'000, 8'000'000, 9'000'000};
    e.previousStage = Stage::None;
    e.newStage = newStage;
    e.enforcementAction = toString(newStage);
    return e;
}

/** Writes backend-shaped documents directly, as the backend would. */
Status seed(FirestoreClient& client, const QList<FairUseState>& states, const QList<FairUseEvent>& events) {
    QList<FirestoreWrite> writes;
    for (const auto& s : states) {
        writes.append(FirestoreWrite::set(FirestoreCaseStore::statePath(s.uid), encodeState(s)));
    }
    for (const auto& e : events) {
        writes.append(FirestoreWrite::set(FirestoreCaseStore::eventPath(e.uid, e.id), encodeEvent(e)));
    }
    auto r = awaitResult(client.commitInBatches(writes), 120000);
    if (!r) {
        return r.error();
    }
    return {};
}

/** u1 at `stage` with one open case, e1 (FU-0123456789AB), that moved them there. */
Status seedU1(FirestoreClient& client, Stage stage) {
    FairUseEvent e = openEvent(QStringLiteral("e1"), QStringLiteral("FU-0123456789AB"), "2026-03-20T09:00:00Z", stage);
    e.uid = QStringLiteral("u1");
    return seed(client, {flaggedState(QStringLiteral("u1"), stage, "2026-03-20T10:00:00Z", 0.8, UsageType::Audiobook)},
                {e});
}

AuditRecord auditFor(const QString& uid, AuditAction action, const QString& reviewer = QStringLiteral("rev@x.com")) {
    AuditRecord a;
    a.at = at("2026-03-21T09:00:00Z");
    a.reviewer = reviewer;
    a.role = Role::Reviewer;
    a.action = action;
    a.uid = uid;
    a.reason = QStringLiteral("checked the evidence");
    a.clientVersion = QStringLiteral("test");
    return a;
}

/** A resolve action on (state, event) read at their current versions. */
ChangeSet resolveChange(const FairUseState& state, const FairUseEvent& event, const QString& reviewer,
                        Outcome outcome) {
    ChangeSet c;
    c.uid = state.uid;
    c.newState = state;
    c.newState->stage = outcome == Outcome::FalsePositive ? Stage::None : state.stage;
    c.expectedStateVersion = state.version;
    c.newEvent = event;
    c.newEvent->resolved = true;
    c.newEvent->resolvedBy = reviewer;
    c.newEvent->resolvedAt = at("2026-03-21T09:00:00Z");
    c.newEvent->outcome = outcome;
    c.expectedEventVersion = event.version;
    c.audit = auditFor(state.uid, AuditAction::Resolve, reviewer);
    c.audit.caseRef = event.caseRef;
    c.audit.stageBefore = state.stage;
    c.audit.stageAfter = c.newState->stage;
    return c;
}

} // namespace

class FirestoreCaseStoreTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cursorCodec();
    void queueOrdersPagesAndFilters();
    void queueSearchByUidAndCaseRef();
    void applyWritesStateEventAndChainedAudit();
    void concurrentReviewersOneWinsOneConflict();
    void staleEventVersionWritesNothing();
    void newStateOverExistingIsConflict();
    void concurrentAppliesOnDifferentUsersKeepTheChainLinear();
    void idempotencyKeyAppliesOnce();
    void exemptionsRolesSpendAndReads();
};

void FirestoreCaseStoreTest::cursorCodec() {
    const QString c = FirestoreCaseStore::encodeCursor(
        QStringLiteral("2026-03-20T10:00:00.123456Z"),
        QStringLiteral("projects/p/databases/(default)/documents/users/u/fair_use_state/current"));
    auto back = FirestoreCaseStore::decodeCursor(c);
    QVERIFY(back.ok());
    QCOMPARE(back->first, QStringLiteral("2026-03-20T10:00:00.123456Z"));
    for (const QString& bad :
         {QStringLiteral("!!!"), QStringLiteral("e30"), QString(),
          FirestoreCaseStore::encodeCursor(QStringLiteral("soon"), QStringLiteral("x/documents/y")),
          FirestoreCaseStore::encodeCursor(QStringLiteral("2026-03-20T10:00:00Z"), QStringLiteral("nope"))}) {
        auto r = FirestoreCaseStore::decodeCursor(bad);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
    }
}

void FirestoreCaseStoreTest::queueOrdersPagesAndFilters() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("queue"));
    QList<FairUseState> states{
        flaggedState(QStringLiteral("ua"), Stage::Warning, "2026-03-20T10:00:00Z", 0.8, UsageType::Audiobook),
        flaggedState(QStringLiteral("ub"), Stage::Restrict, "2026-03-20T14:00:00Z", 0.95, UsageType::Podcast),
        flaggedState(QStringLiteral("uc"), Stage::Throttle, "2026-03-20T12:00:00Z", 0.75, UsageType::Audiobook),
        flaggedState(QStringLiteral("ud"), Stage::Warning, "2026-03-20T12:00:00Z", 0.72, UsageType::Podcast),
        flaggedState(QStringLiteral("ue"), Stage::None, "2026-03-20T15:00:00Z", 0.1, UsageType::None),
        flaggedState(QStringLiteral("uf"), Stage::Throttle, "2026-03-19T08:00:00Z", 0.9, UsageType::Commercial),
    };
    QList<FairUseEvent> events;
    auto e1 =
        openEvent(QStringLiteral("e1"), QStringLiteral("FU-AAAAAAAAAAA1"), "2026-03-19T10:00:00Z", Stage::Warning);
    e1.uid = QStringLiteral("uc");
    auto e2 =
        openEvent(QStringLiteral("e2"), QStringLiteral("FU-AAAAAAAAAAA2"), "2026-03-20T11:00:00Z", Stage::Throttle);
    e2.uid = QStringLiteral("uc");
    auto e3 =
        openEvent(QStringLiteral("e3"), QStringLiteral("FU-AAAAAAAAAAA3"), "2026-03-18T11:00:00Z", Stage::Warning);
    e3.uid = QStringLiteral("ua");
    e3.resolved = true;
    events << e1 << e2 << e3;
    const Status seeded = seed(*f.client, states, events);
    VERIFY_OK(seeded);
    QVERIFY(wait(f.client->patch(QStringLiteral("fair_use_exemptions/uf"),
                                 {{QStringLiteral("exempt"), V::boolean(true)}}, {QStringLiteral("exempt")}))
                .ok());

    // Expected: flagged only, updated_at desc, then uid desc (document name) on ties.
    QList<FairUseState> flagged;
    std::copy_if(states.begin(), states.end(), std::back_inserter(flagged),
                 [](const FairUseState& s) { return s.stage != Stage::None; });
    std::sort(flagged.begin(), flagged.end(), [](const FairUseState& a, const FairUseState& b) {
        return a.updatedAt != b.updatedAt ? *a.updatedAt > *b.updatedAt : a.uid > b.uid;
    });
    QStringList expected;
    for (const auto& s : flagged) {
        expected.append(s.uid);
    }

    QStringList seen;
    QString cursor;
    int pages = 0;
    do {
        auto page = wait(f.store->fetchQueuePage(QueueFilter{}, cursor, 2));
        VERIFY_OK(page);
        QVERIFY(page->rows.size() <= 2);
        for (const auto& row : page->rows) {
            seen.append(row.state.uid);
            if (row.state.uid == QLatin1String("uc")) {
                QCOMPARE(row.openCases, 2);
                QVERIFY(row.oldestOpenCaseAt == at("2026-03-19T10:00:00Z"));
                QVERIFY(row.state.stage == (Stage::Throttle));
                QCOMPARE(row.state.lastClassifierScore.value_or(0), 0.75);
            }
            if (row.state.uid == QLatin1String("ua")) {
                QCOMPARE(row.openCases, 0); // its only event is resolved
            }
            QCOMPARE(row.state.exempt, row.state.uid == QLatin1String("uf"));
        }
        cursor = page->nextCursor;
        QVERIFY(++pages < 10);
    } while (!cursor.isEmpty());
    QCOMPARE(seen, expected);

    // Stage filter (== instead of IN), usage type and score filters, resolution filter.
    QueueFilter throttled;
    throttled.stage = Stage::Throttle;
    auto t = wait(f.store->fetchQueuePage(throttled, {}, 10));
    VERIFY_OK(t);
    QCOMPARE(t->rows.size(), 2);
    QCOMPARE(t->rows.at(0).state.uid, QStringLiteral("uc"));
    QCOMPARE(t->rows.at(1).state.uid, QStringLiteral("uf"));
    QVERIFY(t->nextCursor.isEmpty());

    QueueFilter podcasts;
    podcasts.usageType = UsageType::Podcast;
    podcasts.minScore = 0.9;
    auto p = wait(f.store->fetchQueuePage(podcasts, {}, 1));
    VERIFY_OK(p);
    QCOMPARE(p->rows.size(), 1);
    QCOMPARE(p->rows.at(0).state.uid, QStringLiteral("ub"));

    QueueFilter open;
    open.resolution = QueueFilter::Resolution::OpenOnly;
    auto o = wait(f.store->fetchQueuePage(open, {}, 10));
    VERIFY_OK(o);
    QCOMPARE(o->rows.size(), 1);
    QCOMPARE(o->rows.at(0).state.uid, QStringLiteral("uc"));

    auto bad = wait(f.store->fetchQueuePage(QueueFilter{}, QStringLiteral("garbage"), 2));
    QCOMPARE(bad.error().kind, ErrorKind::Invalid);
    QCOMPARE(wait(f.store->fetchQueuePage(QueueFilter{}, {}, 0)).error().kind, ErrorKind::Invalid);
}

void FirestoreCaseStoreTest::queueSearchByUidAndCaseRef() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("search"));
    auto e = openEvent(QStringLiteral("e1"), QStringLiteral("FU-0123456789AB"), "2026-03-20T09:00:00Z", Stage::Warning);
    e.uid = QStringLiteral("u1");
    VERIFY_OK(
        seed(*f.client,
             {flaggedState(QStringLiteral("u1"), Stage::Warning, "2026-03-20T10:00:00Z", 0.8, UsageType::Audiobook),
              flaggedState(QStringLiteral("u2"), Stage::Restrict, "2026-03-20T11:00:00Z", 0.9, UsageType::Podcast)},
             {e}));
    QueueFilter byRef;
    byRef.search = QStringLiteral("fu-0123456789ab");
    auto r = wait(f.store->fetchQueuePage(byRef, {}, 10));
    VERIFY_OK(r);
    QCOMPARE(r->rows.size(), 1);
    QCOMPARE(r->rows.at(0).state.uid, QStringLiteral("u1"));
    QCOMPARE(r->rows.at(0).openCases, 1);

    QueueFilter byUid;
    byUid.search = QStringLiteral("u2");
    auto u = wait(f.store->fetchQueuePage(byUid, {}, 10));
    VERIFY_OK(u);
    QCOMPARE(u->rows.size(), 1);
    QVERIFY(u->rows.at(0).state.stage == (Stage::Restrict));

    byUid.search = QStringLiteral("nobody");
    QCOMPARE(wait(f.store->fetchQueuePage(byUid, {}, 10))->rows.size(), 0);
    byRef.search = QStringLiteral("FU-FFFFFFFFFFFF");
    QCOMPARE(wait(f.store->fetchQueuePage(byRef, {}, 10))->rows.size(), 0);
}

void FirestoreCaseStoreTest::applyWritesStateEventAndChainedAudit() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("apply"));
    VERIFY_OK(seedU1(*f.client, Stage::Warning));
    // A backend field we do not know must survive our update (update mask).
    QVERIFY(wait(f.client->patch(FirestoreCaseStore::statePath(QStringLiteral("u1")),
                                 {{QStringLiteral("backend_only"), V::string(QStringLiteral("keep me"))}},
                                 {QStringLiteral("backend_only")}))
                .ok());

    auto state = wait(f.store->getState(QStringLiteral("u1")));
    VERIFY_OK(state);
    auto events = wait(f.store->listEvents(QStringLiteral("u1")));
    VERIFY_OK(events);
    QCOMPARE(events->size(), 1);

    auto first = wait(
        f.store->apply(resolveChange(*state, events->first(), QStringLiteral("rev@x.com"), Outcome::FalsePositive)));
    VERIFY_OK(first);
    QVERIFY(!first->alreadyApplied);
    QCOMPARE(first->audit.sequence, 1);
    QVERIFY(first->audit.prevHash.isEmpty());
    QCOMPARE(first->audit.hash, hashRecord(first->audit));

    auto after = wait(f.store->getState(QStringLiteral("u1")));
    VERIFY_OK(after);
    QVERIFY(after->stage == (Stage::None));
    QCOMPARE(after->version, first->stateVersion);
    auto raw = wait(f.client->get(FirestoreCaseStore::statePath(QStringLiteral("u1"))));
    QCOMPARE(raw->fields.value(QStringLiteral("backend_only")).toText(), QStringLiteral("keep me"));
    auto resolved = wait(f.store->findByCaseRef(QStringLiteral("FU-0123456789AB")));
    VERIFY_OK(resolved);
    QVERIFY(resolved->resolved);
    QCOMPARE(resolved->resolvedBy, QStringLiteral("rev@x.com"));
    QVERIFY(resolved->outcome == Outcome::FalsePositive);
    QCOMPARE(resolved->version, first->eventVersion);

    // A note: audit only, chained to the first.
    ChangeSet note;
    note.uid = QStringLiteral("u1");
    note.audit = auditFor(QStringLiteral("u1"), AuditAction::AddNote, QStringLiteral("other@x.com"));
    auto second = wait(f.store->apply(note));
    VERIFY_OK(second);
    QCOMPARE(second->audit.sequence, 2);
    QCOMPARE(second->audit.prevHash, first->audit.hash);
    QVERIFY(second->stateVersion.isEmpty());

    auto trail = wait(f.store->listAudit(AuditFilter{}));
    VERIFY_OK(trail);
    QCOMPARE(trail->size(), 2);
    auto head = wait(f.client->get(FirestoreCaseStore::kAuditHeadPath));
    VERIFY_OK(head);
    const ChainVerification v = verifyChain(*trail, head->fields.value(QStringLiteral("hash")).toText());
    QVERIFY2(v.ok, qPrintable(v.reason));

    AuditFilter byReviewer;
    byReviewer.reviewer = QStringLiteral("other@x.com");
    QCOMPARE(wait(f.store->listAudit(byReviewer))->size(), 1);
    AuditFilter byAction;
    byAction.action = AuditAction::Resolve;
    byAction.uid = QStringLiteral("u1");
    QCOMPARE(wait(f.store->listAudit(byAction))->size(), 1);

    // The core's audit validation runs before anything is written: a placeholder reviewer is refused.
    ChangeSet anonymous = note;
    anonymous.audit.reviewer = QStringLiteral("admin");
    QCOMPARE(wait(f.store->apply(anonymous)).error().kind, ErrorKind::Invalid);
    QCOMPARE(wait(f.store->listAudit(AuditFilter{}))->size(), 2);
}

void FirestoreCaseStoreTest::concurrentReviewersOneWinsOneConflict() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("race"));
    VERIFY_OK(seedU1(*f.client, Stage::Throttle));
    auto state = wait(f.store->getState(QStringLiteral("u1")));
    auto events = wait(f.store->listEvents(QStringLiteral("u1")));
    VERIFY_OK(state);
    VERIFY_OK(events);

    // Both reviewers read the same versions, then act at the same time.
    auto a = f.store->apply(resolveChange(*state, events->first(), QStringLiteral("alice@x.com"), Outcome::Confirmed));
    auto b =
        f.store->apply(resolveChange(*state, events->first(), QStringLiteral("bob@x.com"), Outcome::FalsePositive));
    auto ra = wait(a);
    auto rb = wait(b);
    QVERIFY2(ra.ok() != rb.ok(), "exactly one reviewer must win");
    const auto& loser = ra.ok() ? rb : ra;
    QCOMPARE(loser.error().kind, ErrorKind::Conflict);
    QVERIFY2(loser.error().message.contains(QStringLiteral("someone else changed this case first")),
             qPrintable(loser.error().message));
    const QString winner = ra.ok() ? QStringLiteral("alice@x.com") : QStringLiteral("bob@x.com");

    // Nothing of the loser was written: one audit record, by the winner; state and event are the winner's.
    auto trail = wait(f.store->listAudit(AuditFilter{}));
    VERIFY_OK(trail);
    QCOMPARE(trail->size(), 1);
    QCOMPARE(trail->first().reviewer, winner);
    auto event = wait(f.store->findByCaseRef(QStringLiteral("FU-0123456789AB")));
    QCOMPARE(event->resolvedBy, winner);
    auto after = wait(f.store->getState(QStringLiteral("u1")));
    QVERIFY(after->stage == (winner == QLatin1String("alice@x.com") ? Stage::Throttle : Stage::None));
}

void FirestoreCaseStoreTest::staleEventVersionWritesNothing() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("stale"));
    VERIFY_OK(seedU1(*f.client, Stage::Warning));
    auto state = wait(f.store->getState(QStringLiteral("u1")));
    auto events = wait(f.store->listEvents(QStringLiteral("u1")));
    // Someone (the backend) touches the event after we read it.
    QVERIFY(wait(f.client->patch(FirestoreCaseStore::eventPath(QStringLiteral("u1"), QStringLiteral("e1")),
                                 {{QStringLiteral("admin_notes"), V::string(QStringLiteral("backend note"))}},
                                 {QStringLiteral("admin_notes")}))
                .ok());
    auto r = wait(
        f.store->apply(resolveChange(*state, events->first(), QStringLiteral("rev@x.com"), Outcome::FalsePositive)));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Conflict);
    QVERIFY2(r.error().message.contains(QStringLiteral("the case")), qPrintable(r.error().message));
    // State untouched (same version), no audit record, no head.
    QCOMPARE(wait(f.store->getState(QStringLiteral("u1")))->version, state->version);
    QCOMPARE(wait(f.store->listAudit(AuditFilter{}))->size(), 0);
    QCOMPARE(wait(f.client->get(FirestoreCaseStore::kAuditHeadPath)).error().kind, ErrorKind::NotFound);
}

void FirestoreCaseStoreTest::newStateOverExistingIsConflict() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("exists"));
    VERIFY_OK(seed(
        *f.client,
        {flaggedState(QStringLiteral("u1"), Stage::Warning, "2026-03-20T10:00:00Z", 0.8, UsageType::Audiobook)}, {}));
    ChangeSet c;
    c.uid = QStringLiteral("u1");
    c.newState = flaggedState(QStringLiteral("u1"), Stage::Restrict, "2026-03-21T10:00:00Z", 0.9, UsageType::Audiobook);
    c.expectedStateVersion = QString(); // "must not exist yet", but it does
    c.audit = auditFor(QStringLiteral("u1"), AuditAction::OverrideStage);
    auto r = wait(f.store->apply(c));
    QCOMPARE(r.error().kind, ErrorKind::Conflict);
    QVERIFY(wait(f.store->getState(QStringLiteral("u1")))->stage == (Stage::Warning));

    // For a user without state, the empty version is right and the state is created.
    c.uid = QStringLiteral("fresh");
    c.audit.uid = QStringLiteral("fresh");
    auto created = wait(f.store->apply(c));
    VERIFY_OK(created);
    QVERIFY(wait(f.store->getState(QStringLiteral("fresh")))->stage == (Stage::Restrict));
}

void FirestoreCaseStoreTest::concurrentAppliesOnDifferentUsersKeepTheChainLinear() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("chain"));
    const int users = 6;
    QList<Async<CommitResult>> inFlight;
    for (int i = 0; i < users; ++i) {
        ChangeSet c;
        c.uid = QStringLiteral("u%1").arg(i);
        c.audit = auditFor(c.uid, AuditAction::AddNote, QStringLiteral("r%1@x.com").arg(i));
        inFlight.append(f.store->apply(c));
    }
    QList<std::int64_t> sequences;
    for (const auto& fut : inFlight) {
        auto r = wait(fut);
        VERIFY_OK(r); // a moved audit head is retried, never reported as a conflict
        sequences.append(r->audit.sequence);
    }
    std::sort(sequences.begin(), sequences.end());
    for (int i = 0; i < users; ++i) {
        QCOMPARE(sequences.at(i), i + 1);
    }
    auto trail = wait(f.store->listAudit(AuditFilter{}));
    VERIFY_OK(trail);
    QCOMPARE(trail->size(), users);
    const ChainVerification v = verifyChain(
        *trail, wait(f.client->get(FirestoreCaseStore::kAuditHeadPath))->fields.value(QStringLiteral("hash")).toText());
    QVERIFY2(v.ok, qPrintable(v.reason));
}

void FirestoreCaseStoreTest::idempotencyKeyAppliesOnce() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("idem"));
    ChangeSet c;
    c.uid = QStringLiteral("u1");
    c.audit = auditFor(QStringLiteral("u1"), AuditAction::AddNote);
    c.idempotencyKey = QStringLiteral("bulk-run-7/case FU-1/with spaces");
    auto first = wait(f.store->apply(c));
    VERIFY_OK(first);
    QVERIFY(!first->alreadyApplied);
    auto again = wait(f.store->apply(c));
    VERIFY_OK(again);
    QVERIFY(again->alreadyApplied);
    QCOMPARE(again->audit.sequence, first->audit.sequence);
    QCOMPARE(again->audit.hash, first->audit.hash);

    // The same key from two clients at once: one applies, the other learns it was applied.
    c.idempotencyKey = QStringLiteral("bulk-run-8/case FU-2");
    auto x = f.store->apply(c);
    auto y = f.store->apply(c);
    auto rx = wait(x);
    auto ry = wait(y);
    VERIFY_OK(rx);
    VERIFY_OK(ry);
    QVERIFY(rx->alreadyApplied != ry->alreadyApplied);
    QCOMPARE(wait(f.store->listAudit(AuditFilter{}))->size(), 2);
}

void FirestoreCaseStoreTest::exemptionsRolesSpendAndReads() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    auto f = makeStore(host, QStringLiteral("misc"));
    FairUseState u1;
    u1.uid = QStringLiteral("u1");
    u1.stage = Stage::Warning;
    u1.updatedAt = at("2026-03-20T00:00:00Z");
    VERIFY_OK(wait(f.client->commit({FirestoreWrite::set(FirestoreCaseStore::statePath(u1.uid), encodeState(u1))})));
    ChangeSet exempt;
    exempt.uid = QStringLiteral("u1");
    exempt.exempt = true;
    exempt.audit = auditFor(QStringLiteral("u1"), AuditAction::Exempt, QStringLiteral("senior@x.com"));
    exempt.audit.role = Role::SeniorReviewer;
    VERIFY_OK(wait(f.store->apply(exempt)));
    QVERIFY(wait(f.store->getState(QStringLiteral("u1")))->exempt);
    exempt.exempt = false;
    exempt.audit.action = AuditAction::Unexempt;
    VERIFY_OK(wait(f.store->apply(exempt)));
    QVERIFY(!wait(f.store->getState(QStringLiteral("u1")))->exempt);
    // A user without a state document is not found (a mistyped id must not open a default user).
    auto none = wait(f.store->getState(QStringLiteral("ghost")));
    QVERIFY(!none.ok());
    QCOMPARE(none.error().kind, ErrorKind::NotFound);
    QCOMPARE(wait(f.store->getState(QStringLiteral("a/b"))).error().kind, ErrorKind::Invalid);

    QCOMPARE(wait(f.store->reviewerRole(QStringLiteral("nobody@x.com"))).error().kind, ErrorKind::NotFound);
    VERIFY_OK(wait(f.store->setReviewerRole(QStringLiteral("Senior@X.com"), Role::SeniorReviewer)));
    auto role = wait(f.store->reviewerRole(QStringLiteral("senior@x.com")));
    VERIFY_OK(role);
    QVERIFY(*role == (Role::SeniorReviewer));

    for (int i = 0; i < 5; ++i) {
        LlmSpendRecord s{QStringLiteral("u%1").arg(i % 2),
                         at("2026-03-20T00:00:00Z") + std::chrono::hours{i},
                         QStringLiteral("gpt"),
                         QStringLiteral("structuring"),
                         100,
                         10,
                         1000 + i,
                         i % 2 == 0,
                         Plan::Basic};
        VERIFY_OK(wait(f.store->recordSpend(s)));
    }
    auto spend = wait(f.store->listSpend(at("2026-03-20T01:00:00Z"), at("2026-03-20T04:00:00Z")));
    VERIFY_OK(spend);
    QCOMPARE(spend->size(), 3); // hours 1, 2, 3: from inclusive, to exclusive
    QCOMPARE(spend->first().costMicroUsd, 1001);

    QList<FirestoreWrite> convs;
    for (int i = 0; i < 4; ++i) {
        Conversation c{QString(),
                       QStringLiteral("T%1").arg(i),
                       QStringLiteral("O"),
                       QStringLiteral("work"),
                       QStringLiteral("omi"),
                       at("2026-03-20T00:00:00Z") + std::chrono::hours{i},
                       at("2026-03-20T00:30:00Z") + std::chrono::hours{i},
                       at("2026-03-20T00:30:00Z") + std::chrono::hours{i}};
        convs.append(FirestoreWrite::set(QStringLiteral("users/u1/conversations/c%1").arg(i), encodeConversation(c)));
    }
    QVERIFY(wait(f.client->commit(convs)).ok());
    auto recent = wait(f.store->listConversations(QStringLiteral("u1"), at("2026-03-20T01:00:00Z"), 2));
    VERIFY_OK(recent);
    QCOMPARE(recent->size(), 2);
    QCOMPARE(recent->at(0).id, QStringLiteral("c3")); // newest first
    QCOMPARE(recent->at(1).title, QStringLiteral("T2"));
}

QTEST_GUILESS_MAIN(FirestoreCaseStoreTest)
#include "FirestoreCaseStoreTest.moc"
