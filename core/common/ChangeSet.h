#pragma once

#include "common/ClassifierLabel.h"
#include "common/Domain.h"

#include <optional>

namespace fairuse {

/**
 * Everything one reviewer action changes, computed by the core and applied by a store in one atomic commit.
 * The store checks the preconditions (expected versions), chains the audit record (sequence, prevHash, hash)
 * and either writes all of it or nothing.
 */
struct ChangeSet {
    QString uid;
    /** New state document; nullopt leaves the state untouched. */
    std::optional<FairUseState> newState;
    /** Version the state must still have ("" = must not exist yet); ignored when newState is nullopt
     *  unless checkStateVersion is set. */
    QString expectedStateVersion;
    bool checkStateVersion = true;
    /** The state newState was computed from, when known: a store then writes only the fields that differ, so the
     *  backend's other values keep their exact encoding and the security rules see exactly what the action changed. */
    std::optional<FairUseState> previousState;
    /** New event (case) document; nullopt leaves events untouched. */
    std::optional<FairUseEvent> newEvent;
    QString expectedEventVersion;
    /** Exemption change, if any. */
    std::optional<bool> exempt;
    /** A claim change in the same commit: write `claim` (a new claim or a take-over) or, with release set, delete
     *  the user's claim. expectedVersion is the version the claim must still have ("" = no claim may exist). */
    struct ClaimChange {
        std::optional<CaseClaim> claim;
        bool release = false;
        QString expectedVersion;
    };
    std::optional<ClaimChange> claimChange;
    /** An appeal with its decision set (decision, decided_by, decided_at, decision_reason); written on condition of
     *  its version. */
    std::optional<Appeal> decidedAppeal;
    /** The reviewer's verdict on the classifier for the case decided (fair_use_labels/{eventId}); written only with
     *  the audit record of this change, replacing an earlier label of the same case. */
    std::optional<ClassifierLabel> label;
    /** A pinned note written in the same commit: a new one (empty id: the store names it after the audit record of
     *  the commit, and expectedVersion is ignored) or an existing one unpinned, on condition of its version. */
    struct NoteChange {
        UserNote note;
        QString expectedVersion;
    };
    std::optional<NoteChange> noteChange;
    /** The user's casework document in the same commit: written as `casework`, or deleted when that is nullopt.
     *  expectedVersion is the version it must still have ("" = none may exist). */
    struct CaseworkChange {
        std::optional<Casework> casework;
        QString expectedVersion;
    };
    std::optional<CaseworkChange> caseworkChange;
    /** A saved view (fair_use_views/{id}) written as `view`, or deleted (`view` nullopt) by id, on condition that it
     *  still has expectedVersion ("" = must not exist yet). A view change is the team's, not a user's: uid is empty
     *  and the ChangeSet carries nothing else but the record. */
    struct ViewChange {
        QString id;
        std::optional<SavedView> view;
        QString expectedVersion;
    };
    std::optional<ViewChange> viewChange;
    /** The audit record to append; sequence, prevHash and hash are filled in by the store. */
    AuditRecord audit;
    /** Stable key for this action (e.g. bulk-run id + case id): applying the same key twice applies it once. */
    QString idempotencyKey;
};

/** What a store reports after applying a ChangeSet. */
struct CommitResult {
    QString stateVersion;        ///< new version of the state document (empty if untouched)
    QString eventVersion;        ///< new version of the event document (empty if untouched)
    QString claimVersion;        ///< new version of the claim (empty if untouched or released)
    QString appealVersion;       ///< new version of the decided appeal (empty if untouched)
    QString noteId;              ///< id of the note written (empty if untouched)
    QString noteVersion;         ///< new version of that note
    QString caseworkVersion;     ///< new version of the casework document (empty if untouched or deleted)
    QString viewVersion;         ///< new version of the saved view (empty if untouched or deleted)
    AuditRecord audit;           ///< the record as chained and stored
    bool alreadyApplied = false; ///< the idempotency key had been applied before; nothing was written
};

} // namespace fairuse
