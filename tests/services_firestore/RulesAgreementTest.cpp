// The core's role table and the shipped security rules agree: every reviewer action (claims, manual reviews, pinned
// notes, escalation and snooze included) x role x stage goes through the core (core/enforcement/ReviewerActions,
// core/casework) and, as the console would commit it, through FirestoreCaseStore to the Firestore emulator with that
// role's ID token from the Firebase Auth emulator. What the core allows, the rules allow (and the stored stage is the
// core's); what the core refuses for lack of a role, the rules refuse when a client sends it anyway (the change is
// built for an admin and recorded under the weaker role's identity). Saved views, which name no user and no stage, go
// through the same comparison per action x role (viewsAgree), a refused change built by the view's owner instead.
#include "RequireBackend.h"
#include "RulesSupport.h"

#include "casework/Casework.h"
#include "casework/Claims.h"
#include "casework/ManualReview.h"
#include "casework/SavedViews.h"
#include "firestore/FirestoreCasework.h"
#include "firestore/FirestoreClaims.h"
#include "firestore/FirestoreViews.h"

#include <QDateTime>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing::rules;

namespace {

const enforcement::Policy kPolicy;

/** Whose live claim (or pinned note, escalation) the user's case has before the action. */
enum class SeededClaim { None, Colleague, Actor };
enum class SeededWork { None, NoteByColleague, NoteByActor, EscalatedByColleague, EscalatedByActor, Snoozed };

struct Action {
    QString name;
    std::function<Result<ChangeSet>(const Subject&, const Reviewer&)> build;
    bool seedExemption = false;
    SeededClaim seedClaim = SeededClaim::None;
    SeededWork seedWork = SeededWork::None;
};

Reviewer colleague() {
    return Reviewer{QStringLiteral("colleague@example.com"), Role::Reviewer, QStringLiteral("colleague-uid")};
}

/** A pinned note, an escalation or a snooze on `uid` as a console would have written it. */
FirestoreWrite workOf(const QString& uid, SeededWork work, const Reviewer& actor) {
    const Reviewer by = work == SeededWork::NoteByActor || work == SeededWork::EscalatedByActor ? actor : colleague();
    if (work == SeededWork::NoteByActor || work == SeededWork::NoteByColleague) {
        UserNote n;
        n.text = QStringLiteral("seeded");
        n.author = by.email;
        n.authorUid = by.uid;
        n.createdAt = actionTime();
        return FirestoreWrite::set(notePath(uid, QStringLiteral("000000000001")), encodeNote(n));
    }
    Casework c;
    c.uid = uid;
    if (work == SeededWork::Snoozed) {
        c.snoozedAt = actionTime();
        c.snoozeUntilCapHit = true;
        c.snoozedBy = by.email;
        c.snoozedByUid = by.uid;
    } else {
        c.escalatedAt = actionTime();
        c.escalatedBy = by.email;
        c.escalatedByUid = by.uid;
        c.escalationNote = QStringLiteral("seeded");
    }
    return FirestoreWrite::set(caseworkPath(uid), encodeCasework(c));
}

/** Snoozes are compared with the server's clock by the rules. */
enforcement::ActionContext atWallClock(const Reviewer& r) {
    enforcement::ActionContext ctx = contextFor(r);
    ctx.now = fromUnixMs(QDateTime::currentMSecsSinceEpoch());
    return ctx;
}

/** A live claim on `uid` held by `holder`, as a console would have written it (the rules compare its end with the
 *  server's clock, so it ends 10 minutes after now). */
FirestoreWrite claimOf(const QString& uid, const Reviewer& holder) {
    CaseClaim c;
    c.uid = uid;
    c.reviewer = holder.email;
    c.reviewerUid = holder.uid;
    c.claimedAt = actionTime();
    c.expiresAt = fromUnixMs(QDateTime::currentMSecsSinceEpoch()) + std::chrono::minutes(10);
    return FirestoreWrite::set(claimPath(uid), encodeClaim(c));
}

QList<Action> actions() {
    const auto resolveAs = [](Outcome outcome, bool exempt, std::optional<ClassifierVerdict> verdict = {}) {
        return [outcome, exempt, verdict](const Subject& s, const Reviewer& r) {
            return enforcement::buildResolve(kPolicy, s.state, s.event(QStringLiteral("e1")), outcome,
                                             QStringLiteral("other"), QStringLiteral("agreement"), exempt,
                                             contextFor(r), verdict);
        };
    };
    QList<Action> out{
        {QStringLiteral("resolve confirmed"), resolveAs(Outcome::Confirmed, false)},
        {QStringLiteral("resolve false_positive"), resolveAs(Outcome::FalsePositive, false)},
        {QStringLiteral("resolve no_action"), resolveAs(Outcome::NoAction, false)},
        {QStringLiteral("resolve false_positive + exempt"), resolveAs(Outcome::FalsePositive, true)},
        {QStringLiteral("resolve confirmed + label"),
         resolveAs(Outcome::Confirmed, false, ClassifierVerdict::ModelRight)},
        {QStringLiteral("resolve false_positive + label"),
         resolveAs(Outcome::FalsePositive, false, ClassifierVerdict::ModelWrongLegitimate)},
        {QStringLiteral("reset"),
         [](const Subject& s, const Reviewer& r) {
             return enforcement::buildReset(kPolicy, s.state, QStringLiteral("other"), QStringLiteral("agreement"),
                                            contextFor(r));
         }},
        {QStringLiteral("exempt"),
         [](const Subject& s, const Reviewer& r) {
             return enforcement::buildExempt(kPolicy, s.state, true, QStringLiteral("other"),
                                             QStringLiteral("agreement"), contextFor(r));
         }},
        {QStringLiteral("unexempt"),
         [](const Subject& s, const Reviewer& r) {
             return enforcement::buildExempt(kPolicy, s.state, false, QStringLiteral("other"),
                                             QStringLiteral("agreement"), contextFor(r));
         },
         true},
        {QStringLiteral("add note"),
         [](const Subject& s, const Reviewer& r) {
             return enforcement::buildAddNote(s.state, s.event(QStringLiteral("e1")), QStringLiteral("agreement"),
                                              contextFor(r));
         }},
        {QStringLiteral("add user note"),
         [](const Subject& s, const Reviewer& r) {
             return enforcement::buildAddUserNote(s.state, QStringLiteral("agreement"), contextFor(r));
         }},
        {QStringLiteral("rerun classifier"),
         [](const Subject& s, const Reviewer& r) {
             return enforcement::buildRerunClassifier(s.state, QStringLiteral("agreement"), contextFor(r));
         }},
        {QStringLiteral("claim"),
         [](const Subject& s, const Reviewer& r) { return casework::buildClaim(s.state, s.claim, contextFor(r)); }},
        {QStringLiteral("take over a colleague's claim"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildTakeOver(s.state, s.claim, QStringLiteral("agreement"), contextFor(r));
         },
         false, SeededClaim::Colleague},
        {QStringLiteral("release one's claim"),
         [](const Subject& s, const Reviewer& r) { return casework::buildRelease(s.state, s.claim, contextFor(r)); },
         false, SeededClaim::Actor},
        {QStringLiteral("pin note"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildPinNote(s.state, QStringLiteral("agreement"), contextFor(r));
         }},
        {QStringLiteral("unpin one's note"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildUnpinNote(s.state, s.notes.value(0), {}, contextFor(r));
         },
         false, SeededClaim::None, SeededWork::NoteByActor},
        {QStringLiteral("unpin a colleague's note"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildUnpinNote(s.state, s.notes.value(0), QStringLiteral("agreement"), contextFor(r));
         },
         false, SeededClaim::None, SeededWork::NoteByColleague},
        {QStringLiteral("escalate"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildEscalate(s.state, s.casework, s.event(QStringLiteral("e1")),
                                            QStringLiteral("agreement"), contextFor(r));
         }},
        {QStringLiteral("withdraw one's escalation"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildDeEscalate(s.state, s.casework, {}, contextFor(r));
         },
         false, SeededClaim::None, SeededWork::EscalatedByActor},
        {QStringLiteral("withdraw a colleague's escalation"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildDeEscalate(s.state, s.casework, QStringLiteral("agreement"), contextFor(r));
         },
         false, SeededClaim::None, SeededWork::EscalatedByColleague},
        {QStringLiteral("snooze a day"),
         [](const Subject& s, const Reviewer& r) {
             const enforcement::ActionContext ctx = atWallClock(r);
             return casework::buildSnooze(s.state, s.casework, s.event(QStringLiteral("e1")),
                                          ctx.now + std::chrono::hours(24), ctx);
         }},
        {QStringLiteral("snooze until the next cap hit"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildSnooze(s.state, s.casework, s.event(QStringLiteral("e1")), std::nullopt,
                                          atWallClock(r));
         }},
        {QStringLiteral("unsnooze"),
         [](const Subject& s, const Reviewer& r) {
             return casework::buildUnsnooze(s.state, s.casework, contextFor(r));
         },
         false, SeededClaim::None, SeededWork::Snoozed},
        {QStringLiteral("resolve an escalated case"),
         [](const Subject& s, const Reviewer& r) {
             auto cs = enforcement::buildResolve(kPolicy, s.state, s.event(QStringLiteral("e1")), Outcome::Confirmed,
                                                 QStringLiteral("media_confirmed"), QStringLiteral("agreement"), false,
                                                 contextFor(r));
             if (cs) {
                 casework::closeOnDecision(*cs, s.casework);
             }
             return cs;
         },
         false, SeededClaim::None, SeededWork::EscalatedByColleague},
    };
    for (casework::ReviewDecision d : {casework::ReviewDecision::RestoreNone, casework::ReviewDecision::RestoreWarning,
                                       casework::ReviewDecision::KeepRestricted, casework::ReviewDecision::Extend}) {
        out.append(
            {QStringLiteral("manual review %1").arg(casework::toString(d)), [d](const Subject& s, const Reviewer& r) {
                 return casework::buildManualReview(kPolicy, s.state, d, QStringLiteral("media_confirmed"),
                                                    QStringLiteral("agreement"), contextFor(r));
             }});
    }
    for (Stage target : {Stage::None, Stage::Warning, Stage::Throttle, Stage::Restrict}) {
        out.append(
            {QStringLiteral("override to %1").arg(toString(target)), [target](const Subject& s, const Reviewer& r) {
                 return enforcement::buildOverrideStage(kPolicy, s.state, target, QStringLiteral("other"),
                                                        QStringLiteral("agreement"), contextFor(r));
             }});
    }
    return out;
}

/** Records `change` as taken by `who`: what a client sends when it takes an action the core refused it. */
ChangeSet relabelled(ChangeSet change, const Reviewer& who) {
    change.audit.reviewer = who.email;
    change.audit.reviewerUid = who.uid;
    change.audit.role = who.role;
    if (change.newEvent && change.newEvent->resolved) {
        change.newEvent->resolvedBy = who.email;
    }
    if (change.newState && !change.newState->resetBy.isEmpty()) {
        change.newState->resetBy = who.email;
    }
    if (change.label) {
        change.label->reviewer = who.email;
        change.label->reviewerUid = who.uid;
    }
    if (change.claimChange && change.claimChange->claim) {
        change.claimChange->claim->reviewer = who.email;
        change.claimChange->claim->reviewerUid = who.uid;
    }
    if (change.noteChange) {
        UserNote& n = change.noteChange->note;
        if (n.pinned) {
            n.author = who.email;
            n.authorUid = who.uid;
        } else {
            n.unpinnedBy = who.email;
        }
    }
    if (change.caseworkChange && change.caseworkChange->casework) {
        Casework& c = *change.caseworkChange->casework;
        if (change.audit.action == AuditAction::Escalate) {
            c.escalatedBy = who.email;
            c.escalatedByUid = who.uid;
        } else if (change.audit.action == AuditAction::Snooze) {
            c.snoozedBy = who.email;
            c.snoozedByUid = who.uid;
        }
    }
    return change;
}

/** A saved-view action: on a new view (no seeded view), or on one seeded as the colleague's or the actor's own. */
struct ViewAction {
    QString name;
    enum class Seed { None, ColleaguesShared, ColleaguesPersonal, OwnPersonal } seed = Seed::None;
    std::function<Result<ChangeSet>(const std::optional<SavedView>&, const QString&, const Reviewer&)> build;
};

QList<ViewAction> viewActions() {
    using Seed = ViewAction::Seed;
    const auto save = [](bool shared) {
        return [shared](const std::optional<SavedView>& v, const QString& name, const Reviewer& r) {
            return casework::buildSaveView({}, v, name, shared, {}, contextFor(r));
        };
    };
    const auto remove = [](const std::optional<SavedView>& v, const QString&, const Reviewer& r) {
        return casework::buildDeleteView(*v, contextFor(r));
    };
    return {{QStringLiteral("save a shared view"), Seed::None, save(true)},
            {QStringLiteral("save a personal view"), Seed::None, save(false)},
            {QStringLiteral("change a colleague's shared view"), Seed::ColleaguesShared, save(true)},
            {QStringLiteral("un-share a colleague's view"), Seed::ColleaguesShared, save(false)},
            {QStringLiteral("change a colleague's personal view"), Seed::ColleaguesPersonal, save(false)},
            {QStringLiteral("share one's own view"), Seed::OwnPersonal, save(true)},
            {QStringLiteral("delete a colleague's shared view"), Seed::ColleaguesShared, remove},
            {QStringLiteral("delete a colleague's personal view"), Seed::ColleaguesPersonal, remove},
            {QStringLiteral("delete one's own view"), Seed::OwnPersonal, remove}};
}

} // namespace

class RulesAgreementTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void coreAndRulesAgree();
    void viewsAgree();

private:
    RulesProject m_rules;
    QList<Actor> m_actors; // reviewer, senior_reviewer, admin
};

void RulesAgreementTest::initTestCase() {
    FAIRUSE_REQUIRE_EMULATOR(host);
    REQUIRE_AUTH_EMULATOR();
    QVERIFY(m_rules.create(host, QStringLiteral("agreement")));
    const testing::AuthEmulator auth;
    for (const char* role : {"reviewer", "senior_reviewer", "admin"}) {
        auto a = signIn(auth, m_rules.host, m_rules.project, QString::fromLatin1(role), QString::fromLatin1(role));
        VERIFY_OK(a);
        m_actors.append(*a);
    }
}

void RulesAgreementTest::coreAndRulesAgree() {
    QStringList mismatches;
    int allowed = 0;
    int refused = 0;
    int notARoleQuestion = 0;
    int user = 0;
    const Actor& admin = m_actors.last();
    for (const Action& action : actions()) {
        for (Stage stage : {Stage::None, Stage::Warning, Stage::Throttle, Stage::Restrict}) {
            for (const Actor& actor : std::as_const(m_actors)) {
                const QString uid = QStringLiteral("u%1").arg(++user);
                QList<FirestoreWrite> seed = seedUser(uid, stage);
                if (action.seedExemption) {
                    seed.append(FirestoreCaseStore::exemptionWrite(uid, QStringLiteral("senior@example.com"),
                                                                   actionTime(), QStringLiteral("seeded")));
                }
                if (action.seedClaim == SeededClaim::Colleague) {
                    seed.append(claimOf(uid, colleague()));
                } else if (action.seedClaim == SeededClaim::Actor) {
                    seed.append(claimOf(uid, actor.reviewer));
                }
                if (action.seedWork != SeededWork::None) {
                    seed.append(workOf(uid, action.seedWork, actor.reviewer));
                }
                VERIFY_OK(wait(m_rules.owner->commit(seed)));
                auto subject = readSubject(*m_rules.ownerStore, uid);
                VERIFY_OK(subject);
                const QString what =
                    QStringLiteral("%1 by %2 at %3").arg(action.name, toString(actor.reviewer.role), toString(stage));

                auto core = action.build(*subject, actor.reviewer);
                ChangeSet change;
                bool coreAllows = true;
                if (core) {
                    change = *core;
                } else if (core.error().kind == ErrorKind::Permission) {
                    coreAllows = false;
                    auto asAdmin = action.build(*subject, admin.reviewer);
                    VERIFY_OK(asAdmin);
                    change = relabelled(*asAdmin, actor.reviewer);
                } else {
                    ++notARoleQuestion; // e.g. un-exempting a user who is not exempt: the same for every role
                    continue;
                }
                FirestoreCaseStore store(actor.client);
                const auto result = wait(store.apply(change));
                if (coreAllows && !result) {
                    mismatches.append(QStringLiteral("%1: the core allows it, the rules refuse it (%2)")
                                          .arg(what, why(result.error())));
                } else if (!coreAllows && result) {
                    mismatches.append(QStringLiteral("%1: the core refuses it (%2), the rules allow it")
                                          .arg(what, core.error().message));
                } else if (!coreAllows && result.error().kind != ErrorKind::Permission) {
                    mismatches.append(
                        QStringLiteral("%1: refused, but not by the rules (%2)").arg(what, why(result.error())));
                } else if (coreAllows) {
                    ++allowed;
                    auto stored = wait(m_rules.ownerStore->getState(uid));
                    VERIFY_OK(stored);
                    const Stage expected = change.newState ? change.newState->stage : stage;
                    if (stored->stage != expected) {
                        mismatches.append(QStringLiteral("%1: stored stage %2, the core decided %3")
                                              .arg(what, toString(stored->stage), toString(expected)));
                    }
                } else {
                    ++refused;
                }
            }
        }
    }
    qInfo("%d combinations: %d allowed by both, %d refused by both, %d not a question of role, %d mismatches",
          allowed + refused + notARoleQuestion + int(mismatches.size()), allowed, refused, notARoleQuestion,
          int(mismatches.size()));
    QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QLatin1Char('\n'))));
    QVERIFY(allowed > 0 && refused > 0);
    // And the chain all of it wrote verifies.
    auto records = wait(m_rules.ownerStore->listAudit(AuditFilter{}));
    VERIFY_OK(records);
    const auto verified = verifyChain(*records);
    QVERIFY2(verified.ok, qPrintable(verified.reason));
    QCOMPARE(records->size(), allowed);
}

