#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Promise.h"
#include "common/Result.h"
#include "common/ServiceHeartbeat.h"
#include "common/ShadowDecision.h"

#include <QFuture>
#include <QList>
#include <QPromise>
#include <QString>

#include <memory>
#include <optional>

namespace fairuse::services {

/** One minute bucket of speech, for charts. */
struct MinuteSample {
    std::int64_t unixMinute = 0;
    std::int64_t speechMs = 0;
};

/** Speech totals as read from a store, with the count of junk values that were skipped. */
struct SpeechReading {
    SpeechTotals totals;
    int skippedValues = 0;
};

/** Usage store: speech meters, stage cache, STT budget (Redis in production, SQLite embedded). */
class UsageStore {
public:
    virtual ~UsageStore() = default;

    /** Trailing daily / 3-day / weekly totals at `now`, read from the backend's keys (SPEC 4.1). */
    virtual Async<SpeechReading> readSpeech(const QString& uid, TimePoint now) = 0;
    /** Minute buckets in [from, to), ascending, junk skipped. */
    virtual Async<QList<MinuteSample>> readMinutes(const QString& uid, TimePoint from, TimePoint to) = 0;
    /** Adds speech at time `at`. */
    virtual Async<bool> recordSpeech(const QString& uid, TimePoint at, std::int64_t speechMs, SpeechSource source) = 0;
    /** Milliseconds of audio forwarded to STT on the UTC day of `day`. */
    virtual Async<std::int64_t> readSttBudgetUsedMs(const QString& uid, TimePoint day) = 0;
    /** Drops the cached stage so the backend re-reads it after a stage change. */
    virtual Async<bool> invalidateStageCache(const QString& uid) = 0;
    /** Human-readable description for status bars ("redis://host:port/0", "embedded demo store"). */
    virtual QString describe() const = 0;
};

/** Filter of the flagged-user queue. */
struct QueueFilter {
    std::optional<Stage> stage; ///< nullopt: warning, throttle and restrict
    std::optional<UsageType> usageType;
    double minScore = 0.0;
    double maxScore = 1.0;
    enum class Resolution { Any, OpenOnly, ResolvedOnly } resolution = Resolution::Any;
    QString search; ///< user id or case reference (exact match), empty for all
};

/** One row of the queue: a flagged user with what the reviewer needs to triage. */
struct QueueRow {
    FairUseState state;
    int openCases = 0;
    std::optional<TimePoint> oldestOpenCaseAt;
    QString lastAction;                 ///< last audit action on this user, wire name, empty if none
    std::optional<SpeechTotals> speech; ///< filled when the store has it cheaply (embedded), else by the usage store
    /** False when the store left openCases, oldestOpenCaseAt and lastAction unfilled (Firestore without per-row
     *  enrichment: they cost two queries per row); a reader that needs them derives them from listEvents() and
     *  listAudit() for that user (QueueModel does, for the rows it paints). */
    bool detailsKnown = true;
};

struct QueuePage {
    QList<QueueRow> rows;
    QString nextCursor; ///< empty when there are no more rows
};

/** Filter of the audit log. */
struct AuditFilter {
    QString reviewer;
    QString uid;
    std::optional<AuditAction> action;
    /** Any of these actions (when `action` is unset; empty: any action): one query for the records a reader uses. */
    QList<AuditAction> actions;
    std::optional<TimePoint> from;
    std::optional<TimePoint> to;
    int limit = 1000;
};

/** One page of the audit log, newest first (CaseStore::listAuditPage). */
struct AuditPage {
    QList<AuditRecord> records; ///< sequence descending
    QString nextCursor;         ///< opaque; empty when no older record matches
};

/** The chain head a store keeps: sequence and hash of the newest audit record (0 and "" for an empty chain). */
struct AuditHead {
    std::int64_t sequence = 0;
    QString hash;
};

/** One page of classifier labels, oldest first (CaseStore::listLabels). */
struct LabelPage {
    QList<ClassifierLabel> labels; ///< labelled_at ascending, then event id
    QString nextCursor;            ///< opaque; empty when no later label exists
};

/** Case store: fair-use state, events (cases), conversations, audit trail, spend, exemptions, roles
 *  (Firestore in production, SQLite embedded). */
class CaseStore {
public:
    virtual ~CaseStore() = default;

