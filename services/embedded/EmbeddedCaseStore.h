#pragma once

#include "common/Stores.h"
#include "embedded/EmbeddedDatabase.h"

#include <memory>

namespace fairuse::services {

/**
 * CaseStore over the embedded SQLite file: states, events (cases), conversations, the chained audit trail,
 * exemptions, reviewer roles and LLM spend.
 *
 * Versions are integers (as decimal strings) bumped on every write; apply() checks them and the idempotency key and
 * writes state, event, exemption, audit record and key in one SQLite transaction, or nothing.
 */
class EmbeddedCaseStore final : public CaseStore {
public:
    explicit EmbeddedCaseStore(std::shared_ptr<EmbeddedDatabase> db);

    /**
     * Flagged users, updated_at descending then uid ascending, keyset-paged (the cursor encodes the last row's
     * updated_at and uid, so rows changing between pages never produce duplicates). Each row's speech is the
     * window totals at the store's now (EmbeddedDatabase::Options::clock): taken from the snapshot columns when
     * they were computed at that instant (the seeder computes them at the demo reference time), else summed from
     * the minute buckets. Limit is clamped to 1..1000.
     */
    Async<QueuePage> fetchQueuePage(const QueueFilter& filter, const QString& cursor, int limit) override;
    /** ErrorKind::NotFound when the user has no state document (the caller decides what a default means). */
    Async<FairUseState> getState(const QString& uid) override;
    Async<QList<FairUseEvent>> listEvents(const QString& uid) override;
    /** The reference as typed (fairuse::normaliseCaseRef); ErrorKind::Invalid when it is not one. */
    Async<QList<FairUseEvent>> listCasesOpenDuring(TimePoint from, TimePoint to) override;
    Async<QList<FairUseEvent>> listOpenSpendCases(int limit) override;
    Async<FairUseEvent> findByCaseRef(const QString& caseRef) override;
    Async<QList<Conversation>> listConversations(const QString& uid, TimePoint since, int limit) override;
    /**
     * State precondition: checked when newState is set and checkStateVersion is true ("" = must not exist), and
     * when newState is not set only if checkStateVersion is true and expectedStateVersion is not empty. Event
     * precondition: checked whenever newEvent is set. The audit record is chained with fairuse::chain.
     */
    Async<CommitResult> apply(const ChangeSet& change) override;
    /** All changes in one SQLite transaction, each under its own savepoint (a conflicting or failing change is
     *  rolled back alone, in the order given, so later changes see earlier ones); one commit at the end. */
    Async<QList<Result<CommitResult>>> applyBatch(const QList<ChangeSet>& changes) override;
    /** Matching records in chain order; when more than filter.limit match, the newest filter.limit of them. */
    Async<QList<AuditRecord>> listAudit(const AuditFilter& filter) override;
    /** ORDER BY sequence DESC LIMIT limit + 1 after the cursor's sequence, every filter in SQL: pages are full
     *  until the last one. */
    Async<AuditPage> listAuditPage(const AuditFilter& filter, const QString& cursor, int limit) override;
    /** The newest row of the audit table: the file keeps no head apart from the records, so a dropped or re-hashed
     *  newest record cannot be told from a genuine one here (the older records still can). */
    Async<AuditHead> readAuditHead() override;
    Async<QList<LlmSpendRecord>> listSpend(TimePoint from, TimePoint to) override;
    /** Invalid for a record without uid or model, or with negative tokens or cost. */
    Async<bool> recordSpend(const LlmSpendRecord& record) override;
    /** On the (uid, at) index. */
    Async<QList<LlmSpendRecord>> listUserSpend(const QString& uid, TimePoint from, TimePoint to) override;
    /** Case-insensitive e-mail; ErrorKind::NotFound when unknown. */
    Async<Role> reviewerRole(const QString& email) override;
    /** No shadow service runs beside the embedded store: always an empty list. */
    Async<QList<ShadowDecision>> listShadowDecisions(TimePoint from, TimePoint to) override {
        Q_UNUSED(from)
        Q_UNUSED(to)
        return ready(Result(QList<ShadowDecision>()));
    }
    Async<std::optional<CaseClaim>> getClaim(const QString& uid) override;
    /** On the expires_at index. */
    Async<QList<CaseClaim>> listLiveClaims(TimePoint now) override;
    Async<CaseClaim> renewClaim(const CaseClaim& claim) override;
    Async<QList<Appeal>> listAppeals(const QString& uid) override;
    /** On the (status, created_at) index. */
    Async<QList<Appeal>> listOpenAppeals(int limit) override;
    /** On the (labelled_at, event_id) index, keyset-paged. */
    Async<LabelPage> listLabels(std::optional<TimePoint> since, const QString& cursor, int limit) override;
    Async<QList<UserNote>> listNotes(const QString& uid) override;
    Async<std::optional<Casework>> getCasework(const QString& uid) override;
    Async<QList<Casework>> listCasework() override;
    Async<QList<SavedView>> listViews(const Reviewer& reader) override;
    QString describe() const override;

private:
    /** Most rows or audit records one page holds. */
    static constexpr int kMaxPage = 1000;

    /** Spend in [from, to), at ascending; of every user when `uid` is a null string. */
    Async<QList<LlmSpendRecord>> readSpend(const QString& uid, TimePoint from, TimePoint to);

    std::shared_ptr<EmbeddedDatabase> m_db;
};

} // namespace fairuse::services
