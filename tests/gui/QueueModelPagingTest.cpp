// QueueModel over a seeded embedded store: consistency under QAbstractItemModelTester, pages inserted one batch each,
// filters and search answered by the store, stale loads dropped, and failures (a refresh that fails keeps the rows, a
// store that cannot be opened is reported).

#include "QueueTestStores.h"
#include "ShellTestStore.h"
#include "TestFiles.h"

#include <QItemSelectionModel>

using namespace fairuse;
using namespace fairuse::testing;
using fairuse::models::QueueModel;

class QueueModelPagingTest : public QObject {
    Q_OBJECT

private:
    ShellTestStore m_store;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed(ShellTestStore::smallOptions())); }

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
        QCOMPARE(shownUidSet(model).size(), expected); // no duplicates
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
        QCOMPARE(shownUidSet(model), expected);
        for (int r = 0; r < model.rowCount(); ++r) {
            QVERIFY(matches(model.rowAt(r).state));
        }
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

    void unreachableStoreReportsUnavailable() {
        // A store whose file cannot be opened: the model reports the failure instead of hanging or crashing.
        QTemporaryDir dir;
        const QString bogus = dir.filePath(QStringLiteral("not-a-db.sqlite"));
        QVERIFY(writeFile(bogus, "this is not sqlite at all, just text long enough to not be an empty file\n"));
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

QTEST_MAIN(QueueModelPagingTest)
#include "QueueModelPagingTest.moc"
