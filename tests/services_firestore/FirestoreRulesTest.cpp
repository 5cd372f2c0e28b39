// packaging/firestore/firestore.rules against what reviewers genuinely do, signed in through the Firebase Auth
// emulator: a reviewer books classifier spend, resolves and notes through the store, a senior reviewer overrides,
// exempts and un-exempts, accounts without a verified reviewer read nothing, bulk commits fit the rules' budget of
// document reads, and the enforcement service's heartbeats and shadow decisions are read by reviewers and written by
// nobody but the service.
#include "RulesActorsTestBase.h"

#include "enforcement/ShadowComparison.h"
#include "enforcement/SpendReview.h"
#include "firestore/FirestoreMapping.h"
#include "firestore/ServiceHeartbeatDocument.h"
#include "firestore/ShadowDecisionDocument.h"

#include <QDateTime>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;

class FirestoreRulesTest : public ActorsTestBase {
    Q_OBJECT

private Q_SLOTS:
    void reviewerResolvesAndNotesThroughTheStore();
    void seniorOverridesExemptsAndUnexempts();
    void nothingWithoutAVerifiedReviewer();
    void reviewerBooksClassifierSpend();
    void bulkCommitsFitTheRulesBudget();
    void concurrentReviewersOnDifferentUsersBothLand();
    void serviceHeartbeatIsReadOnly();
    void reviewerResolvesASpendCaseOfAUserWithoutState();
    void shadowDecisionsAreReadOnly();
};

void FirestoreRulesTest::reviewerResolvesASpendCaseOfAUserWithoutState() {
    // The enforcement service (owner credentials) opens an LLM-spend case on a user who has no state document: a
    // user who brings their own speech-to-text is often at stage none. A plain reviewer resolves it under the rules.
    const QString uid = QStringLiteral("byok-rules-%1").arg(QDateTime::currentMSecsSinceEpoch());
    FairUseState none;
    none.uid = uid;
    enforcement::SpendStanding standing;
    standing.uid = uid;
    standing.customStt = true;
    standing.caps = LedgerPolicy{}.basic;
    standing.dailyMicroUsd = 900'000;
    standing.monthlyMicroUsd = 900'000;
    const enforcement::ServiceIdentity service{QStringLiteral("enforcer@fairuse.example"), QString(), QString()};
    const QString caseId = enforcement::spendCaseId(uid, CapWindow::LlmDaily, actionTime(), LedgerPolicy{});
    VERIFY_OK(applyChange(*m_rules.ownerStore, enforcement::buildSpendCaseChange(none, standing, CapWindow::LlmDaily,
                                                                                 service, actionTime(), caseId, {})));
    const Actor& reviewer = actor(Who::Reviewer);
    FirestoreCaseStore store(reviewer.client);
    auto state = wait(store.getStateOrNew(uid));
    VERIFY_OK(state);
    auto events = wait(store.listEvents(uid));
    VERIFY_OK(events);
    QCOMPARE(events->size(), 1);
    QVERIFY(events->first().llmSpend.has_value());
    auto resolved = applyChange(store, enforcement::buildResolve(kPolicy, *state, events->first(), Outcome::NoAction,
                                                                 QStringLiteral("user_contacted"),
                                                                 QStringLiteral("asked them to upgrade"), false,
                                                                 contextFor(reviewer.reviewer)));
    VERIFY_OK(resolved);
    QCOMPARE(resolved->audit.reviewer, reviewer.reviewer.email);
    auto after = wait(store.listEvents(uid));
    VERIFY_OK(after);
    QVERIFY(after->first().resolved);
    QCOMPARE(after->first().resolvedBy, reviewer.reviewer.email);
    QVERIFY(!wait(store.getState(uid)).ok()); // still no state document: resolving wrote none
    // A reviewer may not forge a spend case: cases are the service's alone.
    const auto forged = wait(reviewer.client->commit({FirestoreWrite::set(
        FirestoreCaseStore::eventPath(uid, QStringLiteral("forged")), encodeEvent(after->first()))}));
    QVERIFY(!forged.ok());
    QCOMPARE(forged.error().kind, ErrorKind::Permission);
}

