#pragma once
// Shared by the security-rules tests: packaging/firestore/firestore.rules loaded into a fresh project of the Firestore
// emulator, reviewers signed in through the real Firebase Auth emulator (their ID tokens carry the verified e-mail,
// the uid and the custom claim `role`), users seeded by the backend's server credentials in a chosen stage, and
// genuine commits built by the core and FirestoreCaseStore::changeWrites() exactly as the console sends them.

#include "AuthEmulator.h"
#include "EmulatorSupport.h"

#include "audit/AuditChain.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"
#include "firestore/FirestoreCaseStore.h"

#include <functional>
#include <map>

namespace fairuse::testing::rules {

using V = services::FirestoreValue;
using services::FirestoreClient;
using services::FirestoreWrite;
using services::Precondition;
using testing::at;
using testing::wait;
using testing::why;

/** Someone with an ID token: the reviewer identity it carries and a Firestore client that sends it. */
struct Actor {
    Reviewer reviewer;
    QString idToken;
    std::shared_ptr<FirestoreClient> client;
};

/** The time every test action is taken at. */
inline TimePoint actionTime() {
    return at("2026-03-21T09:00:00Z");
}

/** A fresh project of the Firestore emulator with the shipped rules loaded, and the owner's access to it (the server
 *  credentials, which bypass the rules) as a client and as a case store. */
struct RulesProject {
    QString host;
    QString project;
    std::shared_ptr<FirestoreClient> owner;
    std::unique_ptr<services::FirestoreCaseStore> ownerStore;

    /** Creates a project named after `name` on the emulator at `emulatorHost`; false when the rules do not load. */
    bool create(const QString& emulatorHost, const QString& name) {
        host = emulatorHost;
        project = freshProject(name);
        if (!loadShippedRules(host, project)) {
            return false;
        }
        owner =
            std::make_shared<FirestoreClient>(emulatorConfig(project, host), services::StaticToken::emulatorOwner());
        ownerStore = std::make_unique<services::FirestoreCaseStore>(owner);
        return true;
    }
};

/**
 * Signs a new account in through the Auth emulator: a password account whose e-mail is verified (or not) and whose
 * custom claim `role` is `roleClaim` (empty: none). The Firestore client talks to `project` on `firestoreHost`.
 */
inline Result<Actor> signIn(const AuthEmulator& auth, const QString& firestoreHost, const QString& project,
                            const QString& name, const QString& roleClaim, bool verified = true) {
    const QString email = AuthEmulator::uniqueEmail(name);
    const QString password = QStringLiteral("pw-%1").arg(name);
    const auto uid = auth.createPasswordUser(email, password);
    if (!uid) {
        return uid.error();
    }
    std::optional<QJsonObject> claims;
    if (!roleClaim.isEmpty()) {
        claims = QJsonObject{{QStringLiteral("role"), roleClaim}};
    }
    if (Status st = auth.updateUser(*uid, verified, claims); !st) {
        return st.error();
    }
    const auto tokens = auth.signInWithPassword(email, password);
    if (!tokens) {
        return tokens.error();
    }
    Actor a;
    a.reviewer.email = tokens->claims.email;
    a.reviewer.uid = tokens->claims.uid;
    a.reviewer.role = roleFromString(roleClaim).value_or(Role::Reviewer);
    a.idToken = tokens->idToken;
    a.client = std::make_shared<FirestoreClient>(emulatorConfig(project, firestoreHost),
                                                 std::make_shared<services::StaticToken>(tokens->idToken));
    return a;
}

/** A user as the backend leaves one at `stage`: timers of that stage, violation counts, a classifier time, an open
 *  case e1 with the classifier's result and a case e2 that a senior reviewer already resolved. */
inline QList<FirestoreWrite> seedUser(const QString& uid, Stage stage) {
    FairUseState s =
        backendStateAt(uid, stage, at("2026-03-20T10:00:00Z"), at("2026-03-27T10:00:00Z"), at("2026-04-19T10:00:00Z"));
    s.classifierFailedAt = at("2026-03-20T09:58:00Z");
    s.classifierFailures = 2;
    QList<FirestoreWrite> writes{
        FirestoreWrite::set(services::FirestoreCaseStore::statePath(uid), services::encodeState(s))};
    FairUseEvent open;
    open.createdAt = at("2026-03-20T09:55:00Z");
    open.caseRef = QStringLiteral("FU-%1").arg(QString::number(qHash(uid + QStringLiteral("e1")), 16)
                                                   .rightJustified(12, QLatin1Char('0'))
                                                   .right(12)
                                                   .toUpper());
    open.previousStage = stage;
    open.newStage = stage;
    open.enforcementAction = toString(stage);
    open.adminNotes = QStringLiteral("[backend] flagged overnight");
    ClassifierResult verdict;
    verdict.misuseScore = 0.9;
    verdict.usageType = UsageType::Audiobook;
    verdict.confidence = 0.8;
    verdict.model = QStringLiteral("gpt-4.1-mini");
    verdict.promptVersion = QStringLiteral("purpose-v3");
    verdict.reasoning = QStringLiteral("narration of a novel, chapter after chapter");
    open.classifier = verdict;
    writes.append(FirestoreWrite::set(services::FirestoreCaseStore::eventPath(uid, QStringLiteral("e1")),
                                      services::encodeEvent(open)));
    FairUseEvent closed = open;
    closed.caseRef = QStringLiteral("FU-%1").arg(QString::number(qHash(uid + QStringLiteral("e2")), 16)
                                                     .rightJustified(12, QLatin1Char('0'))
                                                     .right(12)
                                                     .toUpper());
    closed.resolved = true;
    closed.resolvedAt = at("2026-03-20T12:00:00Z");
    closed.resolvedBy = QStringLiteral("senior@example.com");
    closed.outcome = Outcome::Confirmed;
    writes.append(FirestoreWrite::set(services::FirestoreCaseStore::eventPath(uid, QStringLiteral("e2")),
                                      services::encodeEvent(closed)));
    return writes;
}

/** What the core decides for one reviewer action, and the commit the console would send for it. */
struct Genuine {
    Result<ChangeSet> change = Error::internal(QStringLiteral("not built"));
    AuditRecord record;
    QList<FirestoreWrite> writes;
};

/** The documents one action is computed from, read with the owner's access, as the console reads them. */
struct Subject {
    FairUseState state;
    QList<FairUseEvent> events;
    std::optional<CaseClaim> claim;
    std::optional<Casework> casework;
    QList<UserNote> notes;

