// packaging/firestore/firestore.rules against hostile writes. Every row starts from a genuine commit (what the core
// and FirestoreCaseStore send for a real action), alters one thing, and sends it with an ID token the Firebase Auth
// emulator minted: the emulator must refuse it with PERMISSION_DENIED. Where the row has a genuine commit, that
// commit is then sent unaltered and must pass, so the refusal is the alteration's doing and nothing else's.
#include "RulesActorsTestBase.h"

#include "enforcement/ShadowComparison.h"
#include "firestore/ShadowDecisionDocument.h"

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;

namespace {

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

FirestoreWrite* labelWrite(QList<FirestoreWrite>& w) {
    return writeTo(w, QStringLiteral("fair_use_labels/"));
}

/** A resolution that also labels the classifier's verdict on the case. */
Result<ChangeSet> resolveWithLabel(const Subject& s, const Reviewer& r) {
    return resolve(s, r, Outcome::Confirmed, false, ClassifierVerdict::ModelRight);
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

/** Rows of hostileWritesAreRefused(); each is one data row (they hold functions, so they are built in the test). */
constexpr int kHostileRows = 68;

} // namespace

class HostileWritesTest : public ActorsTestBase {
    Q_OBJECT

private Q_SLOTS:
    void hostileWritesAreRefused_data();
    void hostileWritesAreRefused();
};

void HostileWritesTest::hostileWritesAreRefused_data() {
    QTest::addColumn<int>("row");
    // Rows are built in hostileWritesAreRefused() (they hold functions); the data function names them.
    for (int i = 0; i < kHostileRows; ++i) {
        QTest::addRow("%d", i) << i;
    }
}

void HostileWritesTest::hostileWritesAreRefused() {
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
        // ---- reason codes: "<code>[: notes]" on every decision
        {QStringLiteral("a resolution whose reason is free text"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::Confirmed); },
         recordField("reason", V::string(QStringLiteral("looked at the evidence")))},
        {QStringLiteral("a resolution whose code is not code-shaped"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         [](const Subject& s, const Reviewer& r) { return resolve(s, r, Outcome::Confirmed); },
         recordField("reason", V::string(QStringLiteral("Media Confirmed: seen")))},
        {QStringLiteral("an override whose reason has no code"), Stage::Warning, Who::Senior, Who::Senior,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Throttle); },
         recordField("reason", V::string(QStringLiteral(": manual review")))},
        // ---- classifier labels
        {QStringLiteral("a label in another reviewer's name"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         resolveWithLabel,
         [setOn](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             setOn(labelWrite(w), "reviewer", V::string(QStringLiteral("someone.else@example.com")));
         }},
        {QStringLiteral("a label with another reviewer's uid"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         resolveWithLabel,
         [&](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             setOn(labelWrite(w), "reviewer_uid", V::string(actor(Who::Other).reviewer.uid));
         }},
        {QStringLiteral("a label without its audit record"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         resolveWithLabel,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             // Alone, naming the chain's first record (written before this commit).
             FirestoreWrite label = *labelWrite(w);
             label.fields.insert(QStringLiteral("audit_record"), V::string(FirestoreCaseStore::auditRecordId(1)));
             w = {label};
         }},
        {QStringLiteral("a label with a verdict not in the list"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         resolveWithLabel,
         [setOn](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             setOn(labelWrite(w), "verdict", V::string(QStringLiteral("model_wrong")));
         }},
        {QStringLiteral("a label carrying conversation text"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         resolveWithLabel,
         [setOn](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             setOn(labelWrite(w), "reasoning", V::string(QStringLiteral("narration of a novel")));
         }},
        {QStringLiteral("a label of another case than its record's"), Stage::Warning, Who::Reviewer, Who::Reviewer,
         resolveWithLabel,
         [setOn](QList<FirestoreWrite>& w, const Genuine&, const QString&) {
             FirestoreWrite* label = labelWrite(w);
             QVERIFY(label);
             label->path = QStringLiteral("fair_use_labels/e2");
             setOn(label, "event_id", V::string(QStringLiteral("e2")));
         }},
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
        // ---- the enforcement service's action (fairuse-enforcer) is no reviewer's, not even an admin's
        {QStringLiteral("an admin recording a stage change as the service's enforce"), Stage::Warning, Who::Admin,
         Who::Admin, [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Throttle); },
         recordField("action", V::string(QStringLiteral("enforce")))},
        {QStringLiteral("an admin's enforce record under the service's role"), Stage::Warning, Who::Admin, Who::Admin,
         [](const Subject& s, const Reviewer& r) { return overrideTo(s, r, Stage::Throttle); },
         [recordField](QList<FirestoreWrite>& w, const Genuine& g, const QString& uid) {
             recordField("action", V::string(QStringLiteral("enforce")))(w, g, uid);
             recordField("role", V::string(QStringLiteral("service")))(w, g, uid);
         }},
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
        {QStringLiteral("a note that also records a shadow decision"), Stage::Warning, Who::Senior, Who::Senior,
         userNote,
         [](QList<FirestoreWrite>& w, const Genuine&, const QString& uid) {
             ShadowDecision d;
             d.uid = uid;
             d.passAt = at("2026-03-20T12:00:00Z");
             d.intervalStart = d.passAt;
             d.id = enforcement::shadowDecisionId(uid, d.intervalStart);
             d.instance = QStringLiteral("forged");
             d.action = QStringLiteral("none");
             w.append(FirestoreWrite::set(shadowDecisionPath(d.id), encodeShadowDecision(d)));
         }},
    };
    QCOMPARE(rows.size(), kHostileRows);
    const Row& r = rows.at(row);
    qInfo("%s", qPrintable(r.name));

    const QString uid = freshUser(r.stage);
    if (r.name == QStringLiteral("deleting an exemption")) {
        VERIFY_OK(wait(m_rules.owner->commit({FirestoreCaseStore::exemptionWrite(
            uid, QStringLiteral("senior@example.com"), actionTime(), QStringLiteral("seeded"))})));
    }
    auto subject = readSubject(*m_rules.ownerStore, uid);
    VERIFY_OK(subject);
    Genuine genuine;
    if (r.build) {
        const Reviewer builder = actor(r.builder).reviewer;
        auto change = r.build(*subject, builder);
        VERIFY_OK(change);
        auto g = commitFor(*m_rules.owner, *change);
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

QTEST_GUILESS_MAIN(HostileWritesTest)
#include "HostileWritesTest.moc"
