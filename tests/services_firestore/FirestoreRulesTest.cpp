// packaging/firestore/firestore.rules against hostile writes. Every row starts from a genuine commit (what the core
// and FirestoreCaseStore send for a real action), alters one thing, and sends it with an ID token the Firebase Auth
// emulator minted: the emulator must refuse it with PERMISSION_DENIED. Where the row has a genuine commit, that
// commit is then sent unaltered and must pass, so the refusal is the alteration's doing and nothing else's.
#include "RequireBackend.h"
#include "RulesSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;

using fairuse::testing::at;
using fairuse::testing::wait;
using fairuse::testing::why;

namespace {

enum class Who { Reviewer, Senior, Admin, Other, Unverified, NoRole, UnknownRole };

/** One hostile write. `build` makes the genuine change (as `builder`), `alter` spoils it; `actor` sends it. */
struct Row {
    QString name;
    Stage stage = Stage::Warning;
    Who builder = Who::Reviewer;
    Who actor = Who::Reviewer;
    std::function<Result<ChangeSet>(const Subject&, const Reviewer&)> build;
    std::function<void(QList<FirestoreWrite>&, const Genuine&, const QString& uid)> alter;
};

/** The audit record's write in a commit. */
FirestoreWrite* recordWrite(QList<FirestoreWrite>& w) {
    return writeTo(w, QStringLiteral("fair_use_audit/"));
}

FirestoreWrite* stateWrite(QList<FirestoreWrite>& w, const QString& uid) {
    return writeTo(w, FirestoreCaseStore::statePath(uid));
}

FirestoreWrite* caseWrite(QList<FirestoreWrite>& w, const QString& uid) {
    return writeTo(w, QStringLiteral("users/%1/fair_use_events/").arg(uid));
}

void removeWrite(QList<FirestoreWrite>& w, const QString& prefix) {
    w.removeIf([&prefix](const FirestoreWrite& x) { return x.path.startsWith(prefix); });
}

QString recordIdOf(const Genuine& g) {
    return FirestoreCaseStore::auditRecordId(g.record.sequence);
}

const enforcement::Policy kPolicy;

/** Rows of hostileWritesAreRefused(); each is one data row (they hold functions, so they are built in the test). */
constexpr int kHostileRows = 56;

/** What the console books for one of its classifier runs. */
LlmSpendRecord classifierSpend(const QString& uid) {
    LlmSpendRecord r;
    r.uid = uid;
    r.at = actionTime();
    r.model = QStringLiteral("gpt-4.1-mini");
    r.purpose = QStringLiteral("classifier");
    r.promptTokens = 1200;
    r.completionTokens = 150;
    r.costMicroUsd = 720;
    return r;
}

Result<ChangeSet> resolve(const Subject& s, const Reviewer& r, Outcome outcome, bool exempt = false) {
    return enforcement::buildResolve(kPolicy, s.state, s.event(QStringLiteral("e1")), outcome, QStringLiteral("seen"),
                                     exempt, contextFor(r, QStringLiteral("k-%1-%2").arg(s.state.uid, r.uid)));
}

Result<ChangeSet> overrideTo(const Subject& s, const Reviewer& r, Stage target) {
    return enforcement::buildOverrideStage(kPolicy, s.state, target, QStringLiteral("manual review"), contextFor(r));
}

Result<ChangeSet> note(const Subject& s, const Reviewer& r, const QString& eventId = QStringLiteral("e1")) {
    return enforcement::buildAddNote(s.state, s.event(eventId), QStringLiteral("looked at it"), contextFor(r));
}

Result<ChangeSet> userNote(const Subject& s, const Reviewer& r) {
    return enforcement::buildAddUserNote(s.state, QStringLiteral("a user note"), contextFor(r));
}

Result<ChangeSet> reset(const Subject& s, const Reviewer& r) {
    return enforcement::buildReset(s.state, QStringLiteral("support ticket"), contextFor(r));
}

Result<ChangeSet> exempt(const Subject& s, const Reviewer& r) {
    return enforcement::buildExempt(s.state, true, QStringLiteral("conference interpreter"), contextFor(r));
}

} // namespace

class FirestoreRulesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void hostileWritesAreRefused();
    void hostileWritesAreRefused_data();
    void reviewerResolvesAndNotesThroughTheStore();
    void seniorOverridesExemptsAndUnexempts();
    void nothingWithoutAVerifiedReviewer();
    void reviewerBooksClassifierSpend();
    void bulkCommitsFitTheRulesBudget();

