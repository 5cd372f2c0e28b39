// QueueModel over a seeded embedded store: model consistency, paging, filters (in the model at once, then the
// store's answer), sorting in the model (every column, selection kept, later pages merged in order), search, and
// lazy speech totals from a counting usage store, lazy row details (open cases, oldest, last action) from a store
// that leaves them out, a failed refresh that keeps the rows; QueueView's columns fit without horizontal scrolling.

#include "QueueModel.h"
#include "BulkResolver.h"
#include "QueueView.h"
#include "ShellTestStore.h"
#include "common/Subscription.h"

#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QPromise>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <cmath>
#include <tuple>

namespace {

using namespace fairuse;

/** The users of the rows `view` shows now (what it painted last). */
QSet<QString> uidsInView(const QTableView& view, const models::QueueModel& model) {
    QSet<QString> out;
    const int top = view.rowAt(0);
    int bottom = view.rowAt(view.viewport()->height() - 1);
    bottom = bottom < 0 ? model.rowCount() - 1 : bottom;
    for (int r = top; r <= bottom; ++r) {
        out.insert(model.rowAt(r).state.uid);
    }
    return out;
}

/** A case store that serves `rows` synthetic flagged users without speech totals (as Firestore does). */
class SpeechlessCaseStore : public services::CaseStore {
public:
    explicit SpeechlessCaseStore(int rows) {
        QStringList uids;
        for (int i = 0; i < rows; ++i) {
            uids.append(QStringLiteral("user-%1").arg(i, 5, 10, QLatin1Char('0')));
        }
        *this = SpeechlessCaseStore(uids);
    }
    explicit SpeechlessCaseStore(const QStringList& uids) {
        const TimePoint base = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();
        for (int i = 0; i < uids.size(); ++i) {
            services::QueueRow row;
            row.state.uid = uids.at(i);
            row.state.stage = Stage::Warning;
            row.state.updatedAt = base - std::chrono::minutes(i);
            row.openCases = 1;
            m_rows.append(row);
        }
    }
    services::Async<services::QueuePage> fetchQueuePage(const services::QueueFilter&, const QString& cursor,
                                                        int limit) override {
        const int from = cursor.isEmpty() ? 0 : cursor.toInt();
        services::QueuePage page;
        page.rows = m_rows.mid(from, limit);
        if (from + limit < m_rows.size()) {
            page.nextCursor = QString::number(from + limit);
        }
        return fairuse::services::ready(Result<services::QueuePage>(page));
    }
    services::Async<FairUseState> getState(const QString&) override { return unsupported<FairUseState>(); }
    services::Async<QList<FairUseEvent>> listEvents(const QString&) override {
        return unsupported<QList<FairUseEvent>>();
    }
    services::Async<FairUseEvent> findByCaseRef(const QString&) override { return unsupported<FairUseEvent>(); }
    services::Async<QList<Conversation>> listConversations(const QString&, TimePoint, int) override {
        return unsupported<QList<Conversation>>();
    }
    services::Async<CommitResult> apply(const ChangeSet&) override { return unsupported<CommitResult>(); }
    services::Async<QList<AuditRecord>> listAudit(const services::AuditFilter&) override {
        return unsupported<QList<AuditRecord>>();
    }
    services::Async<QList<LlmSpendRecord>> listSpend(TimePoint, TimePoint) override {
        return unsupported<QList<LlmSpendRecord>>();
    }
    services::Async<Role> reviewerRole(const QString&) override { return unsupported<Role>(); }
    QString describe() const override { return QStringLiteral("speechless test store"); }

private:
    template <typename T>
    static services::Async<T> unsupported() {
        return fairuse::services::ready(Result<T>(Error::internal(QStringLiteral("not used by this test"))));
    }
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
        const int n = uid.section(QLatin1Char('-'), 1).toInt();
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
        return unsupported<QList<services::MinuteSample>>();
    }
    services::Async<bool> recordSpeech(const QString&, TimePoint, std::int64_t, SpeechSource) override {
        return unsupported<bool>();
    }
    services::Async<std::int64_t> readSttBudgetUsedMs(const QString&, TimePoint) override {
        return unsupported<std::int64_t>();
    }
    services::Async<bool> invalidateStageCache(const QString&) override { return unsupported<bool>(); }
    QString describe() const override { return QStringLiteral("counting test usage store"); }

private:
    template <typename T>
    static services::Async<T> unsupported() {
        return fairuse::services::ready(Result<T>(Error::internal(QStringLiteral("not used by this test"))));
    }
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

    static inline const TimePoint kBase = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();

