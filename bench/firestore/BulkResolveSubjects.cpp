#include "BulkResolveSubjects.h"

#include "EmulatorProcesses.h"

#include "audit/AuditChain.h"
#include "common/Await.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"
#include "firestore/FirestoreValue.h"

#include <QCoreApplication>

#include <algorithm>

namespace fairuse::bench::bulk {

using namespace fairuse::services;

namespace {

/** Documents per batchGet when the results are read back. */
constexpr int kReadBackChunk = 300;

TimePoint at(const char* s) {
    return parseRfc3339(QString::fromLatin1(s)).value();
}

/** Reads `paths` back with the owner's access, a chunk at a time. */
Result<QList<std::optional<FirestoreDocument>>> readBack(FirestoreClient& owner, const QStringList& paths) {
    QList<std::optional<FirestoreDocument>> out;
    for (qsizetype from = 0; from < paths.size(); from += kReadBackChunk) {
        auto r = awaitResult(owner.batchGet(paths.mid(from, kReadBackChunk)), kAwaitMs);
        if (!r) {
            return r.error();
        }
        out.append(*r);
    }
    return out;
}

} // namespace

Result<SignedIn> signInReviewer(const testing::AuthEmulator& auth, const QString& email, const QString& password) {
    const auto tokens = auth.signInWithPassword(email, password);
    if (!tokens) {
        return tokens.error();
    }
    if (!tokens->claims.emailVerified || tokens->claims.role != QLatin1String("reviewer")) {
        return Error::internal(QStringLiteral("the reviewer's ID token lacks the verified e-mail or the role claim"));
    }
    return SignedIn{{tokens->claims.email, Role::Reviewer, tokens->claims.uid}, tokens->idToken};
}

bool asReviewer(Mode m) {
    return m == Mode::ReviewerBatch || m == Mode::ReviewerEach;
}

bool batched(Mode m) {
    return m != Mode::ServerEach && m != Mode::ReviewerEach;
}

QString label(Mode m) {
    switch (m) {
    case Mode::ServerBatch:
        return QStringLiteral("(a) server credentials, batched");
    case Mode::ServerEach:
        return QStringLiteral("(b) server credentials, one commit per case");
    case Mode::ReviewerBatch:
        return QStringLiteral("(c) reviewer token + rules, batched");
    case Mode::ReviewerEach:
        return QStringLiteral("(d) reviewer token + rules, one per case");
    case Mode::ServerBatchAtReviewerSize:
        return QStringLiteral("(e) server credentials, (c)'s commit size");
    }
    return {};
}

Result<Project> project(const QString& host, const QString& name, Mode mode, const SignedIn& reviewer,
                        std::optional<int> ruleBudget) {
    Project p;
    p.id = QStringLiteral("bench-%1-%2").arg(name).arg(QCoreApplication::applicationPid());
    if (Status st = loadShippedRules(host, p.id); !st) {
        return st.error();
    }
    FirestoreConfig c;
    c.projectId = p.id;
    c.emulatorHost = host;
    p.owner = std::make_shared<FirestoreClient>(c, StaticToken::emulatorOwner());
    p.ownerStore = std::make_unique<FirestoreCaseStore>(p.owner);
    FirestoreCaseStore::Options o;
    // Server credentials bypass the rules, so nothing limits what one commit may ask them to read.
    o.maxRuleReadsPerCommit = ruleBudget.value_or(mode == Mode::ServerBatch ? 0 : FirestoreCaseStore::kRuleReadsLimit);
    p.client = asReviewer(mode) ? std::make_shared<FirestoreClient>(
                                      c, std::make_shared<StaticToken>(reviewer.idToken, QStringLiteral("reviewer")))
                                : std::make_shared<FirestoreClient>(c, StaticToken::emulatorOwner());
    p.store = std::make_unique<FirestoreCaseStore>(p.client, o);
    return p;
}

Result<Population> seed(FirestoreClient& owner, int cases) {
    Population pop;
    for (int i = 0; i < cases; ++i) {
        FairUseState s;
        s.uid = QStringLiteral("user%1").arg(i, 5, 10, QLatin1Char('0'));
        s.stage = Stage::Throttle;
        s.updatedAt = at("2026-03-20T10:00:00Z");
        s.lastViolationAt = s.updatedAt;
        s.throttleUntil = at("2026-03-27T10:00:00Z");
        s.violationCount7d = 2;
        s.violationCount30d = 2;
        s.lastClassifierAt = at("2026-03-20T09:50:00Z");
        s.lastClassifierScore = 0.85;
        s.lastClassifierType = UsageType::Audiobook;
        s.lastCaseRef = QStringLiteral("FU-%1").arg(i, 12, 16, QLatin1Char('0')).toUpper();
        pop.states.append(s);
        pop.events.append(
            testing::openCaseOf(s, QStringLiteral("case%1").arg(i), Stage::Warning, at("2026-03-20T09:00:00Z")));
    }
    if (Status written = testing::writeOpenCases(owner, pop, kAwaitMs); !written) {
        return written.error();
    }
    return pop;
}

Result<QList<ChangeSet>> resolveAll(const Population& pop, Action action, const Reviewer& reviewer) {
    const enforcement::Policy policy = enforcement::Policy::forReview();
    QList<ChangeSet> changes;
    for (int i = 0; i < pop.states.size(); ++i) {
        enforcement::ActionContext ctx;
        ctx.reviewer = reviewer;
        ctx.now = at("2026-03-21T09:00:00Z");
        ctx.clientVersion = QStringLiteral("bench");
        ctx.idempotencyKey = QStringLiteral("bulk-bench:") + pop.events[i].id;
        ctx.caseRef = pop.events[i].caseRef;
        ctx.eventId = pop.events[i].id;
        auto change = enforcement::buildResolve(
            policy, pop.states[i], pop.events[i],
            action == Action::Confirmed ? Outcome::Confirmed : Outcome::FalsePositive,
            QStringLiteral("classifier_error"), QStringLiteral("weekly sweep: reviewed in bulk"), false, ctx);
        if (!change) {
            return change.error();
        }
        changes.append(change.value());
    }
    return changes;
}

QString verify(Project& p, const Population& pop, const QList<Result<CommitResult>>& results, Action action,
               const Reviewer& reviewer) {
    const int cases = static_cast<int>(pop.states.size());
    int failed = 0;
    QString firstError;
    for (const auto& r : results) {
        if (!r || r->alreadyApplied) {
            ++failed;
            if (firstError.isEmpty()) {
                firstError = r ? QStringLiteral("already applied") : r.error().message;
            }
        }
    }
    if (failed > 0 || results.size() != cases) {
        return QStringLiteral("FAILED: %1 of %2 not applied (%3)").arg(failed).arg(cases).arg(firstError);
    }
    QStringList eventPaths;
    QStringList statePaths;
    for (int i = 0; i < cases; ++i) {
        eventPaths.append(FirestoreCaseStore::eventPath(pop.events[i].uid, pop.events[i].id));
        statePaths.append(FirestoreCaseStore::statePath(pop.states[i].uid));
    }
    auto events = readBack(*p.owner, eventPaths);
    auto states = readBack(*p.owner, statePaths);
    if (!events || !states) {
        return QStringLiteral("FAILED: could not read the cases back: %1")
            .arg((events ? states.error() : events.error()).message);
    }
    const Outcome outcome = action == Action::Confirmed ? Outcome::Confirmed : Outcome::FalsePositive;
    const Stage stageAfter = action == Action::Confirmed ? Stage::Throttle : Stage::Warning;
    int wrongCases = 0;
    int wrongStates = 0;
    for (int i = 0; i < cases; ++i) {
        const auto e = events->at(i) ? decodeEvent(*events->at(i)) : Result<FairUseEvent>(Error::notFound({}));
        if (!e || !e->resolved || e->outcome != std::optional<Outcome>(outcome) || e->resolvedBy != reviewer.email) {
            ++wrongCases;
        }
        const auto s = states->at(i) ? decodeState(*states->at(i)) : Result<FairUseState>(Error::notFound({}));
        if (!s || s->stage != stageAfter) {
            ++wrongStates;
        }
    }
    AuditFilter all;
    all.limit = cases + 10;
    auto audit = awaitResult(p.ownerStore->listAudit(all), kAwaitMs);
    auto head = awaitResult(p.owner->get(FirestoreCaseStore::kAuditHeadPath), kAwaitMs);
    if (!audit || !head) {
        return QStringLiteral("FAILED: could not read the audit trail back");
    }
    const ChainVerification v = verifyChain(*audit, head->fields.value(QStringLiteral("hash")).toText());
    const auto notByReviewer = std::count_if(audit->cbegin(), audit->cend(), [&reviewer](const AuditRecord& a) {
        return a.reviewer != reviewer.email || a.reviewerUid != reviewer.uid || a.role != reviewer.role ||
               a.action != AuditAction::Resolve;
    });
    if (wrongCases > 0 || wrongStates > 0 || audit->size() != cases || notByReviewer > 0 || !v.ok) {
        return QStringLiteral("FAILED: %1 cases and %2 states not as resolved, %3 audit records (%4 not the "
                              "reviewer's resolve), chain %5")
            .arg(wrongCases)
            .arg(wrongStates)
            .arg(audit->size())
            .arg(notByReviewer)
            .arg(v.ok ? QStringLiteral("ok") : v.reason);
    }
    return QStringLiteral("ok: %1 cases resolved once, %2, chain verifies")
        .arg(cases)
        .arg(action == Action::Confirmed ? QStringLiteral("stages kept") : QStringLiteral("lowered to warning"));
}

QList<Result<CommitResult>> applyEach(FirestoreCaseStore& store, const QList<ChangeSet>& changes) {
    QList<Result<CommitResult>> out;
    out.reserve(changes.size());
    for (const ChangeSet& change : changes) {
        out.append(awaitResult(store.apply(change), kAwaitMs));
    }
    return out;
}

} // namespace fairuse::bench::bulk
