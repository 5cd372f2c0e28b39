// packaging/firestore/firestore.rules loaded into the emulator: every forbidden write is refused with
// PERMISSION_DENIED (ErrorKind::Permission), and a reviewer's real actions through FirestoreCaseStore pass.
#include "EmulatorSupport.h"

#include "firestore/FirestoreCaseStore.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::services;

namespace {

using V = FirestoreValue;

using testing::at;
using testing::wait;
using testing::why;

} // namespace

class FirestoreRulesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void forbiddenWritesAreDenied();
    void rolesComeFromClaimsOrTheReviewersCollection();
    void reviewerResolvesThroughTheStore();
    void seniorOverridesAndExempts();
    void reviewerCannotLiftAThrottleThroughTheStore();
    void batchesMustContinueTheHead();

private:
    std::shared_ptr<FirestoreClient> clientAs(const QString& uid, const QString& email, const QString& role);
    AuditRecord audit(const QString& reviewer, Role role, AuditAction action, const QString& uid) const;

    QString m_host;
    QString m_project;
    std::shared_ptr<FirestoreClient> m_owner;
};

std::shared_ptr<FirestoreClient> FirestoreRulesTest::clientAs(const QString& uid, const QString& email,
                                                              const QString& role) {
    QJsonObject claims;
    if (!role.isEmpty()) {
        claims.insert(QStringLiteral("role"), role);
    }
    auto token = std::make_shared<StaticToken>(emulatorIdToken(m_project, uid, email, claims));
    return std::make_shared<FirestoreClient>(testing::emulatorConfig(m_project, m_host), token);
}

AuditRecord FirestoreRulesTest::audit(const QString& reviewer, Role role, AuditAction action,
                                      const QString& uid) const {
    AuditRecord a;
    a.at = at("2026-03-21T09:00:00Z");
    a.reviewer = reviewer;
    a.role = role;
    a.action = action;
    a.uid = uid;
    a.reason = QStringLiteral("rules test");
    a.clientVersion = QStringLiteral("test");
    return a;
}

void FirestoreRulesTest::initTestCase() {
    m_host = testing::emulatorHost();
    if (m_host.isEmpty()) {
        QSKIP("Firestore emulator not available: install the Google Cloud SDK cloud-firestore-emulator component");
    }
    m_project = testing::freshProject(QStringLiteral("rules"));
    QFile rules(qEnvironmentVariable("FAIRUSE_SOURCE_DIR") + QStringLiteral("/packaging/firestore/firestore.rules"));
    QVERIFY2(rules.open(QIODevice::ReadOnly), qPrintable(rules.fileName()));
    QVERIFY(testing::loadRules(m_host, m_project, rules.readAll()));
    m_owner =
        std::make_shared<FirestoreClient>(testing::emulatorConfig(m_project, m_host), StaticToken::emulatorOwner());

    // Backend data, written with admin access (as the backend's Admin SDK would).
    QList<FirestoreWrite> seed;
    for (const auto& [uid, stage] :
         {std::pair{QStringLiteral("u1"), Stage::Throttle}, std::pair{QStringLiteral("u2"), Stage::Warning}}) {
        FairUseState s;
        s.uid = uid;
        s.stage = stage;
        s.updatedAt = at("2026-03-20T10:00:00Z");
        seed.append(FirestoreWrite::set(FirestoreCaseStore::statePath(uid), encodeState(s)));
        FairUseEvent e;
        e.createdAt = at("2026-03-20T09:00:00.123456Z");
        e.caseRef = QStringLiteral("FU-00000000000%1").arg(uid.right(1));
        e.newStage = stage;
        // As the backend writes it: microseconds, which the console must never round away.
        FirestoreFields fields = encodeEvent(e);
        fields.insert(
            QStringLiteral("created_at"),
            V::fromJson(QJsonObject{{QStringLiteral("timestampValue"), QStringLiteral("2026-03-20T09:00:00.123456Z")}})
                .value());
        seed.append(FirestoreWrite::set(FirestoreCaseStore::eventPath(uid, QStringLiteral("e1")), fields));
    }
    seed.append(FirestoreWrite::set(QStringLiteral("users/u1/conversations/c1"), encodeConversation(Conversation{})));
    seed.append(FirestoreWrite::set(QStringLiteral("fair_use_reviewers/listed@x.com"),
                                    {{QStringLiteral("role"), V::string(QStringLiteral("reviewer"))}}));
    seed.append(FirestoreWrite::set(
        QStringLiteral("fair_use_audit/000000000000"),
        encodeAudit(audit(QStringLiteral("rev@x.com"), Role::Reviewer, AuditAction::AddNote, QStringLiteral("u1")))));
    auto r = wait(m_owner->commit(seed));
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : why(r.error())));
}

