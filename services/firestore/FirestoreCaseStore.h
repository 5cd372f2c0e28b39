#pragma once

#include "common/Stores.h"
#include "firestore/FirestoreClient.h"
#include "firestore/FirestoreMapping.h"

#include <QObject>
#include <QPromise>

#include <memory>

namespace fairuse::services {

/**
 * CaseStore over Firestore (SPEC 4.2), through FirestoreClient.
 *
 * Backend collections (read, and written only in the SPEC 4.2 fields): users/{uid}/fair_use_state/current,
 * users/{uid}/fair_use_events/{id}, users/{uid}/conversations/{id}.
 * Our collections (new, so the backend's documents keep their shape):
 *  - fair_use_audit/{sequence, 12 digits}: the hash-chained audit trail (core/audit/AuditChain.h);
 *  - fair_use_audit_meta/head: {sequence, hash} of the newest audit record. Every apply() updates it under an
 *    updateTime precondition, so two appends can never both take the same sequence: the chain stays linear;
 *  - fair_use_idempotency/{sha256(key)}: created (exists=false) by the commit that applies a keyed ChangeSet;
 *  - fair_use_reviewers/{email}: {role}; fair_use_exemptions/{uid}: {exempt, by, at, reason};
 *  - fair_use_labels/{eventId}: reviewers' verdicts on the classifier (firestore/FirestoreLabels.h);
 *  - fair_use_views/{id}: reviewers' saved queue filters (firestore/FirestoreViews.h), written by a view's ChangeSet
 *    (ChangeSet::viewChange), which names no user: the view under its version's precondition, and its record;
 *  - llm_spend/{id}: LLM spend records (top level, so a time-range report is one query).
 *
 * Queue cost: one collection-group query per page (stage IN/==, updated_at desc, document name desc), one batchGet
 * of the page's exemptions and, when `enrichQueueRows` is on, two small queries per row (its open events, its last
 * audit record), run concurrently. With it off, rows come back with QueueRow::detailsKnown false and no open cases
 * or last action: the console reads those lazily, for the rows it shows (QueueModel), so the first rows need only
 * the page query and the exemptions. The usage-type and score filters are applied to each fetched batch, fetching
 * further batches (at most 10 per page) until the page is full; the resolution filter is applied after the open
 * cases are counted, so such a page can be shorter than asked while nextCursor still leads on. State documents
 * without updated_at do not appear in the queue (Firestore leaves documents without the ordered field out).
 */
class FirestoreCaseStore : public QObject, public CaseStore {
    Q_OBJECT
public:
    struct Options {
        /** Per-row open-case count, oldest open case and last audit action in the page (2 queries per row). Off:
         *  rows are marked detailsKnown = false (a resolution filter still counts open cases per row). */
        bool enrichQueueRows = true;
        /** How many times apply() retries when only the audit head moved (another case was acted on). */
        int auditHeadRetries = 8;
        /** Client version recorded in audit records that do not name one. */
        QString clientVersion;
        /** Writes per applyBatch() commit (Firestore allows at most 500); the audit head takes one of them. */
        int maxWritesPerCommit = FirestoreClient::kMaxWritesPerCommit;
        /** Distinct documents the security rules may read in one commit (Firestore: 20 get/exists/getAfter per
         *  batched write); applyBatch() fills a commit only as far as the rules can check it. 0: no limit; -1 (the
         *  default): kRuleReadsLimit for a credential the rules apply to (a reviewer's ID token), no limit for
         *  server credentials, which bypass the rules. */
        int maxRuleReadsPerCommit = -1;
    };
    /** Firestore's limit on document-access calls of the security rules in one batched write. */
    static constexpr int kRuleReadsLimit = 20;

    /** Requests apply() and applyBatch() have sent (reads and commits), for benchmarks and diagnostics. */
    struct WriteStats {
        qint64 readRequests = 0;
        qint64 commitRequests = 0;
    };

    FirestoreCaseStore(std::shared_ptr<FirestoreClient> client, Options options, QObject* parent = nullptr);
    explicit FirestoreCaseStore(std::shared_ptr<FirestoreClient> client, QObject* parent = nullptr)
        : FirestoreCaseStore(std::move(client), Options{}, parent) {}