void RulesAgreementTest::viewsAgree() {
    QStringList mismatches;
    int allowed = 0;
    int refused = 0;
    int n = 0;
    for (const ViewAction& action : viewActions()) {
        for (const Actor& actor : std::as_const(m_actors)) {
            const QString what = QStringLiteral("%1 by %2").arg(action.name, toString(actor.reviewer.role));
            const QString name = QStringLiteral("agreement %1").arg(++n);
            std::optional<SavedView> seeded;
            Reviewer owner = actor.reviewer;
            if (action.seed != ViewAction::Seed::None) {
                if (action.seed != ViewAction::Seed::OwnPersonal) {
                    owner = colleague();
                }
                SavedView v;
                v.id = casework::newViewId(owner, name, actionTime());
                v.name = name;
                v.owner = owner.email;
                v.ownerUid = owner.uid;
                v.shared = action.seed == ViewAction::Seed::ColleaguesShared;
                v.filter = casework::toJson(casework::ViewFilter{});
                v.createdAt = v.updatedAt = actionTime();
                v.updatedBy = owner.email;
                VERIFY_OK(wait(m_rules.owner->commit({FirestoreWrite::set(viewPath(v.id), encodeView(v))})));
                auto doc = wait(m_rules.owner->get(viewPath(v.id)));
                VERIFY_OK(doc);
                seeded = decodeView(*doc).value();
            }
            auto core = action.build(seeded, name, actor.reviewer);
            ChangeSet change;
            bool coreAllows = true;
            if (core) {
                change = *core;
            } else if (core.error().kind == ErrorKind::Permission) {
                coreAllows = false;
                auto byOwner = action.build(seeded, name, owner);
                VERIFY_OK(byOwner);
                change = relabelled(*byOwner, actor.reviewer);
                if (change.viewChange->view) {
                    change.viewChange->view->updatedBy = actor.reviewer.email;
                }
            } else {
                mismatches.append(QStringLiteral("%1: the core refuses it (%2)").arg(what, core.error().message));
                continue;
            }
            FirestoreCaseStore store(actor.client);
            const auto result = wait(store.apply(change));
            if (coreAllows && !result) {
                mismatches.append(
                    QStringLiteral("%1: the core allows it, the rules refuse it (%2)").arg(what, why(result.error())));
            } else if (!coreAllows && result) {
                mismatches.append(
                    QStringLiteral("%1: the core refuses it (%2), the rules allow it").arg(what, core.error().message));
            } else if (!coreAllows && result.error().kind != ErrorKind::Permission) {
                mismatches.append(
                    QStringLiteral("%1: refused, but not by the rules (%2)").arg(what, why(result.error())));
            } else if (coreAllows) {
                ++allowed;
            } else {
                ++refused;
            }
        }
    }
    qInfo("saved views: %d combinations: %d allowed by both, %d refused by both, %d mismatches",
          allowed + refused + int(mismatches.size()), allowed, refused, int(mismatches.size()));
    QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QLatin1Char('\n'))));
    QVERIFY(allowed > 0 && refused > 0);
}

QTEST_GUILESS_MAIN(RulesAgreementTest)
#include "RulesAgreementTest.moc"