    /** Flagged users ordered by updated_at descending, paged by an opaque cursor. */
    virtual Async<QueuePage> fetchQueuePage(const QueueFilter& filter, const QString& cursor, int limit) = 0;
    virtual Async<FairUseState> getState(const QString& uid) = 0;
    /** The user's events, newest first. */
    virtual Async<QList<FairUseEvent>> listEvents(const QString& uid) = 0;
    virtual Async<FairUseEvent> findByCaseRef(const QString& caseRef) = 0;
    /** Conversations created at or after `since`, newest first, at most `limit`. */
    virtual Async<QList<Conversation>> listConversations(const QString& uid, TimePoint since, int limit) = 0;
    /** Applies one reviewer action atomically; ErrorKind::Conflict if a precondition failed. */
    virtual Async<CommitResult> apply(const ChangeSet& change) = 0;
    /**
     * Applies many ChangeSets, each one atomically (all of it or nothing), in as few atomic commits as the store
     * can. One result per change, in the order given: a CommitResult (alreadyApplied when its idempotency key had
     * been applied before) or that change's own Error (Conflict when its preconditions failed; the others still
     * apply). Changes that write the same document apply in the order given, a later one after the earlier one
     * has committed. The outer Result fails only when nothing was attempted. This default applies them one by
     * one through apply(); the store must outlive the returned future.
     */
    virtual Async<QList<Result<CommitResult>>> applyBatch(const QList<ChangeSet>& changes) {
        auto promise = std::make_shared<QPromise<Result<QList<Result<CommitResult>>>>>();
        promise->start();
        applyInOrder(changes, 0, std::make_shared<QList<Result<CommitResult>>>(), promise);
        return promise->future();
    }
    /** Audit records in chain order (oldest first): the newest filter.limit matching (all when limit <= 0). */
    virtual Async<QList<AuditRecord>> listAudit(const AuditFilter& filter) = 0;
    /**
     * One page of the audit records matching `filter` (its `limit` is not used), newest first (sequence
     * descending), starting after `cursor` (empty: at the newest record; otherwise a nextCursor this store returned
     * for the same filter, else ErrorKind::Invalid). At most `limit` records (clamped to 1..1000); reads that page
     * and never the whole collection. A page shorter than `limit` with a nextCursor can happen when the store applies
     * part of the filter while paging; an empty nextCursor means no older record matches. Stores that cannot page
     * answer ErrorKind::Unavailable.
     */
    virtual Async<AuditPage> listAuditPage(const AuditFilter& filter, const QString& cursor, int limit) {
        Q_UNUSED(filter)
        Q_UNUSED(cursor)
        Q_UNUSED(limit)
        return unsupported<AuditPage>();
    }
    /**
     * One page of the reviewers' classifier labels (fair_use_labels, written by apply() with ChangeSet::label)
     * labelled at or after `since` (all when nullopt), oldest first (labelled_at, then event id), starting after
     * `cursor` (empty: the oldest; otherwise a nextCursor this store returned for the same `since`, else Invalid). At
     * most `limit` labels (clamped to 1..1000); reads that page, never the whole collection. Stores that keep no labels
     * answer ErrorKind::Unavailable.
     */
    virtual Async<LabelPage> listLabels(std::optional<TimePoint> since, const QString& cursor, int limit) {
        Q_UNUSED(since)
        Q_UNUSED(cursor)
        Q_UNUSED(limit)
        return unsupported<LabelPage>(QStringLiteral("read classifier labels"));
    }
    /** The chain head as the store keeps it, to verify the newest record against. Stores that cannot answer
     *  ErrorKind::Unavailable. */
    virtual Async<AuditHead> readAuditHead() { return unsupported<AuditHead>(); }
    /** LLM spend records in [from, to). */
    virtual Async<QList<LlmSpendRecord>> listSpend(TimePoint from, TimePoint to) = 0;
    /** Adds one LLM spend record (the console books its own classifier runs). Stores that cannot write spend
     *  answer ErrorKind::Unavailable. */
    virtual Async<bool> recordSpend(const LlmSpendRecord& record) {
        Q_UNUSED(record)
        return unsupported<bool>(QStringLiteral("record LLM spend"));
    }
    /** One user's LLM spend records in [from, to), oldest first. The stores query that user's records only; this
     *  default (for test doubles) filters listSpend(). */
    virtual Async<QList<LlmSpendRecord>> listUserSpend(const QString& uid, TimePoint from, TimePoint to) {
        return listSpend(from, to).then(
            [uid](const Result<QList<LlmSpendRecord>>& all) -> Result<QList<LlmSpendRecord>> {
                if (!all) {
                    return all.error();
                }
                QList<LlmSpendRecord> mine;
                for (const LlmSpendRecord& r : all.value()) {
                    if (r.uid == uid) {
                        mine.append(r);
                    }
                }
                return mine;
            });
    }
    /** Role of a reviewer by e-mail, from the roles collection. */
    virtual Async<Role> reviewerRole(const QString& email) = 0;
    /** The user's claim as stored (live or run out); nullopt when there is none. Claims are taken, taken over and
     *  released through apply() (ChangeSet::claimChange, built by casework/Claims.h). */
    virtual Async<std::optional<CaseClaim>> getClaim(const QString& uid) {
        Q_UNUSED(uid)
        return unsupported<std::optional<CaseClaim>>(QStringLiteral("read claims"));
    }
    /** Every claim whose lease runs past `now`, for the queue's "being reviewed by" column; one small query. */
    virtual Async<QList<CaseClaim>> listLiveClaims(TimePoint now) {
        Q_UNUSED(now)
        return unsupported<QList<CaseClaim>>(QStringLiteral("read claims"));
    }
    /**
     * Every user's cases that were open at some time in [from, to): created before `to` and either still open or
     * resolved at or after `from`; in no particular order. The team dashboard reads a period with it instead of one
     * listEvents() per user. Firestore answers it with two collection-group queries read in pages (open cases by
     * created_at; cases by resolved_at), the embedded store with one query. Stores that cannot answer Unavailable.
     */
    virtual Async<QList<FairUseEvent>> listCasesOpenDuring(TimePoint from, TimePoint to) {
        Q_UNUSED(from)
        Q_UNUSED(to)
        return unsupported<QList<FairUseEvent>>(QStringLiteral("list the cases of a period"));
    }
    /** The user's appeals, newest first (users/{uid}/fair_use_appeals). Stores that keep none answer Unavailable. */
    virtual Async<QList<Appeal>> listAppeals(const QString& uid) {
        Q_UNUSED(uid)
        return unsupported<QList<Appeal>>(QStringLiteral("read appeals"));
    }
    /** The notes pinned on the user (and unpinned since), newest first (users/{uid}/fair_use_notes). Notes are pinned
     *  and unpinned through apply() (ChangeSet::noteChange, built by casework/Casework.h). */
    virtual Async<QList<UserNote>> listNotes(const QString& uid) {
        Q_UNUSED(uid)
        return unsupported<QList<UserNote>>(QStringLiteral("read notes"));
    }
    /** The user's casework document (escalation, snooze); nullopt when there is none. Written through apply()
     *  (ChangeSet::caseworkChange). */
    virtual Async<std::optional<Casework>> getCasework(const QString& uid) {
        Q_UNUSED(uid)
        return unsupported<std::optional<Casework>>(QStringLiteral("read casework"));
    }
    /** Every user's casework document (fair_use_casework), for the queue's Escalated and snooze views; one small
     *  query: a document exists only while a case is escalated or snoozed. */
    virtual Async<QList<Casework>> listCasework() {
        return unsupported<QList<Casework>>(QStringLiteral("read casework"));
    }
    /** Open appeals of every user, oldest first, at most `limit` (the manual-review inbox). */
    virtual Async<QList<Appeal>> listOpenAppeals(int limit) {
        Q_UNUSED(limit)
        return unsupported<QList<Appeal>>(QStringLiteral("read appeals"));
    }
    /** Every user's open LLM-spend cases (trigger llm_daily or llm_monthly, not resolved), oldest first, at most
     *  `limit` (the console's LLM-spend inbox): one collection-group query on Firestore. */
    virtual Async<QList<FairUseEvent>> listOpenSpendCases(int limit) {
        Q_UNUSED(limit)
        return unsupported<QList<FairUseEvent>>(QStringLiteral("read LLM-spend cases"));
    }
    /** Renews the holder's own lease: writes only the claim's end (casework::renewed), on condition that the claim
     *  still has claim.version. Returns the claim as stored, with its new version; Conflict when it changed (taken
     *  over or released) or is gone. */
    virtual Async<CaseClaim> renewClaim(const CaseClaim& claim) {
        Q_UNUSED(claim)
        return unsupported<CaseClaim>(QStringLiteral("renew claims"));
    }
    /** The saved views `reader` may read: every shared view and the reader's own personal ones (the rules refuse
     *  anyone else's), in no particular order (casework::sortedViews). Written through apply()
     *  (ChangeSet::viewChange). */
    virtual Async<QList<SavedView>> listViews(const Reviewer& reader) {
        Q_UNUSED(reader)
        return unsupported<QList<SavedView>>(QStringLiteral("read saved views"));
    }
    /** The enforcement service's heartbeats, one per instance that has run (fair_use_service); an empty list when
     *  no service runs beside this store, which is every store but Firestore's. */
    virtual Async<QList<ServiceHeartbeat>> listServiceHeartbeats() { return ready(Result(QList<ServiceHeartbeat>())); }
    /** The decisions a shadow enforcement service recorded (fair_use_shadow) with a pass time in [from, to), oldest
     *  first. Stores beside which no shadow service runs answer Unavailable. */
    virtual Async<QList<ShadowDecision>> listShadowDecisions(TimePoint from, TimePoint to) {
        Q_UNUSED(from)
        Q_UNUSED(to)
        return unsupported<QList<ShadowDecision>>(QStringLiteral("read the shadow service's decisions"));
    }
    virtual QString describe() const = 0;

private:
    template <typename T>
    Async<T> unsupported(const QString& what = QStringLiteral("page the audit log")) const {
        return ready(Result<T>(Error::unavailable(QStringLiteral("%1 cannot %2").arg(describe(), what))));
    }