    Async<QueuePage> fetchQueuePage(const QueueFilter& filter, const QString& cursor, int limit) override;
    /** The user's state and exemption (one batchGet); ErrorKind::NotFound when the user has no state document. */
    Async<FairUseState> getState(const QString& uid) override;
    /** getState() for a writer that starts users off: a user without a state document gets a new state (stage none,
     *  empty version, so a write must create it) with the exemption and subscription read in the same batchGet. */
    Async<FairUseState> getStateOrNew(const QString& uid);
    Async<QList<FairUseEvent>> listEvents(const QString& uid) override;
    /** The reference as typed (fairuse::normaliseCaseRef), ErrorKind::Invalid when it is not one; one
     *  collection-group query on case_ref. */
    Async<FairUseEvent> findByCaseRef(const QString& typed) override;
    Async<QList<Conversation>> listConversations(const QString& uid, TimePoint since, int limit) override;
    /**
     * One atomic commit: state (updateTime precondition, exists=false for an empty expected version), event (same),
     * exemption, the chained audit record (exists=false), the audit head (updateTime precondition) and the
     * idempotency document (exists=false). Conflict when the state or event changed since it was read; a commit
     * that failed only because the audit head moved is retried with the new head. When newState is nullopt the
     * state is not checked. A saved view's change (empty uid, viewChange and nothing else) writes the view (or deletes
     * it) on condition of its version; Conflict naming the view when it changed, exists already or was deleted.
     */
    Async<CommitResult> apply(const ChangeSet& change) override;
    /**
     * Many ChangeSets in as few commits as fit Options::maxWritesPerCommit (FirestoreCaseStoreBatch.cpp). Each
     * commit first reads the audit head and the changes' idempotency documents (changes already applied are
     * reported alreadyApplied and not written), then writes every change as apply() would, their audit records
     * chained one after the other and the head once, under its updateTime precondition. Changes writing the same
     * document go to later commits, in order. When a commit fails on a precondition, the changes' documents are
     * read again: the ones whose state or case moved are reported Conflict, the rest go into a new commit (after
     * a short pause when only the head moved, at most auditHeadRetries times). Nothing is half-written: every
     * change is in exactly one successful commit or in none. A commit refused as Invalid is halved until the
     * refused change is alone, so it fails alone; one refused with Permission (security rules let a reviewer's
     * credential advance the audit head by one record per commit) goes on with one change per commit. After an
     * Unavailable, Quota or Internal failure the changes not yet committed are reported with that error (a rerun with
     * the same keys applies nothing twice).
     */
    Async<QList<Result<CommitResult>>> applyBatch(const QList<ChangeSet>& changes) override;
    /** The newest filter.limit matching records (all of them for a limit of 0 or less), returned in chain order.
     * Equality filters (uid, reviewer, action) run in Firestore, ordered by sequence descending in batches of at most
     * filter.limit (500 at most); the time range is applied to the records read. A limit of 1 is one query reading one
     * document. */
    Async<QList<AuditRecord>> listAudit(const AuditFilter& filter) override;
    /**
     * One structured query per page (FirestoreCaseStoreAudit.cpp): the equality filters (uid, reviewer, action),
     * ordered by `sequence` descending, starting after the cursor's sequence, limit + 1 documents (the extra one
     * only tells whether an older record exists). Needs the (field, sequence descending) indexes of
     * packaging/firestore/firestore.indexes.json. The time range is applied to the documents read: a page with a
     * time range reads at most 10 such batches and may then be shorter than `limit`, with a nextCursor.
     */
    Async<AuditPage> listAuditPage(const AuditFilter& filter, const QString& cursor, int limit) override;
    /** fair_use_audit_meta/head ({sequence, hash}); an empty chain when it does not exist, Internal when damaged. */
    Async<AuditHead> readAuditHead() override;