void FirestoreRulesTest::forbiddenWritesAreDenied() {
    auto reviewer = clientAs(QStringLiteral("r1"), QStringLiteral("rev@x.com"), QStringLiteral("reviewer"));
    auto nobody = clientAs(QStringLiteral("n1"), QStringLiteral("nobody@x.com"), QString());
    const auto auditWrite = [this](AuditRecord a) {
        return FirestoreWrite::set(QStringLiteral("fair_use_audit/000000000777"), encodeAudit(a),
                                   Precondition::mustNotExist());
    };
    // A record in the reviewer's own name (which the audit rule allows) at a chosen place in the chain, and a head.
    const auto chained = [this](std::int64_t sequence, const QString& prevHash, const QString& hash) {
        AuditRecord a = audit(QStringLiteral("rev@x.com"), Role::Reviewer, AuditAction::AddNote, QStringLiteral("u1"));
        a.sequence = sequence;
        a.prevHash = prevHash;
        a.hash = hash;
        return FirestoreWrite::set(FirestoreCaseStore::auditPath(sequence), encodeAudit(a),
                                   Precondition::mustNotExist());
    };
    const auto headAt = [](std::int64_t sequence, const QString& hash, const QString& first) {
        return FirestoreWrite::set(FirestoreCaseStore::kAuditHeadPath,
                                   {{QStringLiteral("sequence"), V::integer(sequence)},
                                    {QStringLiteral("hash"), V::string(hash)},
                                    {QStringLiteral("record"),
                                     V::string(FirestoreCaseStore::auditPath(sequence).section(QLatin1Char('/'), 1))},
                                    {QStringLiteral("first"), V::string(first)}});
    };
    struct Case {
        const char* name;
        std::shared_ptr<FirestoreClient> client;
        QList<FirestoreWrite> writes;
    };
    const QList<Case> cases{
        {"audit record in someone else's name",
         reviewer,
         {auditWrite(
             audit(QStringLiteral("other@x.com"), Role::Reviewer, AuditAction::AddNote, QStringLiteral("u1")))}},
        {"audit record claiming a higher role",
         reviewer,
         {auditWrite(
             audit(QStringLiteral("rev@x.com"), Role::SeniorReviewer, AuditAction::AddNote, QStringLiteral("u1")))}},
        {"stage override recorded by a reviewer",
         reviewer,
         {auditWrite(
             audit(QStringLiteral("rev@x.com"), Role::Reviewer, AuditAction::OverrideStage, QStringLiteral("u1")))}},
        {"reset recorded by a reviewer",
         reviewer,
         {auditWrite(audit(QStringLiteral("rev@x.com"), Role::Reviewer, AuditAction::Reset, QStringLiteral("u1")))}},
        {"editing an audit record",
         reviewer,
         {FirestoreWrite::update(QStringLiteral("fair_use_audit/000000000000"),
                                 {{QStringLiteral("reason"), V::string(QStringLiteral("rewritten"))}},
                                 {QStringLiteral("reason")})}},
        {"deleting an audit record", reviewer, {FirestoreWrite::remove(QStringLiteral("fair_use_audit/000000000000"))}},
        {"lifting a throttle (stage override) as a reviewer",
         reviewer,
         {FirestoreWrite::update(FirestoreCaseStore::statePath(QStringLiteral("u1")),
                                 {{QStringLiteral("stage"), V::string(QStringLiteral("none"))}},
                                 {QStringLiteral("stage")})}},
        {"escalating to restrict as a reviewer",
         reviewer,
         {FirestoreWrite::update(FirestoreCaseStore::statePath(QStringLiteral("u2")),
                                 {{QStringLiteral("stage"), V::string(QStringLiteral("restrict"))}},
                                 {QStringLiteral("stage")})}},
        {"resetting a user as a reviewer",
         reviewer,
         {FirestoreWrite::update(FirestoreCaseStore::statePath(QStringLiteral("u2")),
                                 {{QStringLiteral("reset_by"), V::string(QStringLiteral("rev@x.com"))}},
                                 {QStringLiteral("reset_by")})}},
        {"exempting a user as a reviewer",
         reviewer,
         {FirestoreWrite::set(QStringLiteral("fair_use_exemptions/u1"),
                              {{QStringLiteral("exempt"), V::boolean(true)}})}},
        {"rewriting an event's classifier result",
         reviewer,
         {FirestoreWrite::update(FirestoreCaseStore::eventPath(QStringLiteral("u1"), QStringLiteral("e1")),
                                 {{QStringLiteral("new_stage"), V::string(QStringLiteral("none"))}},
                                 {QStringLiteral("new_stage")})}},
        {"resolving a case in someone else's name",
         reviewer,
         {FirestoreWrite::update(FirestoreCaseStore::eventPath(QStringLiteral("u1"), QStringLiteral("e1")),
                                 {{QStringLiteral("resolved"), V::boolean(true)},
                                  {QStringLiteral("resolved_by"), V::string(QStringLiteral("admin"))}},
                                 {QStringLiteral("resolved"), QStringLiteral("resolved_by")})}},
        {"creating an event",
         reviewer,
         {FirestoreWrite::set(FirestoreCaseStore::eventPath(QStringLiteral("u1"), QStringLiteral("forged")),
                              encodeEvent(FairUseEvent{}))}},
        {"granting oneself admin",
         reviewer,
         {FirestoreWrite::set(QStringLiteral("fair_use_reviewers/rev@x.com"),
                              {{QStringLiteral("role"), V::string(QStringLiteral("admin"))}})}},
        {"moving the audit head without a record",
         reviewer,
         {FirestoreWrite::set(FirestoreCaseStore::kAuditHeadPath,
                              {{QStringLiteral("sequence"), V::integer(1)},
                               {QStringLiteral("hash"), V::string(QStringLiteral("x"))},
                               {QStringLiteral("record"), V::string(QStringLiteral("000000000001"))}})}},
        {"advancing the audit head by two with one record",
         reviewer,
         {chained(2, QString(), QStringLiteral("h2")),
          headAt(2, QStringLiteral("h2"), QStringLiteral("000000000002"))}},
        {"a batch that does not start at the head",
         reviewer,
         {chained(2, QString(), QStringLiteral("h2")), chained(3, QStringLiteral("h2"), QStringLiteral("h3")),
          headAt(3, QStringLiteral("h3"), QStringLiteral("000000000002"))}},
        {"a batch advancing the head by more than 500",
         reviewer,
         {chained(1, QString(), QStringLiteral("h1")), chained(501, QStringLiteral("h1"), QStringLiteral("h501")),
          headAt(501, QStringLiteral("h501"), QStringLiteral("000000000001"))}},
        {"writing a conversation",
         reviewer,
         {FirestoreWrite::set(QStringLiteral("users/u1/conversations/c2"), encodeConversation(Conversation{}))}},
        {"writing spend",
         reviewer,
         {FirestoreWrite::set(QStringLiteral("llm_spend/x"), encodeSpend(LlmSpendRecord{}))}},
        {"a user without a role adding a note",
         nobody,
         {auditWrite(
             audit(QStringLiteral("nobody@x.com"), Role::Reviewer, AuditAction::AddNote, QStringLiteral("u1")))}},
    };
    for (const auto& c : cases) {
        auto r = wait(c.client->commit(c.writes));
        QVERIFY2(!r.ok(), c.name);
        QVERIFY2(r.error().kind == ErrorKind::Permission,
                 qPrintable(QStringLiteral("%1: %2").arg(QString::fromLatin1(c.name), why(r.error()))));
    }
    // Nothing changed.
    auto record = wait(m_owner->get(QStringLiteral("fair_use_audit/000000000000")));
    QCOMPARE(record->fields.value(QStringLiteral("reason")).toText(), QStringLiteral("rules test"));
    QCOMPARE(wait(m_owner->get(FirestoreCaseStore::statePath(QStringLiteral("u1"))))
                 ->fields.value(QStringLiteral("stage"))
                 .toText(),
             QStringLiteral("throttle"));

    // Reads: no role, no access.
    auto denied = wait(nobody->get(FirestoreCaseStore::statePath(QStringLiteral("u1"))));
    QCOMPARE(denied.error().kind, ErrorKind::Permission);
    FirestoreCaseStore nobodyStore(nobody);
    QCOMPARE(wait(nobodyStore.fetchQueuePage(QueueFilter{}, {}, 10)).error().kind, ErrorKind::Permission);
}