    void applyInOrder(QList<ChangeSet> changes, qsizetype next, std::shared_ptr<QList<Result<CommitResult>>> results,
                      std::shared_ptr<QPromise<Result<QList<Result<CommitResult>>>>> promise) {
        if (next >= changes.size()) {
            promise->addResult(Result<QList<Result<CommitResult>>>(*results));
            promise->finish();
            return;
        }
        const ChangeSet change = changes.at(next);
        apply(change).then([this, changes = std::move(changes), next, results, promise](const Result<CommitResult>& r) {
            results->append(r);
            applyInOrder(changes, next + 1, results, promise);
        });
    }
};

/** The purpose classifier (LLM over HTTP, or the offline heuristic). */
class ClassifierService {
public:
    virtual ~ClassifierService() = default;
    virtual Async<ClassifierResult> classify(const QString& uid, const QList<Conversation>& conversations,
                                             TimePoint now) = 0;
    /** True for the deterministic offline heuristic; the UI labels its results "heuristic". */
    virtual bool isHeuristic() const = 0;
    virtual QString describe() const = 0;
};

/** OS keychain. No plain-text fallback: when no keychain is reachable, reads fail with Unavailable. */
class SecretStore {
public:
    virtual ~SecretStore() = default;
    virtual Async<QString> read(const QString& key) = 0;
    virtual Async<bool> write(const QString& key, const QString& secret) = 0;
    virtual Async<bool> remove(const QString& key) = 0;
};

} // namespace fairuse::services