    LazyDetailsCaseStore(int count, bool detailsKnown) {
        for (int i = 0; i < count; ++i) {
            services::QueueRow row;
            row.state.uid = QStringLiteral("user-%1").arg(i, 5, 10, QLatin1Char('0'));
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
        const int n = uid.section(QLatin1Char('-'), 1).toInt();
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
            return fairuse::services::ready(
                Result<services::QueuePage>(Error::unavailable(QStringLiteral("connection refused"))));
        }
        const int from = cursor.isEmpty() ? 0 : cursor.toInt();
        services::QueuePage page;
        page.rows = rows.mid(from, limit);
        if (from + limit < rows.size()) {
            page.nextCursor = QString::number(from + limit);
        }
        return fairuse::services::ready(Result<services::QueuePage>(page));
    }
    services::Async<QList<FairUseEvent>> listEvents(const QString& uid) override {
        eventReads.append(uid);
        const int n = uid.section(QLatin1Char('-'), 1).toInt();
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
        const int n = filter.uid.section(QLatin1Char('-'), 1).toInt();
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
    services::Async<FairUseState> getState(const QString&) override { return unsupported<FairUseState>(); }
    services::Async<FairUseEvent> findByCaseRef(const QString&) override { return unsupported<FairUseEvent>(); }
    services::Async<QList<Conversation>> listConversations(const QString&, TimePoint, int) override {
        return unsupported<QList<Conversation>>();
    }
    services::Async<CommitResult> apply(const ChangeSet&) override { return unsupported<CommitResult>(); }
    services::Async<QList<LlmSpendRecord>> listSpend(TimePoint, TimePoint) override {
        return unsupported<QList<LlmSpendRecord>>();
    }
    services::Async<Role> reviewerRole(const QString&) override { return unsupported<Role>(); }
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
    template <typename T>
    static services::Async<T> unsupported() {
        return fairuse::services::ready(Result<T>(Error::internal(QStringLiteral("not used by this test"))));
    }
    QObject m_context;
};

/** The order a column must sort in, written independently of the model: (number, text, uid) tuples. */
std::tuple<double, QString> expectedKey(const services::QueueRow& row, int column) {
    constexpr double missing = -1e300;
    const FairUseState& s = row.state;
    switch (column) {
    case models::QueueModel::StageColumn:
        return {static_cast<double>(s.stage), {}};
    case models::QueueModel::ScoreColumn:
        return {s.lastClassifierScore.value_or(missing), {}};
    case models::QueueModel::UsageTypeColumn:
        return {s.lastClassifierType ? 0.0 : missing,
                s.lastClassifierType ? toString(*s.lastClassifierType) : QString()};
    case models::QueueModel::DailyColumn:
        return {row.speech ? static_cast<double>(row.speech->dailyMs) : missing, {}};
    case models::QueueModel::ThreeDayColumn:
        return {row.speech ? static_cast<double>(row.speech->threeDayMs) : missing, {}};
    case models::QueueModel::WeeklyColumn:
        return {row.speech ? static_cast<double>(row.speech->weeklyMs) : missing, {}};
    case models::QueueModel::OpenCasesColumn:
        return {static_cast<double>(row.openCases), {}};
    case models::QueueModel::OldestOpenColumn: // oldest case first when descending (largest age)
        return {row.oldestOpenCaseAt ? -static_cast<double>(row.oldestOpenCaseAt->time_since_epoch().count()) : missing,
                {}};
    case models::QueueModel::LastActionColumn:
        return {0.0, row.lastAction};
    case models::QueueModel::UpdatedColumn:
        return {s.updatedAt ? static_cast<double>(s.updatedAt->time_since_epoch().count()) : missing, {}};
    default:
        return {0.0, {}};
    }
}

QStringList expectedOrder(QList<services::QueueRow> rows, int column, Qt::SortOrder order) {
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

} // namespace

using namespace fairuse;
using fairuse::models::QueueModel;

class QueueModelTest : public QObject {
    Q_OBJECT

private:
    testing::ShellTestStore m_store;

    /** Loads with `filter` and waits for the last page. */
    bool load(QueueModel& model, const services::QueueFilter& filter) {
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        QSignalSpy failed(&model, &QueueModel::loadFailed);
        model.setFilter(filter);
        return QTest::qWaitFor([&] { return !done.isEmpty() || !failed.isEmpty(); }, 60000) && failed.isEmpty();
    }

    static QStringList shownUids(const QueueModel& model) {
        QStringList out;
        for (int r = 0; r < model.rowCount(); ++r) {
            out.append(model.rowAt(r).state.uid);
        }
        return out;
    }

    static QList<services::QueueRow> shownRows(const QueueModel& model) {
        QList<services::QueueRow> out;
        for (int r = 0; r < model.rowCount(); ++r) {
            out.append(model.rowAt(r));
        }
        return out;
    }

    QSet<QString> uids(const QueueModel& model) const {
        QSet<QString> out;
        for (int r = 0; r < model.rowCount(); ++r) {
            out.insert(model.rowAt(r).state.uid);
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed(testing::ShellTestStore::smallOptions())); }

    void passesModelTesterWhileLoading() {
        QueueModel model(m_store.backend);
        model.setPageSize(13);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        QVERIFY(model.rowCount() > 13);
        // A reload (reset) and a filtered reload under the tester too.
        services::QueueFilter f;
        f.stage = Stage::Restrict;
        QVERIFY(load(model, f));
    }

