// QueueModel's lazy reads: speech totals from a counting usage store and row details (open cases, oldest, last
// action) from a store that leaves them out are read for painted rows only and once, within the limit in flight;
// rows sort into place as the values arrive, and readAllShown reads every shown row before an export.

#include "QueueTestStores.h"
#include "ShellTestStore.h"

#include <QItemSelectionModel>

using namespace fairuse;
using namespace fairuse::testing;
using fairuse::models::QueueModel;

namespace {

/** A view tall enough that every row of the tests' 24-row stores is in view, so every row is read. */
constexpr QSize kEveryRow(1400, 1600);

/** Shows `model` in `view` at `size` and waits until it is painted. */
bool showIn(QTableView& view, QueueModel& model, QSize size) {
    view.setModel(&model);
    view.resize(size);
    view.show();
    return QTest::qWaitForWindowExposed(&view);
}

/** Paints `view` again and gives any read that paint would start the time to show up. */
void repaintAndSettle(QTableView& view) {
    view.viewport()->repaint();
    QTest::qWait(100);
}

/** Scrolls `view` to its last row: the users then in view. */
QSet<QString> scrollToEnd(QTableView& view, const QueueModel& model) {
    view.scrollToBottom();
    QTest::qWait(50);
    return uidsInView(view, model);
}

bool everyRow(const QueueModel& model, const std::function<bool(const services::QueueRow&)>& holds) {
    const QList<services::QueueRow> rows = shownRows(model);
    return std::all_of(rows.cbegin(), rows.cend(), holds);
}

} // namespace

class QueueModelLazyReadTest : public QObject {
    Q_OBJECT

private:
    ShellTestStore m_store;

    /** The seeded backend with `store` for its cases and no usage store (no speech totals). */
    models::Backend onLazyStore(const std::shared_ptr<LazyDetailsCaseStore>& store) const {
        models::Backend backend = m_store.backend;
        backend.cases = store;
        backend.usage = nullptr;
        return backend;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed(ShellTestStore::smallOptions())); }

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
        QVERIFY(showIn(view, model, QSize(900, 300)));
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
        repaintAndSettle(view);
        QCOMPARE(usage->reads.size(), before);

        // Scrolling to the end reads the rows now in view, and only those.
        const QSet<QString> lastScreen = scrollToEnd(view, model);
        QVERIFY(QTest::qWaitFor(
            [&] { return usage->reads.size() >= before + lastScreen.size() && model.speechReadsInFlight() == 0; },
            10000));
        QTest::qWait(100);
        const QSet<QString> later(usage->reads.cbegin() + before, usage->reads.cend());
        QCOMPARE(later, lastScreen);
        QVERIFY(usage->maxInFlight <= 3);
    }

    void rowDetailsAreReadOnlyForPaintedRowsAndOnce() {
        auto store = std::make_shared<LazyDetailsCaseStore>(2000, false);
        models::Backend backend = onLazyStore(store);
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
        QVERIFY(showIn(view, model, QSize(1400, 300)));
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
        repaintAndSettle(view);
        QCOMPARE(store->eventReads.size(), before);

        // Scrolling to the end reads the rows now in view, and only those.
        const QSet<QString> lastScreen = scrollToEnd(view, model);
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
        QVERIFY(showIn(view, model, kEveryRow));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return everyRow(model, [](const services::QueueRow& row) { return row.speech.has_value(); }) &&
                       model.speechReadsInFlight() == 0;
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
        auto store = std::make_shared<LazyDetailsCaseStore>(300, false);
        models::Backend backend = onLazyStore(store);
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
        auto store = std::make_shared<LazyDetailsCaseStore>(24, false);
        models::Backend backend = onLazyStore(store);
        QueueModel model(backend);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        model.sort(column, order);
        QTableView view;
        QVERIFY(showIn(view, model, kEveryRow));
        QItemSelectionModel* selection = view.selectionModel();
        const QString current = model.rowAt(5).state.uid;
        selection->setCurrentIndex(model.index(5, 0), QItemSelectionModel::SelectCurrent);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return everyRow(model, [](const services::QueueRow& row) { return row.detailsKnown; }) &&
                       model.detailsReadsInFlight() == 0;
            },
            10000));
        QTest::qWait(100); // the last flush re-sorts
        QCOMPARE(shownUids(model), expectedOrder(shownRows(model), column, order));
        QCOMPARE(selection->currentIndex().data(QueueModel::UidRole).toString(), current); // moved with its user
    }
};

QTEST_MAIN(QueueModelLazyReadTest)
#include "QueueModelLazyReadTest.moc"