void FirestoreRulesTest::rolesComeFromClaimsOrTheReviewersCollection() {
    // No role claim, but listed in fair_use_reviewers: a reviewer.
    auto listed = clientAs(QStringLiteral("l1"), QStringLiteral("Listed@x.com"), QString());
    auto state = wait(listed->get(FirestoreCaseStore::statePath(QStringLiteral("u1"))));
    QVERIFY2(state.ok(), qPrintable(state.ok() ? QString() : why(state.error())));
    FirestoreCaseStore store(listed);
    auto role = wait(store.reviewerRole(QStringLiteral("listed@x.com")));
    QVERIFY2(role.ok(), qPrintable(role.ok() ? QString() : why(role.error())));
    QVERIFY(*role == Role::Reviewer);
    // Someone else's role document is not readable.
    QCOMPARE(wait(store.reviewerRole(QStringLiteral("rev@x.com"))).error().kind, ErrorKind::Permission);
    // The queue itself (collection-group query) is readable by a reviewer.
    auto page = wait(store.fetchQueuePage(QueueFilter{}, {}, 10));
    QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : why(page.error())));
    QCOMPARE(page->rows.size(), 2);
}

void FirestoreRulesTest::reviewerResolvesThroughTheStore() {
    auto reviewer = clientAs(QStringLiteral("r1"), QStringLiteral("rev@x.com"), QStringLiteral("reviewer"));
    FirestoreCaseStore store(reviewer);
    auto state = wait(store.getState(QStringLiteral("u2")));
    auto events = wait(store.listEvents(QStringLiteral("u2")));
    QVERIFY2(state.ok(), qPrintable(state.ok() ? QString() : why(state.error())));
    QVERIFY(events.ok());
    ChangeSet c;
    c.uid = QStringLiteral("u2");
    c.newState = *state; // confirmed: the warning stays
    c.expectedStateVersion = state->version;
    c.newEvent = events->first();
    c.newEvent->resolved = true;
    c.newEvent->resolvedBy = QStringLiteral("rev@x.com");
    c.newEvent->resolvedAt = at("2026-03-21T09:00:00Z");
    c.newEvent->outcome = Outcome::Confirmed;
    c.expectedEventVersion = events->first().version;
    c.audit = audit(QStringLiteral("rev@x.com"), Role::Reviewer, AuditAction::Resolve, QStringLiteral("u2"));
    c.idempotencyKey = QStringLiteral("rules-resolve-u2");
    auto r = wait(store.apply(c));
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : why(r.error())));
    // The backend's event fields kept their exact (microsecond) values.
    auto raw = wait(m_owner->get(FirestoreCaseStore::eventPath(QStringLiteral("u2"), QStringLiteral("e1"))));
    QCOMPARE(
        raw->fields.value(QStringLiteral("created_at")).toJson().value(QStringLiteral("timestampValue")).toString(),
        QStringLiteral("2026-03-20T09:00:00.123456Z"));
    QVERIFY(raw->fields.value(QStringLiteral("resolved")).toBool());
}