    FairUseEvent event(const QString& id) const {
        for (const auto& e : events) {
            if (e.id == id) {
                return e;
            }
        }
        return {};
    }
};

inline Result<Subject> readSubject(services::FirestoreCaseStore& owner, const QString& uid) {
    auto state = wait(owner.getState(uid));
    if (!state) {
        return state.error();
    }
    auto events = wait(owner.listEvents(uid));
    if (!events) {
        return events.error();
    }
    auto claim = wait(owner.getClaim(uid));
    if (!claim) {
        return claim.error();
    }
    auto casework = wait(owner.getCasework(uid));
    if (!casework) {
        return casework.error();
    }
    auto notes = wait(owner.listNotes(uid));
    if (!notes) {
        return notes.error();
    }
    return Subject{*state, *events, *claim, *casework, *notes};
}

/** The context of an action by `reviewer`. */
inline enforcement::ActionContext contextFor(const Reviewer& reviewer, const QString& key = {}) {
    enforcement::ActionContext ctx;
    ctx.reviewer = reviewer;
    ctx.now = actionTime();
    ctx.clientVersion = QStringLiteral("rules-test");
    ctx.idempotencyKey = key;
    return ctx;
}

/**
 * The commit FirestoreCaseStore::apply() would send for `change` now: its writes chained after the current head
 * (read with the owner's access), then the head.
 */
inline Result<Genuine> commitFor(FirestoreClient& owner, const ChangeSet& change) {
    auto head = wait(owner.get(services::FirestoreCaseStore::kAuditHeadPath));
    std::optional<services::FirestoreDocument> headDoc;
    std::optional<AuditRecord> previous;
    if (head) {
        headDoc = *head;
        auto prev = wait(owner.get(
            services::FirestoreCaseStore::auditPath(head->fields.value(QStringLiteral("sequence")).toInteger())));
        if (!prev) {
            return prev.error();
        }
        auto decoded = services::decodeAudit(prev->fields);
        if (!decoded) {
            return decoded.error();
        }
        previous = *decoded;
    } else if (head.error().kind != ErrorKind::NotFound) {
        return head.error();
    }
    Genuine g;
    g.change = change;
    g.record = chain(previous ? &*previous : nullptr, change.audit);
    int stateIndex = -1;
    int eventIndex = -1;
    g.writes = services::FirestoreCaseStore::changeWrites(change, g.record, &stateIndex, &eventIndex);
    g.writes.append(services::FirestoreCaseStore::headWrite(g.record, headDoc));
    return g;
}

/** The write of `writes` whose path starts with `prefix`; nullptr when there is none. */
inline FirestoreWrite* writeTo(QList<FirestoreWrite>& writes, const QString& prefix) {
    for (auto& w : writes) {
        if (w.path.startsWith(prefix)) {
            return &w;
        }
    }
    return nullptr;
}

/** Sets a field of a write (and adds it to the write's mask, if it has one). */
inline void setField(FirestoreWrite* w, const QString& field, const V& value) {
    w->fields.insert(field, value);
    if (w->updateMask && !w->updateMask->contains(field)) {
        w->updateMask->append(field);
    }
}

} // namespace fairuse::testing::rules
