#pragma once

// What the queue model tests share: scripted stores that leave out what a store may leave out (speech totals, row
// details), an order for every column written independently of the model, and loading and reading the model's rows.

#include "QueueModel.h"
#include "common/Subscription.h"

#include <QAbstractItemModelTester>
#include <QPromise>
#include <QSet>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <tuple>

namespace fairuse::testing {

/** The answer of a store call the queue tests never make. */
template <typename T>
services::Async<T> notUsedByQueueTests() {
    return services::ready(Result<T>(Error::internal(QStringLiteral("not used by this test"))));
}

/** `rows` paged by offset: the cursor is the offset of the next page. */
inline services::Async<services::QueuePage> pageByOffset(const QList<services::QueueRow>& rows, const QString& cursor,
                                                         int limit) {
    const int from = cursor.isEmpty() ? 0 : cursor.toInt();
    services::QueuePage page;
    page.rows = rows.mid(from, limit);
    if (from + limit < rows.size()) {
        page.nextCursor = QString::number(from + limit);
    }
    return services::ready(Result<services::QueuePage>(page));
}

/** "user-00042" for 42: the synthetic users of the scripted stores, in the store's order. */
inline QString syntheticUid(int n) {
    return QStringLiteral("user-%1").arg(n, 5, 10, QLatin1Char('0'));
}

/** 42 for "user-00042". */
inline int syntheticNumber(const QString& uid) {
    return uid.section(QLatin1Char('-'), 1).toInt();
}

/** The time the scripted stores count back from. */
inline const TimePoint kQueueBase = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();

/** A case store that serves synthetic flagged users without speech totals (as Firestore does). */
class SpeechlessCaseStore : public services::CaseStore {
public:
    explicit SpeechlessCaseStore(int rows) {
        QStringList uids;
        for (int i = 0; i < rows; ++i) {
            uids.append(syntheticUid(i));
        }
        *this = SpeechlessCaseStore(uids);
    }
    explicit SpeechlessCaseStore(const QStringList& uids) {
        for (int i = 0; i < uids.size(); ++i) {
            services::QueueRow row;
            row.state.uid = uids.at(i);
            row.state.stage = Stage::Warning;
            row.state.updatedAt = kQueueBase - std::chrono::minutes(i);
            row.openCases = 1;
            m_rows.append(row);
        }
    }
    services::Async<services::QueuePage> fetchQueuePage(const services::QueueFilter&, const QString& cursor,
                                                        int limit) override {
        return pageByOffset(m_rows, cursor, limit);
    }
    services::Async<FairUseState> getState(const QString&) override { return notUsedByQueueTests<FairUseState>(); }
    services::Async<QList<FairUseEvent>> listEvents(const QString&) override {
        return notUsedByQueueTests<QList<FairUseEvent>>();
    }
    services::Async<FairUseEvent> findByCaseRef(const QString&) override { return notUsedByQueueTests<FairUseEvent>(); }
    services::Async<QList<Conversation>> listConversations(const QString&, TimePoint, int) override {
        return notUsedByQueueTests<QList<Conversation>>();
    }
    services::Async<CommitResult> apply(const ChangeSet&) override { return notUsedByQueueTests<CommitResult>(); }
    services::Async<QList<AuditRecord>> listAudit(const services::AuditFilter&) override {
        return notUsedByQueueTests<QList<AuditRecord>>();
    }
    services::Async<QList<LlmSpendRecord>> listSpend(TimePoint, TimePoint) override {
        return notUsedByQueueTests<QList<LlmSpendRecord>>();
    }
    services::Async<Role> reviewerRole(const QString&) override { return notUsedByQueueTests<Role>(); }
    QString describe() const override { return QStringLiteral("speechless test store"); }

private:
    QList<services::QueueRow> m_rows;
};

/** A usage store that answers readSpeech after a few milliseconds and counts every call and the peak in flight. */
class CountingUsageStore : public services::UsageStore {
public:
    QStringList reads;
    int inFlight = 0;
    int maxInFlight = 0;