void FirestoreRulesTest::seniorOverridesAndExempts() {
    auto senior = clientAs(QStringLiteral("s1"), QStringLiteral("senior@x.com"), QStringLiteral("senior_reviewer"));
    FirestoreCaseStore store(senior);
    auto state = wait(store.getState(QStringLiteral("u1")));
    QVERIFY(state.ok());
    ChangeSet c;
    c.uid = QStringLiteral("u1");
    c.newState = *state;
    c.newState->stage = Stage::Warning;
    c.expectedStateVersion = state->version;
    c.exempt = true;
    c.audit =
        audit(QStringLiteral("senior@x.com"), Role::SeniorReviewer, AuditAction::OverrideStage, QStringLiteral("u1"));
    auto r = wait(store.apply(c));
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : why(r.error())));
    auto after = wait(store.getState(QStringLiteral("u1")));
    QVERIFY(after->stage == Stage::Warning);
    QVERIFY(after->exempt);
}

void FirestoreRulesTest::reviewerCannotLiftAThrottleThroughTheStore() {
    // Make u1 throttled again (owner), then a reviewer tries a false positive that would lift it.
    QVERIFY(wait(m_owner->patch(FirestoreCaseStore::statePath(QStringLiteral("u1")),
                                {{QStringLiteral("stage"), V::string(QStringLiteral("throttle"))}},
                                {QStringLiteral("stage")}))
                .ok());
    auto reviewer = clientAs(QStringLiteral("r1"), QStringLiteral("rev@x.com"), QStringLiteral("reviewer"));
    FirestoreCaseStore store(reviewer);
    auto state = wait(store.getState(QStringLiteral("u1")));
    QVERIFY(state.ok());
    const auto before = wait(store.listAudit(AuditFilter{}));
    QVERIFY(before.ok());
    ChangeSet c;
    c.uid = QStringLiteral("u1");
    c.newState = *state;
    c.newState->stage = Stage::None;
    c.expectedStateVersion = state->version;
    c.audit = audit(QStringLiteral("rev@x.com"), Role::Reviewer, AuditAction::Resolve, QStringLiteral("u1"));
    auto r = wait(store.apply(c));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Permission);
    // Atomic: no audit record either.
    QCOMPARE(wait(store.listAudit(AuditFilter{}))->size(), before->size());
    QVERIFY(wait(store.getState(QStringLiteral("u1")))->stage == Stage::Throttle);
}