void FirestoreRulesTest::shadowDecisionsAreReadOnly() {
    ShadowDecision d;
    d.uid = freshUser(Stage::Warning);
    d.passAt = actionTime();
    d.intervalStart = enforcement::checkIntervalStart(d.passAt, std::chrono::minutes(5));
    d.id = enforcement::shadowDecisionId(d.uid, d.intervalStart);
    d.instance = QStringLiteral("shadow-1");
    d.action = QStringLiteral("throttle");
    d.outcome = QStringLiteral("would_write");
    d.stageBefore = Stage::Warning;
    d.stageAfter = Stage::Throttle;
    d.trigger = CapWindow::Daily;
    d.totals = SpeechTotals{9'000'000, 9'000'000, 9'000'000};
    d.score = 0.93;
    d.usageType = UsageType::Audiobook;
    const QString path = shadowDecisionPath(d.id);
    VERIFY_OK(wait(m_rules.owner->commit({FirestoreWrite::set(path, encodeShadowDecision(d))}))); // the service
    for (Who who : {Who::Reviewer, Who::Senior, Who::Admin}) {
        FirestoreCaseStore store(actor(who).client);
        auto read =
            wait(store.listShadowDecisions(d.passAt - std::chrono::minutes(1), d.passAt + std::chrono::minutes(1)));
        VERIFY_OK(read);
        QVERIFY(std::any_of(read->begin(), read->end(), [&d](const ShadowDecision& x) {
            return x.id == d.id && x.stageAfter == Stage::Throttle && x.score == 0.93;
        }));
        ShadowDecision forged = d;
        forged.stageAfter = Stage::None;
        const auto written = wait(actor(who).client->commit({FirestoreWrite::set(path, encodeShadowDecision(forged))}));
        QVERIFY(!written.ok());
        QCOMPARE(written.error().kind, ErrorKind::Permission);
        forged.uid = d.uid + QStringLiteral("x");
        forged.id = enforcement::shadowDecisionId(forged.uid, forged.intervalStart);
        const auto created = wait(actor(who).client->commit(
            {FirestoreWrite::set(shadowDecisionPath(forged.id), encodeShadowDecision(forged))}));
        QVERIFY(!created.ok());
        QCOMPARE(created.error().kind, ErrorKind::Permission);
        const auto removed = wait(actor(who).client->remove(path));
        QVERIFY(!removed.ok());
        QCOMPARE(removed.error().kind, ErrorKind::Permission);
    }
    for (Who who : {Who::NoRole, Who::Unverified, Who::UnknownRole}) {
        const auto denied = wait(actor(who).client->get(path));
        QVERIFY(!denied.ok());
        QCOMPARE(denied.error().kind, ErrorKind::Permission);
        FirestoreCaseStore store(actor(who).client);
        const auto listed =
            wait(store.listShadowDecisions(d.passAt - std::chrono::minutes(1), d.passAt + std::chrono::minutes(1)));
        QVERIFY(!listed.ok());
        QCOMPARE(listed.error().kind, ErrorKind::Permission);
    }
    // Still the service's record, unchanged.
    auto stored = wait(m_rules.owner->get(path));
    VERIFY_OK(stored);
    auto decoded = decodeShadowDecision(*stored);
    VERIFY_OK(decoded);
    QVERIFY(decoded->stageAfter == Stage::Throttle);
}

void FirestoreRulesTest::serviceHeartbeatIsReadOnly() {
    ServiceHeartbeat h;
    h.instance = QStringLiteral("enforcer-1");
    h.version = QStringLiteral("0.1.0");
    h.lastPassStarted = actionTime();
    h.lastPassFinished = actionTime() + std::chrono::seconds(2);
    h.durationMs = 2000;
    h.intervalS = 300;
    const QString path = serviceHeartbeatPath(h.instance);
    VERIFY_OK(wait(m_rules.owner->commit({FirestoreWrite::set(path, encodeServiceHeartbeat(h))}))); // the service
    FirestoreCaseStore store(actor(Who::Reviewer).client);
    auto read = wait(store.listServiceHeartbeats());
    VERIFY_OK(read);
    QVERIFY(std::any_of(read->begin(), read->end(), [](const ServiceHeartbeat& x) {
        return x.instance == QLatin1String("enforcer-1") && x.durationMs == 2000 && x.intervalS == 300;
    }));
    for (Who who : {Who::Reviewer, Who::Senior, Who::Admin}) {
        h.durationMs = 1;
        const auto written = wait(actor(who).client->commit({FirestoreWrite::set(path, encodeServiceHeartbeat(h))}));
        QVERIFY(!written.ok());
        QCOMPARE(written.error().kind, ErrorKind::Permission);
        const auto created = wait(actor(who).client->commit(
            {FirestoreWrite::set(serviceHeartbeatPath(QStringLiteral("forged")), encodeServiceHeartbeat(h))}));
        QVERIFY(!created.ok());
        QCOMPARE(created.error().kind, ErrorKind::Permission);
        const auto removed = wait(actor(who).client->remove(path));
        QVERIFY(!removed.ok());
        QCOMPARE(removed.error().kind, ErrorKind::Permission);
    }
    for (Who who : {Who::NoRole, Who::Unverified}) {
        const auto denied = wait(actor(who).client->get(path));
        QVERIFY(!denied.ok());
        QCOMPARE(denied.error().kind, ErrorKind::Permission);
    }
}