    /** What listAuditPage() has read, for tests and benchmarks. */
    struct AuditReadStats {
        qint64 queries = 0;
        qint64 documents = 0;
    };
    const AuditReadStats& auditReadStats() const { return m_auditReads; }
    Async<QList<LlmSpendRecord>> listSpend(TimePoint from, TimePoint to) override;
    /** One query on llm_spend (uid ==, at in [from, to), at ascending), paged by 1000; needs the (uid, at) index of
     *  packaging/firestore/firestore.indexes.json. */
    Async<QList<LlmSpendRecord>> listUserSpend(const QString& uid, TimePoint from, TimePoint to) override;
    /** NotFound when the e-mail has no role document. */
    Async<Role> reviewerRole(const QString& email) override;
    /** fair_use_claims/{uid}; nullopt when there is none. */
    Async<std::optional<CaseClaim>> getClaim(const QString& uid) override;
    /** One query on expires_at (the single-field index). */
    Async<QList<CaseClaim>> listLiveClaims(TimePoint now) override;
    /** An update of expires_at alone, on condition of the claim's update time. */
    Async<CaseClaim> renewClaim(const CaseClaim& claim) override;
    /** users/{uid}/fair_use_appeals, newest first. */
    Async<QList<Appeal>> listAppeals(const QString& uid) override;
    /** A collection-group query on status open, created_at ascending (firestore.indexes.json). */
    Async<QList<Appeal>> listOpenAppeals(int limit) override;
    /** users/{uid}/fair_use_notes, newest first. */
    Async<QList<UserNote>> listNotes(const QString& uid) override;
    Async<std::optional<Casework>> getCasework(const QString& uid) override;
    /** fair_use_casework: one query (a document exists only while a case is escalated or snoozed). */
    Async<QList<Casework>> listCasework() override;
    Async<QList<FairUseEvent>> listCasesOpenDuring(TimePoint from, TimePoint to) override;
    /** One collection-group query on fair_use_events: trigger in (llm_daily, llm_monthly), resolved == false,
     *  created_at ascending (the composite index of packaging/firestore/firestore.indexes.json). */
    Async<QList<FairUseEvent>> listOpenSpendCases(int limit) override;
    /** One query per page: fair_use_labels ordered by labelled_at then document name, labelled_at >= since, limit + 1
     *  documents (the extra one says whether a later page exists). */
    Async<LabelPage> listLabels(std::optional<TimePoint> since, const QString& cursor, int limit) override;
    /** Two queries on fair_use_views the security rules can prove: `shared == true`, and the reader's own views
     *  (`owner_uid == reader.uid`, or `owner == reader.email` for an identity without a uid), merged by id. */
    Async<QList<SavedView>> listViews(const Reviewer& reader) override;
    Async<QList<ServiceHeartbeat>> listServiceHeartbeats() override;
    /** fair_use_shadow: one query per page of pass_at in [from, to), ascending (ShadowDecisionDocument.h). */
    Async<QList<ShadowDecision>> listShadowDecisions(TimePoint from, TimePoint to) override;
    QString describe() const override;

    /** Admin helpers (the console's admin pages and the seed command). */
    Async<bool> setReviewerRole(const QString& email, Role role);
    Async<bool> recordSpend(const LlmSpendRecord& record) override;

    /** Opaque queue cursor for the row after which the next page starts (exposed for tests). */
    static QString encodeCursor(const QString& updatedAtText, const QString& documentName);
    static Result<std::pair<QString, QString>> decodeCursor(const QString& cursor);

    static QString statePath(const QString& uid);
    static QString eventPath(const QString& uid, const QString& eventId);
    static QString auditPath(std::int64_t sequence);
    /** The audit record's document id: the sequence, zero-padded to 12 digits. */
    static QString auditRecordId(std::int64_t sequence);
    /** The field of a state, case or exemption document that names the audit record of the commit that last changed
     *  it under a reviewer's credential (the security rules require it). */
    static inline const QString kAuditRecordField = QStringLiteral("audit_record");
    static QString idempotencyPath(const QString& key);

    /** Documents as this store writes them, for other writers of the same data (the demo seeder): a reviewer's role
     *  (the id is the lower-case e-mail), an exemption, and the audit head naming `last`, under the head's
     *  updateTime precondition (must not exist without a head). */
    static FirestoreWrite reviewerWrite(const QString& email, Role role);
    static FirestoreWrite exemptionWrite(const QString& uid, const QString& by, TimePoint at, const QString& reason);
    static FirestoreWrite headWrite(const AuditRecord& last, const std::optional<FirestoreDocument>& head);
    static inline const QString kAuditHeadPath = QStringLiteral("fair_use_audit_meta/head");
    /** One change's writes but the audit head, as apply() commits them: state (only the fields that changed, when
     *  the change knows its previous state), case, exemption, each naming the audit record; the audit record; the
     *  idempotency document. *stateIndex / *eventIndex get the positions of the state and event writes, or -1.
     *  Public so that tests can take a genuine commit and alter one thing in it. */
    static QList<FirestoreWrite> changeWrites(const ChangeSet& change, const AuditRecord& record, int* stateIndex,
                                              int* eventIndex);

