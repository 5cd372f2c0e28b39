#pragma once
// What the bulk resolve benchmark resolves and how: the signed-in reviewer, the five modes (credential x commit
// shape), a fresh project per mode with the shipped rules, the throttled users with one open case each, the
// ChangeSets that resolve them, and the check that every case was resolved once, as asked and by whom.

#include "AuthEmulator.h"
#include "OpenCases.h"

#include "firestore/FirestoreCaseStore.h"

#include <optional>

namespace fairuse::bench::bulk {

using services::FirestoreCaseStore;
using services::FirestoreClient;

inline constexpr int kAwaitMs = 600'000;

/** The signed-in reviewer: who the audit records name, and the ID token the reviewer modes send. */
struct SignedIn {
    Reviewer reviewer;
    QString idToken;
};

/** Signs the benchmark's reviewer in again for a fresh ID token (they last an hour). */
Result<SignedIn> signInReviewer(const testing::AuthEmulator& auth, const QString& email, const QString& password);

enum class Action { Confirmed, FalsePositive };

enum class Mode { ServerBatch, ServerEach, ReviewerBatch, ReviewerEach, ServerBatchAtReviewerSize };

/** Whether the mode sends the reviewer's ID token. */
bool asReviewer(Mode m);

/** Whether the mode commits with applyBatch rather than one apply() per case. */
bool batched(Mode m);

QString label(Mode m);

/** A fresh project with the shipped rules, a store acting with the mode's credential and one with the owner's. */
struct Project {
    QString id;
    std::shared_ptr<FirestoreClient> owner;
    std::unique_ptr<FirestoreCaseStore> ownerStore;
    std::shared_ptr<FirestoreClient> client; ///< with the mode's credential
    std::unique_ptr<FirestoreCaseStore> store;
};

/** `ruleBudget`: the store's maxRuleReadsPerCommit; by default none for (a), else Firestore's limit. */
Result<Project> project(const QString& host, const QString& name, Mode mode, const SignedIn& reviewer,
                        std::optional<int> ruleBudget);

using Population = testing::OpenCases;

/** N throttled users with one open case each, written with server credentials as the backend would. */
Result<Population> seed(FirestoreClient& owner, int cases);

/** The ChangeSets resolving every case of `pop` in the reviewer's name, as the console's bulk resolve builds them. */
Result<QList<ChangeSet>> resolveAll(const Population& pop, Action action, const Reviewer& reviewer);

/**
 * Every case resolved exactly once, as asked and by whom: N results without error, every case resolved with the
 * outcome, every state at the stage the action leaves, N audit records naming the reviewer, a chain that verifies
 * against the head. Read back with the owner's access, so the rules cannot hide anything.
 */
QString verify(Project& p, const Population& pop, const QList<Result<CommitResult>>& results, Action action,
               const Reviewer& reviewer);

/** Applies `changes` one apply() each, one at a time. */
QList<Result<CommitResult>> applyEach(FirestoreCaseStore& store, const QList<ChangeSet>& changes);

} // namespace fairuse::bench::bulk