    services::Async<services::SpeechReading> readSpeech(const QString& uid, TimePoint) override {
        reads.append(uid);
        maxInFlight = std::max(maxInFlight, ++inFlight);
        auto promise = std::make_shared<QPromise<Result<services::SpeechReading>>>();
        promise->start();
        const int n = syntheticNumber(uid);
        QTimer::singleShot(5, &m_context, [this, promise, n] {
            --inFlight;
            services::SpeechReading reading;
            reading.totals = SpeechTotals{n * 60'000LL, n * 120'000LL, n * 180'000LL};
            promise->addResult(Result<services::SpeechReading>(reading));
            promise->finish();
        });
        return promise->future();
    }
    services::Async<QList<services::MinuteSample>> readMinutes(const QString&, TimePoint, TimePoint) override {
        return notUsedByQueueTests<QList<services::MinuteSample>>();
    }
    services::Async<bool> recordSpeech(const QString&, TimePoint, std::int64_t, SpeechSource) override {
        return notUsedByQueueTests<bool>();
    }
    services::Async<std::int64_t> readSttBudgetUsedMs(const QString&, TimePoint) override {
        return notUsedByQueueTests<std::int64_t>();
    }
    services::Async<bool> invalidateStageCache(const QString&) override { return notUsedByQueueTests<bool>(); }
    QString describe() const override { return QStringLiteral("counting test usage store"); }

private:
    QObject m_context;
};

/**
 * A case store like Firestore without enrichment: pages of synthetic users whose rows have detailsKnown false, and
 * listEvents / listAudit answers a few milliseconds later (counted, with the peak of calls in flight). User n has
 * n % 4 open cases (the oldest n hours before the base time) plus one resolved case, and n % 3 audit records (the
 * last one "resolve" when there are two). Page fetches can be made to fail, and the served rows changed.
 */
class LazyDetailsCaseStore : public services::CaseStore {
public:
    QList<services::QueueRow> rows;
    int fetches = 0;
    QList<int> failFetches; ///< fetch numbers (1-based, counted by `fetches`) that fail as Unavailable
    QStringList eventReads;
    QStringList auditReads;
    QList<int> auditLimits; ///< AuditFilter::limit of each listAudit call
    QSet<QString> failAudit;
    int inFlight = 0;
    int maxInFlight = 0;

    static inline const TimePoint kBase = kQueueBase;

    LazyDetailsCaseStore(int count, bool detailsKnown) {
        for (int i = 0; i < count; ++i) {
            services::QueueRow row;
            row.state.uid = syntheticUid(i);
            row.state.stage = Stage::Warning;
            row.state.updatedAt = kBase - std::chrono::minutes(i);
            row.detailsKnown = detailsKnown;
            if (detailsKnown) {
                const Expected e = expected(row.state.uid);
                row.openCases = e.openCases;
                row.oldestOpenCaseAt = e.oldest;
                row.lastAction = e.lastAction;
            }
            rows.append(row);
        }
    }

    struct Expected {
        int openCases = 0;
        std::optional<TimePoint> oldest;
        QString lastAction;
    };
    static Expected expected(const QString& uid) {
        const int n = syntheticNumber(uid);
        Expected e;
        e.openCases = n % 4;
        if (e.openCases > 0) {
            e.oldest = kBase - std::chrono::hours(n);
        }
        e.lastAction = n % 3 == 0 ? QString() : n % 3 == 1 ? QStringLiteral("add_note") : QStringLiteral("resolve");
        return e;
    }