    void pagesArriveOneInsertEachWithoutDuplicates() {
        QueueModel model(m_store.backend);
        model.setPageSize(7);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy pages(&model, &QueueModel::pageLoaded);
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !pages.isEmpty(); }, 60000));
        QCOMPARE(pages.first().at(0).toInt(), 7); // the first page arrives on its own
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));

        const int expected = static_cast<int>(m_store.flagged().size());
        QCOMPARE(model.rowCount(), expected);
        QCOMPARE(uids(model).size(), expected); // no duplicates
        QCOMPARE(model.pagesLoaded(), pages.size());
        QVERIFY(model.pagesLoaded() >= (expected + 6) / 7);
        // One insertion per non-empty page, never row by row.
        int nonEmpty = 0;
        int previous = 0;
        for (const QList<QVariant>& p : pages) {
            nonEmpty += p.at(0).toInt() > previous ? 1 : 0;
            previous = p.at(0).toInt();
        }
        QCOMPARE(inserted.size(), nonEmpty);
        QVERIFY(model.isComplete());
    }

    void filtersRequeryTheStore_data() {
        QTest::addColumn<int>("which");
        QTest::newRow("stage warning") << 0;
        QTest::newRow("stage restrict") << 1;
        QTest::newRow("type audiobook") << 2;
        QTest::newRow("score from the median") << 3;
        QTest::newRow("open only") << 4;
        QTest::newRow("resolved only") << 5;
    }

    void filtersRequeryTheStore() {
        QFETCH(int, which);
        services::QueueFilter f;
        std::function<bool(const FairUseState&)> matches;
        QSet<QString> open;
        QSet<QString> resolved;
        for (const FairUseEvent& e : m_store.population.events) {
            (e.resolved ? resolved : open).insert(e.uid);
        }
        switch (which) {
        case 0:
            f.stage = Stage::Warning;
            matches = [](const FairUseState& s) { return s.stage == Stage::Warning; };
            break;
        case 1:
            f.stage = Stage::Restrict;
            matches = [](const FairUseState& s) { return s.stage == Stage::Restrict; };
            break;
        case 2:
            f.usageType = UsageType::Audiobook;
            matches = [](const FairUseState& s) { return s.lastClassifierType == UsageType::Audiobook; };
            break;
        case 3: {
            // The median score of the flagged users: some are above it, some below.
            QList<double> scores;
            for (const FairUseState& s : m_store.flagged()) {
                scores.append(s.lastClassifierScore.value_or(0.0));
            }
            std::sort(scores.begin(), scores.end());
            const double threshold = scores.at(scores.size() / 2);
            f.minScore = threshold;
            matches = [threshold](const FairUseState& s) { return s.lastClassifierScore.value_or(0.0) >= threshold; };
            break;
        }
        case 4:
            f.resolution = services::QueueFilter::Resolution::OpenOnly;
            matches = [&open](const FairUseState& s) { return open.contains(s.uid); };
            break;
        case 5:
            f.resolution = services::QueueFilter::Resolution::ResolvedOnly;
            matches = [&](const FairUseState& s) { return resolved.contains(s.uid) && !open.contains(s.uid); };
            break;
        }
        QSet<QString> expected;
        for (const FairUseState& s : m_store.flagged()) {
            if (matches(s)) {
                expected.insert(s.uid);
            }
        }
        QVERIFY2(!expected.isEmpty(), "the seeded population should contain matching users");
        QVERIFY2(expected.size() < m_store.flagged().size(), "the filter should exclude someone");

        QueueModel model(m_store.backend);
        model.setPageSize(50);
        QVERIFY(load(model, f));
        QCOMPARE(uids(model), expected);
        for (int r = 0; r < model.rowCount(); ++r) {
            QVERIFY(matches(model.rowAt(r).state));
        }
    }

    void sortsEveryColumnInTypedOrder_data() {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        for (int c = 0; c < QueueModel::ColumnCount; ++c) {
            const QByteArray name = QueueModel(m_store.backend).headerData(c, Qt::Horizontal).toString().toUtf8();
            QTest::newRow(QByteArray(name + " ascending").constData()) << c << Qt::AscendingOrder;
            QTest::newRow(QByteArray(name + " descending").constData()) << c << Qt::DescendingOrder;
        }
    }

    void sortsEveryColumnInTypedOrder() {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        QueueModel model(m_store.backend);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        const QList<services::QueueRow> rows = shownRows(model);
        model.sort(column, order);
        QCOMPARE(model.sortColumn(), column);
        QCOMPARE(shownUids(model), expectedOrder(rows, column, order));
        // Numbers sort as numbers ("10.0h" after "9.0h"), so SortRole is monotone along the rows.
        if (column != QueueModel::UserColumn && column != QueueModel::UsageTypeColumn &&
            column != QueueModel::LastActionColumn) {
            for (int r = 1; r < model.rowCount(); ++r) {
                const double prev = model.index(r - 1, column).data(QueueModel::SortRole).toDouble();
                const double here = model.index(r, column).data(QueueModel::SortRole).toDouble();
                QVERIFY2(order == Qt::AscendingOrder ? prev <= here : prev >= here, qPrintable(QString::number(r)));
            }
        }
        // Back to the store's order.
        model.sort(-1);
        QCOMPARE(shownUids(model), [&] {
            QStringList l;
            for (const auto& r : rows) {
                l.append(r.state.uid);
            }
            return l;
        }());
    }

    void userIdsSortLikeStrings() {
        // Ties and the user column compare packed prefixes of the ids; the order must be QString's.
        const QStringList ids = {QStringLiteral("abcdefghijklmnopq"),
                                 QStringLiteral("abcdefghijklmnop"),
                                 QStringLiteral("b"),
                                 QStringLiteral("abcdefghijklmnopr"),
                                 QStringLiteral("a"),
                                 QStringLiteral("abcdefghijklmnop0"),
                                 QStringLiteral("ab"),
                                 QStringLiteral("B"),
                                 QStringLiteral("\u00e9-user"),
                                 QStringLiteral("zz"),
                                 QStringLiteral("abcdefghijklmnoq"),
                                 QStringLiteral("abcdefghijklmnopqrstuvwxyz0123"),
                                 QStringLiteral("a b")};
        models::Backend backend = m_store.backend;
        backend.cases = std::make_shared<SpeechlessCaseStore>(ids);
        backend.usage.reset();
        QueueModel model(backend);
        QVERIFY(load(model, {}));
        QStringList expected = ids;
        std::sort(expected.begin(), expected.end());
        model.sort(QueueModel::UserColumn, Qt::AscendingOrder);
        QCOMPARE(shownUids(model), expected);
        std::reverse(expected.begin(), expected.end());
        model.sort(QueueModel::UserColumn, Qt::DescendingOrder);
        QCOMPARE(shownUids(model), expected);
        // Equal keys elsewhere (every row is a warning) fall back to the ids, ascending in both directions.
        std::reverse(expected.begin(), expected.end());
        model.sort(QueueModel::StageColumn, Qt::DescendingOrder);
        QCOMPARE(shownUids(model), expected);
    }

    void selectionAndCurrentRowFollowTheirUsersAcrossSort() {
        ui::QueueView view(m_store.backend);
        QueueModel* model = view.model();
        QSignalSpy done(model, &QueueModel::loadingFinished);
        view.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QTableView* table = view.table();
        QItemSelectionModel* selection = table->selectionModel();
        const QStringList picked = {model->rowAt(2).state.uid, model->rowAt(5).state.uid,
                                    model->rowAt(model->rowCount() - 1).state.uid};
        const QString current = model->rowAt(9).state.uid;
        for (const QString& uid : picked) {
            const QModelIndex i = view.proxy()->mapFromSource(model->index(model->rowOfUid(uid), 0));
            selection->select(i, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        selection->setCurrentIndex(view.proxy()->mapFromSource(model->index(model->rowOfUid(current), 0)),
                                   QItemSelectionModel::NoUpdate);
        for (int column : {int(QueueModel::ScoreColumn), int(QueueModel::UserColumn), int(QueueModel::WeeklyColumn)}) {
            table->sortByColumn(column, Qt::DescendingOrder); // the header's way: through the proxy to the model
            QCOMPARE(model->sortColumn(), column);
            QCOMPARE(view.currentUid(), current);
            QStringList selected;
            for (const services::QueueRow& r : view.selectedRows()) {
                selected.append(r.state.uid);
            }
            QStringList expected = picked;
            std::sort(expected.begin(), expected.end(),
                      [&](const QString& a, const QString& b) { return model->rowOfUid(a) < model->rowOfUid(b); });
            QCOMPARE(selected, expected); // the same users, in the new display order
            QVERIFY(model->rowOfUid(picked.at(0)) != -1);
        }
    }

    void laterPagesMergeInSortedOrder() {
        QueueModel model(m_store.backend);
        model.setPageSize(9);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.sort(QueueModel::ScoreColumn, Qt::DescendingOrder); // sorted before any row arrived
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        int checkedPages = 0;
        connect(&model, &QueueModel::pageLoaded, this, [&](int loaded, bool) {
            QCOMPARE(model.rowCount(), loaded);
            QCOMPARE(shownUids(model), expectedOrder(shownRows(model), QueueModel::ScoreColumn, Qt::DescendingOrder));
            ++checkedPages;
        });
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QVERIFY(checkedPages > 3);
        QCOMPARE(model.rowCount(), int(m_store.flagged().size()));

        // Sorting half way through a load: pages after the sort land in place too.
        QueueModel second(m_store.backend);
        second.setPageSize(9);
        QAbstractItemModelTester tester2(&second, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy firstPage(&second, &QueueModel::pageLoaded);
        QSignalSpy done2(&second, &QueueModel::loadingFinished);
        second.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !firstPage.isEmpty(); }, 60000));
        QVERIFY(second.isLoading());
        second.sort(QueueModel::UpdatedColumn, Qt::AscendingOrder);
        QVERIFY(QTest::qWaitFor([&] { return !done2.isEmpty(); }, 60000));
        QCOMPARE(second.rowCount(), int(m_store.flagged().size()));
        QCOMPARE(shownUids(second), expectedOrder(shownRows(second), QueueModel::UpdatedColumn, Qt::AscendingOrder));
    }

    void filterAnswersFromLoadedRowsThenFromTheStore() {
        QueueModel model(m_store.backend);
        model.setPageSize(20);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        model.sort(QueueModel::ScoreColumn, Qt::DescendingOrder);
        const int all = model.rowCount();
        QSet<QString> restricted;
        for (const FairUseState& s : m_store.flagged()) {
            if (s.stage == Stage::Restrict) {
                restricted.insert(s.uid);
            }
        }
        QVERIFY(!restricted.isEmpty() && restricted.size() < all);
        QItemSelectionModel selection(&model);
        const QString keep = *restricted.cbegin();
        selection.setCurrentIndex(model.index(model.rowOfUid(keep), 0), QItemSelectionModel::SelectCurrent);

        services::QueueFilter f;
        f.stage = Stage::Restrict;
        // What the model shows when the store query starts: no page of it has arrived yet (a fast store may even
        // answer before setFilter returns, so this is looked at from the signal).
        QSet<QString> atOnce;
        bool atOnceSorted = false;
        QString atOnceCurrent;
        connect(&model, &QueueModel::loadingStarted, this, [&] {
            atOnce = uids(model);
            atOnceSorted =
                shownUids(model) == expectedOrder(shownRows(model), QueueModel::ScoreColumn, Qt::DescendingOrder);
            atOnceCurrent = selection.currentIndex().data(QueueModel::UidRole).toString();
        });
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        model.setFilter(f);
        QCOMPARE(atOnce, restricted);
        QVERIFY(atOnceSorted);
        QCOMPARE(atOnceCurrent, keep);
        // Then the store's answer: the same users, and only those are kept.
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QCOMPARE(uids(model), restricted);
        QCOMPARE(model.loadedRowCount(), int(restricted.size()));
        QCOMPARE(selection.currentIndex().data(QueueModel::UidRole).toString(), keep);

        // Widening: what is loaded shows at once, the store brings the rest, in sort order.
        done.clear();
        model.setFilter({});
        QCOMPARE(atOnce, restricted);
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QCOMPARE(model.rowCount(), all);
        QCOMPARE(shownUids(model), expectedOrder(shownRows(model), QueueModel::ScoreColumn, Qt::DescendingOrder));
        QCOMPARE(selection.currentIndex().data(QueueModel::UidRole).toString(), keep);
        disconnect(&model, &QueueModel::loadingStarted, this, nullptr);

        // Unsorted, a re-query ends in the store's order (most recently updated first).
        model.sort(-1);
        QueueModel fresh(m_store.backend);
        QVERIFY(load(fresh, {}));
        QVERIFY(load(model, f));
        QVERIFY(load(model, {}));
        QCOMPARE(shownUids(model), shownUids(fresh));
    }

    void speechTotalsAreReadOnlyForPaintedRowsAndOnce() {
        models::Backend backend = m_store.backend;
        backend.cases = std::make_shared<SpeechlessCaseStore>(2000);
        auto usage = std::make_shared<CountingUsageStore>();
        backend.usage = usage;
        QueueModel model(backend);
        model.setSpeechReadLimit(3);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        QCOMPARE(model.rowCount(), 2000);
        QVERIFY(usage->reads.isEmpty()); // loading alone reads nothing

        QTableView view;
        view.setModel(&model);
        view.resize(900, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QSet<QString> firstScreen = uidsInView(view, model);
        QVERIFY(firstScreen.size() > 3 && firstScreen.size() < 100);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return !usage->reads.isEmpty() && model.speechReadsInFlight() == 0 &&
                       usage->reads.size() >= firstScreen.size();
            },
            10000));
        QTest::qWait(100); // let any late request show up
        QCOMPARE(QSet<QString>(usage->reads.cbegin(), usage->reads.cend()), firstScreen);
        QCOMPARE(usage->reads.size(), firstScreen.size()); // each user once
        QVERIFY(usage->maxInFlight <= 3);
        const QString someone = *firstScreen.cbegin();
        const int n = someone.section(QLatin1Char('-'), 1).toInt();
        QVERIFY(QTest::qWaitFor([&] { return model.rowAt(model.rowOfUid(someone)).speech.has_value(); }, 5000));
        QCOMPARE(model.rowAt(model.rowOfUid(someone)).speech->dailyMs, n * 60'000LL);

        // A second paint reads nothing again.
        const int before = usage->reads.size();
        view.viewport()->repaint();
        QTest::qWait(100);
        QCOMPARE(usage->reads.size(), before);

        // Scrolling to the end reads the rows now in view, and only those.
        view.scrollToBottom();
        QTest::qWait(50);
        const QSet<QString> lastScreen = uidsInView(view, model);
        QVERIFY(QTest::qWaitFor(
            [&] { return usage->reads.size() >= before + lastScreen.size() && model.speechReadsInFlight() == 0; },
            10000));
        QTest::qWait(100);
        const QSet<QString> later(usage->reads.cbegin() + before, usage->reads.cend());
        QCOMPARE(later, lastScreen);
        QVERIFY(usage->maxInFlight <= 3);
    }

    void rowDetailsAreReadOnlyForPaintedRowsAndOnce() {
        models::Backend backend = m_store.backend;
        auto store = std::make_shared<LazyDetailsCaseStore>(2000, false);
        backend.cases = store;
        backend.usage = nullptr;
        QueueModel model(backend);
        model.setDetailsReadLimit(2);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        QCOMPARE(model.rowCount(), 2000);
        QVERIFY(store->eventReads.isEmpty() && store->auditReads.isEmpty()); // loading alone reads nothing

        // Not known yet: the cells say so instead of claiming "0 open cases", and sort as missing values.
        const QString first = model.rowAt(0).state.uid;
        QCOMPARE(model.index(0, QueueModel::OpenCasesColumn).data().toString(), QStringLiteral("…"));
        QCOMPARE(model.index(0, QueueModel::LastActionColumn).data().toString(), QStringLiteral("…"));
        QVERIFY(!model.index(0, QueueModel::OpenCasesColumn).data(Qt::ToolTipRole).toString().isEmpty());
        QCOMPARE(model.index(0, QueueModel::OpenCasesColumn).data(QueueModel::SortRole).toLongLong(), -1);
        QVERIFY(model.index(0, QueueModel::OpenCasesColumn).data(QueueModel::RawValueRole).isNull());
        services::QueueFilter openOnly;
        openOnly.resolution = services::QueueFilter::Resolution::OpenOnly;
        QVERIFY(QueueModel::rowMatches(openOnly, model.rowAt(0))); // unknown: kept until the store answers

        QTableView view;
        view.setModel(&model);
        view.resize(1400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QSet<QString> firstScreen = uidsInView(view, model);
        QVERIFY(firstScreen.size() > 3 && firstScreen.size() < 100);
        QVERIFY(firstScreen.contains(first));
        const auto allKnown = [&](const QSet<QString>& uids) {
            return std::all_of(uids.cbegin(), uids.cend(),
                               [&](const QString& uid) { return model.rowAt(model.rowOfUid(uid)).detailsKnown; });
        };
        QVERIFY(QTest::qWaitFor([&] { return allKnown(firstScreen) && model.detailsReadsInFlight() == 0; }, 10000));
        QTest::qWait(100); // let any late request show up
        QCOMPARE(QSet<QString>(store->eventReads.cbegin(), store->eventReads.cend()), firstScreen);
        QCOMPARE(store->eventReads.size(), firstScreen.size()); // each user once
        QCOMPARE(QSet<QString>(store->auditReads.cbegin(), store->auditReads.cend()), firstScreen);
        QCOMPARE(store->auditReads.size(), firstScreen.size());
        // The last action is the newest record alone: one query, newest first, limit 1, never the whole trail.
        QCOMPARE(store->auditLimits, QList<int>(store->auditReads.size(), 1));
        QVERIFY2(store->maxInFlight <= 2 * 2, qPrintable(QString::number(store->maxInFlight))); // 2 users, 2 calls
        for (const QString& uid : firstScreen) {
            const int r = model.rowOfUid(uid);
            const LazyDetailsCaseStore::Expected want = LazyDetailsCaseStore::expected(uid);
            QCOMPARE(model.rowAt(r).openCases, want.openCases);
            QVERIFY2(model.rowAt(r).oldestOpenCaseAt == want.oldest, qPrintable(uid));
            QCOMPARE(model.rowAt(r).lastAction, want.lastAction);
            QCOMPARE(model.index(r, QueueModel::OpenCasesColumn).data().toInt(), want.openCases);
            QCOMPARE(model.index(r, QueueModel::OpenCasesColumn).data(QueueModel::SortRole).toInt(), want.openCases);
        }

        // A second paint reads nothing again.
        const qsizetype before = store->eventReads.size();
        view.viewport()->repaint();
        QTest::qWait(100);
        QCOMPARE(store->eventReads.size(), before);

        // Scrolling to the end reads the rows now in view, and only those.
        view.scrollToBottom();
        QTest::qWait(50);
        const QSet<QString> lastScreen = uidsInView(view, model);
        QVERIFY(QTest::qWaitFor([&] { return allKnown(lastScreen) && model.detailsReadsInFlight() == 0; }, 10000));
        QTest::qWait(100);
        QCOMPARE(QSet<QString>(store->eventReads.cbegin() + before, store->eventReads.cend()), lastScreen);
        QVERIFY(store->maxInFlight <= 2 * 2);

        // refresh() (the console refreshes after every action) drops the cache: the rows in view are read again.
        // One of them now fails and shows "?" rather than a number or a spinner forever.
        const QString failing = *lastScreen.cbegin();
        store->failAudit.insert(failing);
        const qsizetype beforeRefresh = store->eventReads.size();
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 10000));
        const QSet<QString> screen = uidsInView(view, model);
        QSet<QString> others = screen;
        others.remove(failing);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return allKnown(others) && model.detailsReadsInFlight() == 0 &&
                       model.index(model.rowOfUid(failing), QueueModel::OpenCasesColumn).data().toString() ==
                           QStringLiteral("?");
            },
            10000));
        const QSet<QString> reread(store->eventReads.cbegin() + beforeRefresh, store->eventReads.cend());
        QCOMPARE(reread, screen);
        QVERIFY(!model.rowAt(model.rowOfUid(failing)).detailsKnown);
        QVERIFY(model.index(model.rowOfUid(failing), QueueModel::OpenCasesColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("refresh")));
    }

    void speechColumnsSortCorrectlyOnceKnown() {
        // Sorted by weekly speech before any total is known (all rows "missing"), the rows move to their places as
        // the totals arrive. The store serves users with ascending totals; the sort is descending.
        models::Backend backend = m_store.backend;
        backend.cases = std::make_shared<SpeechlessCaseStore>(24);
        backend.usage = std::make_shared<CountingUsageStore>();
        QueueModel model(backend);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        model.sort(QueueModel::WeeklyColumn, Qt::DescendingOrder);
        QTableView view;
        view.setModel(&model);
        view.resize(1400, 1600); // every row in view, so every row is read
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (int r = 0; r < model.rowCount(); ++r) {
                    if (!model.rowAt(r).speech) {
                        return false;
                    }
                }
                return model.speechReadsInFlight() == 0;
            },
            10000));
        QTest::qWait(100); // the last flush re-sorts
        QCOMPARE(model.rowAt(0).state.uid, QStringLiteral("user-00023"));
        for (int r = 0; r + 1 < model.rowCount(); ++r) {
            QVERIFY2(model.rowAt(r).speech->weeklyMs >= model.rowAt(r + 1).speech->weeklyMs,
                     qPrintable(model.rowAt(r).state.uid));
        }
    }

    void readAllShownReadsEveryRowOnceWithinTheLimit() {
        // Before an export: every shown row's details, painted or not, read once, with no more in flight than
        // painting would use; cancelling stops the reads that were not started.
        models::Backend backend = m_store.backend;
        auto store = std::make_shared<LazyDetailsCaseStore>(300, false);
        backend.cases = store;
        backend.usage = nullptr;
        QueueModel model(backend);
        model.setDetailsReadLimit(3);
        QVERIFY(load(model, {}));
        QCOMPARE(model.unreadShownRows(), 300);
        model.readAllShown();
        QVERIFY(
            QTest::qWaitFor([&] { return model.unreadShownRows() == 0 && model.detailsReadsInFlight() == 0; }, 20000));
        QCOMPARE(store->eventReads.size(), 300);
        QCOMPARE(QSet<QString>(store->eventReads.cbegin(), store->eventReads.cend()).size(), 300);
        QVERIFY2(store->maxInFlight <= 3 * 2, qPrintable(QString::number(store->maxInFlight)));
        QCOMPARE(model.failedShownRows(), 0);
        for (int r = 0; r < model.rowCount(); ++r) {
            const LazyDetailsCaseStore::Expected want = LazyDetailsCaseStore::expected(model.rowAt(r).state.uid);
            QVERIFY(model.rowAt(r).detailsKnown);
            QCOMPARE(model.rowAt(r).openCases, want.openCases);
            QCOMPARE(model.index(r, QueueModel::LastActionColumn).data(QueueModel::RawValueRole).toString(),
                     want.lastAction);
        }

        // After a refresh everything is unread again; a cancelled read-all stops after the reads already started.
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 10000));
        QCOMPARE(model.unreadShownRows(), 300);
        const qsizetype before = store->eventReads.size();
        model.readAllShown();
        QVERIFY(QTest::qWaitFor([&] { return store->eventReads.size() >= before + 10; }, 10000));
        model.cancelReadAll();
        QVERIFY(QTest::qWaitFor([&] { return model.detailsReadsInFlight() == 0; }, 10000));
        QTest::qWait(100);
        const qsizetype afterCancel = store->eventReads.size() - before;
        QVERIFY2(afterCancel < 100, qPrintable(QString::number(afterCancel)));
        QCOMPARE(model.unreadShownRows(), 300 - static_cast<int>(afterCancel));
    }

    void detailColumnsSortCorrectlyOnceKnown_data() {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        QTest::newRow("open cases desc") << int(QueueModel::OpenCasesColumn) << Qt::DescendingOrder;
        QTest::newRow("open cases asc") << int(QueueModel::OpenCasesColumn) << Qt::AscendingOrder;
        QTest::newRow("oldest desc") << int(QueueModel::OldestOpenColumn) << Qt::DescendingOrder;
        QTest::newRow("last action asc") << int(QueueModel::LastActionColumn) << Qt::AscendingOrder;
        QTest::newRow("last action desc") << int(QueueModel::LastActionColumn) << Qt::DescendingOrder;
    }

    void detailColumnsSortCorrectlyOnceKnown() {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        models::Backend backend = m_store.backend;
        auto store = std::make_shared<LazyDetailsCaseStore>(24, false);
        backend.cases = store;
        backend.usage = nullptr;
        QueueModel model(backend);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        model.sort(column, order);
        QTableView view;
        view.setModel(&model);
        view.resize(1400, 1600); // every row in view, so every row is read
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QItemSelectionModel* selection = view.selectionModel();
        const QString current = model.rowAt(5).state.uid;
        selection->setCurrentIndex(model.index(5, 0), QItemSelectionModel::SelectCurrent);
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (int r = 0; r < model.rowCount(); ++r) {
                    if (!model.rowAt(r).detailsKnown) {
                        return false;
                    }
                }
                return model.detailsReadsInFlight() == 0;
            },
            10000));
        QTest::qWait(100); // the last flush re-sorts
        QCOMPARE(shownUids(model), expectedOrder(shownRows(model), column, order));
        QCOMPARE(selection->currentIndex().data(QueueModel::UidRole).toString(), current); // moved with its user
    }

    void failedRefreshKeepsTheRowsUntilARetryReplacesThem_data() {
        QTest::addColumn<int>("failingFetch"); // of the refresh: 1 = its first page, 2 = a later one
        QTest::newRow("first page") << 1;
        QTest::newRow("later page") << 2;
    }

    void failedRefreshKeepsTheRowsUntilARetryReplacesThem() {
        QFETCH(int, failingFetch);
        models::Backend backend = m_store.backend;
        auto store = std::make_shared<LazyDetailsCaseStore>(50, true);
        backend.cases = store;
        QueueModel model(backend);
        model.setPageSize(20);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        QCOMPARE(model.rowCount(), 50);
        const QStringList before = shownUids(model);
        QItemSelectionModel selection(&model);
        const QString current = QStringLiteral("user-00042");
        selection.setCurrentIndex(model.index(model.rowOfUid(current), 0), QItemSelectionModel::SelectCurrent);

        // The store goes away: the refresh fails, and the queue still shows what it showed.
        store->failFetches = {store->fetches + failingFetch};
        QSignalSpy failed(&model, &QueueModel::loadFailed);
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty(); }, 10000));
        QCOMPARE(failed.first().at(0).value<ErrorKind>(), ErrorKind::Unavailable);
        QVERIFY(model.isStale());
        QVERIFY(!model.isComplete());
        QVERIFY(!model.isLoading());
        QCOMPARE(shownUids(model), before);
        QCOMPARE(selection.currentIndex().data(QueueModel::UidRole).toString(), current);

        // Meanwhile one user was cleared, one is new and one moved to restrict (all after the first page, which the
        // test store pages by offset). The retry's answer replaces the rows.
        store->rows.removeAt(40);
        services::QueueRow added = store->rows.last();
        added.state.uid = QStringLiteral("user-new");
        added.state.updatedAt = LazyDetailsCaseStore::kBase - std::chrono::hours(10);
        store->rows.append(added);
        store->rows[30].state.stage = Stage::Restrict;
        const QString moved = store->rows.at(30).state.uid;
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        model.retry();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 10000));
        QVERIFY(!model.isStale());
        QVERIFY(model.isComplete());
        QStringList expected;
        for (const services::QueueRow& r : std::as_const(store->rows)) {
            expected.append(r.state.uid);
        }
        QCOMPARE(shownUids(model), expected);
        QCOMPARE(model.loadedRowCount(), 50);
        QVERIFY(model.rowAt(model.rowOfUid(moved)).state.stage == Stage::Restrict);
        QCOMPARE(selection.currentIndex().data(QueueModel::UidRole).toString(), current);
    }

    void columnsFitTheQueuePaneWithoutScrolling() {
        // At 1500 px the main window gives the queue about 900 px (splitter 3:2); the columns must fit in it.
        ui::QueueView view(m_store.backend);
        view.resize(880, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy done(view.model(), &QueueModel::loadingFinished);
        view.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QTest::qWait(50);
        QCOMPARE(view.table()->horizontalScrollBar()->maximum(), 0);
        // Every header has a tooltip with its long name, and no speech or date cell is cut.
        QHeaderView* header = view.table()->horizontalHeader();
        for (int c = 0; c < QueueModel::ColumnCount; ++c) {
            QVERIFY(!view.model()->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
        }
        const QFontMetrics fm = view.table()->fontMetrics();
        for (int r = 0; r < std::min(50, view.model()->rowCount()); ++r) {
            for (int c :
                 {int(QueueModel::WeeklyColumn), int(QueueModel::UpdatedColumn), int(QueueModel::OldestOpenColumn)}) {
                const QString text = view.model()->index(r, c).data().toString();
                QVERIFY2(fm.horizontalAdvance(text) < header->sectionSize(c), qPrintable(text));
            }
        }
        QVERIFY(header->sectionSize(QueueModel::UserColumn) >= fm.horizontalAdvance(QStringLiteral("0")) * 8);
    }

    void speechCellsShowHoursAndShareOfCap() {
        QueueModel model(m_store.backend);
        QVERIFY(load(model, {}));
        static const QRegularExpression cell(QStringLiteral("^(\\d+)[.,](\\d)h (\\d+)%$"));
        int checked = 0;
        for (int r = 0; r < model.rowCount(); ++r) {
            const services::QueueRow& row = model.rowAt(r);
            if (!row.speech) {
                continue;
            }
            const QString text = model.index(r, QueueModel::WeeklyColumn).data().toString();
            const QRegularExpressionMatch m = cell.match(text);
            QVERIFY2(m.hasMatch(), qPrintable(text));
            const double hours = static_cast<double>(row.speech->weeklyMs) / 3'600'000.0;
            QCOMPARE(m.captured(1).toInt() * 10 + m.captured(2).toInt(), static_cast<int>(std::lround(hours * 10)));
            const Caps caps = Caps::forPlan(effectivePlan(row.state.subscription, models::backendNow(m_store.backend)));
            const auto percent =
                std::lround(100.0 * static_cast<double>(row.speech->weeklyMs) / static_cast<double>(caps.weeklyMs));
            QCOMPARE(m.captured(3).toLong(), percent);
            ++checked;
        }
        QVERIFY(checked > 10);
    }

    void searchByUidAndCaseRef() {
        const FairUseState target = m_store.flagged().at(5);
        QueueModel model(m_store.backend);
        services::QueueFilter byUid;
        byUid.search = target.uid;
        QVERIFY(load(model, byUid));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, QueueModel::UserColumn).data().toString(), target.uid);
        QCOMPARE(model.rowOfUid(target.uid), 0);

        QSet<QString> flaggedUids;
        for (const FairUseState& s : m_store.flagged()) {
            flaggedUids.insert(s.uid);
        }
        FairUseEvent event;
        for (const FairUseEvent& e : m_store.population.events) {
            if (flaggedUids.contains(e.uid) && e.uid != target.uid) {
                event = e;
            }
        }
        QVERIFY(!event.caseRef.isEmpty());
        services::QueueFilter byRef;
        byRef.search = event.caseRef.toLower(); // references are accepted in any case
        QVERIFY(load(model, byRef));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, 0).data(QueueModel::UidRole).toString(), event.uid);

        services::QueueFilter none;
        none.search = QStringLiteral("no-such-user");
        QVERIFY(load(model, none));
        QCOMPARE(model.rowCount(), 0);
    }

    void staleParallelLoadsAreDropped() {
        // Changing the filter while pages are in flight must not mix rows of the old filter into the new one.
        QueueModel model(m_store.backend);
        model.setPageSize(5);
        services::QueueFilter all;
        model.setFilter(all);
        services::QueueFilter restrict;
        restrict.stage = Stage::Restrict;
        QVERIFY(load(model, restrict));
        for (int r = 0; r < model.rowCount(); ++r) {
            QVERIFY(model.rowAt(r).state.stage == Stage::Restrict);
        }
        QTest::qWait(200); // any late page of the first load would arrive now
        for (int r = 0; r < model.rowCount(); ++r) {
            QVERIFY(model.rowAt(r).state.stage == Stage::Restrict);
        }
    }

    void unreachableStoreReportsUnavailable() {
        // A store whose file cannot be opened: the model reports the failure instead of hanging or crashing.
        QTemporaryDir dir;
        const QString bogus = dir.filePath(QStringLiteral("not-a-db.sqlite"));
        QFile f(bogus);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not sqlite at all, just text long enough to not be an empty file\n");
        f.close();
        services::EmbeddedStores broken = services::makeEmbeddedStores(bogus);
        models::Backend backend = m_store.backend;
        backend.cases = broken.cases;
        QueueModel model(backend);
        QSignalSpy failed(&model, &QueueModel::loadFailed);
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty(); }, 30000));
        QVERIFY(!failed.first().at(1).toString().isEmpty());
        QVERIFY(!model.isComplete());
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(QueueModelTest)
#include "QueueModelTest.moc"