void FirestoreRulesTest::reviewerBooksClassifierSpend() {
    const Actor& reviewer = actor(Who::Reviewer);
    FirestoreCaseStore store(reviewer.client);
    const QString uid = freshUser(Stage::Warning);
    VERIFY_OK(wait(store.recordSpend(classifierSpend(uid))));
    auto spend = wait(store.listSpend(actionTime() - std::chrono::minutes(1), actionTime() + std::chrono::minutes(1)));
    VERIFY_OK(spend);
    QVERIFY(std::any_of(spend->begin(), spend->end(), [&](const LlmSpendRecord& r) {
        return r.uid == uid && r.purpose == QLatin1String("classifier") && r.costMicroUsd == 720;
    }));
}

void FirestoreRulesTest::reviewerResolvesAndNotesThroughTheStore() {
    const Actor& reviewer = actor(Who::Reviewer);
    FirestoreCaseStore store(reviewer.client);
    const QString uid = freshUser(Stage::Throttle);
    auto subject = readSubject(store, uid);
    VERIFY_OK(subject);
    // A plain reviewer's false positive lowers a throttle to a warning (the core allows it; so do the rules).
    auto applied = applyChange(store, resolve(*subject, reviewer.reviewer, Outcome::FalsePositive));
    VERIFY_OK(applied);
    QCOMPARE(applied->audit.reviewer, reviewer.reviewer.email);
    QCOMPARE(applied->audit.reviewerUid, reviewer.reviewer.uid);
    auto after = wait(store.getState(uid));
    VERIFY_OK(after);
    QCOMPARE(toString(after->stage), QStringLiteral("warning"));
    // The backend's fields kept their exact values: only what the action changed was written.
    auto raw = wait(m_rules.owner->get(FirestoreCaseStore::statePath(uid)));
    VERIFY_OK(raw);
    QCOMPARE(raw->fields.value(QStringLiteral("violation_count_30d")).toInteger(), 3);
    QVERIFY(!raw->fields.value(QStringLiteral("last_classifier_at")).isNull());
    // A note on the case, then a note on the user.
    auto notes = readSubject(store, uid);
    VERIFY_OK(notes);
    VERIFY_OK(applyChange(store, note(*notes, reviewer.reviewer)));
    VERIFY_OK(applyChange(store, userNote(*notes, reviewer.reviewer)));
    // A case the backend wrote without admin_notes, resolved without notes.
    const QString bare = freshUser(Stage::Warning);
    VERIFY_OK(wait(m_rules.owner->commit({FirestoreWrite::update(
        FirestoreCaseStore::eventPath(bare, QStringLiteral("e1")), {}, {QStringLiteral("admin_notes")})})));
    auto bareSubject = readSubject(store, bare);
    VERIFY_OK(bareSubject);
    VERIFY_OK(applyChange(store, enforcement::buildResolve(kPolicy, bareSubject->state,
                                                           bareSubject->event(QStringLiteral("e1")), Outcome::Confirmed,
                                                           QStringLiteral("media_confirmed"), QString(), false,
                                                           contextFor(reviewer.reviewer))));
    // The chain verifies and its records name the reviewer from the token.
    auto chainRecords = wait(m_rules.ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(chainRecords);
    QVERIFY(verifyChain(*chainRecords).ok);
}

void FirestoreRulesTest::seniorOverridesExemptsAndUnexempts() {
    const Actor& senior = actor(Who::Senior);
    FirestoreCaseStore store(senior.client);
    const QString uid = freshUser(Stage::Restrict);
    auto subject = readSubject(store, uid);
    VERIFY_OK(subject);
    VERIFY_OK(applyChange(store, overrideTo(*subject, senior.reviewer, Stage::None)));
    auto s1 = readSubject(store, uid);
    VERIFY_OK(s1);
    QCOMPARE(toString(s1->state.stage), QStringLiteral("none"));
    VERIFY_OK(applyChange(store, exempt(*s1, senior.reviewer)));
    auto s2 = readSubject(store, uid);
    VERIFY_OK(s2);
    QVERIFY(s2->state.exempt);
    VERIFY_OK(
        applyChange(store, enforcement::buildExempt(kPolicy, s2->state, false, QStringLiteral("other"),
                                                    QStringLiteral("contract ended"), contextFor(senior.reviewer))));
    auto s3 = readSubject(store, uid);
    VERIFY_OK(s3);
    QVERIFY(!s3->state.exempt);
}

void FirestoreRulesTest::nothingWithoutAVerifiedReviewer() {
    const QString uid = freshUser(Stage::Warning);
    for (Who who : {Who::NoRole, Who::Unverified, Who::UnknownRole}) {
        const auto denied = wait(actor(who).client->get(FirestoreCaseStore::statePath(uid)));
        QVERIFY(!denied.ok());
        QCOMPARE(denied.error().kind, ErrorKind::Permission);
        FirestoreCaseStore store(actor(who).client);
        QCOMPARE(wait(store.fetchQueuePage(QueueFilter{}, {}, 10)).error().kind, ErrorKind::Permission);
    }
    FirestoreCaseStore store(actor(Who::Reviewer).client);
    auto page = wait(store.fetchQueuePage(QueueFilter{}, {}, 500));
    VERIFY_OK(page);
    QVERIFY(!page->rows.isEmpty());
}

void FirestoreRulesTest::bulkCommitsFitTheRulesBudget() {
    // Twelve false positives on throttled users in one applyBatch: each change needs three documents read by the
    // rules (its record, its case, the state), a commit three more; 20 allowed, so five changes per commit.
    const Actor& reviewer = actor(Who::Reviewer);
    FirestoreCaseStore store(reviewer.client);
    QList<ChangeSet> changes;
    for (int i = 0; i < 12; ++i) {
        const QString uid = freshUser(Stage::Throttle);
        auto subject = readSubject(store, uid);
        VERIFY_OK(subject);
        auto change = resolve(*subject, reviewer.reviewer, Outcome::FalsePositive);
        VERIFY_OK(change);
        changes.append(*change);
    }
    const qint64 commitsBefore = store.writeStats().commitRequests;
    auto results = wait(store.applyBatch(changes));
    VERIFY_OK(results);
    for (const auto& r : *results) {
        VERIFY_OK(r);
    }
    QCOMPARE(store.writeStats().commitRequests - commitsBefore, 3); // 5 + 5 + 2
    auto records = wait(m_rules.ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(records);
    QVERIFY(verifyChain(*records).ok);
}

void FirestoreRulesTest::concurrentReviewersOnDifferentUsersBothLand() {
    // Two reviewers note two different users at the same moment, through their own tokens: both read the same audit
    // head, so one commit's record no longer follows the head when it arrives. The rules refuse it before its
    // precondition is checked; the store must tell that from a real refusal, re-read the head and retry.
    const Actor& reviewer = actor(Who::Reviewer);
    const Actor& senior = actor(Who::Senior);
    FirestoreCaseStore reviewerStore(reviewer.client);
    FirestoreCaseStore seniorStore(senior.client);
    QList<Async<CommitResult>> inFlight;
    QStringList uids;
    for (int i = 0; i < 3; ++i) {
        for (const auto& [store, who] : {std::pair{&reviewerStore, &reviewer}, std::pair{&seniorStore, &senior}}) {
            const QString uid = freshUser(Stage::Warning);
            auto subject = readSubject(*store, uid);
            VERIFY_OK(subject);
            auto change = note(*subject, who->reviewer);
            VERIFY_OK(change);
            uids.append(uid);
            inFlight.append(store->apply(*change));
        }
    }
    for (int i = 0; i < inFlight.size(); ++i) {
        auto r = wait(inFlight.at(i));
        QVERIFY2(r.ok(), qPrintable(uids.at(i) + QStringLiteral(": ") + (r ? QString() : r.error().message)));
    }
    auto records = wait(m_rules.ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(records);
    QVERIFY(verifyChain(*records).ok);
    for (const QString& uid : uids) {
        QVERIFY2(std::any_of(records->begin(), records->end(),
                             [&](const AuditRecord& a) { return a.uid == uid && a.action == AuditAction::AddNote; }),
                 qPrintable(uid));
    }
}

QTEST_GUILESS_MAIN(FirestoreRulesTest)
#include "FirestoreRulesTest.moc"