void FirestoreRulesTest::batchesMustContinueTheHead() {
    // Earlier functions left a head behind (the store's commits); a reviewer's batch must continue it.
    auto head = wait(m_owner->get(FirestoreCaseStore::kAuditHeadPath));
    QVERIFY2(head.ok(), qPrintable(head.ok() ? QString() : why(head.error())));
    const std::int64_t sequence = head->fields.value(QStringLiteral("sequence")).toInteger();
    const QString hash = head->fields.value(QStringLiteral("hash")).toText();
    QVERIFY(sequence > 0 && !hash.isEmpty());
    auto reviewer = clientAs(QStringLiteral("r1"), QStringLiteral("rev@x.com"), QStringLiteral("reviewer"));
    const auto record = [this](std::int64_t seq, const QString& prevHash) {
        AuditRecord a = audit(QStringLiteral("rev@x.com"), Role::Reviewer, AuditAction::AddNote, QStringLiteral("u2"));
        a.sequence = seq;
        a.prevHash = prevHash;
        a.hash = QStringLiteral("batch-%1-after-%2").arg(seq).arg(prevHash);
        return a;
    };
    const auto batch = [&](const QString& firstPrevHash) {
        const AuditRecord a = record(sequence + 1, firstPrevHash);
        const AuditRecord b = record(sequence + 2, a.hash);
        return QList<FirestoreWrite>{
            FirestoreWrite::set(FirestoreCaseStore::auditPath(a.sequence), encodeAudit(a),
                                Precondition::mustNotExist()),
            FirestoreWrite::set(FirestoreCaseStore::auditPath(b.sequence), encodeAudit(b),
                                Precondition::mustNotExist()),
            FirestoreWrite::set(FirestoreCaseStore::kAuditHeadPath,
                                {{QStringLiteral("sequence"), V::integer(b.sequence)},
                                 {QStringLiteral("hash"), V::string(b.hash)},
                                 {QStringLiteral("record"),
                                  V::string(FirestoreCaseStore::auditPath(b.sequence).section(QLatin1Char('/'), 1))},
                                 {QStringLiteral("first"),
                                  V::string(FirestoreCaseStore::auditPath(a.sequence).section(QLatin1Char('/'), 1))}},
                                Precondition::version(head->updateTime))};
    };
    // The first record does not link to the head's hash: refused, and nothing of the commit is written.
    auto refused = wait(reviewer->commit(batch(QStringLiteral("not the head"))));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind, ErrorKind::Permission);
    QCOMPARE(wait(m_owner->get(FirestoreCaseStore::auditPath(sequence + 1))).error().kind, ErrorKind::NotFound);
    // The same batch linked to the head: one commit advances it by two.
    auto accepted = wait(reviewer->commit(batch(hash)));
    QVERIFY2(accepted.ok(), qPrintable(accepted.ok() ? QString() : why(accepted.error())));
    auto after = wait(m_owner->get(FirestoreCaseStore::kAuditHeadPath));
    QCOMPARE(after->fields.value(QStringLiteral("sequence")).toInteger(), sequence + 2);
}

QTEST_GUILESS_MAIN(FirestoreRulesTest)
#include "FirestoreRulesTest.moc"