private:
    const Actor& actor(Who who) const { return m_actors.at(who); }
    QString freshUser(Stage stage);

    QString m_host;
    QString m_project;
    std::shared_ptr<FirestoreClient> m_owner;
    std::unique_ptr<FirestoreCaseStore> m_ownerStore;
    std::map<Who, Actor> m_actors;
    int m_users = 0;
};

QString FirestoreRulesTest::freshUser(Stage stage) {
    const QString uid = QStringLiteral("user%1").arg(++m_users);
    auto r = wait(m_owner->commit(seedUser(uid, stage)));
    if (!r) {
        qWarning("seeding %s failed: %s", qPrintable(uid), qPrintable(why(r.error())));
    }
    return uid;
}

void FirestoreRulesTest::initTestCase() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    REQUIRE_AUTH_EMULATOR();
    m_host = host;
    m_project = testing::freshProject(QStringLiteral("rules"));
    QVERIFY(loadShippedRules(m_host, m_project));
    m_owner =
        std::make_shared<FirestoreClient>(testing::emulatorConfig(m_project, m_host), StaticToken::emulatorOwner());
    m_ownerStore = std::make_unique<FirestoreCaseStore>(m_owner);
    const testing::AuthEmulator auth;
    const std::initializer_list<std::tuple<Who, const char*, const char*, bool>> accounts{
        {Who::Reviewer, "rev", "reviewer", true},
        {Who::Senior, "senior", "senior_reviewer", true},
        {Who::Admin, "admin", "admin", true},
        {Who::Other, "other", "reviewer", true},
        {Who::Unverified, "unverified", "reviewer", false},
        {Who::NoRole, "norole", "", true},
        {Who::UnknownRole, "unknown", "superuser", true}};
    for (const auto& [who, name, role, verified] : accounts) {
        auto a = signIn(auth, m_host, m_project, QString::fromLatin1(name), QString::fromLatin1(role), verified);
        VERIFY_OK(a);
        m_actors.emplace(who, *a);
    }
    // A first record, written by the backend's tools with server credentials, so the chain has a past.
    AuditRecord first;
    first.at = at("2026-03-19T09:00:00Z");
    first.reviewer = QStringLiteral("seed@example.com");
    first.action = AuditAction::AddNote;
    first.uid = QStringLiteral("user0");
    first.stageBefore = first.stageAfter = Stage::None;
    first.reason = QStringLiteral("seed");
    first = chain(nullptr, first);
    VERIFY_OK(wait(m_owner->commit({FirestoreWrite::set(FirestoreCaseStore::auditPath(1), encodeAudit(first)),
                                    FirestoreCaseStore::headWrite(first, std::nullopt)})));
    VERIFY_OK(wait(m_owner->commit(
        {FirestoreWrite::set(QStringLiteral("fair_use_idempotency/seeded"),
                             {{QStringLiteral("key"), V::string(QStringLiteral("seeded"))},
                              {QStringLiteral("uid"), V::string(QStringLiteral("user0"))},
                              {QStringLiteral("sequence"), V::integer(1)},
                              {QStringLiteral("reviewer_uid"), V::string(actor(Who::Reviewer).reviewer.uid)},
                              {QStringLiteral("at"), V::timestamp(first.at)}})})));
}

void FirestoreRulesTest::hostileWritesAreRefused_data() {
    QTest::addColumn<int>("row");
    // Rows are built in hostileWritesAreRefused() (they hold functions); the data function names them.
    for (int i = 0; i < kHostileRows; ++i) {
        QTest::addRow("%d", i) << i;
    }
}