    const WriteStats& writeStats() const { return m_stats; }

private:
    struct BatchRun;
    Async<FairUseState> readState(const QString& uid, bool orNew);
    /** apply()'s checks and defaults: document ids, the audit record's uid and client version, a new event's id. */
    Result<std::shared_ptr<ChangeSet>> prepareChange(const ChangeSet& change) const;
    /** The newest record as the head names it (sequence 0 without a head); Internal when the head is damaged. */
    static Result<AuditRecord> headRecord(const std::optional<FirestoreDocument>& head);
    static QString exemptionPath(const QString& uid);
    /** The spend records of `q` (collection and filters), at ascending, every page of 1000. */
    Async<QList<LlmSpendRecord>> readSpend(FirestoreQuery q);

    void batchNextCommit(std::shared_ptr<BatchRun> run);
    void batchAttempt(std::shared_ptr<BatchRun> run, QList<int> chunk, int attempt);
    void batchCommit(std::shared_ptr<BatchRun> run, QList<int> chunk, int attempt,
                     std::optional<FirestoreDocument> head);
    void batchDiagnose(std::shared_ptr<BatchRun> run, QList<int> chunk, int attempt, Error original);
    void batchFail(const std::shared_ptr<BatchRun>& run, const QList<int>& chunk, const Error& error);

    void applyAttempt(std::shared_ptr<ChangeSet> change, std::shared_ptr<QPromise<Result<CommitResult>>> promise,
                      int attempt);
    void diagnoseConflict(std::shared_ptr<ChangeSet> change, std::shared_ptr<QPromise<Result<CommitResult>>> promise,
                          int attempt, Error original);
    /** diagnoseConflict() for a saved view's change: the view's version (Conflict naming the view) or a busy head. */
    void diagnoseViewConflict(std::shared_ptr<ChangeSet> change,
                              std::shared_ptr<QPromise<Result<CommitResult>>> promise, int attempt, Error original);
    /** diagnoseDenial() for a saved view's change when the head did not move: Conflict when the view was deleted or
     *  changed since it was read; Permission otherwise (naming an un-shared view when we may no longer read it). */
    void diagnoseViewDenial(std::shared_ptr<ChangeSet> change, std::shared_ptr<QPromise<Result<CommitResult>>> promise,
                            Error original);
    /** After a commit that failed only because the audit head moved: apply again after a short random pause, at most
     *  Options::auditHeadRetries times, then Unavailable. */
    void retryAfterHeadMoved(std::shared_ptr<ChangeSet> change, std::shared_ptr<QPromise<Result<CommitResult>>> promise,
                             int attempt);
    /** A commit the rules refused: retried through diagnoseConflict() when the audit head moved since `headVersion`
     *  was read (the rules saw a record that no longer follows the head), reported as `original` otherwise. */
    void diagnoseDenial(std::shared_ptr<ChangeSet> change, std::shared_ptr<QPromise<Result<CommitResult>>> promise,
                        int attempt, const QString& headVersion, Error original);
    void enrichRows(const QueueFilter& filter, std::shared_ptr<QueuePage> page,
                    std::shared_ptr<QPromise<Result<QueuePage>>> promise);
    void fetchQueueBatch(QueueFilter filter, QString cursor, int limit, int scannedPages,
                         std::shared_ptr<QueuePage> page, std::shared_ptr<QPromise<Result<QueuePage>>> promise);
    void searchQueue(const QueueFilter& filter, std::shared_ptr<QPromise<Result<QueuePage>>> promise);

    std::shared_ptr<FirestoreClient> m_client;
    Options m_options;
    WriteStats m_stats;
    AuditReadStats m_auditReads;
};

} // namespace fairuse::services