    services::Async<services::QueuePage> fetchQueuePage(const services::QueueFilter&, const QString& cursor,
                                                        int limit) override {
        if (failFetches.contains(++fetches)) {
            return services::ready(
                Result<services::QueuePage>(Error::unavailable(QStringLiteral("connection refused"))));
        }
        return pageByOffset(rows, cursor, limit);
    }
    services::Async<QList<FairUseEvent>> listEvents(const QString& uid) override {
        eventReads.append(uid);
        const int n = syntheticNumber(uid);
        QList<FairUseEvent> events;
        for (int k = 0; k < n % 4; ++k) {
            FairUseEvent e;
            e.uid = uid;
            e.createdAt = kBase - std::chrono::hours(n) + std::chrono::minutes(k); // the first is the oldest
            events.append(e);
        }
        FairUseEvent resolved;
        resolved.uid = uid;
        resolved.createdAt = kBase - std::chrono::hours(n + 100); // older than any open one: must not count
        resolved.resolved = true;
        events.append(resolved);
        return later(Result<QList<FairUseEvent>>(events));
    }
    services::Async<QList<AuditRecord>> listAudit(const services::AuditFilter& filter) override {
        auditReads.append(filter.uid);
        auditLimits.append(filter.limit);
        if (failAudit.contains(filter.uid)) {
            return later(Result<QList<AuditRecord>>(Error::unavailable(QStringLiteral("audit trail unreachable"))));
        }
        const int n = syntheticNumber(filter.uid);
        QList<AuditRecord> records;
        for (int k = 0; k < n % 3; ++k) {
            AuditRecord a;
            a.sequence = k + 1;
            a.uid = filter.uid;
            a.action = k == 0 ? AuditAction::AddNote : AuditAction::Resolve;
            records.append(a);
        }
        if (filter.limit > 0 && records.size() > filter.limit) {
            records = records.mid(records.size() - filter.limit); // the newest, in chain order
        }
        return later(Result<QList<AuditRecord>>(records));
    }
    services::Async<FairUseState> getState(const QString&) override { return notUsedByQueueTests<FairUseState>(); }
    services::Async<FairUseEvent> findByCaseRef(const QString&) override { return notUsedByQueueTests<FairUseEvent>(); }
    services::Async<QList<Conversation>> listConversations(const QString&, TimePoint, int) override {
        return notUsedByQueueTests<QList<Conversation>>();
    }
    services::Async<CommitResult> apply(const ChangeSet&) override { return notUsedByQueueTests<CommitResult>(); }
    services::Async<QList<LlmSpendRecord>> listSpend(TimePoint, TimePoint) override {
        return notUsedByQueueTests<QList<LlmSpendRecord>>();
    }
    services::Async<Role> reviewerRole(const QString&) override { return notUsedByQueueTests<Role>(); }
    QString describe() const override { return QStringLiteral("lazy-details test store"); }

private:
    template <typename T>
    services::Async<T> later(Result<T> value) {
        maxInFlight = std::max(maxInFlight, ++inFlight);
        auto promise = std::make_shared<QPromise<Result<T>>>();
        promise->start();
        QTimer::singleShot(5, &m_context, [this, promise, value] {
            --inFlight;
            promise->addResult(value);
            promise->finish();
        });
        return promise->future();
    }
    QObject m_context;
};

/** The key a column must sort by, written independently of the model: (number, text). */
inline std::tuple<double, QString> expectedKey(const services::QueueRow& row, int column) {
    using models::QueueModel;
    constexpr double missing = -1e300;
    const FairUseState& s = row.state;
    switch (column) {
    case QueueModel::StageColumn:
        return {static_cast<double>(s.stage), {}};
    case QueueModel::ScoreColumn:
        return {s.lastClassifierScore.value_or(missing), {}};
    case QueueModel::UsageTypeColumn:
        return {s.lastClassifierType ? 0.0 : missing,
                s.lastClassifierType ? toString(*s.lastClassifierType) : QString()};
    case QueueModel::DailyColumn:
        return {row.speech ? static_cast<double>(row.speech->dailyMs) : missing, {}};
    case QueueModel::ThreeDayColumn:
        return {row.speech ? static_cast<double>(row.speech->threeDayMs) : missing, {}};
    case QueueModel::WeeklyColumn:
        return {row.speech ? static_cast<double>(row.speech->weeklyMs) : missing, {}};
    case QueueModel::OpenCasesColumn:
        return {static_cast<double>(row.openCases), {}};
    case QueueModel::OldestOpenColumn: // oldest case first when descending (largest age)
        return {row.oldestOpenCaseAt ? -static_cast<double>(row.oldestOpenCaseAt->time_since_epoch().count()) : missing,
                {}};
    case QueueModel::LastActionColumn:
        return {0.0, row.lastAction};
    case QueueModel::UpdatedColumn:
        return {s.updatedAt ? static_cast<double>(s.updatedAt->time_since_epoch().count()) : missing, {}};
    default:
        return {0.0, {}};
    }
}

/** The uids of `rows` sorted by `column`; ties by uid, ascending unless the user column itself sorts descending. */
inline QStringList expectedOrder(QList<services::QueueRow> rows, int column, Qt::SortOrder order) {
    const bool desc = order == Qt::DescendingOrder;
    std::sort(rows.begin(), rows.end(), [&](const services::QueueRow& a, const services::QueueRow& b) {
        const auto ka = expectedKey(a, column);
        const auto kb = expectedKey(b, column);
        if (ka != kb) {
            return desc ? kb < ka : ka < kb;
        }
        const bool uidDesc = desc && column == models::QueueModel::UserColumn;
        return uidDesc ? b.state.uid < a.state.uid : a.state.uid < b.state.uid;
    });
    QStringList uids;
    for (const services::QueueRow& r : rows) {
        uids.append(r.state.uid);
    }
    return uids;
}

/** Loads with `filter` and waits for the last page; false when the load failed or timed out. */
inline bool load(models::QueueModel& model, const services::QueueFilter& filter) {
    QSignalSpy done(&model, &models::QueueModel::loadingFinished);
    QSignalSpy failed(&model, &models::QueueModel::loadFailed);
    model.setFilter(filter);
    return QTest::qWaitFor([&] { return !done.isEmpty() || !failed.isEmpty(); }, 60000) && failed.isEmpty();
}

/** The rows the model shows, in display order. */
inline QList<services::QueueRow> shownRows(const models::QueueModel& model) {
    QList<services::QueueRow> out;
    for (int r = 0; r < model.rowCount(); ++r) {
        out.append(model.rowAt(r));
    }
    return out;
}

/** The users the model shows, in display order. */
inline QStringList shownUids(const models::QueueModel& model) {
    QStringList out;
    for (const services::QueueRow& row : shownRows(model)) {
        out.append(row.state.uid);
    }
    return out;
}

/** The users the model shows, in any order. */
inline QSet<QString> shownUidSet(const models::QueueModel& model) {
    const QStringList uids = shownUids(model);
    return QSet<QString>(uids.cbegin(), uids.cend());
}

/** The users of the rows `view` shows now (what it painted last). */
inline QSet<QString> uidsInView(const QTableView& view, const models::QueueModel& model) {
    QSet<QString> out;
    const int top = view.rowAt(0);
    int bottom = view.rowAt(view.viewport()->height() - 1);
    bottom = bottom < 0 ? model.rowCount() - 1 : bottom;
    for (int r = top; r <= bottom; ++r) {
        out.insert(model.rowAt(r).state.uid);
    }
    return out;
}

} // namespace fairuse::testing