void FirestoreRulesTest::hostileWritesAreRefused() {
    QFETCH(int, row);
    const auto setOn = [](FirestoreWrite* w, const char* field, const V& value) {
        QVERIFY(w);
        setField(w, QString::fromLatin1(field), value);
    };
    const auto recordField = [setOn](const char* field, const V& value) {
        return [=](QList<FirestoreWrite>& w, const Genuine&, const QString&) { setOn(recordWrite(w), field, value); };
    };
    const auto stateField = [setOn](const char* field, const V& value) {
        return [=](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
            setOn(stateWrite(w, uid), field, value);
        };
    };
    const auto caseField = [setOn](const char* field, const V& value) {
        return [=](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
            setOn(caseWrite(w, uid), field, value);
        };
    };
    // Builds as `builder` but records the action under the actor's identity: what a client would send to take an
    // action its role does not allow (the core refuses to build it for that role).
    const auto asActor = [this](Who who) {
        return [this, who](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
            const Reviewer& r = actor(who).reviewer;
            FirestoreWrite* rec = recordWrite(w);
            QVERIFY(rec);
            rec->fields.insert(QStringLiteral("reviewer"), V::string(r.email));
            rec->fields.insert(QStringLiteral("reviewer_uid"), V::string(r.uid));
            rec->fields.insert(QStringLiteral("role"), V::string(toString(r.role)));
            if (FirestoreWrite* x = writeTo(w, QStringLiteral("fair_use_exemptions/"))) {
                x->fields.insert(QStringLiteral("by"), V::string(r.email));
            }
            if (FirestoreWrite* i = writeTo(w, QStringLiteral("fair_use_idempotency/"))) {
                i->fields.insert(QStringLiteral("reviewer_uid"), V::string(r.uid));
            }
        };
    };
    const auto later = V::timestamp(at("2026-06-01T00:00:00Z"));

    const QList<Row> rows{
        // ---- who acts
        {QStringLiteral("an account without a role claim adds a note"), Stage::Warning, Who::Reviewer, Who::NoRole,
         userNote, asActor(Who::NoRole)},
        {QStringLiteral("an unverified e-mail adds a note"), Stage::Warning, Who::Reviewer, Who::Unverified, userNote,
         asActor(Who::Unverified)},
        {QStringLiteral("an unknown role claim adds a note"), Stage::Warning, Who::Reviewer, Who::UnknownRole, userNote,
         [&](QList<FirestoreWrite>& w, const Genuine& g, const QString& uid) {
             asActor(Who::UnknownRole)(w, g, uid);
             recordWrite(w)->fields.insert(QStringLiteral("role"), V::string(QStringLiteral("superuser")));
         }},
        {QStringLiteral("a record in another reviewer's e-mail"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         userNote, recordField("reviewer", V::string(QStringLiteral("someone.else@example.com")))},
        {QStringLiteral("a record with another reviewer's uid"), Stage::Warning, Who::Reviewer, Who::Reviewer, userNote,
         recordField("reviewer_uid", V::string(QStringLiteral("not-my-uid")))},
        {QStringLiteral("a record claiming a higher role than the token's"), Stage::Warning, Who::Reviewer,
         Who::Reviewer, userNote, recordField("role", V::string(QStringLiteral("senior_reviewer")))},
        {QStringLiteral("a resolution in the name of the placeholder admin"), Stage::Warning, Who::Reviewer,
         Who::Reviewer, [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::Confirmed); },
         caseField("resolved_by", V::string(QStringLiteral("admin")))},
        // ---- the audit chain
        {QStringLiteral("a lone audit record that does not move the head"), Stage::Warning, Who::Reviewer,
         Who::Reviewer, userNote,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             removeWrite(w, FirestoreCaseStore::kAuditHeadPath);
         }},
        {QStringLiteral("moving the head without a record"), Stage::Warning, Who::Reviewer, Who::Reviewer, userNote,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             removeWrite(w, QStringLiteral("fair_use_audit/"));
         }},
        {QStringLiteral("advancing the head by two with one record"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         userNote,
         [](QList<FirestoreWrite>& w, const Genuine& g, const QString&) {
             FirestoreWrite* head = writeTo(w, FirestoreCaseStore::kAuditHeadPath);
             head->fields.insert(QStringLiteral("sequence"), V::integer(g.record.sequence + 1));
             head->fields.insert(QStringLiteral("record"),
                                 V::string(FirestoreCaseStore::auditRecordId(g.record.sequence + 1)));
         }},
        {QStringLiteral("a record that does not link to the previous one"), Stage::Warning, Who::Reviewer,
         Who::Reviewer, userNote, recordField("prev_hash", V::string(QString(64, QLatin1Char('0'))))},
        {QStringLiteral("a record stored under another sequence's id"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         userNote,
         [](QList<FirestoreWrite>& w, const Genuine& g, const QString&) {
             recordWrite(w)->path = FirestoreCaseStore::auditPath(g.record.sequence + 7);
         }},
        {QStringLiteral("editing an existing audit record"), Stage::Warning, Who::Reviewer, Who::Reviewer, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             w = {FirestoreWrite::update(FirestoreCaseStore::auditPath(1),
                                         {{QStringLiteral("reason"), V::string(QStringLiteral("rewritten"))}},
                                         {QStringLiteral("reason")})};
         }},
        {QStringLiteral("deleting an audit record"), Stage::Warning, Who::Admin, Who::Admin, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             w = {FirestoreWrite::remove(FirestoreCaseStore::auditPath(1))};
         }},
        {QStringLiteral("deleting the audit head"), Stage::Warning, Who::Admin, Who::Admin, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             w = {FirestoreWrite::remove(FirestoreCaseStore::kAuditHeadPath)};
         }},
        {QStringLiteral("moving the head back to the first record"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         userNote,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             FirestoreWrite* head = writeTo(w, FirestoreCaseStore::kAuditHeadPath);
             head->fields.insert(QStringLiteral("sequence"), V::integer(1));
             head->fields.insert(QStringLiteral("record"), V::string(FirestoreCaseStore::auditRecordId(1)));
             removeWrite(w, QStringLiteral("fair_use_audit/"));
         }},
        {QStringLiteral("a record 501 places past the head"), Stage::Warning, Who::Reviewer, Who::Reviewer, userNote,
         [](QList<FirestoreWrite>& w, const Genuine& g, const QString&) {
             const std::int64_t far = g.record.sequence + 500;
             recordWrite(w)->path = FirestoreCaseStore::auditPath(far);
             recordWrite(w)->fields.insert(QStringLiteral("sequence"), V::integer(far));
             FirestoreWrite* head = writeTo(w, FirestoreCaseStore::kAuditHeadPath);
             head->fields.insert(QStringLiteral("sequence"), V::integer(far));
             head->fields.insert(QStringLiteral("record"), V::string(FirestoreCaseStore::auditRecordId(far)));
         }},
        {QStringLiteral("a resolve record without the case it resolves"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::Confirmed); },
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             removeWrite(w, QStringLiteral("users/%1/fair_use_events/").arg(uid));
         }},
        {QStringLiteral("an override record without the stage change"), Stage::Throttle, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             removeWrite(w, FirestoreCaseStore::statePath(uid));
         }},
        // ---- the enforcement fields of the state
        {QStringLiteral("moving restrict_until under a note"), Stage::Restrict, Who::Senior, Who::Senior, userNote,
         [later](QList<FirestoreWrite>& w, const Genuine& g, const QString& uid) {
             w.prepend(
                 FirestoreWrite::update(FirestoreCaseStore::statePath(uid),
                                        {{QStringLiteral("restrict_until"), later},
                                         {FirestoreCaseStore::kAuditRecordField, V::string(recordIdOf(g))}},
                                        {QStringLiteral("restrict_until"), FirestoreCaseStore::kAuditRecordField}));
         }},
        {QStringLiteral("clearing restrict_reason of a restriction"), Stage::Restrict, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Restrict); },
         stateField("restrict_reason", V::null())},
        {QStringLiteral("resetting the classifier cooldown with an override"), Stage::Throttle, Who::Senior,
         Who::Senior, [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         stateField("last_classifier_at", V::null())},
        {QStringLiteral("clearing the classifier's failed runs with an override"), Stage::Throttle, Who::Senior,
         Who::Senior, [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         stateField("classifier_failures", V::integer(0))},
        {QStringLiteral("lowering violation counts with an override"), Stage::Throttle, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         stateField("violation_count_30d", V::integer(0))},
        {QStringLiteral("deleting updated_at"), Stage::Throttle, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             FirestoreWrite* s = stateWrite(w, uid);
             s->fields.remove(QStringLiteral("updated_at"));
             if (!s->updateMask->contains(QStringLiteral("updated_at"))) {
                 s->updateMask->append(QStringLiteral("updated_at"));
             }
         }},
        {QStringLiteral("a stage change that names no audit record"), Stage::Throttle, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             FirestoreWrite* s = stateWrite(w, uid);
             s->fields.remove(FirestoreCaseStore::kAuditRecordField);
             s->updateMask->removeAll(FirestoreCaseStore::kAuditRecordField);
         }},
        {QStringLiteral("a reviewer lifting a throttle by override"), Stage::Throttle, Who::Senior, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::None); }, asActor(Who::Reviewer)},
        {QStringLiteral("a reviewer escalating to restrict"), Stage::Warning, Who::Senior, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Restrict); }, asActor(Who::Reviewer)},
        {QStringLiteral("a senior reviewer resetting a user"), Stage::Throttle, Who::Admin, Who::Senior, reset,
         asActor(Who::Senior)},
        {QStringLiteral("a reset in someone else's name"), Stage::Throttle, Who::Admin, Who::Admin, reset,
         stateField("reset_by", V::string(QStringLiteral("someone.else@example.com")))},
        {QStringLiteral("a stage change whose record is about another user"), Stage::Throttle, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         recordField("uid", V::string(QStringLiteral("user0")))},
        {QStringLiteral("a record lying about the stage before"), Stage::Throttle, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         recordField("stage_before", V::string(QStringLiteral("restrict")))},
        {QStringLiteral("a stage change justified by an old record"), Stage::Throttle, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Warning); },
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             FirestoreWrite s = *stateWrite(w, uid);
             s.fields.insert(FirestoreCaseStore::kAuditRecordField, V::string(FirestoreCaseStore::auditRecordId(1)));
             w = {s};
         }},
        {QStringLiteral("a false positive that lowers two steps"), Stage::Throttle, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::FalsePositive); },
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             setField(stateWrite(w, uid), QStringLiteral("stage"), V::string(QStringLiteral("none")));
             setField(recordWrite(w), QStringLiteral("stage_after"), V::string(QStringLiteral("none")));
         }},
        {QStringLiteral("a reviewer lifting a restriction as a false positive"), Stage::Restrict, Who::Senior,
         Who::Reviewer, [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::FalsePositive); },
         [&](QList<FirestoreWrite>& w, const Genuine& g, const QString& uid) {
             asActor(Who::Reviewer)(w, g, uid);
             setField(caseWrite(w, uid), QStringLiteral("resolved_by"), V::string(actor(Who::Reviewer).reviewer.email));
         }},
        {QStringLiteral("a restriction without an end"), Stage::Warning, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Restrict); },
         stateField("restrict_until", V::null())},
        // ---- cases
        {QStringLiteral("resolving a case without an audit record"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::Confirmed); },
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             FirestoreWrite c = *caseWrite(w, uid);
             c.fields.remove(FirestoreCaseStore::kAuditRecordField);
             c.updateMask->removeAll(FirestoreCaseStore::kAuditRecordField);
             w = {c};
         }},
        {QStringLiteral("resolving a case in someone else's name"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::Confirmed); },
         caseField("resolved_by", V::string(QStringLiteral("someone.else@example.com")))},
        {QStringLiteral("rewriting a senior's outcome under a note"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return note(s, r, QStringLiteral("e2")); },
         caseField("outcome", V::string(QStringLiteral("false_positive")))},
        {QStringLiteral("reassigning a resolved case's resolver under a note"), Stage::Warning, Who::Reviewer,
         Who::Reviewer, [](const Subject& s, const Reviewer& r) { return note(s, r, QStringLiteral("e2")); },
         caseField("resolved_by", V::string(QStringLiteral("rev@example.com")))},
        {QStringLiteral("rewriting a case's classifier outcome under a note"), Stage::Warning, Who::Reviewer,
         Who::Reviewer, [](const Subject& s, const Reviewer& r) { return note(s, r); },
         caseField("new_stage", V::string(QStringLiteral("none")))},
        {QStringLiteral("replacing a case's earlier notes"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return note(s, r); },
         caseField("admin_notes", V::string(QStringLiteral("nothing happened here")))},
        {QStringLiteral("a resolve record naming another case"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::Confirmed); },
         recordField("event_id", V::string(QStringLiteral("e2")))},
        {QStringLiteral("creating a case"), Stage::Warning, Who::Admin, Who::Admin, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             w = {FirestoreWrite::set(FirestoreCaseStore::eventPath(uid, QStringLiteral("forged")),
                                      encodeEvent(FairUseEvent{}), Precondition::mustNotExist())};
         }},
        {QStringLiteral("deleting a case"), Stage::Warning, Who::Admin, Who::Admin, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             w = {FirestoreWrite::remove(FirestoreCaseStore::eventPath(uid, QStringLiteral("e1")))};
         }},
        // ---- exemptions, idempotency, roles and the backend's collections
        {QStringLiteral("a reviewer exempting a user"), Stage::Throttle, Who::Senior, Who::Reviewer, exempt,
         asActor(Who::Reviewer)},
        {QStringLiteral("an exemption without its record"), Stage::Throttle, Who::Senior, Who::Senior, exempt,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             FirestoreWrite x = *writeTo(w, QStringLiteral("fair_use_exemptions/"));
             w = {x};
         }},
        {QStringLiteral("an exemption in someone else's name"), Stage::Throttle, Who::Senior, Who::Senior, exempt,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             writeTo(w, QStringLiteral("fair_use_exemptions/"))
                 ->fields.insert(QStringLiteral("by"), V::string(QStringLiteral("someone.else@example.com")));
         }},
        {QStringLiteral("deleting an exemption"), Stage::Throttle, Who::Admin, Who::Admin, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             w = {FirestoreWrite::remove(QStringLiteral("fair_use_exemptions/%1").arg(uid))};
         }},
        {QStringLiteral("an idempotency record bound to another reviewer"), Stage::Warning, Who::Reviewer,
         Who::Reviewer, [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::Confirmed); },
         [&](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             writeTo(w, QStringLiteral("fair_use_idempotency/"))
                 ->fields.insert(QStringLiteral("reviewer_uid"), V::string(actor(Who::Other).reviewer.uid));
         }},
        {QStringLiteral("overwriting another reviewer's idempotency record"), Stage::Warning, Who::Other, Who::Other,
         nullptr,
         [&](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             w = {FirestoreWrite::update(QStringLiteral("fair_use_idempotency/seeded"),
                                         {{QStringLiteral("reviewer_uid"), V::string(actor(Who::Other).reviewer.uid)}},
                                         {QStringLiteral("reviewer_uid")})};
         }},
        {QStringLiteral("granting oneself admin"), Stage::Warning, Who::Reviewer, Who::Reviewer, nullptr,
         [&](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             w = {FirestoreCaseStore::reviewerWrite(actor(Who::Reviewer).reviewer.email, Role::Admin)};
         }},
        {QStringLiteral("writing a conversation"), Stage::Warning, Who::Admin, Who::Admin, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             w = {FirestoreWrite::set(QStringLiteral("users/%1/conversations/c9").arg(uid),
                                      encodeConversation(Conversation{}))};
         }},
        {QStringLiteral("writing LLM spend"), Stage::Warning, Who::Admin, Who::Admin, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             w = {FirestoreWrite::set(QStringLiteral("llm_spend/x"), encodeSpend(LlmSpendRecord{}))};
         }},
        {QStringLiteral("booking LLM spend other than the classifier's"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             LlmSpendRecord r = classifierSpend(uid);
             r.purpose = QStringLiteral("structuring");
             w = {FirestoreWrite::set(QStringLiteral("llm_spend/y"), encodeSpend(r))};
         }},
        {QStringLiteral("changing a user's subscription"), Stage::Warning, Who::Admin, Who::Admin, nullptr,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             w = {FirestoreWrite::set(QStringLiteral("users/%1").arg(uid),
                                      {{QStringLiteral("subscription"),
                                        V::map({{QStringLiteral("plan"), V::string(QStringLiteral("unlimited"))}})}})};
         }},
    };
    QCOMPARE(rows.size(), kHostileRows);
    const Row& r = rows.at(row);
    qInfo("%s", qPrintable(r.name));

    const QString uid = freshUser(r.stage);
    if (r.name == QStringLiteral("deleting an exemption")) {
        VERIFY_OK(wait(m_owner->commit({FirestoreCaseStore::exemptionWrite(uid, QStringLiteral("senior@example.com"),
                                                                           actionTime(), QStringLiteral("seeded"))})));
    }
    auto subject = readSubject(*m_ownerStore, uid);
    VERIFY_OK(subject);
    Genuine genuine;
    if (r.build) {
        const Reviewer builder = actor(r.builder).reviewer;
        auto change = r.build(*subject, builder);
        VERIFY_OK(change);
        auto g = commitFor(*m_owner, *change);
        VERIFY_OK(g);
        genuine = *g;
    }
    QList<FirestoreWrite> hostile = genuine.writes;
    r.alter(hostile, genuine, uid);
    if (QTest::currentTestFailed()) {
        return;
    }
    const auto refused = wait(actor(r.actor).client->commit(hostile));
    QVERIFY2(!refused.ok(), qPrintable(QStringLiteral("allowed: %1").arg(r.name)));
    QVERIFY2(refused.error().kind == ErrorKind::Permission,
             qPrintable(r.name + QStringLiteral(": ") + why(refused.error())));

    if (r.build) {
        // The same commit, unaltered, from the reviewer it was built for: allowed.
        const auto allowed = wait(actor(r.builder).client->commit(genuine.writes));
        QVERIFY2(allowed.ok(), qPrintable(QStringLiteral("the genuine commit of \"%1\" was refused: %2")
                                              .arg(r.name, allowed.ok() ? QString() : why(allowed.error()))));
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
    auto change = resolve(*subject, reviewer.reviewer, Outcome::FalsePositive);
    VERIFY_OK(change);
    auto applied = wait(store.apply(*change));
    VERIFY_OK(applied);
    QCOMPARE(applied->audit.reviewer, reviewer.reviewer.email);
    QCOMPARE(applied->audit.reviewerUid, reviewer.reviewer.uid);
    auto after = wait(store.getState(uid));
    VERIFY_OK(after);
    QCOMPARE(toString(after->stage), QStringLiteral("warning"));
    // The backend's fields kept their exact values: only what the action changed was written.
    auto raw = wait(m_owner->get(FirestoreCaseStore::statePath(uid)));
    VERIFY_OK(raw);
    QCOMPARE(raw->fields.value(QStringLiteral("violation_count_30d")).toInteger(), 3);
    QVERIFY(!raw->fields.value(QStringLiteral("last_classifier_at")).isNull());
    // A note on the case, then a note on the user.
    auto notes = readSubject(store, uid);
    VERIFY_OK(notes);
    auto n = note(*notes, reviewer.reviewer);
    VERIFY_OK(n);
    VERIFY_OK(wait(store.apply(*n)));
    auto u = userNote(*notes, reviewer.reviewer);
    VERIFY_OK(u);
    VERIFY_OK(wait(store.apply(*u)));
    // A case the backend wrote without admin_notes, resolved without notes.
    const QString bare = freshUser(Stage::Warning);
    VERIFY_OK(wait(m_owner->commit({FirestoreWrite::update(FirestoreCaseStore::eventPath(bare, QStringLiteral("e1")),
                                                           {}, {QStringLiteral("admin_notes")})})));
    auto bareSubject = readSubject(store, bare);
    VERIFY_OK(bareSubject);
    auto confirmed = enforcement::buildResolve(kPolicy, bareSubject->state, bareSubject->event(QStringLiteral("e1")),
                                               Outcome::Confirmed, QString(), false, contextFor(reviewer.reviewer));
    VERIFY_OK(confirmed);
    VERIFY_OK(wait(store.apply(*confirmed)));
    // The chain verifies and its records name the reviewer from the token.
    auto chainRecords = wait(m_ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(chainRecords);
    QVERIFY(verifyChain(*chainRecords).ok);
}

void FirestoreRulesTest::seniorOverridesExemptsAndUnexempts() {
    const Actor& senior = actor(Who::Senior);
    FirestoreCaseStore store(senior.client);
    const QString uid = freshUser(Stage::Restrict);
    auto subject = readSubject(store, uid);
    VERIFY_OK(subject);
    auto lift = overrideTo(*subject, senior.reviewer, Stage::None);
    VERIFY_OK(lift);
    VERIFY_OK(wait(store.apply(*lift)));
    auto s1 = readSubject(store, uid);
    VERIFY_OK(s1);
    QCOMPARE(toString(s1->state.stage), QStringLiteral("none"));
    auto ex = exempt(*s1, senior.reviewer);
    VERIFY_OK(ex);
    VERIFY_OK(wait(store.apply(*ex)));
    auto s2 = readSubject(store, uid);
    VERIFY_OK(s2);
    QVERIFY(s2->state.exempt);
    auto unex =
        enforcement::buildExempt(s2->state, false, QStringLiteral("contract ended"), contextFor(senior.reviewer));
    VERIFY_OK(unex);
    VERIFY_OK(wait(store.apply(*unex)));
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
    auto records = wait(m_ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(records);
    QVERIFY(verifyChain(*records).ok);
}

QTEST_GUILESS_MAIN(FirestoreRulesTest)
#include "FirestoreRulesTest.moc"
